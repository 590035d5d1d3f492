"""The plan's rules as plain functions (赤壁市“首席服务员”实施方案).

Data in, data out: nothing here imports Flask or peewee, so that every rule can be tested on hand-made
values and reused by views, exports and the dashboard alike.
"""
from __future__ import annotations

import math
import random
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Iterable

# 事项类型 — stored as the Chinese label, because provinces number the types differently.
ITEM_TYPES = ("公共服务", "行政裁决", "行政给付", "行政奖励", "行政确认", "行政许可", "其他行政权力")
# 是否纳入首席服务员审批服务清单
INCLUDED, EXCLUDED, PENDING = "纳入", "未纳入", "待定"
INCLUSIONS = (INCLUDED, EXCLUDED, PENDING)
# 未纳入原因: the first three are allowed exemptions; 其他 may be recorded but counts as not included.
EXEMPT_REASONS = ("涉密", "涉及重大公共安全", "涉及公民生命财产安全")
OTHER_REASON = "其他"
REASONS = EXEMPT_REASONS + (OTHER_REASON,)
# 审批方式: sections 一 and 二 of the authorisation letter.
FINAL, FIRST = "终审", "初审"
MODES = (FINAL, FIRST)
# 清单状态
LIST_DRAFT, LIST_SUBMITTED, LIST_APPROVED, LIST_RETURNED = "草稿", "已报送", "已通过", "已退回"
LIST_STATES = (LIST_DRAFT, LIST_SUBMITTED, LIST_APPROVED, LIST_RETURNED)
# 任期调整报告状态
REPORT_FILED, REPORT_ACKNOWLEDGED, REPORT_RETURNED = "待确认", "已确认", "已退回"
REPORT_STATES = (REPORT_FILED, REPORT_ACKNOWLEDGED, REPORT_RETURNED)
REPORT_OPEN_STATES = (REPORT_FILED, REPORT_RETURNED)  # not acknowledged yet (未确认)
# 授权委托书状态
LETTER_DRAFT, LETTER_ISSUED, LETTER_REPLACED, LETTER_ENDED = "草稿", "已签发", "已替换", "已终止"
LETTER_STATES = (LETTER_DRAFT, LETTER_ISSUED, LETTER_REPLACED, LETTER_ENDED)
# 台账事项状态
MATTER_RECEIVED, MATTER_IN_PROGRESS, MATTER_DONE, MATTER_RETURNED = "已受理", "办理中", "已办结", "已退回"
MATTER_STATES = (MATTER_RECEIVED, MATTER_IN_PROGRESS, MATTER_DONE, MATTER_RETURNED)
MATTER_OPEN_STATES = (MATTER_RECEIVED, MATTER_IN_PROGRESS)
# 办理状态: the in-place status control moves a matter 已受理 → 办理中 → 已办结, or 已退回 from either
# open state. 即办件 are finished on the spot, so 已受理 may go straight to 已办结.
MATTER_NEXT_STATES = {
    MATTER_RECEIVED: (MATTER_IN_PROGRESS, MATTER_DONE, MATTER_RETURNED),
    MATTER_IN_PROGRESS: (MATTER_DONE, MATTER_RETURNED),
}
# 办理方式
HANDLINGS = ("窗口办", "网上办", "代办", "上门办")
ONLINE, PROXY, ONSITE = "网上办", "代办", "上门办"
# 联办会签意见
SIGN_AGREE, SIGN_DISAGREE, SIGN_SUPPLEMENT = "同意", "不同意", "补正"
SIGN_DECISIONS = (SIGN_AGREE, SIGN_DISAGREE, SIGN_SUPPLEMENT)
# 好差评
EVALUATION_LEVELS = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}
BAD_LEVELS = (1, 2)
SATISFIED_LEVELS = (4, 5)  # 非常满意 and 满意
# 制度文件
DOCUMENT_KINDS = ("实施方案", "管理办法", "审批事项清单", "监管工作机制", "其他")
REQUIRED_DOCUMENT_KINDS = ("实施方案", "管理办法")
# 抽查结论
FINDING_OK, FINDING_FIX = "规范", "需整改"
FINDINGS = (FINDING_OK, FINDING_FIX)
# 亮点案例状态 (shares the review vocabulary)
CASE_STATES = ("待审核", "已发布", "已退回")
# 性别
GENDERS = ("男", "女")
# Roles
ROLE_DEPARTMENT, ROLE_OFFICE, ROLE_LEADER = "department", "office", "leader"
ROLES = (ROLE_DEPARTMENT, ROLE_OFFICE, ROLE_LEADER)
ROLE_LABELS = {ROLE_DEPARTMENT: "部门经办人", ROLE_OFFICE: "协调办", ROLE_LEADER: "领导小组"}

# ---------------------------------------------------------------------------
# 纳入率 (rule 1)


def inclusion_rate(included: int, total: int, exempt: int) -> float | None:
    """纳入率: 纳入 items ÷ (all items − 未纳入 items with an allowed exemption reason), as a fraction.

    None when nothing is left to include, so that an empty list is not shown as 0% or 100%.
    """
    denominator = total - exempt
    if denominator <= 0:
        return None
    return included / denominator


