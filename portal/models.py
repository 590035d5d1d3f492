"""Every record of the domain (DESIGN.md), with the constraints the database itself enforces and the
queries each record is asked for. Nothing here knows about HTTP."""
from __future__ import annotations

import datetime as dt
import json

from peewee import (
    BlobField,
    BooleanField,
    Case,
    Check,
    CharField,
    DateField,
    DateTimeField,
    FloatField,
    ForeignKeyField,
    IntegerField,
    JOIN,
    Model,
    TextField,
    fn,
)

from . import rules
from .db import db


def _in(column: str, values) -> Check:
    quoted = ", ".join("'%s'" % v for v in values)
    return Check(f"{column} IN ({quoted})")


def _now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


def count_if(condition):
    """SUM(CASE WHEN condition THEN 1 ELSE 0 END): a count inside one aggregate (or grouped) query."""
    return fn.SUM(Case(None, [(condition, 1)], 0))


class BaseModel(Model):
    class Meta:
        database = db
        legacy_table_names = False

    def snapshot(self) -> dict:
        """The record's own columns as JSON-friendly values, for the audit log."""
        out = {}
        for field in self._meta.sorted_fields:
            value = self.__data__.get(field.name)
            if isinstance(value, (dt.date, dt.datetime)):
                value = value.isoformat()
            elif field.name == "password_hash":
                value = "***"  # the log shows that it changed, never the hash
            elif isinstance(value, (bytes, bytearray, memoryview)):
                value = f"<{len(bytes(value))} bytes>"
            out[field.name] = value
        return out


# --- organisation and accounts -------------------------------------------------------------------


class Department(BaseModel):
    """部门 — a department with an approval window."""

    code = CharField(max_length=32, unique=True)  # short code, used for its demo login
    name = CharField(max_length=100, unique=True)
    short_name = CharField(max_length=40, default="")
    has_window = BooleanField(default=True)
    several_officers = BooleanField(default=False)  # set by the office (公安, 交通 …)
    active = BooleanField(default=True)
    sort_order = IntegerField(default=0)
    created_at = DateTimeField(default=_now)

    @classmethod
    def active_ordered(cls):
        return cls.select().where(cls.active == True).order_by(cls.sort_order, cls.id)  # noqa: E712

    @classmethod
    def ordered(cls):
        """Every department, active or not, in the office's order."""
        return cls.select().order_by(cls.sort_order, cls.id)

    @classmethod
    def by_ids(cls, ids) -> dict[int, "Department"]:
        ids = list(ids)
        return {d.id: d for d in cls.select().where(cls.id.in_(ids))} if ids else {}

    @classmethod
    def taken(cls, code: str, name: str, except_id: int | None = None) -> bool:
        """Whether another department already uses this code or name (both are unique)."""
        q = cls.select().where((cls.code == code) | (cls.name == name))
        if except_id is not None:
            q = q.where(cls.id != except_id)
        return q.exists()

    @classmethod
    def next_sort_order(cls) -> int:
        """A new department goes to the end of the list."""
        return cls.select().count() + 1


class User(BaseModel):
    """An account: 部门经办人, 协调办 or 领导小组."""

    username = CharField(max_length=64, unique=True)
    display_name = CharField(max_length=64, default="")
    password_hash = CharField(max_length=255)
    role = CharField(max_length=16, constraints=[_in("role", rules.ROLES)])
    department = ForeignKeyField(Department, null=True, backref="users", on_delete="RESTRICT")
    active = BooleanField(default=True)
    created_at = DateTimeField(default=_now)
    password_changed_at = DateTimeField(default=_now)

    class Meta:
        constraints = [Check("(role = 'department') = (department_id IS NOT NULL)")]

    # flask-login protocol; get_id is the session token, set by the login code.
    is_anonymous = False

    @property
    def is_authenticated(self):
        return True

    @property
    def is_active(self):
        return self.active

    def get_id(self):
        return getattr(self, "session_token", None)

    @property
    def is_department(self):
        return self.role == rules.ROLE_DEPARTMENT

    @property
    def is_office(self):
        return self.role == rules.ROLE_OFFICE

    @property
    def is_leader(self):
        return self.role == rules.ROLE_LEADER

    @property
    def role_label(self):
        return rules.ROLE_LABELS[self.role]

    @classmethod
    def with_departments(cls):
        """Every account with its department, by role, department and name (系统管理)."""
        return (cls.select(cls, Department).join(Department, JOIN.LEFT_OUTER)
                .order_by(cls.role, Department.sort_order, cls.username))

    @classmethod
    def username_taken(cls, username: str) -> bool:
        return cls.select().where(cls.username == username).exists()


class LoginSession(BaseModel):
    """A server-side session: revoking it kills the cookie that carries its token."""

    token = CharField(max_length=64, unique=True)
    user = ForeignKeyField(User, backref="sessions", on_delete="CASCADE")
    created_at = DateTimeField(default=_now)
    last_seen_at = DateTimeField(default=_now)
    revoked_at = DateTimeField(null=True)
    address = CharField(max_length=64, default="")


class LoginAttempt(BaseModel):
    """One login attempt, kept for throttling and the security log. `device` is the nonce of the device
    cookie the browser carried for this account (empty: a browser unknown to the account)."""

    username = CharField(max_length=64, index=True)
    address = CharField(max_length=64, index=True)
    at = DateTimeField(default=_now, index=True)
    success = BooleanField(default=False)
    device = CharField(max_length=32, default="", index=True)


class Setting(BaseModel):
    """Office settings (deadlines, start date, limits) as key → JSON value."""

    key = CharField(max_length=64, primary_key=True)
    value = TextField()

    DEFAULTS = {
        "system_start": "2025-01-01",  # 制度实施之日: gap days are counted from here
        "evaluation_answer_days": 5,  # 差评整改回复时限（工作日）
        "oversight_rate": 0.05,
        "oversight_minimum": 3,
        "oversight_answer_days": 10,
        "public_base_url": "",
    }

    @classmethod
    def get_value(cls, key: str, default=None):
        row = cls.get_or_none(cls.key == key)
        if row is None:
            return cls.DEFAULTS.get(key, default)
        return json.loads(row.value)

    @classmethod
    def set_value(cls, key: str, value) -> None:
        cls.insert(key=key, value=json.dumps(value, ensure_ascii=False)).on_conflict(
            conflict_target=[cls.key], update={cls.value: json.dumps(value, ensure_ascii=False)}
        ).execute()

    @classmethod
    def list_deadline(cls, year: int) -> dt.date:
        """清单报送截止日 of the year (default 10 August)."""
        value = cls.get_value(f"list_deadline_{year}")
        return dt.date.fromisoformat(value) if value else rules.default_deadline(year)

    @classmethod
    def system_start(cls) -> dt.date:
        return dt.date.fromisoformat(cls.get_value("system_start"))


