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


class LoginSession(BaseModel):
    """A server-side session: revoking it kills the cookie that carries its token."""

    token = CharField(max_length=64, unique=True)
    user = ForeignKeyField(User, backref="sessions", on_delete="CASCADE")
    created_at = DateTimeField(default=_now)
    last_seen_at = DateTimeField(default=_now)
    revoked_at = DateTimeField(null=True)
    address = CharField(max_length=64, default="")


class LoginAttempt(BaseModel):
    """One login attempt, kept for throttling and the security log."""

    username = CharField(max_length=64, index=True)
    address = CharField(max_length=64, index=True)
    at = DateTimeField(default=_now, index=True)
    success = BooleanField(default=False)


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


class DataVersion(BaseModel):
    """One row whose number moves on every write: pages compare it to know whether anything changed."""

    version = IntegerField(default=0)
    changed_at = DateTimeField(default=_now)

    @classmethod
    def current(cls) -> int:
        row = cls.select(cls.version).where(cls.id == 1).scalar()
        return row or 0


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

    def term(self):
        """The officer's term as a rules.Term."""
        return rules.Term(self.term_start, self.term_end)


# --- service items and their lists ---------------------------------------------------------------


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
            (("department", "retired", "inclusion"), False),
        )
        constraints = [Check("promised_days IS NULL OR legal_days IS NULL OR promised_days <= legal_days")]

    @property
    def label(self) -> str:
        if self.sub_item_name and self.sub_item_name != self.item_name:
            return f"{self.item_name}（{self.sub_item_name}）"
        return self.item_name

    @classmethod
    def for_department(cls, department, include_retired: bool = False):
        q = cls.select().where(cls.department == department)
        if not include_retired:
            q = q.where(cls.retired == False)  # noqa: E712
        return q.order_by(cls.seq, cls.id)


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


class LetterItem(BaseModel):
    """One item of a letter: section 一 (终审) or 二 (初审), with the label as it was issued."""

    letter = ForeignKeyField(Letter, backref="letter_items", on_delete="CASCADE")
    item = ForeignKeyField(ServiceItem, null=True, on_delete="SET NULL", backref="letter_items")
    mode = CharField(max_length=4, constraints=[Check("mode IN ('终审', '初审')")])
    label = CharField(max_length=420)
    seq = IntegerField(default=0)

    class Meta:
        indexes = ((("letter", "item"), True),)


class TenureReport(BaseModel):
    """任期调整报告 — the only way an officer's term ends."""

    department = ForeignKeyField(Department, backref="tenure_reports", on_delete="RESTRICT")
    outgoing = ForeignKeyField(Officer, null=True, backref="reports_out", on_delete="RESTRICT")
    incoming = ForeignKeyField(Officer, null=True, backref="reports_in", on_delete="RESTRICT")
    effective_date = DateField()
    reason = TextField(default="")
    handover = TextField(default="")  # 交接安排
    early = BooleanField(default=False)  # 提前调整 (before two years)
    state = CharField(max_length=8, default=rules.REPORT_FILED, constraints=[_in("state", rules.REPORT_STATES)])
    filed_at = DateTimeField(default=_now)
    filed_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    reviewed_at = DateTimeField(null=True)
    reviewed_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    review_comment = TextField(default="")


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


class Matter(BaseModel):
    """服务台账事项 — one investor matter handled by the officer."""

    department = ForeignKeyField(Department, backref="matters", on_delete="RESTRICT")
    investor = ForeignKeyField(Investor, backref="matters", on_delete="RESTRICT")
    project = CharField(max_length=200)
    item = ForeignKeyField(ServiceItem, null=True, backref="matters", on_delete="RESTRICT")
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
        indexes = ((("department", "status", "promised_date"), False),)


# --- joint matters -------------------------------------------------------------------------------


class JointMatter(BaseModel):
    """联办事项 (一事联办) — one investor project that needs items of several departments."""

    lead = ForeignKeyField(Department, backref="joint_led", on_delete="RESTRICT")
    investor = ForeignKeyField(Investor, backref="joint_matters", on_delete="RESTRICT")
    project = CharField(max_length=200)
    lead_item = ForeignKeyField(ServiceItem, null=True, on_delete="SET NULL", backref="+")
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


class DailySnapshot(BaseModel):
    """The city's figures as they stood at the end of a day, for the dashboard's trend."""

    day = DateField(unique=True)
    figures = TextField()


ALL_MODELS = [
    Department, User, LoginSession, LoginAttempt, Setting, Holiday, DataVersion, AuditLog,
    Officer, ServiceItem, ItemList, ListRow, Letter, LetterItem, TenureReport,
    Investor, Matter, JointMatter, JointPart, Evaluation, HighlightCase,
    RuleDocument, OversightReview, ReviewFinding, DailySnapshot,
]

__all__ = [m.__name__ for m in ALL_MODELS] + ["ALL_MODELS", "Case", "fn"]