def count_inclusion(rows: Iterable[tuple[str | None, str | None]]) -> dict:
    """Counts a list's items by inclusion (纳入 / 未纳入 / 待定) and 未纳入 reason, with the 纳入率.

    ``exempt`` is 未纳入 with an allowed exemption (涉密 etc.); ``other`` is every other 未纳入 row
    (其他, or no reason yet) — those count against the rate just like 待定.
    """
    by_reason = {reason: 0 for reason in REASONS}
    total = included = excluded = pending = exempt = 0
    for inclusion, reason in rows:
        total += 1
        if inclusion == INCLUDED:
            included += 1
        elif inclusion == EXCLUDED:
            excluded += 1
            if reason in by_reason:
                by_reason[reason] += 1
            if reason in EXEMPT_REASONS:
                exempt += 1
        elif inclusion == PENDING:
            pending += 1
    return {
        "total": total, "included": included, "excluded": excluded, "pending": pending,
        "exempt": exempt, "other": excluded - exempt, "by_reason": by_reason,
        "rate": inclusion_rate(included, total, exempt),
    }


# ---------------------------------------------------------------------------
# Text as typed (输入文字的规范): what every form field and every imported cell is reduced to before it
# is checked, compared or stored (portal/forms.py clean_text applies it; rules.text_key compares with it).

# Spaces at the end of a line or of the text: ASCII, tab, NBSP, the full-width U+3000 and the other
# Unicode spaces (Zs). Inner spaces are kept as typed: a name like 易制毒化 学品 stays as it was entered.
_SPACES = " \t\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"
_TRAILING = re.compile(f"[{_SPACES}]+$", re.M)
# Bidirectional embeddings, overrides, isolates and marks: they make a text display as something it
# is not (U+202E turns "txt.exe" into "exe.txt").
BIDI_CONTROLS = frozenset([0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)])
_BIDI_TABLE = dict.fromkeys(BIDI_CONTROLS)
_ALL_SPACES = re.compile(f"[{_SPACES}]+")


def tidy_text(s, multiline: bool = True) -> str:
    """A text as it is stored and compared: line endings as \\n, no spaces at the end of a line, no
    blank lines or spaces around the whole, NFC (a 字 typed as base letter plus combining mark is the
    same 字). A single-line value has its ends trimmed only. Nothing is refused here."""
    if s is None:
        return ""
    text = unicodedata.normalize("NFC", str(s).replace("\r\n", "\n").replace("\r", "\n"))
    if multiline:
        text = _TRAILING.sub("", text)
        return _strip_outer(text)
    return text.strip(_SPACES + "\n")


def _strip_outer(text: str) -> str:
    # Blank lines before and after go; the first line keeps its indentation (　　一、…).
    lines = text.split("\n")
    while lines and not lines[0].strip(_SPACES):
        lines.pop(0)
    while lines and not lines[-1].strip(_SPACES):
        lines.pop()
    return "\n".join(lines)


def control_characters(text: str, multiline: bool = True) -> list[str]:
    """The control characters (C0, DEL, C1) of a text that may not be stored, as U+XXXX: all but tab
    and line feed in a multi-line text, all in a single-line one."""
    allowed = ("\t", "\n") if multiline else ()
    return [f"U+{ord(ch):04X}" for ch in text if unicodedata.category(ch) == "Cc" and ch not in allowed]


def strip_bidi(text: str) -> str:
    """The text without its bidirectional control characters (BIDI_CONTROLS)."""
    return text.translate(_BIDI_TABLE)


def text_key(value):
    """What two versions of a value are compared by: a text tidied (tidy_text) with every kind of space
    read as one ASCII space, so CRLF against LF, a trailing space or a full-width space against a
    half-width one is no change. Other values are compared as they are."""
    if not isinstance(value, str):
        return value
    return _ALL_SPACES.sub(" ", tidy_text(value))


# ---------------------------------------------------------------------------
# 事项 validation

NAME_MAX = 200
_WHITESPACE = re.compile(r"\s+")  # \s covers the full-width space U+3000 and NBSP pasted from Excel


def normalize_text(s) -> str:
    """Normalises a text cell (事项名称, 办理项名称 …) for storage and matching.

    Excel cells carry line breaks, doubled and full-width spaces; ASCII brackets and full-width （）
    are mixed freely, so the same 办理项 would otherwise look like two different ones.
    """
    if s is None:
        return ""
    text = _WHITESPACE.sub(" ", str(s)).strip()
    return text.replace("(", "（").replace(")", "）")


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _days(value) -> tuple[int | None, bool]:
    """Returns (days, ok) for an optional time limit given as int or digit string."""
    if _blank(value):
        return None, True
    if isinstance(value, bool):
        return None, False
    if isinstance(value, int):
        return value, value >= 0
    text = str(value).strip()
    if text.isascii() and text.isdigit():
        return int(text), True
    return None, False


def _officer_known(officer_id, officer_ids) -> bool:
    # Form values arrive as strings while the set holds database ids (ints).
    if officer_id in officer_ids:
        return True
    try:
        return int(str(officer_id).strip()) in officer_ids
    except ValueError:
        return False