class Holiday(BaseModel):
    """法定节假日 (off) and 调休 make-up working days (on), edited by the office."""

    day = DateField(unique=True)
    is_workday = BooleanField(default=False)
    name = CharField(max_length=40, default="")

    @classmethod
    def calendar(cls) -> tuple[frozenset, frozenset]:
        """(holidays, make-up workdays) for rules.add_working_days."""
        off, on = set(), set()
        for day, is_workday in cls.select(cls.day, cls.is_workday).tuples():
            (on if is_workday else off).add(day)
        return frozenset(off), frozenset(on)

    @classmethod
    def of_year(cls, year: int):
        """The year's days of the list, in date order."""
        return cls.select().where(cls.day.between(dt.date(year, 1, 1), dt.date(year, 12, 31))).order_by(cls.day)

    @classmethod
    def years(cls) -> set[int]:
        """The years the list has days in."""
        return {d.year for (d,) in cls.select(cls.day).tuples()}


class DataVersion(BaseModel):
    """One row whose number moves on every write: pages compare it to know whether anything changed."""

    version = IntegerField(default=0)
    changed_at = DateTimeField(default=_now)

    @classmethod
    def current(cls) -> int:
        # Asked by every dashboard poll and page: hand-written SQL, no query to build.
        row = db.execute_sql("SELECT version FROM data_version WHERE id = 1").fetchone()
        return row[0] if row else 0


class AuditLog(BaseModel):
    """操作日志 — who changed what, when, before and after. Written by portal.audit only."""

    at = DateTimeField(default=_now, index=True)
    user = ForeignKeyField(User, null=True, backref="audit_entries", on_delete="SET NULL")
    username = CharField(max_length=64, default="")
    department = ForeignKeyField(Department, null=True, on_delete="SET NULL")
    action = CharField(max_length=32)
    table = CharField(max_length=64)
    record_id = IntegerField(null=True)
    before = TextField(null=True)
    after = TextField(null=True)
    address = CharField(max_length=64, default="")

    class Meta:
        indexes = ((("table", "record_id"), False),)

    @classmethod
    def for_record(cls, table: str, record_id: int):
        return cls.select().where((cls.table == table) & (cls.record_id == record_id)).order_by(cls.at.desc(), cls.id.desc())

    @classmethod
    def entries(cls, department_id: int | None = None, table: str = "", record_id: int | None = None,
                username: str = ""):
        """操作日志 newest first: a department's own entries (department_id), or all; filtered by table,
        record and user."""
        q = cls.select()
        if department_id is not None:
            q = q.where(cls.department == department_id)
        if table:
            q = q.where(cls.table == table)
        if record_id is not None:
            q = q.where(cls.record_id == record_id)
        if username:
            q = q.where(cls.username == username)
        return q.order_by(cls.id.desc())


# --- officers ------------------------------------------------------------------------------------


class Officer(BaseModel):
    """首席服务员 (附件3). A term ends only through a tenure-change report."""

    department = ForeignKeyField(Department, backref="officers", on_delete="RESTRICT")
    name = CharField(max_length=40)
    gender = CharField(max_length=2, constraints=[_in("gender", rules.GENDERS)])
    birth_date = DateField(null=True)
    position = CharField(max_length=100, default="")  # 工作单位（股室）及职位
    work_phone = CharField(max_length=40, default="")  # public
    mobile = CharField(max_length=40, default="")  # private: never on public pages
    note = CharField(max_length=200, default="")
    term_start = DateField()
    term_end = DateField(null=True)  # last day served; empty while serving
    created_at = DateTimeField(default=_now)

    class Meta:
        constraints = [Check("term_end IS NULL OR term_end >= term_start")]
        indexes = ((("department", "term_start"), False),)

    @classmethod
    def serving(cls, department=None, day: dt.date | None = None):
        """Officers serving on `day` (default: now, i.e. with no term end)."""
        q = cls.select()
        if day is None:
            q = q.where(cls.term_end.is_null())
        else:
            q = q.where((cls.term_start <= day) & (cls.term_end.is_null() | (cls.term_end >= day)))
        if department is not None:
            q = q.where(cls.department == department)
        return q

    @classmethod
    def authorised_ids(cls, department) -> set[int]:
        """Ids of the department's serving officers who hold an issued letter (已授权上岗)."""
        q = (cls.select(cls.id).join(Letter, on=(Letter.officer == cls.id))
             .where((cls.department == department) & cls.term_end.is_null() & (Letter.state == rules.LETTER_ISSUED)))
        return {row[0] for row in q.tuples()}

    @classmethod
    def of_department(cls, department):
        """Every officer the department has had, in the order they started."""
        return cls.select().where(cls.department == department).order_by(cls.term_start, cls.id)

    @classmethod
    def last_term_end(cls, department) -> dt.date | None:
        """The day the department's last former officer left (None if nobody has left)."""
        return cls.select(fn.MAX(cls.term_end)).where(cls.department == department).scalar()

    @classmethod
    def serving_counts(cls) -> dict[int, int]:
        """How many officers serve now in each department: {department id: n}."""
        return dict(cls.select(cls.department, fn.COUNT(cls.id)).where(cls.term_end.is_null())
                    .group_by(cls.department).tuples())

    @classmethod
    def serving_by_department(cls, department_ids) -> dict[int, list]:
        """The serving officers of each department, in the order they started: one query."""
        out = {i: [] for i in department_ids}
        for o in (cls.select().where(cls.department.in_(list(department_ids)) & cls.term_end.is_null())
                  .order_by(cls.term_start, cls.id)):
            out[o.department_id].append(o)
        return out

    @classmethod
    def choices(cls, department):
        """The department's officers for a select (id, name, term_end): serving first, the newest first."""
        return (cls.select(cls.id, cls.name, cls.term_end).where(cls.department == department)
                .order_by(cls.term_end.is_null(False), cls.term_start.desc()))

    @classmethod
    def former(cls, department):
        """The department's former officers (已离任), the latest to leave first."""
        return (cls.select().where((cls.department == department) & cls.term_end.is_null(False))
                .order_by(cls.term_end.desc()))

    def term(self):
        """The officer's term as a rules.Term."""
        return rules.Term(self.term_start, self.term_end)


# --- service items and their lists ---------------------------------------------------------------


class ListedItem:
    """A row of the list page (ServiceItem.listed): the columns the row shows, the officer's name as
    ``officer.name``, and ``position`` (序号) once attach_positions has set it. What the row template
    reads of a ServiceItem, without building one."""

    COLUMNS = ("id", "seq", "code", "item_name", "sub_item_name", "item_type", "inclusion", "officer_id", "mode",
               "reason", "reason_note", "retired")
    __slots__ = COLUMNS + ("officer", "position")

    def __init__(self, row):
        *values, officer_name = row
        for name, value in zip(self.COLUMNS, values):
            setattr(self, name, value)
        self.retired = bool(self.retired)  # SQLite gives 0/1
        self.officer = _Named(officer_name) if self.officer_id else None
        self.position = None

    @property
    def label(self) -> str:
        return ServiceItem.label_of(self.item_name, self.sub_item_name)


