"""A synthetic province for the benchmark: 100 departments, 50,000 items, 2,000 officers with their
terms, letters and tenure reports, 200,000 ledger matters, 20,000 evaluations, and the smaller records
around them (lists and their rows, investors, documents, joint matters, oversight findings, snapshots).

Why not through the audit path (portal.audit.write): that path exists for people's edits — it writes one
AuditLog row with a JSON snapshot per record and moves the data version per action. Building 400,000
records through it would take minutes, fill the audit log with 400,000 entries that no real province
has at one moment, and measure the builder instead of the portal. The records are bulk-inserted with
peewee's insert_many in one transaction instead (with synchronous=OFF for the build only); the portal
then reads them through its ordinary code, and the benchmark's own writes go through the audit path.

Everything is drawn from a seeded random generator: the same seed gives the same province.
"""
from __future__ import annotations

import datetime as dt
import json
import random
import time

from portal import rules
from portal.db import db
from portal.models import (
    AuditLog, DailySnapshot, DataVersion, Department, Evaluation, Holiday, Investor, ItemList, JointMatter,
    JointPart, Letter, LetterItem, ListRow, Matter, Officer, OversightReview, ReviewFinding, RuleDocument,
    ServiceItem, Setting, TenureReport, User,
)

TODAY = dt.date(2026, 11, 26)
SYSTEM_START = dt.date(2025, 1, 1)
PASSWORD = "bench-password-2026"

DEPARTMENTS = 100
ITEMS = 50_000
BIG_DEPARTMENT_ITEMS = 1_000  # d001: the department whose list page is measured
OFFICERS_PER_DEPARTMENT = 20
MATTERS = 200_000
EVALUATIONS = 20_000
INVESTORS_PER_DEPARTMENT = 20

BUREAUS = ("公安局", "发展和改革局", "教育局", "民政局", "司法局", "财政局", "人力资源和社会保障局", "自然资源和规划局",
           "住房和城乡建设局", "交通运输局", "水利和湖泊局", "农业农村局", "商务局", "文化和旅游局", "卫生健康委员会",
           "应急管理局", "市场监督管理局", "林业局", "城市管理执法局", "行政审批局")
ITEM_WORDS = ("设立", "变更", "注销", "延续", "核准", "备案", "登记", "认定", "审批", "许可", "确认", "补办")
SUBJECTS = ("企业投资项目", "建设工程", "食品经营", "药品零售", "道路运输", "排污", "取水", "林木采伐", "民办学校",
            "医疗机构", "旅行社", "娱乐场所", "特种设备", "燃气经营", "户外广告", "建筑施工", "房地产开发", "人力资源服务")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红梅建国志文斌波辉"
MATERIALS = "1. 申请书；\n2. 申请人身份证明；\n3. 营业执照或法人证书；\n4. 相关技术资料；\n5. 其他依法需要提交的材料。"


def department_code(i: int) -> str:
    return f"d{i:03d}"


class Province:
    """What was built: sizes and the handles the benchmark needs (logins, the measured department)."""

    def __init__(self):
        self.counts: dict[str, int] = {}
        self.seconds = 0.0
        self.big_department = department_code(1)
        self.departments = DEPARTMENTS
        self.import_department = department_code(DEPARTMENTS)
        self.password = PASSWORD
        self.serving_officer: dict[int, tuple[int, str]] = {}  # department id → (officer id, name)
        self.investor_ids: dict[int, list[int]] = {}  # department id → its investors' ids
        self.item_ids: dict[int, list[int]] = {}  # department id → its items' ids
        self.item_count: dict[int, int] = {}
        self.department_name: dict[int, str] = {}


def _plain(value):
    # What peewee's SQLite fields store: ISO text for dates and times, 0/1 for booleans.
    if isinstance(value, dt.datetime):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


def _insert(model, fields, rows) -> int:
    """Bulk insert: peewee's insert_many compiles the statement (and the defaults of the columns not
    given), then sqlite3's executemany runs it for every row, inside the caller's one transaction.
    (Letting insert_many render 400,000 rows of SQL text costs ten times more than the inserts.)"""
    if not rows:
        return 0
    sql, params = model.insert_many([rows[0]], fields=fields).sql()
    defaults = tuple(_plain(v) for v in params[len(fields):])
    db.cursor().executemany(sql, [tuple(_plain(v) for v in row) + defaults for row in rows])
    return len(rows)