def check_item(fields: dict, *, officer_ids: set | None = None, existing_keys: set = frozenset(),
               own_key=None) -> dict[str, str]:
    """Validates one service item (事项, one row per 办理项) of attachment 1.

    Returns {field name: Chinese error message}; empty when the item may be saved. ``officer_ids`` are
    the department's serving officers (None when it has none yet, so a 纳入 item shows 未指定);
    ``existing_keys`` are the (事项名称, 办理项名称) pairs already in the list, ``own_key`` the item's own
    pair when editing.
    """
    errors: dict[str, str] = {}
    item_name = _text(fields.get("item_name"))
    sub_item_name = _text(fields.get("sub_item_name"))
    for name, value, label in (("item_name", item_name, "事项名称"),
                               ("sub_item_name", sub_item_name, "办理项名称")):
        if not value:
            errors[name] = f"请填写{label}"
        elif len(value) > NAME_MAX:
            errors[name] = f"{label}不能超过{NAME_MAX}个字"

    if fields.get("item_type") not in ITEM_TYPES:
        errors["item_type"] = "事项类型须为：" + "、".join(ITEM_TYPES)

    inclusion = fields.get("inclusion")
    if inclusion not in INCLUSIONS:
        errors["inclusion"] = "是否纳入须为：" + "、".join(INCLUSIONS)
    elif inclusion == EXCLUDED:
        if fields.get("reason") not in REASONS:
            errors["reason"] = "未纳入的事项须选择原因：" + "、".join(REASONS)
        if _blank(fields.get("reason_note")):
            errors["reason_note"] = "未纳入的事项须说明具体原因"
    elif inclusion == INCLUDED:
        if fields.get("mode") not in MODES:
            errors["mode"] = "纳入的事项须选择审批方式：终审或初审"
        officer_id = fields.get("officer_id")
        if _blank(officer_id):
            if officer_ids:
                errors["officer_id"] = "纳入的事项须指定本部门的首席服务员"
        elif officer_ids is not None and not _officer_known(officer_id, officer_ids):
            errors["officer_id"] = "所选首席服务员不是本部门在任的首席服务员"

    legal, legal_ok = _days(fields.get("legal_days"))
    promised, promised_ok = _days(fields.get("promised_days"))
    if not legal_ok:
        errors["legal_days"] = "法定办结时限须为不小于0的整数（工作日）"
    if not promised_ok:
        errors["promised_days"] = "承诺办结时限须为不小于0的整数（工作日）"
    elif legal is not None and promised is not None and promised > legal:
        errors["promised_days"] = "承诺办结时限不能超过法定办结时限"

    if item_name and sub_item_name:
        key = (item_name, sub_item_name)
        if key in existing_keys and (own_key is None or key != tuple(own_key)):
            errors["sub_item_name"] = "同一事项名称下已有相同的办理项"
    return errors


# ---------------------------------------------------------------------------
# 工作日 (time limits and answer deadlines are counted in working days)


def _is_working_day(day: date, holidays, workdays) -> bool:
    # A date listed in both is taken as a holiday: a day off wrongly counted would shorten a deadline.
    if day in holidays:
        return False
    return day in workdays or day.weekday() < 5


def add_working_days(start: date, n: int, holidays=frozenset(), workdays=frozenset()) -> date:
    """The date n working days (工作日) after start, start itself not counted.

    Weekends are off unless listed in ``workdays`` (调休 make-up days); ``holidays`` are off.
    A negative n counts backwards.
    """
    step = timedelta(days=1 if n >= 0 else -1)
    day, left = start, abs(n)
    while left:
        day += step
        if _is_working_day(day, holidays, workdays):
            left -= 1
    return day


def working_days_between(start: date, end: date, holidays=frozenset(), workdays=frozenset()) -> int:
    """Number of working days (工作日) after start up to and including end; 0 when end <= start."""
    count, day = 0, start + timedelta(days=1)
    while day <= end:
        count += _is_working_day(day, holidays, workdays)
        day += timedelta(days=1)
    return count


# ---------------------------------------------------------------------------
# 统一社会信用代码 (GB 32100-2015)

CREDIT_CODE_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code_error(code: str) -> str | None:
    """Checks a 统一社会信用代码 (length, characters, 校验位); returns the Chinese error or None."""
    code = _text(code).upper()
    if len(code) != 18:
        return f"统一社会信用代码应为18位，当前为{len(code)}位"
    bad = [ch for ch in code if ch not in CREDIT_CODE_CHARSET]
    if bad:
        return f"统一社会信用代码含有非法字符：{''.join(dict.fromkeys(bad))}"
    total = sum(CREDIT_CODE_CHARSET.index(ch) * w for ch, w in zip(code, CREDIT_CODE_WEIGHTS))
    if code[17] != CREDIT_CODE_CHARSET[(31 - total % 31) % 31]:
        return "统一社会信用代码校验位错误"
    return None


def credit_code_valid(code) -> bool:
    """True when the 统一社会信用代码 is well formed and its 校验位 is right."""
    return credit_code_error(code) is None


# ---------------------------------------------------------------------------
# 任期 and 不断档 (rules 4 and 5)


@dataclass(frozen=True)
class Term:
    """One officer's term (任期): end is the last day served, inclusive; None while still serving."""
    start: date
    end: date | None = None


def two_year_mark(start: date) -> date:
    """The day a term (任期) reaches two years; a 29 February start reaches it on 1 March."""
    try:
        return start.replace(year=start.year + 2)
    except ValueError:
        return date(start.year + 2, 3, 1)


BACKDATE_DAYS = 30  # 补报: a change reported more than this many days after it took effect


def days_backdated(effective_date: date, filed_on: date) -> int:
    """How many days after the change took effect it was reported (0 when on time or ahead)."""
    return max(0, (filed_on - effective_date).days)


def is_backdated(effective_date: date, filed_on: date) -> bool:
    """补报: reported more than BACKDATE_DAYS after the effective date. Allowed, never silent: it asks for
    a 补报说明 and is flagged for the office, since it moves terms, letters and gap days in the past."""
    return days_backdated(effective_date, filed_on) > BACKDATE_DAYS