class _Named:
    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name


class ServiceItem(BaseModel):
    """依申请政务服务事项 — one row of attachment 1 (one 办理项)."""

    department = ForeignKeyField(Department, backref="items", on_delete="RESTRICT")
    seq = IntegerField(default=0)
    code = CharField(max_length=64, default="")  # 事项编码
    item_name = CharField(max_length=200)
    sub_item_name = CharField(max_length=200)
    item_type = CharField(max_length=16, constraints=[_in("item_type", rules.ITEM_TYPES)])
    inclusion = CharField(max_length=8, default=rules.PENDING, constraints=[_in("inclusion", rules.INCLUSIONS)])
    reason = CharField(max_length=16, null=True, constraints=[Check("reason IS NULL OR reason IN (%s)" % ", ".join("'%s'" % r for r in rules.REASONS))])
    reason_note = TextField(default="")
    officer = ForeignKeyField(Officer, null=True, backref="items", on_delete="SET NULL")
    mode = CharField(max_length=4, null=True, constraints=[Check("mode IS NULL OR mode IN ('终审', '初审')")])
    basis = TextField(default="")  # 设定依据
    legal_days = IntegerField(null=True)  # 法定办结时限（工作日）
    promised_days = IntegerField(null=True)  # 承诺办结时限（工作日）
    kind = CharField(max_length=8, default="", constraints=[Check("kind IN ('', '即办件', '承诺件')")])
    visits = IntegerField(null=True)  # 到现场次数
    materials = TextField(default="")  # 申请材料（一次性告知）
    location = CharField(max_length=200, default="")  # 办理地点/窗口
    retired = BooleanField(default=False)
    created_at = DateTimeField(default=_now)
    updated_at = DateTimeField(default=_now)

    class Meta:
        indexes = (
            (("department", "item_name", "sub_item_name"), True),
            (("department", "retired", "inclusion", "reason", "item_type"), False),
            (("department", "retired", "seq", "id"), False),  # the list in its order (migration 0160)
        )
        constraints = [Check("promised_days IS NULL OR legal_days IS NULL OR promised_days <= legal_days")]

    @classmethod
    def labels(cls, ids) -> dict[int, str]:
        """{item id: label} of the items given (one query): the name a new record keeps as it was."""
        ids = [i for i in ids if i]
        if not ids:
            return {}
        return {i.id: i.label for i in cls.select(cls.id, cls.item_name, cls.sub_item_name).where(cls.id.in_(ids))}

    @staticmethod
    def label_of(item_name: str, sub_item_name: str) -> str:
        """事项名称（办理项名称）, or the item's name alone when the 办理项 is the item itself."""
        if sub_item_name and sub_item_name != item_name:
            return f"{item_name}（{sub_item_name}）"
        return item_name

    @property
    def label(self) -> str:
        return self.label_of(self.item_name, self.sub_item_name)

    @classmethod
    def for_department(cls, department, include_retired: bool = False):
        q = cls.select().where(cls.department == department)
        if not include_retired:
            q = q.where(cls.retired == False)  # noqa: E712
        return q.order_by(cls.seq, cls.id)

    @classmethod
    def listed(cls, department, filters: dict, today: dt.date):
        """事项清单 as the list page shows it: the department's items (current, or retired with
        filters["retired"]) and of their officer only the name, in the columns a row shows (templates/items/_row_macro.html; an item's full text is long), filtered by
        type, inclusion, reason, text (name or 事项编码) and 纳入事项未授权 (filters["unassigned"])."""
        row_columns = [cls._meta.columns[name] for name in ListedItem.COLUMNS]  # by column: officer_id
        q = (cls.select(*row_columns, Officer.name)
             .join(Officer, JOIN.LEFT_OUTER, on=(cls.officer == Officer.id)).switch(cls)
             .where((cls.department == department) & (cls.retired == filters["retired"])))
        if filters["type"]:
            q = q.where(cls.item_type == filters["type"])
        if filters["inclusion"]:
            q = q.where(cls.inclusion == filters["inclusion"])
        if filters["reason"]:
            q = q.where((cls.inclusion == rules.EXCLUDED) & (cls.reason == filters["reason"]))
        if filters["q"]:
            text = filters["q"]
            q = q.where(cls.item_name.contains(text) | cls.sub_item_name.contains(text) | cls.code.contains(text))
        if filters["unassigned"]:
            q = q.where(cls.unauthorised_condition(today))
        return q

    @classmethod
    def listed_rows(cls, query) -> list[ListedItem]:
        """The rows of a `listed` query (a page of it) as ListedItem, straight from the cursor: fifty
        items with their officer through peewee's model machinery cost more than the query itself."""
        return [ListedItem(row) for row in cls._meta.database.execute(query)]

    @classmethod
    def matter_choices(cls, department, keep_id=None):
        """(id, item_name, sub_item_name, retired) of the department's items in use, and of the retired
        item `keep_id` a matter already names — plain tuples, in list order."""
        return (cls.select(cls.id, cls.item_name, cls.sub_item_name, cls.retired)
                .where((cls.department == department) & ((cls.retired == False) | (cls.id == (keep_id or 0))))  # noqa: E712
                .order_by(cls.seq, cls.id).tuples())

    @classmethod
    def attach_positions(cls, department, rows: list, first: int | None = None) -> list:
        """序号 as every page shows it, set on each row as ``position``: the item's place in its
        department's list (1, 2, 3 … in list order; a retired item takes none). One query of the
        department's ids in list order, whatever the page: a window function joined to the page
        cost a scan of the list per row (47 ms for a list of 1,000 items). A caller whose rows are
        the current list itself, in list order, gives the page's `first` 序号 and needs no query."""
        if first is not None:
            for n, row in enumerate(rows, first):
                row.position = n
            return rows
        ids = (cls.select(cls.id).where((cls.department == department) & (cls.retired == False))  # noqa: E712
               .order_by(cls.seq, cls.id))
        # The bare cursor: a thousand ids through peewee's row machinery cost more than the query.
        order = {item_id: n for n, (item_id,) in enumerate(cls._meta.database.execute(ids).fetchall(), 1)}
        for row in rows:
            row.position = order.get(row.id)
        return rows

    @classmethod
    def position_of(cls, item) -> int | None:
        """The 序号 of one item (see positions), None for a retired one."""
        if item.retired:
            return None
        return cls.select().where((cls.department == item.department_id) & (cls.retired == False)  # noqa: E712
                                  & ((cls.seq < item.seq) | ((cls.seq == item.seq) & (cls.id <= item.id)))).count()

    @classmethod
    def unauthorised_condition(cls, today: dt.date):
        """Rule 2 in SQL: a 纳入 item that does not appear (section 一 or 二) in an issued letter of its own
        officer, serving in the item's department on `today` (纳入事项未授权)."""
        covered = (LetterItem.select(LetterItem.id)
                   .join(Letter, on=(LetterItem.letter == Letter.id))
                   .join(Officer, on=(Letter.officer == Officer.id))
                   .where((LetterItem.item == cls.id) & (Letter.officer == cls.officer)
                          & (Letter.state == rules.LETTER_ISSUED)
                          & (Officer.term_start <= today) & (Officer.term_end.is_null() | (Officer.term_end >= today))
                          & (Officer.department == cls.department)))
        return (cls.inclusion == rules.INCLUDED) & ~fn.EXISTS(covered)