def _name(rng) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _credit_code(rng, n: int) -> str:
    return "91421281" + f"{n:09d}" + rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY")


def build(seed: int = 2026, scale: float = 1.0, growth: int = 1) -> Province:
    """Fill the (migrated, empty) database bound to portal.db.db with the province: ``scale`` scales the
    records of a province of 100 departments (0.1 for --quick); ``growth`` multiplies everything,
    departments included (5 for `make bench-growth`: 500 departments, 250,000 items, 1,000,000 matters)."""
    from werkzeug.security import generate_password_hash

    rng = random.Random(seed)
    started = time.perf_counter()
    p = Province()
    n_depts = DEPARTMENTS * growth
    n_items = int(ITEMS * scale * growth)
    n_matters = int(MATTERS * scale * growth)
    n_evaluations = int(EVALUATIONS * scale * growth)
    p.departments = n_depts
    p.import_department = department_code(n_depts)
    now = dt.datetime(2026, 11, 26, 9, 0, 0)
    password_hash = generate_password_hash(PASSWORD)

    db.execute_sql("PRAGMA synchronous = OFF")  # the build only; the portal reopens with FULL
    with db.atomic():
        Setting.insert_many([("system_start", json.dumps(SYSTEM_START.isoformat()))],
                            fields=[Setting.key, Setting.value]).execute()
        holidays = [(dt.date(2026, 1, 1), False, "元旦"), (dt.date(2026, 2, 16), False, "春节"),
                    (dt.date(2026, 2, 17), False, "春节"), (dt.date(2026, 2, 18), False, "春节"),
                    (dt.date(2026, 2, 14), True, "春节调休"), (dt.date(2026, 4, 6), False, "清明节"),
                    (dt.date(2026, 5, 1), False, "劳动节"), (dt.date(2026, 6, 19), False, "端午节"),
                    (dt.date(2026, 10, 1), False, "国庆节"), (dt.date(2026, 10, 2), False, "国庆节"),
                    (dt.date(2026, 10, 5), False, "国庆节"), (dt.date(2026, 10, 10), True, "国庆调休")]
        _insert(Holiday, [Holiday.day, Holiday.is_workday, Holiday.name], holidays)

        # --- departments and accounts
        dept_rows = []
        for i in range(1, n_depts + 1):
            bureau = BUREAUS[(i - 1) % len(BUREAUS)]
            county = f"测试{(i - 1) // len(BUREAUS) + 1:02d}县"
            dept_rows.append((i, department_code(i), f"{county}{bureau}（{i:03d}）", f"{county[-3:]}{bureau[:2]}{i:03d}",
                              i % 20 != 0, i % 10 == 1, True, i, now))
        _insert(Department, [Department.id, Department.code, Department.name, Department.short_name,
                             Department.has_window, Department.several_officers, Department.active,
                             Department.sort_order, Department.created_at], dept_rows)
        user_rows = [(department_code(i), f"{department_code(i)}经办人", password_hash, rules.ROLE_DEPARTMENT, i)
                     for i in range(1, n_depts + 1)]
        user_rows += [("office", "协调办", password_hash, rules.ROLE_OFFICE, None),
                      ("leader", "领导小组", password_hash, rules.ROLE_LEADER, None)]
        _insert(User, [User.username, User.display_name, User.password_hash, User.role, User.department], user_rows)
        office_id = User.get(User.username == "office").id

        # --- officers: 20 terms per department, back to back with the odd gap; the last one serving
        officer_rows, report_specs = [], []
        officer_id = 0
        serving_ids: dict[int, list[int]] = {}
        for dept in range(1, n_depts + 1):
            durations = [rng.randint(120, 420) for _ in range(OFFICERS_PER_DEPARTMENT)]
            start = TODAY - dt.timedelta(days=sum(durations[:-1]) + rng.randint(30, 500))
            previous = None
            for k in range(OFFICERS_PER_DEPARTMENT):
                officer_id += 1
                last = k == OFFICERS_PER_DEPARTMENT - 1
                end = None if last else start + dt.timedelta(days=durations[k] - 1)
                name = _name(rng)
                officer_rows.append((officer_id, dept, name, rng.choice(rules.GENDERS),
                                     dt.date(1970 + rng.randint(0, 25), rng.randint(1, 12), rng.randint(1, 28)),
                                     "审批股 股长", f"0715-52{rng.randint(10000, 99999)}", f"13{rng.randint(100000000, 999999999)}",
                                     "", start, end, now))
                if previous is not None:
                    report_specs.append((dept, previous[0], officer_id, start, previous[1]))
                if last:
                    serving_ids.setdefault(dept, []).append(officer_id)
                    p.serving_officer[dept] = (officer_id, name)
                previous = (officer_id, start)
                gap = rng.random() < 0.08
                start = (end or TODAY) + dt.timedelta(days=1 + (rng.randint(1, 15) if gap else 0))
        p.counts["officer"] = _insert(Officer, [
            Officer.id, Officer.department, Officer.name, Officer.gender, Officer.birth_date, Officer.position,
            Officer.work_phone, Officer.mobile, Officer.note, Officer.term_start, Officer.term_end,
            Officer.created_at], officer_rows)

        report_rows = []
        for dept, outgoing, incoming, effective, out_start in report_specs:
            early = rules.is_early_change(out_start, effective)
            state = rules.REPORT_ACKNOWLEDGED if rng.random() < 0.95 else rules.REPORT_FILED
            report_rows.append((dept, outgoing, incoming, effective, "工作调动，经党组研究调整。" if early or rng.random() < 0.5 else "",
                                "已完成工作交接。", early, state, dt.datetime.combine(effective, dt.time(9)),
                                office_id if state == rules.REPORT_ACKNOWLEDGED else None))
        p.counts["tenure_report"] = _insert(TenureReport, [
            TenureReport.department, TenureReport.outgoing, TenureReport.incoming, TenureReport.effective_date,
            TenureReport.reason, TenureReport.handover, TenureReport.early, TenureReport.state,
            TenureReport.filed_at, TenureReport.reviewed_by], report_rows)

        # --- items: d001 has 1,000, the others share the rest
        per_dept = {1: min(BIG_DEPARTMENT_ITEMS, n_items)}
        rest = n_items - per_dept[1]
        for dept in range(2, n_depts + 1):
            per_dept[dept] = rest // (n_depts - 1) + (1 if dept - 2 < rest % (n_depts - 1) else 0)
        item_rows, item_meta = [], []
        item_id = 0
        for dept in range(1, n_depts + 1):
            officer, _ = p.serving_officer[dept]
            for n in range(1, per_dept[dept] + 1):
                item_id += 1
                subject = SUBJECTS[n % len(SUBJECTS)]
                word = ITEM_WORDS[(n // len(SUBJECTS)) % len(ITEM_WORDS)]
                item_name = f"{subject}{word}"
                sub_item_name = f"{item_name}（第{n}项办理项）"
                roll = rng.random()
                if roll < 0.85:
                    inclusion, reason, note, off, mode = rules.INCLUDED, None, "", officer, rules.FIRST if n % 3 == 0 else rules.FINAL
                elif roll < 0.93:
                    reason = rng.choice(rules.REASONS)
                    inclusion, note, off, mode = rules.EXCLUDED, "依照有关规定须经集体研究审批。", None, None
                else:
                    inclusion, reason, note, off, mode = rules.PENDING, None, "", None, None
                legal = rng.choice((5, 10, 15, 20, 30))
                item_rows.append((item_id, dept, n, f"4212{dept:03d}{n:05d}", item_name, sub_item_name,
                                  rules.ITEM_TYPES[n % len(rules.ITEM_TYPES)], inclusion, reason, note, off, mode,
                                  "《中华人民共和国行政许可法》及有关法律法规", legal, max(1, legal // 2), "承诺件",
                                  n % 3, MATERIALS, f"政务服务中心{dept}号窗口", now, now))
                item_meta.append((item_id, dept, inclusion, reason, note, off, mode, item_name, sub_item_name, n))
        p.counts["service_item"] = _insert(ServiceItem, [
            ServiceItem.id, ServiceItem.department, ServiceItem.seq, ServiceItem.code, ServiceItem.item_name,
            ServiceItem.sub_item_name, ServiceItem.item_type, ServiceItem.inclusion, ServiceItem.reason,
            ServiceItem.reason_note, ServiceItem.officer, ServiceItem.mode, ServiceItem.basis,
            ServiceItem.legal_days, ServiceItem.promised_days, ServiceItem.kind, ServiceItem.visits,
            ServiceItem.materials, ServiceItem.location, ServiceItem.created_at, ServiceItem.updated_at], item_rows)

        # --- letters: one in force per serving officer listing its items (2% left out: 未授权), ended
        # letters for the officers who left
        letter_rows, letter_of = [], {}
        seq = 0
        for officer in officer_rows:
            oid, dept, start, end = officer[0], officer[1], officer[9], officer[10]
            seq += 1
            issued = max(start, dt.date(2015, 1, 1))
            state = rules.LETTER_ISSUED if end is None else rules.LETTER_ENDED
            letter_rows.append((seq, f"赤首授〔{issued.year}〕{seq}号", issued.year, seq, dept, oid, state, issued,
                                end, now, office_id))
            if end is None:
                letter_of[oid] = seq
        p.counts["letter"] = _insert(Letter, [
            Letter.id, Letter.number, Letter.year, Letter.seq, Letter.department, Letter.officer, Letter.state,
            Letter.issue_date, Letter.end_date, Letter.created_at, Letter.issued_by], letter_rows)
        letter_item_rows = []
        for iid, dept, inclusion, reason, note, off, mode, item_name, sub_item_name, n in item_meta:
            if inclusion == rules.INCLUDED and rng.random() >= 0.02:
                letter_item_rows.append((letter_of[off], iid, mode, sub_item_name, n))
        p.counts["letter_item"] = _insert(LetterItem, [LetterItem.letter, LetterItem.item, LetterItem.mode,
                                                       LetterItem.label, LetterItem.seq], letter_item_rows)

        # --- lists: every department's approved and published list, whole; a tenth have a newer submission
        list_rows, row_rows = [], []
        list_id = 0
        names = {o[0]: o[2] for o in officer_rows}
        by_dept: dict[int, list] = {}
        for meta in item_meta:
            by_dept.setdefault(meta[1], []).append(meta)
        for dept in range(1, n_depts + 1):
            revisions = [(1, rules.LIST_APPROVED, True)]
            if dept % 10 == 3:
                revisions.append((2, rules.LIST_SUBMITTED, False))
            for revision, state, published in revisions:
                list_id += 1
                submitted = dt.datetime(2026, 8, rng.randint(1, 12), 10, 0)
                list_rows.append((list_id, dept, revision, 2026, state, now, submitted, dept,
                                  dt.date(2026, 8, 10), submitted.date() <= dt.date(2026, 8, 10),
                                  submitted + dt.timedelta(days=3) if state == rules.LIST_APPROVED else None,
                                  office_id if state == rules.LIST_APPROVED else None, published))
                for iid, _d, inclusion, reason, note, off, mode, item_name, sub_item_name, n in by_dept[dept]:
                    row_rows.append((list_id, iid, n, item_name, sub_item_name, rules.ITEM_TYPES[n % len(rules.ITEM_TYPES)],
                                     inclusion, reason, note, off, names.get(off, ""), mode))
        p.counts["item_list"] = _insert(ItemList, [
            ItemList.id, ItemList.department, ItemList.revision, ItemList.year, ItemList.state, ItemList.created_at,
            ItemList.submitted_at, ItemList.submitted_by, ItemList.deadline, ItemList.on_time,
            ItemList.reviewed_at, ItemList.reviewed_by, ItemList.published], list_rows)
        p.counts["list_row"] = _insert(ListRow, [
            ListRow.item_list, ListRow.item, ListRow.seq, ListRow.item_name, ListRow.sub_item_name,
            ListRow.item_type, ListRow.inclusion, ListRow.reason, ListRow.reason_note, ListRow.officer,
            ListRow.officer_name, ListRow.mode], row_rows)

        # --- ledger: investors and 200,000 matters over the two years since the system started
        investor_rows = []
        investor_id = 0
        investors_of: dict[int, list[int]] = {}
        for dept in range(1, n_depts + 1):
            for k in range(INVESTORS_PER_DEPARTMENT):
                investor_id += 1
                investor_rows.append((investor_id, dept, f"湖北测试{investor_id:05d}实业有限公司",
                                      _credit_code(rng, investor_id), _name(rng), f"139{rng.randint(10000000, 99999999)}", now))
                investors_of.setdefault(dept, []).append(investor_id)
        p.counts["investor"] = _insert(Investor, [Investor.id, Investor.department, Investor.name,
                                                  Investor.credit_code, Investor.contact, Investor.phone,
                                                  Investor.created_at], investor_rows)
        items_of = {dept: [m[0] for m in metas] for dept, metas in by_dept.items()}
        p.investor_ids, p.item_ids, p.item_count = investors_of, items_of, per_dept
        p.department_name = {row[0]: row[2] for row in dept_rows}
        span = (TODAY - SYSTEM_START).days
        matter_rows = []
        for k in range(n_matters):
            dept = k % n_depts + 1
            received = SYSTEM_START + dt.timedelta(days=rng.randrange(span))
            promised = received + dt.timedelta(days=rng.randint(3, 30))
            age = (TODAY - received).days
            roll = rng.random()
            if age > 40 and roll < 0.93 or age <= 40 and roll < 0.5:
                status = rules.MATTER_DONE
                completed = received + dt.timedelta(days=rng.randint(1, 35))
                completed = min(completed, TODAY)
            elif roll < 0.96 and age > 40:
                status, completed = rules.MATTER_RETURNED, None
            else:
                status, completed = rng.choice(rules.MATTER_OPEN_STATES), None
            matter_rows.append((dept, rng.choice(investors_of[dept]), f"测试项目{k:06d}", rng.choice(items_of[dept]),
                                p.serving_officer[dept][0], received, promised, status, completed,
                                rng.choice((0, 1, 1, 1, 1, 2, 3)), rng.choice(rules.HANDLINGS), "",
                                now, now))
        p.counts["matter"] = _insert(Matter, [
            Matter.department, Matter.investor, Matter.project, Matter.item, Matter.officer, Matter.received_date,
            Matter.promised_date, Matter.status, Matter.completed_date, Matter.visits, Matter.handling, Matter.notes,
            Matter.created_at, Matter.updated_at], matter_rows)

        # --- evaluations: mostly satisfied; a bad one has a deadline and is usually answered
        evaluation_rows = []
        for k in range(n_evaluations):
            dept = k % n_depts + 1
            level = rng.choices((5, 4, 3, 2, 1), weights=(60, 25, 7, 5, 3))[0]
            created = dt.datetime.combine(SYSTEM_START + dt.timedelta(days=rng.randrange(span)), dt.time(10))
            bad = level in rules.BAD_LEVELS
            deadline = created.date() + dt.timedelta(days=7) if bad else None
            answered = created + dt.timedelta(days=rng.randint(1, 10)) if bad and rng.random() < 0.8 else None
            evaluation_rows.append((dept, level, "服务热情，办事高效。" if not bad else "等候时间过长。", "",
                                    created, f"{k:064x}"[-64:], deadline, "已核实" if answered else "",
                                    "已整改" if answered else "", "已回访" if answered else "", answered))
        p.counts["evaluation"] = _insert(Evaluation, [
            Evaluation.department, Evaluation.level, Evaluation.comment, Evaluation.matter_ref, Evaluation.created_at,
            Evaluation.address_hash, Evaluation.deadline, Evaluation.verified, Evaluation.remedy,
            Evaluation.callback, Evaluation.answered_at], evaluation_rows)

        # --- rules in writing: the plan and the method of most departments
        document_rows = []
        for dept in range(1, n_depts + 1):
            for kind in rules.REQUIRED_DOCUMENT_KINDS:
                if dept % 17 == 0 and kind == "管理办法":
                    continue
                document_rows.append((dept, kind, f"首席服务员制度{kind}", f"〔2025〕{dept}号", dt.date(2025, 3, 1),
                                      f"{kind}.pdf", "application/pdf", 1024, "0" * 64, b"%PDF-1.4 " + b"0" * 1014, now))
        p.counts["rule_document"] = _insert(RuleDocument, [
            RuleDocument.department, RuleDocument.kind, RuleDocument.title, RuleDocument.number,
            RuleDocument.doc_date, RuleDocument.filename, RuleDocument.content_type, RuleDocument.size,
            RuleDocument.sha256, RuleDocument.data, RuleDocument.uploaded_at], document_rows)

        # --- joint matters: 500 projects, 2–4 departments each
        joint_rows, part_rows = [], []
        for j in range(1, 501):
            lead = rng.randint(1, n_depts)
            opened = TODAY - dt.timedelta(days=rng.randint(1, 600))
            others = rng.sample([d for d in range(1, n_depts + 1) if d != lead], rng.randint(1, 3))
            decisions = [rng.choice((rules.SIGN_AGREE, rules.SIGN_AGREE, rules.SIGN_AGREE, None, rules.SIGN_SUPPLEMENT))
                         for _ in [lead, *others]]
            done = all(x == rules.SIGN_AGREE for x in decisions)
            joint_rows.append((j, lead, rng.choice(investors_of[lead]), f"联办项目{j:04d}", opened,
                               opened + dt.timedelta(days=10) if done else None, now))
            for dept, decision in zip([lead, *others], decisions):
                part_rows.append((j, dept, 5, opened + dt.timedelta(days=7), decision,
                                  opened + dt.timedelta(days=3) if decision else None))
        p.counts["joint_matter"] = _insert(JointMatter, [
            JointMatter.id, JointMatter.lead, JointMatter.investor, JointMatter.project, JointMatter.opened_on,
            JointMatter.finished_on, JointMatter.created_at], joint_rows)
        p.counts["joint_part"] = _insert(JointPart, [
            JointPart.joint, JointPart.department, JointPart.deadline_days, JointPart.deadline, JointPart.decision,
            JointPart.signed_on], part_rows)

        # --- oversight: four quarterly reviews, three findings per department each
        review_rows, finding_rows = [], []
        done_by_dept: dict[int, list[int]] = {}
        for matter_id, row in enumerate(matter_rows, start=1):
            if row[7] == rules.MATTER_DONE and len(done_by_dept.setdefault(row[0], [])) < 12:
                done_by_dept[row[0]].append(matter_id)
        for r in range(1, 5):
            start = dt.date(2025, 3 * r - 2, 1)
            review_rows.append((r, f"2025年第{r}季度抽查", start, start + dt.timedelta(days=89), 0.05, 3, r,
                                start + dt.timedelta(days=120), now))
            for dept, matters in done_by_dept.items():
                for matter in matters[(r - 1) * 3:r * 3]:
                    fix = rng.random() < 0.2
                    finding_rows.append((r, dept, matter, rules.FINDING_FIX if fix else rules.FINDING_OK,
                                         "补齐办理记录" if fix else "", "已补齐" if fix and rng.random() < 0.7 else "",
                                         start + dt.timedelta(days=100) if fix else None))
        p.counts["oversight_review"] = _insert(OversightReview, [
            OversightReview.id, OversightReview.title, OversightReview.period_start, OversightReview.period_end,
            OversightReview.rate, OversightReview.minimum, OversightReview.seed, OversightReview.deadline,
            OversightReview.created_at], review_rows)
        p.counts["review_finding"] = _insert(ReviewFinding, [
            ReviewFinding.review, ReviewFinding.department, ReviewFinding.matter, ReviewFinding.finding,
            ReviewFinding.requirement, ReviewFinding.answer, ReviewFinding.answered_on], finding_rows)

        # --- the trend: 90 daily snapshots
        snapshot_rows = [(TODAY - dt.timedelta(days=d),
                          json.dumps({"compliance_rate": 0.6 + d / 1000, "inclusion_rate": 0.85 + d / 2000}))
                         for d in range(90, 0, -1)]
        _insert(DailySnapshot, [DailySnapshot.day, DailySnapshot.figures], snapshot_rows)

        # An audit trail of the province's past edits, so that the audit table is not empty either.
        audit_rows = [(now - dt.timedelta(minutes=k), "bench", rng.randint(1, n_depts), "update", "service_item",
                       rng.randint(1, item_id), '{"inclusion": "待定"}', '{"inclusion": "纳入"}')
                      for k in range(20_000)]
        p.counts["audit_log"] = _insert(AuditLog, [
            AuditLog.at, AuditLog.username, AuditLog.department, AuditLog.action, AuditLog.table,
            AuditLog.record_id, AuditLog.before, AuditLog.after], audit_rows)
        DataVersion.insert(id=1, version=1, changed_at=now).execute()
    db.execute_sql("PRAGMA synchronous = FULL")

    p.counts["department"] = n_depts
    p.counts["item_department_d001"] = per_dept[1]
    p.seconds = time.perf_counter() - started
    return p