def is_early_change(start: date, effective_date: date) -> bool:
    """True when a change taking effect on effective_date (the successor's first day) is 提前调整."""
    return effective_date < two_year_mark(start)


def tenure_days(term: Term, today: date) -> int:
    """Days served in the term (任职天数) up to today, both ends counted."""
    last = today if term.end is None else min(term.end, today)
    return max(0, (last - term.start).days + 1)


def gap_intervals(terms: list[Term], since: date, until: date) -> list[tuple[date, date]]:
    """Inclusive date ranges in [since, until] when no officer was serving (断档)."""
    if since > until:
        return []
    spans = sorted((max(t.start, since), min(t.end or until, until)) for t in terms)
    gaps: list[tuple[date, date]] = []
    cursor = since  # first day not yet known to be covered
    for start, end in spans:
        if end < start:  # outside the window, or an inverted term
            continue
        if start > cursor:
            gaps.append((cursor, start - timedelta(days=1)))
        cursor = max(cursor, end + timedelta(days=1))
    if cursor <= until:
        gaps.append((cursor, until))
    return gaps


def gap_days(terms: list[Term], since: date, until: date) -> list[date]:
    """Every day in [since, until] when no officer was serving (断档天数 is its length)."""
    return [start + timedelta(days=i)
            for start, end in gap_intervals(terms, since, until)
            for i in range((end - start).days + 1)]


def days_in(intervals: Iterable[tuple[date, date]]) -> int:
    """The number of days of inclusive date ranges: 断档天数 of gap_intervals' periods."""
    return sum((end - start).days + 1 for start, end in intervals)


def gap_day_count(terms: list[Term], since: date, until: date) -> int:
    """断档天数: days in [since, until] when none of the department's officers was serving."""
    return days_in(gap_intervals(terms, since, until))


def report_open(state: str) -> bool:
    """A tenure-change report not acknowledged yet (未确认): 待确认, or 已退回 to the department."""
    return state in REPORT_OPEN_STATES


def term_nearing_two_years(start: date, today: date, within_days: int = 30) -> bool:
    """Reminder: the term reaches two years (任期满两年) within the next within_days days."""
    return today <= two_year_mark(start) <= today + timedelta(days=within_days)


# 考核排名: the keys in order, each better one way; equal on all of them, departments share a rank.
RANKING_KEYS = (("合规率", "高"), ("纳入率", "高"), ("断档天数", "少"), ("逾期事项", "少"), ("满意率", "高"),
                ("按时办结率", "高"))


def ranking_text() -> str:
    """The ranking order as the pages say it: 合规率（高者在前），其次纳入率（高者在前）…"""
    parts = [f"{name}（{'高' if way == '高' else '少'}者在前）" for name, way in RANKING_KEYS]
    return "按" + parts[0] + "排名，相同时依次比较" + "、".join(parts[1:])


def ranking_key(compliance_rate: float | None, inclusion_rate: float | None, gap_days: int | None,
                overdue: int, satisfaction_rate: float | None, on_time_rate: float | None) -> tuple:
    """考核排名的比较键, larger is better, in the order of RANKING_KEYS. A rate that cannot be computed
    counts lowest; a department without a window has no gap days to lose on."""
    def rate(x):
        return -1.0 if x is None else x
    return (rate(compliance_rate), rate(inclusion_rate), -(gap_days or 0), -(overdue or 0),
            rate(satisfaction_rate), rate(on_time_rate))


def compliance_rate(verdicts: Iterable[bool | None]) -> float | None:
    """合规率: rules met ÷ rules that apply, over a department's verdicts (True met, False not met, None
    not applicable); None when no rule applies."""
    judged = [v for v in verdicts if v is not None]
    return _rate(sum(judged), len(judged))


# ---------------------------------------------------------------------------
# 清单报送 deadline (rule 7)


def default_deadline(year: int) -> date:
    """Default list submission deadline (报送截止日期): 10 August, the plan's 8月上旬."""
    return date(year, 8, 10)


def year_submission_day(submissions: Iterable[tuple[date, str]]) -> date | None:
    """本年度清单报送日期, on which rule 7 (按时报送) is judged: the first submission of the year that the
    office did not return. A returned list was not the list: its resubmission after the deadline is late
    (逾期报送), while an adjustment after an accepted list does not make an on-time department late.
    submissions: (submitted on, list state) of the year's revisions."""
    return min((day for day, state in submissions if state != LIST_RETURNED), default=None)


def list_days_late(submitted_on: date | None, deadline: date, today: date) -> int:
    """逾期报送天数: how many days after the deadline the list came, or, while it has not come, so far; 0
    when on time or not yet due."""
    return max(0, ((submitted_on or today) - deadline).days)


def submitted_on_time(submitted_on: date | None, deadline: date, today: date) -> bool | None:
    """Whether the list was submitted (按时报送) by the deadline; None while it still can be."""
    if submitted_on is not None:
        return submitted_on <= deadline
    return False if today > deadline else None


# ---------------------------------------------------------------------------
# 服务台账