class ItemList(BaseModel):
    """清单 — one revision of a department's list: 草稿 → 已报送 → 已通过 / 已退回."""

    department = ForeignKeyField(Department, backref="lists", on_delete="RESTRICT")
    revision = IntegerField()
    year = IntegerField()
    state = CharField(max_length=8, default=rules.LIST_DRAFT, constraints=[_in("state", rules.LIST_STATES)])
    created_at = DateTimeField(default=_now)
    submitted_at = DateTimeField(null=True)
    submitted_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    deadline = DateField(null=True)
    on_time = BooleanField(null=True)
    reviewed_at = DateTimeField(null=True)
    reviewed_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    review_comment = TextField(default="")
    published = BooleanField(default=False)  # the approved version the public sees

    class Meta:
        indexes = ((("department", "revision"), True),)

    @classmethod
    def published_for(cls, department):
        return (cls.select().where((cls.department == department) & (cls.state == rules.LIST_APPROVED))
                .order_by(cls.revision.desc()).first())

    @classmethod
    def year_submission_day(cls, year: int):
        """The query form of rules.year_submission_day: per department, the first submission of the year
        that was not returned, as (department id, MIN(submitted_at)) rows."""
        return (cls.select(cls.department, fn.MIN(cls.submitted_at))
                .where((cls.year == year) & cls.submitted_at.is_null(False) & (cls.state != rules.LIST_RETURNED))
                .group_by(cls.department))

    @classmethod
    def waiting_review(cls):
        """Lists submitted and waiting for the office's review (已报送), with the department, oldest first."""
        return (cls.select(cls, Department).join(Department)
                .where(cls.state == rules.LIST_SUBMITTED).order_by(cls.submitted_at))

    @classmethod
    def latest_approved(cls):
        """The published version of every active department's list (its latest approved revision),
        with the department, in the departments' order: one query for the whole city."""
        latest = (cls.select(cls.department.alias("dept_id"), fn.MAX(cls.revision).alias("max_rev"))
                  .where(cls.state == rules.LIST_APPROVED).group_by(cls.department).alias("latest"))
        return (cls.select(cls, Department).join(Department)
                .join(latest, on=((latest.c.dept_id == cls.department) & (latest.c.max_rev == cls.revision)))
                .where(Department.active == True)  # noqa: E712
                .order_by(Department.sort_order, Department.id))


class ListRow(BaseModel):
    """One item as it stood in a submitted or approved list revision (kept whole)."""

    item_list = ForeignKeyField(ItemList, backref="rows", on_delete="CASCADE")
    item = ForeignKeyField(ServiceItem, null=True, on_delete="SET NULL", backref="+")
    seq = IntegerField(default=0)
    code = CharField(max_length=64, default="")
    item_name = CharField(max_length=200)
    sub_item_name = CharField(max_length=200)
    item_type = CharField(max_length=16)
    inclusion = CharField(max_length=8)
    reason = CharField(max_length=16, null=True)
    reason_note = TextField(default="")
    officer = ForeignKeyField(Officer, null=True, on_delete="SET NULL", backref="+")
    officer_name = CharField(max_length=40, default="")
    mode = CharField(max_length=4, null=True)
    basis = TextField(default="")
    legal_days = IntegerField(null=True)
    promised_days = IntegerField(null=True)
    kind = CharField(max_length=8, default="")
    visits = IntegerField(null=True)
    materials = TextField(default="")
    location = CharField(max_length=200, default="")

    class Meta:
        indexes = ((("item_list", "seq"), False),)

    @classmethod
    def awaiting_authorisation(cls, rows) -> set[int]:
        """授权办理中: ids of the 纳入 rows given whose officer holds no letter in force listing the item with
        its mode — not yet delegated, whatever the list says. One query for the rows given."""
        rows = [r for r in rows if r.inclusion == rules.INCLUDED]
        officer_ids = {r.officer_id for r in rows if r.officer_id}
        covered = set()
        if officer_ids:
            covered = set(LetterItem.select(Letter.officer, LetterItem.item, LetterItem.mode).join(Letter)
                          .where((Letter.state == rules.LETTER_ISSUED) & Letter.officer.in_(list(officer_ids)))
                          .tuples())
        return {r.id for r in rows if (r.officer_id, r.item_id, r.mode) not in covered}

    @classmethod
    def published(cls):
        """Rows of every active department's latest approved list (公示清单, rule 8), with the list and
        the department joined — one query, whatever the number of departments."""
        latest_list = ItemList.alias("latest_list")
        latest = (latest_list.select(latest_list.department.alias("dept_id"),
                                     fn.MAX(latest_list.revision).alias("rev"))
                  .where(latest_list.state == rules.LIST_APPROVED)
                  .group_by(latest_list.department).alias("latest"))
        return (cls.select(cls, ItemList, Department)
                .join(ItemList)
                .join(latest, on=((latest.c.dept_id == ItemList.department) & (latest.c.rev == ItemList.revision)))
                .switch(ItemList).join(Department)
                .where(Department.active == True))  # noqa: E712


# --- letters and tenure --------------------------------------------------------------------------


class Letter(BaseModel):
    """授权委托书 (附件2). Fixed once issued; a change of items issues a new letter that replaces it."""

    number = CharField(max_length=40, unique=True)  # 文号, publicly verifiable
    year = IntegerField()
    seq = IntegerField()
    department = ForeignKeyField(Department, backref="letters", on_delete="RESTRICT")
    officer = ForeignKeyField(Officer, backref="letters", on_delete="RESTRICT")
    state = CharField(max_length=8, default=rules.LETTER_DRAFT, constraints=[_in("state", rules.LETTER_STATES)])
    issue_date = DateField(null=True)
    end_date = DateField(null=True)
    replaces = ForeignKeyField("self", null=True, backref="replaced_by", on_delete="SET NULL")
    created_at = DateTimeField(default=_now)
    issued_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")

    class Meta:
        indexes = ((("year", "seq"), True), (("officer", "state"), False))

    @classmethod
    def in_force(cls, officer):
        return cls.get_or_none((cls.officer == officer) & (cls.state == rules.LETTER_ISSUED))

    @classmethod
    def of_department(cls, department):
        """The department's letters with their officer, the newest 文号 first."""
        return (cls.select(cls, Officer).join(Officer).where(cls.department == department)
                .order_by(cls.year.desc(), cls.seq.desc()))

    @classmethod
    def of_officer(cls, officer):
        """The officer's letters, the newest 文号 first."""
        return cls.select().where(cls.officer == officer).order_by(cls.year.desc(), cls.seq.desc())

    @classmethod
    def ever_issued(cls, officer) -> bool:
        """True once a letter of the officer was issued (its name and position are then fixed)."""
        return cls.select().where((cls.officer == officer) & (cls.state != rules.LETTER_DRAFT)).exists()


