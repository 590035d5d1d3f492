"""To-dos of the officers and tenure areas (待办提醒).

Department: a serving officer without an issued letter (未授权上岗), a letter whose items have changed,
a term reaching two years within 30 days, a tenure-change report returned by the office.
Office: tenure-change reports waiting to be acknowledged.
"""
from __future__ import annotations

from flask import url_for

from .. import reminders, rules
from ..models import Officer, TenureReport
from . import service

AREA = "首席服务员"


@reminders.source
def officer_reminders(user, today):
    """A department's officers: letters missing or out of date, terms reaching two years."""
    if not user.is_department:
        return []
    serving = list(Officer.serving(user.department_id))
    status = service.status_for(serving, today)
    out = []
    for officer in serving:
        url = url_for("officers.detail", officer_id=officer.id)
        entry = status[officer.id]
        if entry["letter"] is None:
            out.append(reminders.Reminder(
                area=AREA, text=f"{officer.name}尚无已签发的授权委托书（未授权上岗），请核对其事项并签发。",
                url=url, endpoint="officers.index"))
        elif entry["stale"]:
            out.append(reminders.Reminder(
                area=AREA, text=f"{officer.name}的审批事项有变化，授权委托书{entry['letter'].number}需重新签发。",
                url=url, endpoint="officers.index"))
        if rules.term_nearing_two_years(officer.term_start, today):
            mark = rules.two_year_mark(officer.term_start)
            out.append(reminders.Reminder(
                area=AREA, text=f"{officer.name}的任期将于{mark.year}年{mark.month}月{mark.day}日满两年。",
                url=url, deadline=mark, endpoint="officers.index"))
    return out


@reminders.source
def tenure_reminders(user, today):
    """Returned reports for the department; reports waiting for the office."""
    if user.is_department:
        returned = list(TenureReport.select(TenureReport, Officer)
                        .join(Officer, on=(TenureReport.outgoing == Officer.id))
                        .where((TenureReport.department == user.department_id)
                               & (TenureReport.state == rules.REPORT_RETURNED)))
        return [reminders.Reminder(area="任期调整", text=f"任期调整报告（{r.outgoing.name}离任）被协调办退回："
                                   f"{r.review_comment}", url=url_for("tenure.detail", report_id=r.id),
                                   endpoint="tenure.index") for r in returned]
    if user.is_office:
        waiting = TenureReport.select().where(TenureReport.state == rules.REPORT_FILED).count()
        if waiting:
            return [reminders.Reminder(area="任期调整", text=f"{waiting}份任期调整报告待确认。",
                                       url=url_for("tenure.index", state=rules.REPORT_FILED), count=waiting,
                                       endpoint="tenure.index")]
    return []