_DIGIT_SEPARATORS = re.compile(r"(?<=\d)[\s\-－—–·.]+(?=\d)")
_MOBILE = re.compile(r"(?<!\d)(?:\+?86)?1[3-9]\d{9}(?!\d)")
_ID18 = re.compile(r"(?<!\d)\d{17}[\dX](?!\d)")
_ID15 = re.compile(r"(?<!\d)\d{15}(?!\d)")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_card_valid(number: str) -> bool:
    """18位居民身份证号码的校验码 (GB 11643): the last character checks the first seventeen."""
    total = sum(int(c) * w for c, w in zip(number[:17], _ID_WEIGHTS))
    return "10X98765432"[total % 11] == number[17]


def personal_data_problem(text: str | None) -> str | None:
    """公开评价中的个人信息: a mobile number or an ID-card number in a text that will be public, found even
    when typed in full-width digits or split by spaces or dashes; the Chinese refusal, or None."""
    if not text:
        return None
    folded = _DIGIT_SEPARATORS.sub("", unicodedata.normalize("NFKC", text).upper())
    if _MOBILE.search(folded):
        return "评价内容含有手机号码。评价内容会公开，为保护个人信息，请删除号码后再提交"
    if any(id_card_valid(m) for m in _ID18.findall(folded)) or _ID15.search(folded):
        return "评价内容含有身份证号码。评价内容会公开，为保护个人信息，请删除号码后再提交"
    return None


def record_date_problem(day: date | None, today: date, since: date, label: str,
                        since_label: str = "制度实施日期") -> str | None:
    """受理日期等记录日期的合理性: a record's date cannot lie in the future, nor before the day the record
    could first exist (by default the system's start, 制度实施日期, since nothing was recorded under the
    system before it; for a countersignature the day it was asked for). The Chinese error, or None."""
    if day is None:
        return None
    if day > today:
        return f"{label}不能晚于今天"
    if day < since:
        return f"{label}不能早于{since_label}（{since.isoformat()}）"
    return None


def matter_open(status: str) -> bool:
    """A ledger matter still being handled (在办): 已受理 or 办理中."""
    return status in MATTER_OPEN_STATES


def matter_overdue(status: str, promised: date | None, completed: date | None, today: date) -> bool:
    """A ledger matter (台账事项) still open after its promised date is 逾期."""
    return matter_open(status) and promised is not None and today > promised


def matter_on_time(status: str, promised: date | None, completed: date | None) -> bool | None:
    """Whether a finished (已办结) matter was 按时办结; None when not finished or not judgeable."""
    if status != MATTER_DONE or promised is None or completed is None:
        return None
    return completed <= promised


ONE_VISIT_LIMIT = 1  # 最多跑一次: the plan's limit on the investor's in-person visits for one matter


def visits_over_limit(visits: int | None) -> bool:
    """超过最多跑一次: more in-person visits than the plan allows; the form warns, the matter still saves."""
    return visits is not None and visits > ONE_VISIT_LIMIT


def matter_one_visit(status: str, visits: int | None) -> bool:
    """A finished matter that took the investor at most one visit (最多跑一次); unknown visits do not count."""
    return status == MATTER_DONE and visits is not None and not visits_over_limit(visits)