class LetterItem(BaseModel):
    """One item of a letter: section 一 (终审) or 二 (初审), with the label as it was issued."""

    letter = ForeignKeyField(Letter, backref="letter_items", on_delete="CASCADE")
    item = ForeignKeyField(ServiceItem, null=True, on_delete="SET NULL", backref="letter_items")
    mode = CharField(max_length=4, constraints=[Check("mode IN ('终审', '初审')")])
    label = CharField(max_length=420)
    seq = IntegerField(default=0)

    class Meta:
        indexes = ((("letter", "item"), True),)

    @classmethod
    def section_counts(cls, letter_ids) -> dict[int, dict[str, int]]:
        """Section 一 (终审) / 二 (初审) sizes of each letter: one query."""
        out = {i: {rules.FINAL: 0, rules.FIRST: 0} for i in letter_ids}
        if letter_ids:
            for letter_id, mode, n in (cls.select(cls.letter, cls.mode, fn.COUNT(cls.id))
                                       .where(cls.letter.in_(list(letter_ids)))
                                       .group_by(cls.letter, cls.mode).tuples()):
                out[letter_id][mode] = n
        return out


class TenureReport(BaseModel):
    """任期调整报告 — the only way an officer's term ends."""

    department = ForeignKeyField(Department, backref="tenure_reports", on_delete="RESTRICT")
    outgoing = ForeignKeyField(Officer, null=True, backref="reports_out", on_delete="RESTRICT")
    incoming = ForeignKeyField(Officer, null=True, backref="reports_in", on_delete="RESTRICT")
    effective_date = DateField()
    reason = TextField(default="")
    handover = TextField(default="")  # 交接安排
    early = BooleanField(default=False)  # 提前调整 (before two years)
    late_note = TextField(default="")  # 补报说明, required when rules.is_backdated
    days_backdated = IntegerField(default=0)  # filed this many days after the effective date (补报 past 30)
    state = CharField(max_length=8, default=rules.REPORT_FILED, constraints=[_in("state", rules.REPORT_STATES)])
    filed_at = DateTimeField(default=_now)
    filed_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    reviewed_at = DateTimeField(null=True)
    reviewed_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    review_comment = TextField(default="")

    @property
    def backdated(self) -> bool:
        """补报: filed more than rules.BACKDATE_DAYS after the effective date."""
        return self.days_backdated > rules.BACKDATE_DAYS

    @classmethod
    def of_department(cls, department):
        """The department's reports, the latest change first."""
        return cls.select().where(cls.department == department).order_by(cls.effective_date.desc())

    @classmethod
    def of_officer(cls, officer):
        """The reports an officer left or took over by, the latest change first."""
        return (cls.select().where((cls.outgoing == officer) | (cls.incoming == officer))
                .order_by(cls.effective_date.desc()))

    @classmethod
    def with_people(cls):
        """Reports with their department and both officers (report.outgoing, report.incoming) joined:
        no query per row."""
        outgoing, incoming = Officer.alias("outgoing"), Officer.alias("incoming")
        return (cls.select(cls, Department, outgoing, incoming)
                .join(Department, on=(cls.department == Department.id))
                .switch(cls).join(outgoing, on=(cls.outgoing == outgoing.id), attr="outgoing")
                .switch(cls).join(incoming, JOIN.LEFT_OUTER, on=(cls.incoming == incoming.id), attr="incoming"))

    @classmethod
    def filtered(cls, query, department=None, state: str = "", early: bool = False):
        """The report list's filters: one department, one state (待确认 / 已确认 / 已退回), 提前调整 only."""
        if department is not None:
            query = query.where(cls.department == department)
        if state:
            query = query.where(cls.state == state)
        if early:
            query = query.where(cls.early == True)  # noqa: E712
        return query


# --- ledger --------------------------------------------------------------------------------------


class Investor(BaseModel):
    """投资者 / 企业 of a department's ledger."""

    department = ForeignKeyField(Department, backref="investors", on_delete="RESTRICT")
    name = CharField(max_length=200)
    credit_code = CharField(max_length=18)  # 统一社会信用代码
    contact = CharField(max_length=40, default="")
    phone = CharField(max_length=40, default="")
    created_at = DateTimeField(default=_now)

    class Meta:
        indexes = ((("department", "credit_code"), True),)

    @classmethod
    def choices(cls, department):
        """The department's investors for a select (id, name, credit_code), by name."""
        return (cls.select(cls.id, cls.name, cls.credit_code).where(cls.department == department)
                .order_by(cls.name))

    @classmethod
    def with_code(cls, department, code: str, other_than=None):
        """The department's investor (its name) with this 统一社会信用代码, other than `other_than`; or None."""
        return (cls.select(cls.name).where((cls.department == department) & (cls.credit_code == code)
                                           & (cls.id != (other_than.id if other_than else 0))).first())

    @classmethod
    def listed(cls, department, text: str = ""):
        """投资者/企业 of the department with their number of matters (matter_count), searched by name or
        统一社会信用代码. Returns (query, the count expression to sort by)."""
        count = fn.COUNT(Matter.id)
        query = (cls.select(cls, count.alias("matter_count"))
                 .join(Matter, on=(Matter.investor == cls.id), join_type=JOIN.LEFT_OUTER)
                 .where(cls.department == department).group_by(cls.id))
        if text:
            query = query.where(cls.name.contains(text) | cls.credit_code.contains(text.upper()))
        return query, count


