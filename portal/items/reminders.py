"""事项清单 to-dos (待办): a returned list and the year's submission deadline for a department; lists
waiting for review and departments late with their list for the office. A constant number of queries
per user."""
from __future__ import annotations

from flask import url_for

from .. import reminders, rules
from ..models import Department, ItemList, Setting

AREA = "事项清单"


@reminders.source
def list_reminders(user, today):
    """The list's to-dos of a department user or the office."""
    if user.is_department:
        return _department(user, today)
    if user.is_office:
        return _office(today)
    return []


def _department(user, today):
    out = []
    lists = list(ItemList.select().where(ItemList.department == user.department_id).order_by(ItemList.revision.desc()))
    latest = lists[0] if lists else None
    if latest is not None and latest.state == rules.LIST_RETURNED:
        out.append(reminders.Reminder(
            area=AREA, text=f"第{latest.revision}版事项清单被协调办退回：{latest.review_comment}　请修改后重新报送。",
            url=url_for("items.versions"), endpoint="items.index"))
    year = today.year
    if not any(lst.year == year and lst.submitted_at for lst in lists):
        deadline = Setting.list_deadline(year)
        overdue = today > deadline
        text = (f"{year}年度事项清单已超过报送截止日期，尚未报送，请尽快报送。" if overdue
                else f"请在截止日期前报送{year}年度事项清单。")
        out.append(reminders.Reminder(area=AREA, text=text, url=url_for("items.submit"), deadline=deadline,
                                      overdue=overdue, endpoint="items.index"))
    return out


def _office(today):
    out = []
    q = (ItemList.select(ItemList, Department).join(Department)
         .where(ItemList.state == rules.LIST_SUBMITTED).order_by(ItemList.submitted_at))
    for item_list in q:
        out.append(reminders.Reminder(
            area=AREA, text=f"{item_list.department.name} 报送的第{item_list.revision}版事项清单待审核。",
            url=url_for("items.review", list_id=item_list.id), endpoint="items.review_queue"))
    year = today.year
    deadline = Setting.list_deadline(year)
    if today > deadline:
        submitted = (ItemList.select(ItemList.department).distinct()
                     .where((ItemList.year == year) & ItemList.submitted_at.is_null(False)))
        late = (Department.select().where((Department.active == True) & (Department.has_window == True)  # noqa: E712
                                          & Department.id.not_in(submitted)).count())
        if late:
            out.append(reminders.Reminder(
                area=AREA, text=f"{late}个部门逾期未报送{year}年度事项清单。", url=url_for("items.review_queue"),
                deadline=deadline, overdue=True, count=0, endpoint="items.review_queue"))
    return out
