"""Which department a ledger page shows, and the matter queries every ledger page shares."""
from __future__ import annotations

import datetime as dt

from flask import abort, request
from flask_login import current_user
from peewee import JOIN

from .. import listing, rules
from ..models import Department, Investor, Matter, Officer, ServiceItem

# The in-place status control: 已受理 → 办理中 → 已办结, or 已退回 from either open state. 即办件 are
# finished on the spot, so 已受理 may go straight to 已办结.
NEXT_STATES = {
    rules.MATTER_RECEIVED: (rules.MATTER_IN_PROGRESS, rules.MATTER_DONE, rules.MATTER_RETURNED),
    rules.MATTER_IN_PROGRESS: (rules.MATTER_DONE, rules.MATTER_RETURNED),
}
OVERDUE = "overdue"
OPEN = "open"  # 在办: 已受理 or 办理中


def viewed_department(optional: bool = True):
    """The department the page is about: a department user's own (?dept is ignored); for the office
    and the leader the one named by ?dept=<code> (404 when unknown), or None for the whole city."""
    if current_user.is_department:
        return current_user.department
    code = (request.args.get("dept") or "").strip()
    if not code:
        if not optional:
            abort(404)
        return None
    dept = Department.get_or_none(Department.code == code)
    if dept is None:
        abort(404)
    return dept


def parse_month(value: str | None) -> tuple[dt.date, dt.date] | None:
    """'2026-11' → (first day, last day); None for anything else."""
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        first = dt.date(year, month, 1)
    except ValueError:
        return None
    last = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    return first, last


def _int(value) -> int | None:
    return listing.record_id(value)  # bounded: ?item=<20 digits> is no record, not a database overflow


def matters(department=None):
    """Matters with their investor, item, officer (and department) joined: no query per row."""
    q = (Matter.select(Matter, Investor, ServiceItem, Officer, Department)
         .join(Investor).switch(Matter)
         .join(ServiceItem, JOIN.LEFT_OUTER).switch(Matter)
         .join(Officer, JOIN.LEFT_OUTER).switch(Matter)
         .join(Department))
    if department is not None:
        q = q.where(Matter.department == department)
    return q


def month_filter(query, args):
    """Only matters received in ?month=YYYY-MM (the figures follow the month too)."""
    span = parse_month(args.get("month"))
    if span:
        query = query.where(Matter.received_date.between(*span))
    return query


def apply_filters(query, args, today: dt.date):
    """The ledger's filters from the query string: status (or open / overdue), item, officer, month, q.

    Values that do not parse are ignored, so an edited link shows the whole ledger, not an error."""
    status = args.get("status")
    if status == OVERDUE:
        query = query.where(Matter.overdue_condition(today))
    elif status == OPEN:
        query = query.where(Matter.open_condition())
    elif status in rules.MATTER_STATES:
        query = query.where(Matter.status == status)
    item_id = _int(args.get("item"))
    if item_id:
        query = query.where(Matter.item == item_id)
    officer_id = _int(args.get("officer"))
    if officer_id:
        query = query.where(Matter.officer == officer_id)
    query = month_filter(query, args)
    text = (args.get("q") or "").strip()
    if text:
        query = query.where(Matter.project.contains(text) | Investor.name.contains(text)
                            | (Investor.credit_code == text.upper()))
    return query


SORT_COLUMNS = {
    "received": Matter.received_date, "promised": Matter.promised_date, "completed": Matter.completed_date,
    "project": Matter.project, "investor": Investor.name, "status": Matter.status, "visits": Matter.visits,
}