def _rate(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


# The counts a ledger's figures are made of; the rates are quotients of them, so that the city's rates
# pool the departments' counts instead of averaging their rates.
LEDGER_COUNTS = ("total", "open", "overdue", "done", "judged", "on_time", "one_visit", "online", "proxy", "onsite")


def ledger_counts(rows: Iterable[dict], today: date) -> dict:
    """The counts behind a service ledger's (服务台账) figures, over matters given as dicts with status,
    promised, completed, visits and handling: all, 在办, 逾期, 已办结, judged (finished with both dates),
    按时办结, 最多跑一次, 网上办, 代办 and 上门办."""
    counts = dict.fromkeys(LEDGER_COUNTS, 0)
    for row in rows:
        status, promised, completed = row.get("status"), row.get("promised"), row.get("completed")
        verdict = matter_on_time(status, promised, completed)
        handling = row.get("handling")
        counts["total"] += 1
        counts["open"] += matter_open(status)
        counts["overdue"] += matter_overdue(status, promised, completed, today)
        counts["done"] += status == MATTER_DONE
        counts["judged"] += verdict is not None
        counts["on_time"] += bool(verdict)
        counts["one_visit"] += matter_one_visit(status, row.get("visits"))
        counts["online"] += handling == ONLINE
        counts["proxy"] += handling == PROXY
        counts["onsite"] += handling == ONSITE
    return counts


def ledger_rates(counts: dict) -> dict:
    """The ledger's figures from its counts (ledger_counts): the counts themselves, 按时办结率 (over
    finished matters with both dates), 最多跑一次率 (over finished matters) and 网上办率 (over all)."""
    return {**counts,
            "on_time_rate": _rate(counts["on_time"], counts["judged"]),
            "one_visit_rate": _rate(counts["one_visit"], counts["done"]),
            "online_rate": _rate(counts["online"], counts["total"])}


def ledger_total(figures: Iterable[dict]) -> dict:
    """The figures of several ledgers together (全市): their counts summed, the rates pooled."""
    figures = list(figures)
    return ledger_rates({key: sum(f[key] for f in figures) for key in LEDGER_COUNTS})


def ledger_figures(rows: Iterable[dict], today: date) -> dict:
    """Dashboard figures of a service ledger (服务台账): open, overdue, 按时办结率, 最多跑一次率, 网上办率,
    代办 and 上门办 counts (ledger_rates of ledger_counts).

    The on-time rate is over finished matters that have both dates; a finished matter without a
    recorded visit count does not count as 最多跑一次.
    """
    return ledger_rates(ledger_counts(rows, today))


# ---------------------------------------------------------------------------
# 好差评


def is_satisfied(level: int) -> bool:
    """非常满意 or 满意: what the 满意率 counts."""
    return level in SATISFIED_LEVELS


def satisfaction_rate(levels: list[int]) -> float | None:
    """满意率 = (非常满意 + 满意) ÷ all evaluations; None without evaluations."""
    return satisfaction_of(sum(1 for level in levels if is_satisfied(level)), len(levels))


def satisfaction_of(satisfied: int, evaluations: int) -> float | None:
    """满意率 from its counts (where SQL counted them with Evaluation.satisfied)."""
    return _rate(satisfied, evaluations)


def is_bad_review(level: int) -> bool:
    """True for a 差评 (不满意 or 非常不满意), which the department must answer."""
    return level in BAD_LEVELS


def answer_late(deadline: date, answered_on: date | None, today: date) -> bool:
    """True when a 差评 was answered after its deadline, or is unanswered and the deadline has passed."""
    return (answered_on if answered_on is not None else today) > deadline


# ---------------------------------------------------------------------------
# 一事联办


def joint_state(decisions: list[str | None]) -> str:
    """State of a joint matter (联办事项) from each part's 会签 decision (None = not yet signed)."""
    if SIGN_DISAGREE in decisions:
        return SIGN_DISAGREE
    if SIGN_SUPPLEMENT in decisions:
        return "待补正"
    if decisions and all(d == SIGN_AGREE for d in decisions):
        return MATTER_DONE
    return "会签中"


def joint_stuck_parts(parts: list[dict], today: date) -> list[dict]:
    """Parts of a joint matter not yet 同意, each with ``days_waiting`` since opened_on and ``late``."""
    stuck = []
    for part in parts:
        if part.get("decision") == SIGN_AGREE:
            continue
        opened, deadline = part.get("opened_on"), part.get("deadline")
        stuck.append({**part,
                      "days_waiting": (today - opened).days if opened else None,
                      "late": deadline is not None and today > deadline})
    return stuck


# ---------------------------------------------------------------------------
# 抽查 (放权与监管衔接)


def sample_size(n: int, rate: float, minimum: int) -> int:
    """How many finished matters an oversight review (抽查) draws: rate of n, at least minimum, at most n."""
    # Rounding first stops float noise (0.07 * 100 = 7.000000000000001) from adding one more.
    return max(0, min(n, max(minimum, math.ceil(round(n * rate, 9)))))


def draw_sample(ids: list[int], rate: float, minimum: int, seed: int) -> list[int]:
    """Draws the 抽查 sample reproducibly: the same ids and seed give the same sample in any input order."""
    pool = sorted(set(ids))
    return sorted(random.Random(seed).sample(pool, sample_size(len(pool), rate, minimum)))


# ---------------------------------------------------------------------------
# 清单版本比对


IDENTITIES = (("item_id",), ("code",), ("item_name", "sub_item_name"))


def compare_versions(old: list[dict], new: list[dict], fields, identities=IDENTITIES) -> dict:
    """清单版本比对: the rows of two versions of an item list matched by the item's identity — its id
    first, then its 事项编码 where it has one, and only then its names — so that a renamed item is one
    修改 with its old and new name, not a 删除 and a 新增. ``fields`` are compared by text_key (CRLF, a
    trailing or full-width space is no change).

    Returns {"rows": [{"state": "added" | "removed" | "changed" | "unchanged", "old", "new", "changes":
    [(field, before, after)]}] in the new version's order (a removed row after its old predecessor),
    and "added", "removed", "changed", "unchanged": the rows of each state}."""
    pairs: dict[int, int] = {}  # new index → old index
    taken: set[int] = set()
    for identity in identities:
        index: dict[tuple, int] = {}
        for i, row in enumerate(old):
            key = tuple(row.get(k) for k in identity)
            if i not in taken and all(v not in (None, "") for v in key):
                index.setdefault(key if identity != ("item_name", "sub_item_name") else tuple(map(text_key, key)), i)
        for j, row in enumerate(new):
            if j in pairs:
                continue
            key = tuple(row.get(k) for k in identity)
            if identity == ("item_name", "sub_item_name"):
                key = tuple(map(text_key, key))
            i = index.pop(key, None) if all(v not in (None, "") for v in key) else None
            if i is not None:
                pairs[j] = i
                taken.add(i)
    # A removed row goes after the row that followed its nearest matched predecessor in the old version.
    after: dict[int, list[int]] = {}
    new_of_old = {i: j for j, i in pairs.items()}
    last = -1
    for i in range(len(old)):
        if i in new_of_old:
            last = new_of_old[i]
        else:
            after.setdefault(last, []).append(i)
    rows = [{"state": "removed", "old": old[i], "new": None, "changes": []} for i in after.get(-1, [])]
    for j, row in enumerate(new):
        if j in pairs:
            before = old[pairs[j]]
            changes = [(f, before.get(f), row.get(f)) for f in fields if text_key(before.get(f)) != text_key(row.get(f))]
            rows.append({"state": "changed" if changes else "unchanged", "old": before, "new": row, "changes": changes})
        else:
            rows.append({"state": "added", "old": None, "new": row, "changes": []})
        rows.extend({"state": "removed", "old": old[i], "new": None, "changes": []} for i in after.get(j, []))
    out = {"rows": rows}
    for state in ("added", "removed", "changed", "unchanged"):
        out[state] = [r for r in rows if r["state"] == state]
    return out


# ---------------------------------------------------------------------------
# 授权委托书

LETTER_PREFIX = "赤首授"
_LETTER_RE = re.compile(r"^赤首授[\[【〔]([0-9]{4})[\]】〕]第?0*([1-9][0-9]*)号$")


def letter_number(year: int, seq: int) -> str:
    """The authorisation letter's 文号, e.g. 赤首授〔2026〕3号."""
    return f"{LETTER_PREFIX}〔{year}〕{seq}号"


def parse_letter_number(s) -> tuple[int, int] | None:
    """Reads a 文号 as typed by the public (any bracket style, spaces, full-width digits): (year, seq)."""
    if not s:
        return None
    # NFKC turns full-width digits and （）［］ into ASCII; round brackets then join the square ones.
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(s)))
    text = text.replace("(", "[").replace(")", "]")
    match = _LETTER_RE.match(text)
    return (int(match.group(1)), int(match.group(2))) if match else None