class Matter(BaseModel):
    """服务台账事项 — one investor matter handled by the officer."""

    department = ForeignKeyField(Department, backref="matters", on_delete="RESTRICT")
    investor = ForeignKeyField(Investor, backref="matters", on_delete="RESTRICT")
    project = CharField(max_length=200)
    item = ForeignKeyField(ServiceItem, null=True, backref="matters", on_delete="RESTRICT")
    item_name = CharField(max_length=420, default="")  # the item's name when the matter was recorded
    officer = ForeignKeyField(Officer, null=True, backref="matters", on_delete="RESTRICT")
    received_date = DateField()
    promised_date = DateField(null=True)
    status = CharField(max_length=8, default=rules.MATTER_RECEIVED, constraints=[_in("status", rules.MATTER_STATES)])
    completed_date = DateField(null=True)
    visits = IntegerField(default=0, constraints=[Check("visits >= 0")])  # 跑动次数
    handling = CharField(max_length=8, default="窗口办", constraints=[_in("handling", rules.HANDLINGS)])
    notes = TextField(default="")
    created_at = DateTimeField(default=_now)
    updated_at = DateTimeField(default=_now)

    class Meta:
        # Also the covering index of the dashboard's ledger figures (migration 0090).
        indexes = ((("department", "status", "promised_date", "completed_date", "visits", "handling"), False),)

    @classmethod
    def by_officer_since(cls, officer_id: int, day: dt.date):
        """Matters handled under an officer's name received on or after `day` (补报's effect), oldest first."""
        return (cls.select().where((cls.officer == officer_id) & (cls.received_date >= day))
                .order_by(cls.received_date, cls.id))

    @classmethod
    def open_condition(cls):
        """rules.matter_open in SQL: 在办 (已受理 or 办理中)."""
        return cls.status.in_(rules.MATTER_OPEN_STATES)

    @classmethod
    def overdue_condition(cls, today: dt.date):
        """rules.matter_overdue in SQL: still open after its promised date (逾期)."""
        return cls.open_condition() & cls.promised_date.is_null(False) & (cls.promised_date < today)

    @classmethod
    def ledger_counts(cls, today: dt.date) -> list:
        """rules.ledger_counts in SQL: one aggregate per name of rules.LEDGER_COUNTS, in that order."""
        done = cls.status == rules.MATTER_DONE
        judged = done & cls.promised_date.is_null(False) & cls.completed_date.is_null(False)
        conditions = {
            "open": cls.open_condition(),
            "overdue": cls.overdue_condition(today),
            "done": done,
            "judged": judged,
            "on_time": judged & (cls.completed_date <= cls.promised_date),
            "one_visit": done & (cls.visits <= rules.ONE_VISIT_LIMIT),
            "online": cls.handling == rules.ONLINE,
            "proxy": cls.handling == rules.PROXY,
            "onsite": cls.handling == rules.ONSITE,
        }
        return [fn.COUNT(cls.id) if key == "total" else count_if(conditions[key]) for key in rules.LEDGER_COUNTS]

    @staticmethod
    def _ledger_figures(values) -> dict:
        return rules.ledger_rates({key: int(v or 0) for key, v in zip(rules.LEDGER_COUNTS, values)})

    @classmethod
    def ledger_figures(cls, today: dt.date, query=None) -> dict:
        """rules.ledger_figures of the matters of a query (default: all), in one aggregate query."""
        q = query if query is not None else cls.select()
        return cls._ledger_figures(q.select(*cls.ledger_counts(today)).tuples().get())

    @classmethod
    def ledger_figures_by_department(cls, today: dt.date, query=None) -> dict[int, dict]:
        """rules.ledger_figures of each department's matters (those of a query, default all): one
        grouped query. Departments without matters are absent."""
        q = query if query is not None else cls.select()
        return {dept_id: cls._ledger_figures(values) for dept_id, *values in (
            q.select(cls.department, *cls.ledger_counts(today)).group_by(cls.department).tuples())}

    @classmethod
    def figure_rows(cls, query=None) -> list[dict]:
        """The matters of a query (default: all) as the plain dicts rules.ledger_figures reads, with the
        department id — one query (tests hold the rule on these rows against Matter.ledger_figures)."""
        q = query if query is not None else cls.select()
        q = q.select(cls.department.alias("department_id"), cls.status.alias("status"),
                     cls.promised_date.alias("promised"), cls.completed_date.alias("completed"),
                     cls.visits.alias("visits"), cls.handling.alias("handling"))
        return list(q.dicts())


# --- joint matters -------------------------------------------------------------------------------


class JointMatter(BaseModel):
    """联办事项 (一事联办) — one investor project that needs items of several departments."""

    lead = ForeignKeyField(Department, backref="joint_led", on_delete="RESTRICT")
    investor = ForeignKeyField(Investor, backref="joint_matters", on_delete="RESTRICT")
    project = CharField(max_length=200)
    lead_item = ForeignKeyField(ServiceItem, null=True, on_delete="SET NULL", backref="+")
    lead_item_name = CharField(max_length=420, default="")  # the lead item's name when the matter was opened
    opened_on = DateField()
    finished_on = DateField(null=True)
    visits = IntegerField(default=0, constraints=[Check("visits >= 0")])
    notes = TextField(default="")  # the lead's internal notes
    created_at = DateTimeField(default=_now)
    created_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")


class JointPart(BaseModel):
    """One department's part of a joint matter and its countersignature (会签)."""

    joint = ForeignKeyField(JointMatter, backref="parts", on_delete="CASCADE")
    department = ForeignKeyField(Department, backref="joint_parts", on_delete="RESTRICT")
    item = ForeignKeyField(ServiceItem, null=True, on_delete="SET NULL", backref="+")
    item_name = CharField(max_length=420, default="")  # the item's name when the part was made
    deadline_days = IntegerField(default=5)
    deadline = DateField()
    decision = CharField(max_length=4, null=True, constraints=[Check("decision IS NULL OR decision IN ('同意', '不同意', '补正')")])
    missing = TextField(default="")  # 补正: what is missing, told once
    opinion = TextField(default="")
    signed_on = DateField(null=True)
    officer = ForeignKeyField(Officer, null=True, on_delete="SET NULL", backref="+")
    internal_note = TextField(default="")  # the department's own, never shown to others

    class Meta:
        indexes = ((("joint", "department"), True),)

    @classmethod
    def signed_by_since(cls, officer_id: int, day: dt.date):
        """Parts signed under an officer's name on or after `day`, with their joint matter, oldest first."""
        return (cls.select(cls, JointMatter).join(JointMatter)
                .where((cls.officer == officer_id) & (cls.signed_on >= day)).order_by(cls.signed_on, cls.id))

    @classmethod
    def stopped_joint_ids(cls):
        """Subquery: joint matters stopped by a 不同意 countersignature (办理终止)."""
        other = cls.alias("stopped_part")
        return other.select(other.joint).where(other.decision == rules.SIGN_DISAGREE)

    @classmethod
    def late_condition(cls, today: dt.date):
        """逾期未会签: the part waits for its department's signature past the deadline, in a matter not
        stopped by a 不同意. A 补正 part waits for the investor and is not late (一事联办 area's rule)."""
        return cls.decision.is_null() & (cls.deadline < today) & cls.joint.not_in(cls.stopped_joint_ids())


