"""Tenure-change reports (任期调整报告): checking, filing, acknowledging, returning, refiling.

Filing is the only way an officer's term ends: in one transaction the outgoing term ends the day before
the effective date, the incoming term starts on it, the outgoing officer's letter ends (已终止) and their
items pass to the incoming officer, who then needs a letter of their own.
"""
from __future__ import annotations

import datetime as dt

from .. import clock, rules
from ..models import JointPart, Letter, Matter, Officer, ServiceItem, TenureReport
from ..officers import service as officer_service
from .forms import NEW, NONE, PREVIOUS


def _officer_id(value) -> int | None:
    # Only plain ids: a 20-digit number would overflow SQLite's integer instead of simply not matching.
    text = str(value or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else None


def check(form, dept, today: dt.date) -> dict:
    """Checks a report against the department's officers; errors go next to the form's fields.

    Returns {"outgoing": Officer, "previous": Officer | None, "early": bool} when the report may be filed."""
    serving = {o.id: o for o in Officer.serving(dept)}
    outgoing = serving.get(_officer_id(form.outgoing.data))
    if form.outgoing.data and outgoing is None:
        form.outgoing.errors.append("所选人员不是本部门在任的首席服务员。")
    eff = form.effective_date.data
    kind = form.incoming_kind.data
    previous = None
    if kind == PREVIOUS:
        previous = (Officer.select().where((Officer.department == dept) & (Officer.id == _officer_id(form.previous.data)))
                    .first())
        if outgoing is not None and _officer_id(form.previous.data) == outgoing.id:
            form.previous.errors.append("接任人员不能与离任人员相同。")
        elif previous is None or previous.term_end is None:
            form.previous.errors.append("请选择本部门已离任的原首席服务员。")
        elif eff and eff <= previous.term_end:
            form.previous.errors.append(f"该人员上一任期至{previous.term_end.isoformat()}，新任期须在此之后开始。")
    elif kind == NEW and outgoing is not None and form.name.data:
        if form.name.data.strip() == outgoing.name and form.birth_date.data == outgoing.birth_date:
            form.name.errors.append("接任人员与离任人员为同一人，请选择其他接任人员。")
    elif kind not in (NEW, PREVIOUS, NONE):
        form.incoming_kind.errors.append("请选择接任人员的情况。")

    late_problem = backdate_problem(eff, today, form.late_note.data)
    if late_problem:
        form.late_note.errors.append(late_problem)
    early = False
    if eff and eff > today:
        form.effective_date.errors.append("调整生效日期不能晚于今天：请在调整生效后报送报告。")
    elif eff and outgoing is not None:
        if eff <= outgoing.term_start:
            form.effective_date.errors.append(
                f"调整生效日期须晚于{outgoing.name}的任期开始日期（{outgoing.term_start.isoformat()}）。")
        else:
            in_force = Letter.in_force(outgoing)
            if in_force is not None and in_force.issue_date and eff <= in_force.issue_date:
                form.effective_date.errors.append(
                    f"调整生效日期须晚于{outgoing.name}现行授权委托书（{in_force.number}）的签发日期"
                    f"（{in_force.issue_date.isoformat()}）。")
            early = rules.is_early_change(outgoing.term_start, eff)
            if early and not (form.reason.data or "").strip():
                mark = rules.two_year_mark(outgoing.term_start)
                form.reason.errors.append(f"{outgoing.name}任期未满两年（{mark.isoformat()}满两年），属提前调整，须说明调整原因。")
    if form.errors:
        return {}
    return {"outgoing": outgoing, "previous": previous, "early": early}


def backdate_problem(effective: dt.date | None, filed_on: dt.date, late_note: str | None) -> str | None:
    """补报 without its 补报说明: the error to show, or None. A refiled report is judged on its first filing."""
    if effective is None or not rules.is_backdated(effective, filed_on) or (late_note or "").strip():
        return None
    return (f"调整生效日期（{effective.isoformat()}）距报送已{rules.days_backdated(effective, filed_on)}天，"
            f"超过{rules.BACKDATE_DAYS}天，属补报：请填写补报说明（为何未及时报送）。补报将提示协调办。")


def records_after(report: TenureReport) -> dict:
    """补报的影响: ledger matters received and joint-matter parts signed under the outgoing officer's name
    on or after the effective date — the record says they were handled by someone no longer in office."""
    if report.outgoing_id is None:
        return {"matters": [], "signatures": []}
    return {"matters": list(Matter.by_officer_since(report.outgoing_id, report.effective_date)),
            "signatures": list(JointPart.signed_by_since(report.outgoing_id, report.effective_date))}


def file(w, dept, form, checked: dict, user) -> TenureReport:
    """报送 — end the outgoing term, start the incoming one, hand the items over, record the report."""
    outgoing, previous = checked["outgoing"], checked["previous"]
    eff = form.effective_date.data
    last_day = eff - dt.timedelta(days=1)
    w.update(outgoing, action="term_end", term_end=last_day)
    officer_service.end_for_officer(w, outgoing, last_day)
    incoming = None
    if form.incoming_kind.data == NEW:
        incoming = w.create(Officer, department=dept, term_start=eff, **form.person())
    elif form.incoming_kind.data == PREVIOUS:
        incoming = w.create(Officer, department=dept, term_start=eff, name=previous.name, gender=previous.gender,
                            birth_date=previous.birth_date, position=previous.position,
                            work_phone=previous.work_phone, mobile=previous.mobile, note=previous.note)
    if incoming is not None:
        for item in ServiceItem.select().where((ServiceItem.officer == outgoing) & (ServiceItem.retired == False)):  # noqa: E712
            w.update(item, action="handover", officer=incoming, updated_at=clock.now())
    return w.create(TenureReport, department=dept, outgoing=outgoing, incoming=incoming, effective_date=eff,
                    reason=(form.reason.data or "").strip(), handover=form.handover.data.strip(),
                    early=checked["early"], late_note=(form.late_note.data or "").strip(),
                    days_backdated=rules.days_backdated(eff, clock.today()), state=rules.REPORT_FILED,
                    filed_at=clock.now(), filed_by=user)


def filed_message(report: TenureReport, dept) -> str:
    """What the department is told after filing: early change, items handed over, or nobody serving now."""
    message = "任期调整报告已报送协调办。"
    if report.backdated:
        message += f"本报告属补报（生效{report.days_backdated}天后报送），已提示协调办。"
        after = records_after(report)
        if after["matters"] or after["signatures"]:
            message += (f"生效日期之后仍有{len(after['matters'])}件台账事项、{len(after['signatures'])}次联办会签"
                        f"登记在{report.outgoing.name}名下，请核实。")
    if report.early:
        message += "本次调整属提前调整（任期未满两年）。"
    if report.incoming_id:
        message += "原首席服务员的事项已移交接任人员，请尽快为其签发授权委托书。"
    elif not Officer.serving(dept).exists():
        message += "本部门现无在任首席服务员，请尽快任命，避免断档。"
    return message


def acknowledge(w, report: TenureReport, user) -> TenureReport:
    """确认 (office): the change is on record."""
    return w.update(report, action="acknowledge", state=rules.REPORT_ACKNOWLEDGED, reviewed_at=clock.now(),
                    reviewed_by=user)


def send_back(w, report: TenureReport, comment: str, user) -> TenureReport:
    """退回 (office), with what the department must correct; it shows in the department's to-dos."""
    return w.update(report, action="return", state=rules.REPORT_RETURNED, reviewed_at=clock.now(), reviewed_by=user,
                    review_comment=comment.strip())


def refile(w, report: TenureReport, reason: str, handover: str, user, late_note: str = "") -> TenureReport:
    """重新报送 a returned report with corrected texts; it waits for the office again."""
    return w.update(report, action="refile", state=rules.REPORT_FILED, reason=reason.strip(), handover=handover.strip(),
                    late_note=(late_note or "").strip(), filed_at=clock.now(), filed_by=user)