LETTER_VALID, LETTER_TO_REISSUE = "有效", "待重新签发"


@dataclass
class LetterStanding:
    """What the public is told of a letter (授权委托书的公开状态) and, when 待重新签发, how it differs from
    the published list: items published but not in the letter, in the letter but not published, and
    items whose mode (终审/初审) differs — each as its name."""

    state: str
    added: list = None
    removed: list = None
    changed: list = None

    @property
    def differs(self) -> list:
        return (self.added or []) + (self.removed or []) + (self.changed or [])


def letter_standing(letter_state: str, letter_items: dict, published: dict) -> LetterStanding:
    """授权委托书的公开状态: a letter is in force only for what it lists. 已替换 / 已终止 as recorded; an
    issued letter is 有效 when its items and modes are exactly the officer's items of the published list,
    else 待重新签发. letter_items and published: {item key: (mode, name)}."""
    if letter_state != LETTER_ISSUED:
        return LetterStanding(letter_state)
    added = [published[k][1] for k in published if k not in letter_items]
    removed = [letter_items[k][1] for k in letter_items if k not in published]
    changed = [published[k][1] for k in published if k in letter_items and letter_items[k][0] != published[k][0]]
    if added or removed or changed:
        return LetterStanding(LETTER_TO_REISSUE, added, removed, changed)
    return LetterStanding(LETTER_VALID, [], [], [])


def letter_sections(assignments: list[tuple[str, str]]) -> tuple[list[str], list[str]]:
    """Splits an officer's items into the letter's section 一 (终审) and section 二 (初审), input order kept."""
    final = [label for label, mode in assignments if mode == FINAL]
    first = [label for label, mode in assignments if mode == FIRST]
    return final, first


# ---------------------------------------------------------------------------
# Misc


def age_on(birth: date, day: date) -> int:
    """Age in full years on day (an officer's 年龄 in the roster)."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


PASSWORD_MIN = 10
# Passwords guessed first (the head of every leaked-password list, and this portal's own obvious
# words): refused also with digits or marks added around them ("Password2026!", "chibi123").
COMMON_PASSWORDS = frozenset("""
    123456 1234567 12345678 123456789 1234567890 0123456789 987654321 9876543210 111111 000000 666666 888888
    123123 112233 147258369 5201314 password passw0rd p@ssw0rd pass admin administrator root test guest
    qwerty qwertyuiop qwe123 asdfgh asdfghjkl zxcvbnm 1qaz2wsx 1q2w3e4r qazwsx abc abcd abc123 abcd1234
    a123456 aa123456 iloveyou welcome letmein woaini changeme default secret
    chibi chibishi chibi123 chibi2026 xianning hubei zhengwu zwfw shouxi fuwu shouxifuwuyuan
