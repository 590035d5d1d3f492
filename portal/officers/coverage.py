"""Coverage (不断档) and officer status per department, for the department page, the office's overview
and the reminders. Reads only; each function costs a fixed number of queries whatever the city's size."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from .. import rules
from ..models import Department, Officer, Setting, TenureReport
from . import service

PROBLEMS = {
    "no_officer": "无在任首席服务员",
    "no_letter": "有未授权上岗人员",
    "gap": "存在断档",
    "early": "有提前调整",
    "open": "有未确认的任期报告",
}


def gaps(officers, since: dt.date, today: dt.date) -> tuple[list[tuple[dt.date, dt.date]], int]:
    """断档 periods since the system's start and their number of days, over all the officers' terms."""
    intervals = rules.gap_intervals([o.term() for o in officers], since, today)
    return intervals, rules.days_in(intervals)


@dataclass
class DepartmentRow:
    """One department's line in the office's overview."""

    department: Department
    serving: list = field(default_factory=list)
    unauthorised: list = field(default_factory=list)  # serving without an issued letter (未授权上岗)
    stale: list = field(default_factory=list)  # letter in force but the items changed since
    gap_intervals: list = field(default_factory=list)
    gap_days: int = 0
    early: int = 0
    filed: int = 0  # 待确认
    returned: int = 0  # 已退回

    @property
    def open_reports(self) -> int:
        """Reports not acknowledged yet (rules.report_open: 待确认 or 已退回)."""
        return self.filed + self.returned

    @property
    def problems(self) -> set[str]:
        found = set()
        if not self.serving:
            found.add("no_officer")
        if self.unauthorised:
            found.add("no_letter")
        if self.gap_days:
            found.add("gap")
        if self.early:
            found.add("early")
        if self.open_reports:
            found.add("open")
        return found


def city_rows(today: dt.date) -> list[DepartmentRow]:
    """Every active department with its officers, letters, gap days and reports (全市首席服务员情况)."""
    since = Setting.system_start()
    departments = list(Department.active_ordered())
    rows = {d.id: DepartmentRow(d) for d in departments}
    by_dept: dict[int, list] = {d.id: [] for d in departments}
    for officer in Officer.select().where(Officer.department.in_(list(rows))).order_by(Officer.term_start, Officer.id):
        by_dept[officer.department_id].append(officer)
    serving = [o for officers in by_dept.values() for o in officers if o.term_end is None]
    status = service.status_for(serving, today)
    for dept_id, officers in by_dept.items():
        row = rows[dept_id]
        row.serving = [o for o in officers if o.term_end is None]
        row.unauthorised = [o for o in row.serving if status[o.id]["letter"] is None]
        row.stale = [o for o in row.serving if status[o.id]["stale"]]
        if row.department.has_window:
            row.gap_intervals, row.gap_days = gaps(officers, since, today)
    for dept_id, state, early in TenureReport.select(TenureReport.department, TenureReport.state,
                                                     TenureReport.early).tuples():
        row = rows.get(dept_id)
        if row is None:
            continue
        row.early += bool(early)
        row.filed += state == rules.REPORT_FILED
        row.returned += state == rules.REPORT_RETURNED
    return [rows[d.id] for d in departments]
