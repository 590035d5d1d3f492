"""全市清单导入 — the office imports a city-wide workbook: one sheet with a 实施部门 column, or one sheet
per department, in the attachment-1 layout.

The whole workbook is checked before anything is written: every row is given to its department
(imports.split_by_department) and checked with that department's officers and items exactly as the
department's own import checks it (imports.plan). Nothing is written unless every row of every
department passes, no 实施部门 is unknown, and no department named has a list under review (已报送):
the office does not change a list while it reviews it. Then every department's items are written in
one transaction, as the department's own import would write them (items.service.apply_import): the
department's current list — its draft for the next submission — changes, every change audited as the
office user's.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from .. import rules
from ..files import imports
from ..models import Department, ItemList, Officer
from . import service


@dataclass
class DepartmentResult:
    """One department's part of a city-wide import."""

    department: Department
    plan: imports.Plan
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    reordered: bool = False
    refused: str = ""  # why the department cannot be imported (its list is under review)

    @property
    def wrong_rows(self) -> int:
        return len({(e.sheet, e.line) for e in self.plan.errors})

    @property
    def ok(self) -> bool:
        return self.plan.ok and not self.refused


@dataclass
class CityImport:
    """The check of a city-wide workbook, department by department, and whether it was written."""

    departments: list[DepartmentResult] = field(default_factory=list)
    errors: list[imports.RowError] = field(default_factory=list)  # rows no department could be given
    unknown: list[str] = field(default_factory=list)
    written: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.departments) and all(d.ok for d in self.departments)

    @property
    def all_errors(self) -> list[tuple[str, imports.RowError]]:
        """Every error as (department name or "—", error), in the file's order."""
        out = [("—", e) for e in self.errors]
        out += [(d.department.name, e) for d in self.departments for e in d.plan.errors]
        return sorted(out, key=lambda pair: (pair[1].sheet, pair[1].line))

    @property
    def totals(self) -> dict:
        return {name: sum(getattr(d, name) for d in self.departments)
                for name in ("created", "updated", "unchanged", "wrong_rows")}


def check(sheets: list[imports.Sheet]) -> CityImport:
    """Every row of the workbook given to its department and checked; nothing is written. A fixed
    number of queries whatever the number of departments."""
    departments = list(Department.select().order_by(Department.sort_order, Department.id))
    split = imports.split_by_department(sheets, [(d.id, d.name, d.short_name, d.active) for d in departments])
    result = CityImport(errors=split.errors, unknown=split.unknown)
    named = [d for d in departments if d.id in split.rows]
    if not named:
        if not split.errors:
            result.errors.append(imports.RowError(0, "文件", "文件中没有事项数据（表头下方是空的）。"))
        return result
    items = service.department_items(named)
    officers: dict[int, list[Officer]] = {d.id: [] for d in named}
    for officer in (Officer.serving().where(Officer.department.in_([d.id for d in named]))
                    .order_by(Officer.term_start, Officer.id)):
        officers[officer.department_id].append(officer)
    waiting = under_review(named)
    for dept in named:
        plan = imports.plan(split.rows[dept.id], department_name=dept.name, short_name=dept.short_name,
                            officers=[(o.id, o.name) for o in officers[dept.id]],
                            existing=service.existing_for_import(dept, items[dept.id]))
        part = DepartmentResult(dept, plan)
        if dept.id in waiting:
            part.refused = refusal(waiting[dept.id])
        if plan.ok:
            counts = service.import_changes(plan, items[dept.id])
            part.created, part.updated, part.unchanged = counts["created"], counts["updated"], counts["unchanged"]
            part.reordered = counts["reordered"]
        result.departments.append(part)
    return result


def under_review(departments) -> dict[int, ItemList]:
    """The departments' lists waiting for the office's review (已报送), by department id."""
    q = ItemList.select().where(ItemList.department.in_([d.id for d in departments])
                                & (ItemList.state == rules.LIST_SUBMITTED))
    return {item_list.department_id: item_list for item_list in q}


def refusal(item_list: ItemList) -> str:
    return (f"该部门第{item_list.revision}版清单已报送、正在等待协调办审核，审核期间不能通过导入修改其清单。"
            "请先审核（通过或退回）后再导入。")


def apply(w, result: CityImport, at: dt.datetime) -> None:
    """Writes a city-wide import that passed check(): each department's rows as its own import would,
    in the caller's one transaction. The items and the lists under review are read again inside it, so
    that an edit or a submission made since the check is not overwritten; a department that has
    submitted meanwhile raises ServiceError, and the caller's transaction writes nothing."""
    if not result.ok:
        raise service.ServiceError("文件未通过检查，未导入任何数据。")
    departments = [d.department for d in result.departments]
    waiting = under_review(departments)
    if waiting:
        names = "、".join(d.name for d in departments if d.id in waiting)
        raise service.ServiceError(f"{names}的清单刚刚报送，正在等待审核，未导入任何数据。请审核后重新导入。")
    items = service.department_items(departments)
    for part in result.departments:
        counts = service.apply_import(w, part.department, part.plan, at, items[part.department.id])
        part.created, part.updated, part.unchanged = counts["created"], counts["updated"], counts["unchanged"]
        part.reordered = counts["reordered"]
    result.written = True