""".split())
_AROUND = re.compile(r"^[\W\d_]+|[\W\d_]+$")


def _core(text: str) -> str:
    """A password or name folded for comparison: lower case, without digits and marks around it."""
    return _AROUND.sub("", _fold(text))


def password_problem(pw: str, names: Iterable[str] = (), current_hash_matches: bool = False) -> str | None:
    """Chinese message when an account password may not be used (密码要求), else None.

    At least PASSWORD_MIN characters; not a common password (also with digits or marks around it); not
    made of the account's own names (user name, display name, department code and names, passed as
    `names`) with only digits, marks or up to three other characters added; not one character repeated or
    a plain run (``1234567890``, ``abcdefghij``); and not the account's current password
    (`current_hash_matches`, checked by the caller against the stored hash)."""
    pw = pw or ""
    if len(pw) < PASSWORD_MIN:
        return f"密码至少需要{PASSWORD_MIN}个字符。"
    if current_hash_matches:
        return "新密码不能与当前密码相同。"
    folded, core = _fold(pw), _core(pw)
    if _mostly_names(folded, names):
        return "密码不能使用用户名、姓名或部门代码（前后加数字或符号也不行），请换一个。"
    if folded in COMMON_PASSWORDS or core in COMMON_PASSWORDS or _plain_run(folded):
        return "这个密码太常见，很容易被猜到，请换一个。"
    return None


def _mostly_names(folded: str, names: Iterable[str]) -> bool:
    """True when a (folded) password holds one of the account's names and, once the names, digits and
    marks are taken out, fewer than four characters are left ("gaj2026gaj", "赤壁市公安局2026年")."""
    rest = folded
    for name in sorted({_core(n) for n in names if n}, key=len, reverse=True):
        if len(name) >= 2:
            rest = rest.replace(name, "")
    return rest != folded and len(re.sub(r"[\W\d_]+", "", rest)) < 4


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def _plain_run(text: str) -> bool:
    """One character repeated, or consecutive characters up or down (aaaaaaaaaa, 1234567890, 9876543210)."""
    steps = {ord(b) - ord(a) for a, b in zip(text, text[1:])}
    return len(steps) <= 1 and steps <= {-1, 0, 1}


# ---------------------------------------------------------------------------
# 考核评分 (the leading group's assessment, issue 18)

# The rates that earn points (their keys in a department's figures), with their Chinese names.
SCORE_RATES = {"inclusion_rate": "纳入率", "on_time_rate": "按时办结率", "one_visit_rate": "最多跑一次率",
               "satisfaction_rate": "满意率"}
# Deductions (扣分项): key → (Chinese name, unit).
SCORE_DEDUCTIONS = {"gap_day": ("首席服务员断档", "天"), "unreported": ("调整未按时报告", "次"),
                    "overdue": ("台账事项逾期", "件")}
SCORE_RULE_NUMBERS = tuple(range(1, 11))


def default_scoring() -> dict:
    """The default scoring (默认评分办法): equal weights for the ten rules and the four rates, scaled to
    100 points (each 100/14 ≈ 7.14), and the deductions with their caps."""
    return {
        "rules": {str(n): 1.0 for n in SCORE_RULE_NUMBERS},
        "rates": {key: 1.0 for key in SCORE_RATES},
        "deductions": {"gap_day": {"points": 0.5, "cap": 10.0}, "unreported": {"points": 2.0, "cap": 10.0},
                       "overdue": {"points": 1.0, "cap": 10.0}},
    }


def scoring_problem(scoring: dict) -> str | None:
    """Why a scoring cannot be used (in Chinese), or None: weights and deductions are numbers ≥ 0, at
    least one weight above 0."""
    try:
        weights = [float(v) for v in scoring["rules"].values()] + [float(v) for v in scoring["rates"].values()]
        deductions = [(float(d["points"]), float(d["cap"])) for d in scoring["deductions"].values()]
    except (KeyError, TypeError, ValueError, AttributeError):
        return "评分办法不完整。"
    if any(w < 0 or w > 100 for w in weights) or any(p < 0 or c < 0 or p > 100 or c > 100 for p, c in deductions):
        return "权重和扣分须在0到100之间。"
    if sum(weights) <= 0:
        return "至少有一项权重大于0。"
    return None


def item_points(scoring: dict) -> dict:
    """Each scored item's full points out of 100: its weight ÷ all weights × 100. Keys: rule numbers
    (int) and rate keys."""
    weights = {int(n): float(w) for n, w in scoring["rules"].items()}
    weights.update({k: float(w) for k, w in scoring["rates"].items()})
    total = sum(weights.values())
    return {key: (100.0 * w / total if total else 0.0) for key, w in weights.items()}


def assessment_score(verdicts: dict, rates: dict, counts: dict, scoring: dict) -> dict:
    """考核得分 of one department, from plain data:

    - verdicts: rule number → "met" / "not_met" / "na" (a rule that does not apply loses nothing);
    - rates: rate key → a rate 0–1 or None (no data loses nothing);
    - counts: deduction key → a count (断档天数, 未报告的调整, 逾期事项);
    - scoring: as default_scoring().

    A rule not met loses its full points; a rate loses its points × (1 − rate); each deduction is
    points × count up to its cap. The score is 100 minus what is lost, never below 0, to 0.01.
    Returns {"score", "lost": [{"key", "kind", "name", "points", "detail"}]} with the losses largest first.
    """
    points = item_points(scoring)
    lost = []
    for number in SCORE_RULE_NUMBERS:
        full = points.get(number, 0.0)
        if full and verdicts.get(number) == "not_met":
            lost.append({"key": number, "kind": "rule", "points": full, "detail": "未达标"})
    for key in SCORE_RATES:
        full, rate = points.get(key, 0.0), rates.get(key)
        if full and rate is not None and rate < 1:
            lost.append({"key": key, "kind": "rate", "points": full * (1 - rate),
                         "detail": f"{SCORE_RATES[key]}{rate * 100:.1f}%"})
    for key, (name, unit) in SCORE_DEDUCTIONS.items():
        rule = scoring["deductions"].get(key) or {"points": 0, "cap": 0}
        n = int(counts.get(key) or 0)
        value = min(float(rule["points"]) * n, float(rule["cap"]))
        if value > 0:
            lost.append({"key": key, "kind": "deduction", "points": value,
                         "detail": f"{name}{n}{unit}，每{unit}扣{float(rule['points']):g}分，最多扣{float(rule['cap']):g}分"})
    for entry in lost:
        entry["points"] = round(entry["points"], 2)
    lost.sort(key=lambda e: -e["points"])
    score = max(0.0, round(100.0 - sum(e["points"] for e in lost), 2))
    return {"score": score, "lost": lost}


def score_ranks(scores: list[tuple[int, float]]) -> dict[int, int]:
    """名次 by score, highest first; equal scores share a rank and the next skips (1, 2, 2, 4).
    scores: (department id, score) in the order to list equals."""
    ranks, previous, current = {}, None, 0
    for position, (key, score) in enumerate(sorted(scores, key=lambda s: -s[1]), start=1):
        if score != previous:
            current, previous = position, score
        ranks[key] = current
    return ranks