class JointRequest(BaseModel):
    """补正记录 — a department's request for missing material in its countersignature, kept after the
    material arrives and the part is signed again (JointPart.missing holds the latest request)."""

    part = ForeignKeyField(JointPart, backref="requests", on_delete="CASCADE")
    asked_on = DateField()
    missing = TextField()  # what is missing, told once (一次性告知)
    opinion = TextField(default="")
    officer = ForeignKeyField(Officer, null=True, on_delete="SET NULL", backref="+")
    received_on = DateField(null=True)  # the material arrived; the part waits to be signed again
    created_at = DateTimeField(default=_now)
    created_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")

    class Meta:
        indexes = ((("part", "asked_on"), False),)


# --- public side ---------------------------------------------------------------------------------


class Evaluation(BaseModel):
    """好差评 — a public rating of a department's officer service."""

    department = ForeignKeyField(Department, backref="evaluations", on_delete="RESTRICT")
    level = IntegerField(constraints=[Check("level BETWEEN 1 AND 5")])
    comment = TextField(default="")
    matter_ref = CharField(max_length=100, default="")
    created_at = DateTimeField(default=_now, index=True)
    address_hash = CharField(max_length=64, default="", index=True)
    deadline = DateField(null=True)  # for 不满意 / 非常不满意
    verified = TextField(default="")  # 核实情况
    remedy = TextField(default="")  # 整改措施
    callback = TextField(default="")  # 回访结果
    answered_at = DateTimeField(null=True)
    answered_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")

    class Meta:
        indexes = ((("department", "level"), False),)

    @property
    def is_bad(self) -> bool:
        return rules.is_bad_review(self.level)

    @classmethod
    def with_department(cls, department=None):
        """Evaluations with their department joined; of one department when given."""
        query = cls.select(cls, Department).join(Department)
        return query.where(cls.department == department) if department is not None else query

    @classmethod
    def satisfied(cls):
        """rules.is_satisfied in SQL: 非常满意 or 满意, what the 满意率 counts."""
        return cls.level.in_(rules.SATISFIED_LEVELS)

    @classmethod
    def bad_condition(cls):
        """rules.is_bad_review in SQL: a 差评 (不满意 or 非常不满意)."""
        return cls.level.in_(rules.BAD_LEVELS)

    @classmethod
    def open_condition(cls):
        """A 差评 not yet answered (待答复)."""
        return cls.bad_condition() & cls.answered_at.is_null()

    @classmethod
    def late_condition(cls, today: dt.date):
        """rules.answer_late in SQL: a 差评 answered after its deadline, or unanswered past it (超期)."""
        return (cls.bad_condition() & cls.deadline.is_null(False)
                & ((cls.answered_at.is_null() & (cls.deadline < today))
                   | (fn.date(cls.answered_at) > cls.deadline)))


class HighlightCase(BaseModel):
    """亮点案例 — a department's account of good practice, published after the office approves it."""

    department = ForeignKeyField(Department, backref="cases", on_delete="RESTRICT")
    title = CharField(max_length=200)
    body = TextField()
    case_date = DateField()
    photo = BlobField(null=True)
    photo_type = CharField(max_length=32, default="")
    state = CharField(max_length=8, default="待审核", constraints=[_in("state", rules.CASE_STATES)])
    review_comment = TextField(default="")
    submitted_at = DateTimeField(default=_now)
    submitted_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    reviewed_at = DateTimeField(null=True)
    reviewed_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")

    @classmethod
    def without_photo(cls):
        """Cases with their department, without the photo's bytes (lists and pages)."""
        return cls.select(*[f for f in cls._meta.sorted_fields if f.name != "photo"], Department).join(Department)

    @classmethod
    def state_counts(cls):
        """A query of (state, number of cases); the caller scopes and filters it."""
        return cls.select(cls.state, fn.COUNT(cls.id))

    @classmethod
    def photo_of(cls, case_id: int):
        """The photo's bytes and type alone (the caller scopes it to the viewer)."""
        return cls.select(cls.photo, cls.photo_type).where(cls.id == case_id)


# --- rules in writing and oversight --------------------------------------------------------------


class RuleDocument(BaseModel):
    """制度文件 (建章立制) — a department's plan, method, list or supervision mechanism."""

    department = ForeignKeyField(Department, backref="documents", on_delete="RESTRICT")
    kind = CharField(max_length=8, constraints=[_in("kind", rules.DOCUMENT_KINDS)])
    title = CharField(max_length=200)
    number = CharField(max_length=60, default="")  # 文号
    doc_date = DateField()
    filename = CharField(max_length=200)
    content_type = CharField(max_length=100)
    size = IntegerField()
    sha256 = CharField(max_length=64)
    data = BlobField()
    replaced_by = ForeignKeyField("self", null=True, backref="replaces", on_delete="SET NULL")
    uploaded_at = DateTimeField(default=_now)
    uploaded_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")

    @classmethod
    def without_data(cls, *extra):
        """Every column but the file itself: lists and checks never load the stored files."""
        return cls.select(*[f for f in cls._meta.sorted_fields if f.name != "data"], *extra)

    @classmethod
    def one(cls, doc_id: int, with_data: bool = False):
        """The query of one document, with its file only when it is to be downloaded."""
        return (cls.select() if with_data else cls.without_data()).where(cls.id == doc_id)

    @classmethod
    def kinds_in_force(cls, department_ids=None) -> dict[int, set[str]]:
        """Kinds of the documents in force (not replaced) of each department: rule 9 (建章立制)."""
        q = cls.select(cls.department, cls.kind).where(cls.replaced_by.is_null()).distinct()
        if department_ids is not None:
            q = q.where(cls.department.in_(list(department_ids)))
        out: dict[int, set[str]] = {}
        for department_id, kind in q.tuples():
            out.setdefault(department_id, set()).add(kind)
        return out


class OversightReview(BaseModel):
    """抽查 — a random review of finished matters over a period, reproducible from its seed."""

    title = CharField(max_length=200)
    period_start = DateField()
    period_end = DateField()
    rate = FloatField()
    minimum = IntegerField()
    seed = IntegerField()
    deadline = DateField()
    created_at = DateTimeField(default=_now)
    created_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    # JSON: each chosen department's pool of finished matters and its sample, as drawn (复核抽样).
    draw = TextField(default="")

    @staticmethod
    def department_seed(seed: int, department_id: int) -> int:
        """Each department's draw uses the review's seed plus the department's id, so that one
        recorded seed repeats every department's sample and no two departments share a draw."""
        return seed + department_id

    @classmethod
    def finished_matter_ids(cls, department_ids, start: dt.date, end: dt.date) -> dict[int, list[int]]:
        """已办结 matters completed within [start, end], by department: the pool a review draws from."""
        out: dict[int, list[int]] = {int(d): [] for d in department_ids}
        q = (Matter.select(Matter.department, Matter.id)
             .where(Matter.department.in_(list(out)) & (Matter.status == rules.MATTER_DONE)
                    & (Matter.completed_date >= start) & (Matter.completed_date <= end))
             .order_by(Matter.id))
        for department_id, matter_id in q.tuples():
            out[department_id].append(matter_id)
        return out

    def draw_record(self) -> list[dict]:
        """The recorded draw: [{"department": id, "pool": [matter ids], "sample": [matter ids]}, …]."""
        return json.loads(self.draw)["departments"] if self.draw else []

    @classmethod
    def with_creator(cls):
        """Reviews with who started them, newest first."""
        return (cls.select(cls, User.display_name, User.username)
                .join_from(cls, User, JOIN.LEFT_OUTER, on=(cls.created_by == User.id))
                .order_by(cls.created_at.desc(), cls.id.desc()))

    @classmethod
    def titles(cls) -> list["OversightReview"]:
        """Every review's id and title, newest first (the findings page's filter)."""
        return list(cls.select(cls.id, cls.title).order_by(cls.created_at.desc()))


