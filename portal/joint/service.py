"""一事联办 — what the joint-matter pages compute: who sees which matter, each part's state, where a matter
is stuck and for how long, and the time each department takes to countersign.

The state rules are plain functions of plain values (tested directly); the loaders cost a fixed number
of queries whatever the number of matters.

Decisions recorded here because the issue is silent on them:
- The lead department's own item is a part too: the lead countersigns it like every other department,
  and the matter is finished only when that part is 同意 as well.
- A part is late (逾期) only while it waits for the department's signature (not yet signed) past its
  deadline; while a 补正 request is outstanding the investor, not the department, holds the matter.
- When the requested material arrives the part is signed again and its deadline starts afresh from the
  day the material arrived (补正时间不计入会签时限).
- A 不同意 countersignature stops the matter (办理终止): it is no longer open, late or reminded.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from peewee import JOIN

from .. import rules
from ..models import Department, Holiday, Investor, JointMatter, JointPart, JointRequest, Officer, ServiceItem

PENDING_LABEL = "待会签"
STOPPED_LABEL = "不同意"  # a matter with a 不同意 part
DAYS_MIN, DAYS_MAX = 1, 60  # 会签时限（工作日）
VISITS_MAX = 99
STATE_FILTERS = {"open": "进行中", "late": "逾期", "done": "已办结", "refused": "不同意"}
ROLE_FILTERS = {"lead": "本部门牵头", "part": "本部门参与"}
INVESTOR_EXISTING, INVESTOR_NEW = "existing", "new"  # the new-matter form's investor: from the ledger, or new


def parse_int(text) -> int | None:
    """A whole number typed or chosen by the user (a count, an id), or None when it is not one.

    Longer than 18 digits is no record id and no count: SQLite could not even compare it."""
    text = str(text or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else None


# --- rules of one part, as plain functions ---------------------------------------------------------


def part_label(decision: str | None) -> str:
    """What a part shows: 待会签 until signed, else the 会签 decision (补正 reads 待补正)."""
    if decision is None:
        return PENDING_LABEL
    return "待补正" if decision == rules.SIGN_SUPPLEMENT else decision


def part_late(decision: str | None, deadline: dt.date | None, today: dt.date, stopped: bool = False) -> bool:
    """A part is 逾期 while it waits for the department's signature past its deadline.

    A 补正 part waits for the investor, and a stopped (不同意) matter waits for nobody."""
    return decision is None and not stopped and deadline is not None and today > deadline


def signed_late(signed_on: dt.date | None, deadline: dt.date | None) -> bool:
    """The department countersigned after its deadline (逾期会签)."""
    return signed_on is not None and deadline is not None and signed_on > deadline


def finished_on(parts: list[tuple[str | None, dt.date | None]]) -> dt.date | None:
    """The day a joint matter was finished (办结): the last 同意 signature once every part is 同意."""
    if parts and all(decision == rules.SIGN_AGREE for decision, _ in parts):
        return max(signed for _, signed in parts)
    return None


def average_days(rows: list[dict]) -> dict[int, dict]:
    """Per department: parts, parts signed 同意, the average days from opening to 同意 (会签平均用时),
    parts late now and parts signed late.

    rows: dicts with department_id, decision, signed_on, opened_on, deadline, stopped, today."""
    out: dict[int, dict] = {}
    for row in rows:
        d = out.setdefault(row["department_id"], {"parts": 0, "agreed": 0, "days": 0, "late_now": 0,
                                                  "signed_late": 0, "average": None})
        d["parts"] += 1
        if row["decision"] == rules.SIGN_AGREE and row["signed_on"] is not None:
            d["agreed"] += 1
            d["days"] += (row["signed_on"] - row["opened_on"]).days
        d["late_now"] += part_late(row["decision"], row["deadline"], row["today"], row["stopped"])
        d["signed_late"] += signed_late(row["signed_on"], row["deadline"])
    for d in out.values():
        d["average"] = round(d["days"] / d["agreed"], 1) if d["agreed"] else None
    return out


# --- queries -----------------------------------------------------------------------------------------


def stopped_ids():
    """Subquery: matters with a 不同意 countersignature."""
    return JointPart.stopped_joint_ids()


def late_ids(today: dt.date):
    """Subquery: matters with a part waiting for its signature past the deadline."""
    return JointPart.select(JointPart.joint).where(JointPart.late_condition(today))


def involving(department_id: int):
    """Condition: matters the department leads or takes part in."""
    return (JointMatter.lead == department_id) | JointMatter.id.in_(
        JointPart.select(JointPart.joint).where(JointPart.department == department_id))


def state_condition(state: str, today: dt.date):
    """SQL condition for the index filters open / late / done / refused."""
    open_ = JointMatter.finished_on.is_null() & JointMatter.id.not_in(stopped_ids())
    return {
        "open": open_,
        "late": open_ & JointMatter.id.in_(late_ids(today)),
        "done": JointMatter.finished_on.is_null(False),
        "refused": JointMatter.id.in_(stopped_ids()),
    }[state]


def matters_query():
    """Joint matters with their investor, lead department and lead item (one query)."""
    LeadItem = ServiceItem.alias("lead_item")
    return (JointMatter.select(JointMatter, Investor, Department, LeadItem)
            .join(Investor).switch(JointMatter)
            .join(Department, on=(JointMatter.lead == Department.id)).switch(JointMatter)
            .join(LeadItem, JOIN.LEFT_OUTER, on=(JointMatter.lead_item == LeadItem.id)))


MAX_ID = 2**63 - 1  # the largest id the database can hold


def valid_id(value) -> bool:
    """Whether a record id from a URL can be looked up at all (SQLite refuses larger integers)."""
    return isinstance(value, int) and 0 < value <= MAX_ID


def visible_matter_or_none(matter_id, user):
    """The matter, if the user may see it: the office and the leader see all, a department only the
    matters it leads or takes part in."""
    if not valid_id(matter_id):
        return None
    q = matters_query().where(JointMatter.id == matter_id)
    if user.is_department:
        q = q.where(involving(user.department_id))
    return q.first()


@dataclass
class PartView:
    """One part as a page shows it."""

    part: JointPart
    label: str
    late: bool
    signed_late: bool
    days_waiting: int | None
    requests: list = field(default_factory=list)

    @property
    def department(self):
        return self.part.department

    @property
    def outstanding(self):
        """The 补正 request still waiting for material, if any."""
        return next((r for r in self.requests if r.received_on is None), None)


@dataclass
class MatterView:
    """A joint matter with its parts, its state and where it is stuck."""

    matter: JointMatter
    parts: list[PartView]
    state: str
    stopped: bool
    late: bool
    stuck: list[PartView]

    @property
    def visits_flag(self) -> bool:
        """More than the one visit the reform allows (最多跑一次)."""
        return self.matter.visits > 1

    def part_of(self, department_id):
        return next((p for p in self.parts if p.part.department_id == department_id), None)


def load_views(matters: list[JointMatter], today: dt.date, with_requests: bool = False) -> list[MatterView]:
    """Builds the views of some matters: one query for all their parts (and one for the 补正 requests)."""
    if not matters:
        return []
    by_id = {m.id: m for m in matters}
    parts = list(
        JointPart.select(JointPart, Department, ServiceItem, Officer)
        .join(Department).switch(JointPart)
        .join(ServiceItem, JOIN.LEFT_OUTER).switch(JointPart)
        .join(Officer, JOIN.LEFT_OUTER)
        .where(JointPart.joint.in_(list(by_id)))
        .order_by(JointPart.joint, Department.sort_order, Department.id))
    requests: dict[int, list] = {}
    if with_requests and parts:
        for r in (JointRequest.select(JointRequest, Officer).join(Officer, JOIN.LEFT_OUTER)
                  .where(JointRequest.part.in_([p.id for p in parts]))
                  .order_by(JointRequest.asked_on, JointRequest.id)):
            requests.setdefault(r.part_id, []).append(r)
    grouped: dict[int, list[JointPart]] = {m_id: [] for m_id in by_id}
    for p in parts:
        grouped[p.joint_id].append(p)

    views = []
    for m_id, matter in by_id.items():
        own = grouped[m_id]
        # The lead first, then the participants in the departments' order.
        own.sort(key=lambda p: p.department_id != matter.lead_id)
        decisions = [p.decision for p in own]
        state = rules.joint_state(decisions)
        stopped = rules.SIGN_DISAGREE in decisions
        waiting = {s["id"]: s for s in rules.joint_stuck_parts(
            [{"id": p.id, "decision": p.decision, "deadline": p.deadline, "opened_on": matter.opened_on} for p in own],
            today)}
        part_views = [
            PartView(part=p, label=part_label(p.decision),
                     late=part_late(p.decision, p.deadline, today, stopped),
                     signed_late=signed_late(p.signed_on, p.deadline),
                     days_waiting=waiting[p.id]["days_waiting"] if p.id in waiting else None,
                     requests=requests.get(p.id, []))
            for p in own]
        stuck = [] if matter.finished_on else [pv for pv in part_views if pv.part.id in waiting]
        views.append(MatterView(matter=matter, parts=part_views, state=state, stopped=stopped,
                                late=any(pv.late for pv in part_views), stuck=stuck))
    return views


def department_times(today: dt.date, department_id: int | None = None) -> list[dict]:
    """Each department's countersigning record (for the office): parts, 同意, average days from opening
    to 同意, late now, signed late — one query over every part."""
    q = (JointPart.select(JointPart.department.alias("department_id"), JointPart.decision, JointPart.signed_on,
                          JointPart.deadline, JointMatter.opened_on, JointPart.joint.alias("joint_id"))
         .join(JointMatter))
    rows = list(q.dicts())
    stopped = {r["joint_id"] for r in rows if r["decision"] == rules.SIGN_DISAGREE}
    for r in rows:
        r["stopped"] = r["joint_id"] in stopped
        r["today"] = today
    stats = average_days(rows)
    if not stats:
        return []
    departments = Department.select().where(Department.id.in_(list(stats)))
    if department_id is not None:
        departments = departments.where(Department.id == department_id)
    out = [{"department": d, **stats[d.id]} for d in departments.order_by(Department.sort_order, Department.id)]
    return sorted(out, key=lambda r: (-(r["late_now"] + r["signed_late"]), r["department"].sort_order))


def late_parts(today: dt.date, department_id: int | None = None) -> list[JointPart]:
    """Parts waiting for their signature past the deadline in open matters, with matter and department
    (the office's 逾期 list) — one query."""
    q = (JointPart.select(JointPart, JointMatter, Department)
         .join(JointMatter).switch(JointPart).join(Department)
         .where(JointPart.late_condition(today)))
    if department_id is not None:
        q = q.where(involving(department_id))
    return list(q.order_by(JointPart.deadline, JointMatter.id))


def counts(base_query, today: dt.date) -> dict:
    """Figures above the index table: all, open, late, done, refused (one query each)."""
    out = {"all": base_query.count()}
    for key in STATE_FILTERS:
        out[key] = base_query.where(state_condition(key, today)).count()
    return out


def serving_officers(department_id: int) -> list[Officer]:
    """The department's serving officers (首席服务员), who may sign its countersignature."""
    return list(Officer.serving(department_id).order_by(Officer.term_start, Officer.id))


# --- the list ----------------------------------------------------------------------------------------


def list_conditions(department_id: int | None, role: str | None, search: str) -> list:
    """Which matters the list holds: those involving a department (its own for a department user, ?dept=
    for the office), as lead or as participant (?role=lead|part, department users), and the search by
    project or investor name."""
    conditions = []
    if department_id is not None:
        conditions.append(involving(department_id))
    if role == "lead":
        conditions.append(JointMatter.lead == department_id)
    elif role == "part":
        conditions.append(JointMatter.lead != department_id)
    if search:
        conditions.append(JointMatter.project.contains(search) | JointMatter.investor.in_(
            Investor.select(Investor.id).where(Investor.name.contains(search))))
    return conditions


def listed(conditions: list, state: str | None, today: dt.date) -> tuple[dict, object]:
    """The list's figures (over every state) and its query (in ?state= when it names one)."""
    base = JointMatter.select()
    query = matters_query()
    for c in conditions:
        base = base.where(c)
        query = query.where(c)
    if state in STATE_FILTERS:
        query = query.where(state_condition(state, today))
    return counts(base, today), query


# --- opening a joint matter --------------------------------------------------------------------------


def items_by_department(department_ids) -> dict[int, list]:
    """The items in use of each department, in list order: one query."""
    ids = [d for d in department_ids if d]
    out: dict[int, list] = {}
    if ids:
        for item in (ServiceItem.select().where(ServiceItem.department.in_(ids) & (ServiceItem.retired == False))  # noqa: E712
                     .order_by(ServiceItem.seq, ServiceItem.id)):
            out.setdefault(item.department_id, []).append(item)
    return out


def lead_investors(lead_id: int) -> dict[int, Investor]:
    """The lead department's ledger investors by id, by name."""
    return {i.id: i for i in Investor.select().where(Investor.department == lead_id).order_by(Investor.name)}


def _text(field) -> str:
    return (field.data or "").strip()


def open_matter(w, lead_id: int, form, investors: dict, rows: list[dict], user_id: int) -> JointMatter:
    """发起联办: the investor (a new one joins the lead's ledger), the matter, the lead's own part and every
    participant's part, each deadline counted in working days from the day it was opened.

    Raises peewee.IntegrityError when the new investor's code was registered a moment ago."""
    holidays = Holiday.calendar()
    opened_on = form.opened_on.data
    if form.investor_mode.data == INVESTOR_NEW:
        investor = w.create(Investor, department=lead_id, name=_text(form.inv_name),
                            credit_code=_text(form.inv_code).upper(),
                            contact=_text(form.inv_contact), phone=_text(form.inv_phone))
    else:
        investor = investors[parse_int(form.investor_id.data)]
    lead_days = parse_int(form.lead_days.data)
    lead_item = parse_int(form.lead_item.data)
    # Each record keeps the item's name as it is today (历史记录保留当时的名称).
    names = ServiceItem.labels([lead_item] + [row["item_id"] for row in rows])
    matter = w.create(JointMatter, lead=lead_id, investor=investor.id, project=_text(form.project),
                      lead_item=lead_item, lead_item_name=names.get(lead_item, ""), opened_on=opened_on,
                      notes=_text(form.notes), created_by=user_id)
    # The lead countersigns its own item like every other department (a part of its own).
    w.create(JointPart, joint=matter.id, department=lead_id, item=lead_item, item_name=names.get(lead_item, ""),
             deadline_days=lead_days, deadline=rules.add_working_days(opened_on, lead_days, *holidays))
    for row in rows:
        w.create(JointPart, joint=matter.id, department=row["department_id"], item=row["item_id"],
                 item_name=names.get(row["item_id"], ""), deadline_days=row["days"],
                 deadline=rules.add_working_days(opened_on, row["days"], *holidays))
    return matter


# --- countersigning ----------------------------------------------------------------------------------


class Changed(Exception):
    """The part changed between the form and the write (another user signed it first)."""


def part_of(matter: JointMatter, part_id, department_id: int | None = None) -> JointPart | None:
    """A part of the matter (of one department when given), or None — also for an id no record has."""
    if not valid_id(part_id):
        return None
    condition = (JointPart.id == part_id) & (JointPart.joint == matter.id)
    if department_id is not None:
        condition &= JointPart.department == department_id
    return JointPart.get_or_none(condition)


def outstanding_request(part: JointPart) -> JointRequest | None:
    """The part's 补正 request whose material has not arrived yet (the latest), or None."""
    return (JointRequest.select().where((JointRequest.part == part.id) & JointRequest.received_on.is_null())
            .order_by(JointRequest.id.desc()).first())


def earliest_signing(matter: JointMatter, part: JointPart, outstanding: JointRequest | None) -> tuple[dt.date, str]:
    """The first day a countersignature may carry, with its name for the error: the matter's 受理日期, the
    day the last 补正 material arrived, or the day the outstanding 补正 was asked, whichever is latest."""
    last_received = (JointRequest.select(JointRequest.received_on)
                     .where((JointRequest.part == part.id) & JointRequest.received_on.is_null(False))
                     .order_by(JointRequest.received_on.desc()).scalar())
    earliest, label = matter.opened_on, "联办事项受理日期"
    if last_received and last_received > earliest:
        earliest, label = last_received, "补正材料收到日期"
    if outstanding is not None and outstanding.asked_on > earliest:
        earliest, label = outstanding.asked_on, "要求补正的日期"
    return earliest, label


def sign(w, matter: JointMatter, part: JointPart, form, outstanding: JointRequest | None, user_id: int) -> None:
    """会签 the part as the checked SignForm says (同意 / 不同意 / 补正 with the missing material); the matter
    is finished when every part is 同意. Raises Changed when someone signed the part since it was read."""
    decision = form.decision.data
    signed_on = form.signed_on.data
    officer_id = parse_int(form.officer_id.data)
    missing = _text(form.missing) if decision == rules.SIGN_SUPPLEMENT else part.missing
    fresh = JointPart.get_by_id(part.id)
    if fresh.decision != part.decision:
        raise Changed
    if outstanding is not None:
        # Signing again after 补正: the material has arrived by now at the latest.
        w.update(JointRequest.get_by_id(outstanding.id), received_on=signed_on)
    w.update(fresh, decision=decision, opinion=_text(form.opinion), signed_on=signed_on,
             officer=officer_id, missing=missing)
    if decision == rules.SIGN_SUPPLEMENT:
        w.create(JointRequest, part=fresh.id, asked_on=signed_on, missing=missing,
                 opinion=fresh.opinion, officer=officer_id, created_by=user_id)
    update_finished(w, matter)


def update_finished(w, matter: JointMatter) -> None:
    """办结: the matter's finishing day follows its parts (the last 同意 once every part agreed)."""
    parts = list(JointPart.select(JointPart.decision, JointPart.signed_on).where(JointPart.joint == matter.id).tuples())
    finished = finished_on(parts)
    if finished != matter.finished_on:
        w.update(JointMatter.get_by_id(matter.id), finished_on=finished)


def record_received(w, part: JointPart, outstanding: JointRequest | None, day: dt.date) -> None:
    """补正材料已收到 on `day`: the part waits to be signed again, its deadline counted afresh from then."""
    if outstanding is not None:
        w.update(outstanding, received_on=day)
    w.update(part, decision=None, opinion="", signed_on=None, officer=None,
             deadline=rules.add_working_days(day, part.deadline_days, *Holiday.calendar()))