class ReviewFinding(BaseModel):
    """One sampled matter of a review and its finding (规范 / 需整改) and answer."""

    review = ForeignKeyField(OversightReview, backref="findings", on_delete="CASCADE")
    department = ForeignKeyField(Department, backref="findings", on_delete="RESTRICT")
    matter = ForeignKeyField(Matter, backref="findings", on_delete="RESTRICT")
    finding = CharField(max_length=4, null=True, constraints=[Check("finding IS NULL OR finding IN ('规范', '需整改')")])
    requirement = TextField(default="")  # what must be put right
    answer = TextField(default="")  # 整改情况
    answered_on = DateField(null=True)
    closed = BooleanField(default=False)
    return_comment = TextField(default="")

    class Meta:
        indexes = ((("review", "matter"), True),)

    # States of a finding as users see them; the department acts on 待整改 and 已退回, the office on
    # 待录入 and 待确认.
    PENDING, OK, TO_FIX, RETURNED, ANSWERED, CLOSED = "待录入", "规范", "待整改", "已退回", "待确认", "已销号"
    STATES = (PENDING, OK, TO_FIX, RETURNED, ANSWERED, CLOSED)

    @property
    def state(self) -> str:
        if self.finding is None:
            return self.PENDING
        if self.finding == rules.FINDING_OK:
            return self.OK
        if self.closed:
            return self.CLOSED
        if self.answered_on is not None:
            return self.ANSWERED
        return self.RETURNED if self.return_comment else self.TO_FIX

    @classmethod
    def of_review(cls, review) -> list["ReviewFinding"]:
        """Every sampled matter of a review (read inside the transaction that withdraws it)."""
        return list(cls.select().where(cls.review == review))

    def is_late(self, deadline: dt.date, today: dt.date) -> bool:
        """A 需整改 finding answered after the deadline, or still unanswered past it (rule 10)."""
        return self.finding == rules.FINDING_FIX and rules.answer_late(deadline, self.answered_on, today)

    @classmethod
    def state_is(cls, state: str):
        """The SQL condition for one of STATES."""
        fix = cls.finding == rules.FINDING_FIX
        unanswered = fix & (cls.closed == False) & cls.answered_on.is_null()  # noqa: E712
        return {
            cls.PENDING: cls.finding.is_null(),
            cls.OK: cls.finding == rules.FINDING_OK,
            cls.TO_FIX: unanswered & (cls.return_comment == ""),
            cls.RETURNED: unanswered & (cls.return_comment != ""),
            cls.ANSWERED: fix & (cls.closed == False) & cls.answered_on.is_null(False),  # noqa: E712
            cls.CLOSED: fix & (cls.closed == True),  # noqa: E712
        }[state]

    @classmethod
    def late_condition(cls, today: dt.date):
        """SQL of is_late (needs OversightReview joined): answered after, or unanswered past, the deadline."""
        return (cls.finding == rules.FINDING_FIX) & (
            (cls.answered_on.is_null() & (OversightReview.deadline < today))
            | (cls.answered_on > OversightReview.deadline))


class DailySnapshot(BaseModel):
    """The city's figures as they stood at the end of a day, for the dashboard's trend."""

    day = DateField(unique=True)
    figures = TextField()


# --- the leading group's assessment (考核, issue 18) ----------------------------------------------


class AssessmentPeriod(BaseModel):
    """考核周期 — a period the office defines (2026年度 …): its figures are computed as of its cut-off day
    (截止日). Locked (定稿), its figures and scores are stored in its AssessmentResult rows and `city`."""

    name = CharField(max_length=40, unique=True)
    start_date = DateField()
    end_date = DateField()
    cutoff = DateField()  # 截止日: the day the figures are as of (on or after the period's end)
    scoring = TextField(default="")  # JSON, rules.default_scoring() when empty
    closing = TextField(default="")  # 下一步工作, the report's closing paragraph
    preview = TextField(default="")  # JSON {department id: rank} of the last preview (上次预览)
    city = TextField(default="")  # JSON of the city's figures, stored when locked
    locked_at = DateTimeField(null=True)
    locked_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    created_at = DateTimeField(default=_now)

    class Meta:
        constraints = [Check("start_date <= end_date"), Check("end_date <= cutoff")]

    @property
    def locked(self) -> bool:
        return self.locked_at is not None

    def scoring_data(self) -> dict:
        try:
            data = json.loads(self.scoring) if self.scoring else None
        except ValueError:
            data = None
        return data if data and rules.scoring_problem(data) is None else rules.default_scoring()

    @classmethod
    def ordered(cls):
        """The periods, newest cut-off first."""
        return cls.select().order_by(cls.cutoff.desc(), cls.id.desc())

    @classmethod
    def names(cls) -> set[str]:
        """The names in use (a period's name is unique)."""
        return {name for (name,) in cls.select(cls.name).tuples()}


class AssessmentResult(BaseModel):
    """One department's stored figures, score and rank of a locked period (never changed after)."""

    period = ForeignKeyField(AssessmentPeriod, backref="results", on_delete="CASCADE")
    department = ForeignKeyField(Department, backref="+", on_delete="RESTRICT")
    rank = IntegerField()
    score = FloatField()
    figures = TextField()  # JSON: the department's figures, verdicts and points lost

    class Meta:
        indexes = ((("period", "department"), True),)


ALL_MODELS = [
    Department, User, LoginSession, LoginAttempt, Setting, Holiday, DataVersion, AuditLog,
    Officer, ServiceItem, ItemList, ListRow, Letter, LetterItem, TenureReport,
    Investor, Matter, JointMatter, JointPart, JointRequest, Evaluation, HighlightCase,
    RuleDocument, OversightReview, ReviewFinding, DailySnapshot, AssessmentPeriod, AssessmentResult,
]

__all__ = [m.__name__ for m in ALL_MODELS] + ["ALL_MODELS", "Case", "count_if", "fn"]
