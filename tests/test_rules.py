"""Tests of the plan's rules (portal/rules.py): pure functions, no app or database."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from portal import rules
from portal.rules import Term

D = date


# ---------------------------------------------------------------------------
# 纳入率


def test_inclusion_rate():
    assert rules.inclusion_rate(8, 10, 2) == 1.0
    assert rules.inclusion_rate(6, 10, 2) == 0.75
    assert rules.inclusion_rate(0, 0, 0) is None
    assert rules.inclusion_rate(0, 3, 3) is None


def test_count_inclusion_pending_and_other_count_against_rate():
    rows = [("纳入", None)] * 6 + [
        ("未纳入", "涉密"), ("未纳入", "涉及重大公共安全"), ("未纳入", "其他"), ("待定", None),
        ("未纳入", None),
    ]
    c = rules.count_inclusion(rows)
    assert c["total"] == 11 and c["included"] == 6 and c["excluded"] == 4 and c["pending"] == 1
    assert c["exempt"] == 2 and c["other"] == 2
    assert c["by_reason"] == {"涉密": 1, "涉及重大公共安全": 1, "涉及公民生命财产安全": 0, "其他": 1}
    assert c["rate"] == pytest.approx(6 / 9)


def test_count_inclusion_full_and_empty():
    assert rules.count_inclusion([("纳入", None), ("未纳入", "涉密")])["rate"] == 1.0
    empty = rules.count_inclusion([])
    assert empty["total"] == 0 and empty["rate"] is None and set(empty["by_reason"]) == set(rules.REASONS)


# ---------------------------------------------------------------------------
# 事项 validation


def item(**over):
    base = {"item_name": "食品经营许可", "sub_item_name": "食品经营许可证核发", "item_type": "行政许可",
            "inclusion": "纳入", "reason": None, "reason_note": None, "officer_id": 1, "mode": "终审",
            "legal_days": 20, "promised_days": 5}
    base.update(over)
    return base


def test_check_item_valid():
    assert rules.check_item(item(), officer_ids={1, 2}) == {}
    assert rules.check_item(item(officer_id="2"), officer_ids={1, 2}) == {}  # form value as string
    # No officer in the department yet: 纳入 without an officer is shown as 未指定.
    assert rules.check_item(item(officer_id=None)) == {}
    assert rules.check_item(item(inclusion="未纳入", reason="涉密", reason_note="涉及国家秘密",
                                 officer_id=None, mode=None)) == {}
    assert rules.check_item(item(inclusion="待定", officer_id=None, mode=None)) == {}
    assert rules.check_item(item(legal_days=None, promised_days="")) == {}
    assert rules.check_item(item(legal_days="10", promised_days="10")) == {}


def test_check_item_required_and_lengths():
    errors = rules.check_item(item(item_name="  ", sub_item_name=None, item_type="行政审批",
                                   inclusion="是"))
    assert set(errors) == {"item_name", "sub_item_name", "item_type", "inclusion"}
    assert "事项名称" in errors["item_name"]
    long = rules.check_item(item(item_name="甲" * 201, sub_item_name="乙" * 201))
    assert set(long) == {"item_name", "sub_item_name"} and "200" in long["item_name"]
    assert rules.check_item(item(item_name="甲" * 200)) == {}


def test_check_item_excluded_needs_reason_and_note():
    errors = rules.check_item(item(inclusion="未纳入", reason="不想", reason_note=" "))
    assert set(errors) == {"reason", "reason_note"}
    assert rules.check_item(item(inclusion="未纳入", reason="其他", reason_note="省级尚未下放")) == {}


def test_check_item_included_needs_mode_and_department_officer():
    errors = rules.check_item(item(mode="复审", officer_id=9), officer_ids={1, 2})
    assert set(errors) == {"mode", "officer_id"}
    assert "officer_id" in rules.check_item(item(officer_id=None), officer_ids={1})
    assert "officer_id" in rules.check_item(item(officer_id="abc"), officer_ids={1})


def test_check_item_time_limits():
    errors = rules.check_item(item(legal_days=5, promised_days=6))
    assert list(errors) == ["promised_days"] and "法定" in errors["promised_days"]
    errors = rules.check_item(item(legal_days=-1, promised_days="五"))
    assert set(errors) == {"legal_days", "promised_days"}
    assert "promised_days" not in rules.check_item(item(legal_days=None, promised_days=30))
    assert "legal_days" in rules.check_item(item(legal_days=True))


def test_check_item_uniqueness():
    key = ("食品经营许可", "食品经营许可证核发")
    errors = rules.check_item(item(item_name=" 食品经营许可 "), existing_keys={key})
    assert errors == {"sub_item_name": "同一事项名称下已有相同的办理项"}
    assert rules.check_item(item(), existing_keys={key}, own_key=key) == {}
    assert rules.check_item(item(), existing_keys={key}, own_key=list(key)) == {}
    assert rules.check_item(item(sub_item_name="食品经营许可证变更"), existing_keys={key}) == {}


def test_normalize_text():
    assert rules.normalize_text("  食品经营\n许可\u3000(变更)  ") == "食品经营 许可 （变更）"
    assert rules.normalize_text("a\r\n\t b\xa0c") == "a b c"
    assert rules.normalize_text("（已是全角）") == "（已是全角）"
    assert rules.normalize_text(None) == ""
    assert rules.normalize_text(12) == "12"


# ---------------------------------------------------------------------------
# 工作日


def test_add_working_days_across_weekend():
    friday = D(2026, 3, 6)
    assert rules.add_working_days(friday, 1) == D(2026, 3, 9)  # Monday
    assert rules.add_working_days(friday, 5) == D(2026, 3, 13)
    assert rules.add_working_days(friday, 0) == friday
    assert rules.add_working_days(D(2026, 3, 7), 1) == D(2026, 3, 9)  # from Saturday
    assert rules.add_working_days(D(2026, 3, 9), -1) == friday


def test_add_working_days_with_holidays_and_make_up_day():
    # 2025 国庆: 1–8 Oct off, Sunday 28 Sep and Saturday 11 Oct are 调休 working days.
    holidays = {D(2025, 10, 1) + timedelta(days=i) for i in range(8)}
    workdays = {D(2025, 9, 28), D(2025, 10, 11)}
    assert rules.add_working_days(D(2025, 9, 26), 1, holidays, workdays) == D(2025, 9, 28)
    assert rules.add_working_days(D(2025, 9, 26), 1) == D(2025, 9, 29)
    # From 30 Sep: next working day is Thu 9 Oct, then Fri 10, Sat 11 (调休), Mon 13.
    assert rules.add_working_days(D(2025, 9, 30), 1, holidays, workdays) == D(2025, 10, 9)
    assert rules.add_working_days(D(2025, 9, 30), 3, holidays, workdays) == D(2025, 10, 11)
    assert rules.add_working_days(D(2025, 9, 30), 4, holidays, workdays) == D(2025, 10, 13)
    assert rules.add_working_days(D(2025, 9, 30), 4, holidays, frozenset()) == D(2025, 10, 14)


def test_working_days_between():
    assert rules.working_days_between(D(2026, 3, 6), D(2026, 3, 13)) == 5
    assert rules.working_days_between(D(2026, 3, 6), D(2026, 3, 8)) == 0
    assert rules.working_days_between(D(2026, 3, 6), D(2026, 3, 6)) == 0
    assert rules.working_days_between(D(2026, 3, 13), D(2026, 3, 6)) == 0
    holidays = {D(2026, 3, 10)}
    workdays = {D(2026, 3, 8)}
    assert rules.working_days_between(D(2026, 3, 6), D(2026, 3, 13), holidays, workdays) == 5


def test_working_days_round_trip():
    holidays, workdays = {D(2026, 5, 1), D(2026, 5, 4)}, {D(2026, 5, 9)}
    start = D(2026, 4, 28)
    for n in range(0, 15):
        end = rules.add_working_days(start, n, holidays, workdays)
        assert rules.working_days_between(start, end, holidays, workdays) == n


# ---------------------------------------------------------------------------
# 统一社会信用代码


VALID_CODES = ["91350100M000100Y43", "91421281MA49ABCD09", "11421281011234567R", "52421281MJH123456U"]


def independent_check_char(first17: str) -> str:
    """Written apart from the module: GB 32100's weights are 3**i mod 31, and the charset skips I O Z S V."""
    charset = [c for c in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ" if c not in "IOZSV"]
    value = {c: i for i, c in enumerate(charset)}
    total = 0
    for i, c in enumerate(first17):
        total += value[c] * pow(3, i, 31)
    return charset[(31 - total % 31) % 31]


@pytest.mark.parametrize("code", VALID_CODES)
def test_credit_code_valid(code):
    assert independent_check_char(code[:17]) == code[17]
    assert rules.credit_code_error(code) is None
    assert rules.credit_code_valid(code)
    assert rules.credit_code_valid(f"  {code.lower()} ")


def test_credit_code_weights_match_standard():
    assert rules.CREDIT_CODE_WEIGHTS == tuple(pow(3, i, 31) for i in range(17))
    assert rules.CREDIT_CODE_CHARSET == "".join(
        c for c in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ" if c not in "IOZSV")


def test_credit_code_wrong_check_char():
    # A widely quoted sample whose last character is wrong (the right one is L).
    assert independent_check_char("91420000177570439") == "L"
    assert rules.credit_code_error("91420000177570439Y") == "统一社会信用代码校验位错误"
    assert rules.credit_code_valid("91420000177570439L")
    for code in VALID_CODES:
        for c in rules.CREDIT_CODE_CHARSET:
            if c != code[17]:
                assert not rules.credit_code_valid(code[:17] + c)


@pytest.mark.parametrize("code", ["", "9135010", "91350100M000100Y4", "91350100M000100Y433"])
def test_credit_code_bad_length(code):
    assert "18位" in rules.credit_code_error(code)
    assert not rules.credit_code_valid(code)


@pytest.mark.parametrize("letter", list("IOZSV"))
def test_credit_code_illegal_letter(letter):
    code = "91350100M" + letter + "00100Y43"
    message = rules.credit_code_error(code)
    assert message.startswith("统一社会信用代码含有非法字符") and letter in message


def test_credit_code_none_and_punctuation():
    assert not rules.credit_code_valid(None)
    assert "非法字符" in rules.credit_code_error("91350100M000100-43")


# ---------------------------------------------------------------------------
# 任期 and 不断档


def test_two_year_mark_and_leap_day():
    assert rules.two_year_mark(D(2024, 3, 15)) == D(2026, 3, 15)
    assert rules.two_year_mark(D(2024, 2, 29)) == D(2026, 3, 1)
    assert rules.two_year_mark(D(2026, 2, 28)) == D(2028, 2, 28)


def test_is_early_change():
    start = D(2024, 3, 15)
    assert rules.is_early_change(start, D(2026, 3, 14))
    assert not rules.is_early_change(start, D(2026, 3, 15))
    assert rules.is_early_change(D(2024, 2, 29), D(2026, 2, 28))
    assert not rules.is_early_change(D(2024, 2, 29), D(2026, 3, 1))


def test_tenure_days():
    assert rules.tenure_days(Term(D(2026, 1, 1)), D(2026, 1, 1)) == 1
    assert rules.tenure_days(Term(D(2026, 1, 1)), D(2026, 1, 31)) == 31
    assert rules.tenure_days(Term(D(2026, 1, 1), D(2026, 1, 10)), D(2026, 6, 1)) == 10
    assert rules.tenure_days(Term(D(2026, 1, 1), D(2026, 12, 31)), D(2026, 1, 5)) == 5
    assert rules.tenure_days(Term(D(2026, 2, 1)), D(2026, 1, 5)) == 0


def test_term_is_frozen():
    with pytest.raises(Exception):
        Term(D(2026, 1, 1)).end = D(2026, 2, 1)


SINCE, UNTIL = D(2026, 1, 1), D(2026, 1, 31)


def test_no_gap_with_same_day_handover():
    terms = [Term(D(2025, 6, 1), D(2026, 1, 10)), Term(D(2026, 1, 10))]
    assert rules.gap_days(terms, SINCE, UNTIL) == []
    assert rules.gap_intervals(terms, SINCE, UNTIL) == []


def test_no_gap_with_next_day_handover():
    terms = [Term(D(2025, 6, 1), D(2026, 1, 10)), Term(D(2026, 1, 11))]
    assert rules.gap_days(terms, SINCE, UNTIL) == []


def test_one_day_gap():
    terms = [Term(D(2026, 1, 12)), Term(D(2025, 6, 1), D(2026, 1, 10))]  # any order
    assert rules.gap_days(terms, SINCE, UNTIL) == [D(2026, 1, 11)]
    assert rules.gap_intervals(terms, SINCE, UNTIL) == [(D(2026, 1, 11), D(2026, 1, 11))]


def test_overlapping_terms_and_gaps_at_both_ends():
    terms = [Term(D(2026, 1, 5), D(2026, 1, 20)), Term(D(2026, 1, 8), D(2026, 1, 15)),
             Term(D(2026, 1, 18), D(2026, 1, 25))]
    assert rules.gap_intervals(terms, SINCE, UNTIL) == [(D(2026, 1, 1), D(2026, 1, 4)),
                                                        (D(2026, 1, 26), D(2026, 1, 31))]
    assert len(rules.gap_days(terms, SINCE, UNTIL)) == 4 + 6


def test_department_that_never_had_an_officer():
    assert rules.gap_intervals([], SINCE, UNTIL) == [(SINCE, UNTIL)]
    assert rules.gap_days([], SINCE, UNTIL) == [SINCE + timedelta(days=i) for i in range(31)]


def test_gap_edge_windows():
    assert rules.gap_days([], UNTIL, SINCE) == []
    assert rules.gap_days([], SINCE, SINCE) == [SINCE]
    # Terms wholly outside the window, or starting after it, do not cover it.
    terms = [Term(D(2025, 1, 1), D(2025, 12, 31)), Term(D(2026, 2, 1))]
    assert len(rules.gap_days(terms, SINCE, UNTIL)) == 31


def test_gap_days_over_years_is_fast_and_matches_brute_force():
    since, until = D(2020, 1, 1), D(2025, 12, 31)
    terms = [Term(D(2020, 3, 1) + timedelta(days=90 * i), D(2020, 3, 1) + timedelta(days=90 * i + 80))
             for i in range(24)]
    covered = {t.start + timedelta(days=k) for t in terms for k in range((t.end - t.start).days + 1)}
    expected = [d for d in (since + timedelta(days=i) for i in range((until - since).days + 1))
                if d not in covered]
    assert rules.gap_days(terms, since, until) == expected


def test_term_nearing_two_years():
    start = D(2024, 3, 15)  # mark 2026-03-15
    assert rules.term_nearing_two_years(start, D(2026, 2, 20))
    assert rules.term_nearing_two_years(start, D(2026, 3, 15))
    assert not rules.term_nearing_two_years(start, D(2026, 2, 1))
    assert not rules.term_nearing_two_years(start, D(2026, 3, 16))
    assert rules.term_nearing_two_years(start, D(2026, 2, 1), within_days=60)


# ---------------------------------------------------------------------------
# 报送期限


def test_deadline_and_on_time():
    deadline = rules.default_deadline(2026)
    assert deadline == D(2026, 8, 10)
    assert rules.submitted_on_time(D(2026, 8, 10), deadline, D(2026, 9, 1)) is True
    assert rules.submitted_on_time(D(2026, 8, 11), deadline, D(2026, 9, 1)) is False
    assert rules.submitted_on_time(None, deadline, D(2026, 8, 11)) is False
    assert rules.submitted_on_time(None, deadline, D(2026, 8, 10)) is None


# ---------------------------------------------------------------------------
# 服务台账


def test_matter_overdue():
    assert rules.matter_overdue("办理中", D(2026, 3, 1), None, D(2026, 3, 2))
    assert rules.matter_overdue("已受理", D(2026, 3, 1), None, D(2026, 3, 2))
    assert not rules.matter_overdue("办理中", D(2026, 3, 1), None, D(2026, 3, 1))
    assert not rules.matter_overdue("已办结", D(2026, 3, 1), D(2026, 3, 5), D(2026, 3, 9))
    assert not rules.matter_overdue("已退回", D(2026, 3, 1), None, D(2026, 3, 9))
    assert not rules.matter_overdue("办理中", None, None, D(2026, 3, 9))


def test_matter_on_time():
    assert rules.matter_on_time("已办结", D(2026, 3, 1), D(2026, 3, 1)) is True
    assert rules.matter_on_time("已办结", D(2026, 3, 1), D(2026, 3, 2)) is False
    assert rules.matter_on_time("办理中", D(2026, 3, 1), None) is None
    assert rules.matter_on_time("已办结", None, D(2026, 3, 2)) is None


def test_ledger_figures():
    today = D(2026, 3, 10)
    rows = [
        {"status": "已办结", "promised": D(2026, 3, 1), "completed": D(2026, 3, 1), "visits": 0,
         "handling": "网上办"},
        {"status": "已办结", "promised": D(2026, 3, 1), "completed": D(2026, 3, 5), "visits": 2,
         "handling": "窗口办"},
        {"status": "已办结", "promised": D(2026, 3, 1), "completed": D(2026, 2, 25), "visits": 1,
         "handling": "代办"},
        {"status": "办理中", "promised": D(2026, 3, 9), "completed": None, "visits": 1,
         "handling": "上门办"},
        {"status": "已受理", "promised": D(2026, 3, 20), "completed": None, "visits": 0,
         "handling": "网上办"},
        {"status": "已退回", "promised": D(2026, 3, 1), "completed": None, "visits": 1,
         "handling": "窗口办"},
    ]
    f = rules.ledger_figures(rows, today)
    assert (f["total"], f["open"], f["overdue"], f["done"]) == (6, 2, 1, 3)
    assert f["on_time_rate"] == pytest.approx(2 / 3)
    assert f["one_visit_rate"] == pytest.approx(2 / 3)
    assert f["online_rate"] == pytest.approx(2 / 6)
    assert (f["proxy"], f["onsite"]) == (1, 1)


def test_ledger_figures_empty():
    f = rules.ledger_figures([], D(2026, 3, 10))
    assert f["total"] == 0 and f["on_time_rate"] is None and f["one_visit_rate"] is None
    assert f["online_rate"] is None


# ---------------------------------------------------------------------------
# 好差评


def test_satisfaction_and_bad_reviews():
    assert rules.satisfaction_rate([5, 4, 3, 1]) == 0.5
    assert rules.satisfaction_rate([5, 5]) == 1.0
    assert rules.satisfaction_rate([]) is None
    assert rules.is_bad_review(1) and rules.is_bad_review(2)
    assert not rules.is_bad_review(3) and not rules.is_bad_review(5)


def test_answer_late():
    deadline = D(2026, 3, 10)
    assert not rules.answer_late(deadline, D(2026, 3, 10), D(2026, 4, 1))
    assert rules.answer_late(deadline, D(2026, 3, 11), D(2026, 4, 1))
    assert not rules.answer_late(deadline, None, D(2026, 3, 10))
    assert rules.answer_late(deadline, None, D(2026, 3, 11))


# ---------------------------------------------------------------------------
# 一事联办


def test_joint_state():
    assert rules.joint_state(["同意", "同意"]) == "已办结"
    assert rules.joint_state([]) == "会签中"
    assert rules.joint_state(["同意", None]) == "会签中"
    assert rules.joint_state(["同意", "补正", None]) == "待补正"
    assert rules.joint_state(["补正", "不同意"]) == "不同意"


def test_joint_stuck_parts():
    today = D(2026, 3, 10)
    parts = [
        {"department": "市公安局", "decision": "同意", "deadline": D(2026, 3, 5), "opened_on": D(2026, 3, 1)},
        {"department": "市交通运输局", "decision": None, "deadline": D(2026, 3, 9), "opened_on": D(2026, 3, 1)},
        {"department": "市自然资源局", "decision": "补正", "deadline": D(2026, 3, 10),
         "opened_on": D(2026, 3, 8)},
    ]
    stuck = rules.joint_stuck_parts(parts, today)
    assert [p["department"] for p in stuck] == ["市交通运输局", "市自然资源局"]
    assert [p["days_waiting"] for p in stuck] == [9, 2]
    assert [p["late"] for p in stuck] == [True, False]


# ---------------------------------------------------------------------------
# 抽查


def test_sample_size():
    assert rules.sample_size(100, 0.05, 3) == 5
    assert rules.sample_size(100, 0.07, 3) == 7  # no float noise
    assert rules.sample_size(101, 0.05, 3) == 6
    assert rules.sample_size(20, 0.05, 3) == 3
    assert rules.sample_size(2, 0.05, 3) == 2  # minimum larger than n
    assert rules.sample_size(0, 0.05, 3) == 0


def test_draw_sample_reproducible_and_order_independent():
    ids = list(range(1, 201))
    first = rules.draw_sample(ids, 0.05, 3, seed=2026)
    assert len(first) == 10 and first == sorted(first) and set(first) <= set(ids)
    assert rules.draw_sample(list(reversed(ids)), 0.05, 3, seed=2026) == first
    assert rules.draw_sample(ids, 0.05, 3, seed=2027) != first


def test_draw_sample_minimum_larger_than_n():
    assert rules.draw_sample([7, 3], 0.05, 3, seed=1) == [3, 7]
    assert rules.draw_sample([], 0.05, 3, seed=1) == []


# ---------------------------------------------------------------------------
# 版本比对


FIELDS = ("item_name", "sub_item_name", "mode", "officer", "materials")


def test_compare_versions_matches_rows_by_identity():
    old = [{"item_id": 1, "item_name": "甲", "sub_item_name": "1", "mode": "终审", "officer": "张三"},
           {"item_id": 2, "item_name": "乙", "sub_item_name": "1", "mode": "初审", "officer": "张三"},
           {"item_id": 3, "item_name": "丙", "sub_item_name": "1", "mode": "初审", "officer": "张三"},
           {"item_id": 4, "item_name": "戊", "sub_item_name": "1", "mode": "初审", "officer": "张三"}]
    new = [{"item_id": 1, "item_name": "甲", "sub_item_name": "1", "mode": "初审", "officer": "张三"},
           {"item_id": 2, "item_name": "乙（新名称）", "sub_item_name": "1", "mode": "初审", "officer": "张三"},
           {"item_id": 5, "item_name": "丁", "sub_item_name": "1", "mode": "终审", "officer": "李四"},
           {"item_id": 4, "item_name": "戊", "sub_item_name": "1", "mode": "初审", "officer": "张三"}]
    d = rules.compare_versions(old, new, FIELDS)
    assert [r["new"]["item_name"] for r in d["added"]] == ["丁"]
    assert [r["old"]["item_name"] for r in d["removed"]] == ["丙"]
    assert [(r["new"]["item_id"], r["changes"]) for r in d["changed"]] == [
        (1, [("mode", "终审", "初审")]), (2, [("item_name", "乙", "乙（新名称）")])]  # a rename is one 修改
    assert [r["new"]["item_id"] for r in d["unchanged"]] == [4]
    # In the new order, the removed row where it stood.
    assert [r["state"] for r in d["rows"]] == ["changed", "changed", "removed", "added", "unchanged"]
    same = rules.compare_versions(old, old, FIELDS)
    assert not (same["added"] or same["removed"] or same["changed"]) and len(same["unchanged"]) == 4


def test_compare_versions_by_code_then_names_and_text_as_typed():
    old = [{"item_id": None, "code": "A-1", "item_name": "旧名", "sub_item_name": "x", "materials": "申请书\r\n营业执照 "},
           {"item_id": None, "code": "", "item_name": "易制毒化学品", "sub_item_name": "购买", "materials": ""}]
    new = [{"item_id": 7, "code": "A-1", "item_name": "新名", "sub_item_name": "x", "materials": "申请书\n营业执照"},
           {"item_id": 8, "code": "", "item_name": "易制毒化学品", "sub_item_name": "购买", "materials": "　"}]
    d = rules.compare_versions(old, new, FIELDS)
    assert [r["changes"] for r in d["changed"]] == [[("item_name", "旧名", "新名")]]
    assert len(d["unchanged"]) == 1 and not d["added"] and not d["removed"]


# ---------------------------------------------------------------------------
# 授权委托书


def test_letter_number_round_trip():
    assert rules.letter_number(2026, 3) == "赤首授〔2026〕3号"
    assert rules.parse_letter_number(rules.letter_number(2026, 12)) == (2026, 12)


@pytest.mark.parametrize("text", ["赤首授[2026]3号", "赤首授(2026)3号", "赤首授（2026）3号", " 赤首授 〔 2026 〕 3 号 ",
                                  "赤首授【2026】03号", "赤首授〔２０２６〕第3号"])
def test_parse_letter_number_variants(text):
    assert rules.parse_letter_number(text) == (2026, 3)


@pytest.mark.parametrize("text", ["", None, "赤首授2026 3号", "赤政〔2026〕3号", "赤首授〔26〕3号", "赤首授〔2026〕0号",
                                  "赤首授〔2026〕3"])
def test_parse_letter_number_rejects(text):
    assert rules.parse_letter_number(text) is None


def test_letter_sections():
    pairs = [("甲", "初审"), ("乙", "终审"), ("丙", "初审"), ("丁", "终审")]
    assert rules.letter_sections(pairs) == (["乙", "丁"], ["甲", "丙"])
    assert rules.letter_sections([]) == ([], [])


# ---------------------------------------------------------------------------
# Misc


def test_age_on():
    assert rules.age_on(D(1980, 5, 20), D(2026, 5, 19)) == 45
    assert rules.age_on(D(1980, 5, 20), D(2026, 5, 20)) == 46
    assert rules.age_on(D(1980, 2, 29), D(2026, 2, 28)) == 45
    assert rules.age_on(D(1980, 2, 29), D(2026, 3, 1)) == 46


def test_password_problem():
    assert rules.password_problem("123456789") == "密码至少需要10个字符。"
    assert rules.password_problem("") is not None
    assert rules.password_problem("x7#kq2-pl9") is None
    # The demo's and the suite's passwords pass the rules.
    assert rules.password_problem("chibi-demo-2026") is None
    assert rules.password_problem("test-password-1", ["gaj", "赤壁市公安局", "gaj经办人"]) is None


@pytest.mark.parametrize("password", ["1234567890", "password123", "Password2026!", "chibi123456", "  chibi123  ",
                                      "qwertyuiop", "aaaaaaaaaa", "abcdefghij", "9876543210", "p@ssw0rd!!",
                                      "ＰＡＳＳＷＯＲＤ１２３"])
def test_common_passwords_are_refused(password):
    assert rules.password_problem(password) == "这个密码太常见，很容易被猜到，请换一个。"


@pytest.mark.parametrize("password", ["zhangwei2026", "ZhangWei-123", "gajgajgaj1", "1234-gaj-5678", "赤壁市公安局2026年"])
def test_the_accounts_own_names_are_refused(password):
    names = ["zhangwei", "张伟", "gaj", "赤壁市公安局", "公安局"]
    assert "用户名" in rules.password_problem(password, names)


@pytest.mark.parametrize("password", ["3819-2746-50", "gaj-窗口-春天-2026", "zhangwei-loves-rain"])
def test_a_name_with_enough_else_or_no_name_passes(password):
    assert rules.password_problem(password, ["zhangwei", "gaj", "赤壁市公安局"]) is None


def test_the_current_password_is_refused():
    assert rules.password_problem("x7#kq2-pl9", current_hash_matches=True) == "新密码不能与当前密码相同。"


def test_rules_module_is_framework_free():
    import ast
    import pathlib

    tree = ast.parse(pathlib.Path(rules.__file__).read_text(encoding="utf-8"))
    names = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
             for alias in node.names}
    names |= {node.module.split(".")[0] for node in ast.walk(tree)
              if isinstance(node, ast.ImportFrom) and node.module}
    assert not names & {"flask", "peewee", "werkzeug", "jinja2"}


def test_a_record_date_is_neither_in_the_future_nor_before_the_system_started():
    today, since = date(2026, 11, 26), date(2025, 1, 1)
    assert rules.record_date_problem(None, today, since, "受理日期") is None
    assert rules.record_date_problem(today, today, since, "受理日期") is None
    assert rules.record_date_problem(since, today, since, "受理日期") is None
    assert rules.record_date_problem(date(2026, 11, 27), today, since, "受理日期") == "受理日期不能晚于今天"
    assert rules.record_date_problem(date(2024, 12, 31), today, since, "受理日期") == \
        "受理日期不能早于制度实施日期（2025-01-01）"


@pytest.mark.parametrize("text, found", [
    ("", None), (None, None), ("窗口服务很好，半小时办完", None),
    ("业务编号 20261126000123", None),  # 14 digits: a business number, not personal data
    ("电话0715-5221234", None),  # a landline of the office is not a mobile number
    ("13871234567", "手机号码"), ("+8613871234567", "手机号码"), ("138 7123 4567", "手机号码"),
    ("１３８７１２３４５６７", "手机号码"), ("x13871234567y", "手机号码"), ("213871234567", None),
    ("11010519491231002X", "身份证号码"), ("11010519491231002x", "身份证号码"),
    ("110105194912310021", None),  # wrong check digit: not an ID number
    ("420102900101123", "身份证号码"),  # the old 15-digit form
])
def test_personal_data_in_a_public_comment(text, found):
    problem = rules.personal_data_problem(text)
    assert (problem is None) if found is None else (found in problem)


def test_letter_standing_is_valid_only_for_exactly_what_the_published_list_gives():
    letter = {1: ("终审", "甲"), 2: ("初审", "乙")}
    assert rules.letter_standing("已签发", letter, dict(letter)).state == "有效"
    s = rules.letter_standing("已签发", letter, {1: ("终审", "甲"), 2: ("终审", "乙"), 3: ("终审", "丙")})
    assert (s.state, s.added, s.removed, s.changed) == ("待重新签发", ["丙"], [], ["乙"])
    s = rules.letter_standing("已签发", letter, {1: ("终审", "甲")})
    assert (s.state, s.removed) == ("待重新签发", ["乙"])
    assert rules.letter_standing("已替换", letter, {}).state == "已替换"
    assert rules.letter_standing("已终止", letter, dict(letter)).state == "已终止"


def test_ranking_breaks_ties_by_the_documented_keys_in_order():
    base = dict(compliance_rate=0.9, inclusion_rate=1.0, gap_days=0, overdue=0, satisfaction_rate=0.95, on_time_rate=1.0)
    key = lambda **kw: rules.ranking_key(**{**base, **kw})  # noqa: E731
    assert key() == key()  # equal on every key: a shared rank
    assert key(compliance_rate=0.95) > key(inclusion_rate=1.0)  # 合规率 first
    assert key(inclusion_rate=0.99) < key()  # then 纳入率
    assert key(gap_days=12) < key() and key(gap_days=None) == key()  # then fewer 断档天数 (no window: none to lose)
    assert key(overdue=3) < key(overdue=1)  # then fewer 逾期事项
    assert key(satisfaction_rate=0.8) < key() and key(satisfaction_rate=None) < key(satisfaction_rate=0.0)
    assert key(on_time_rate=0.9) < key()
    assert key(gap_days=1, satisfaction_rate=1.0) < key(gap_days=0, satisfaction_rate=0.5)  # in that order
    assert [k for k, _ in rules.RANKING_KEYS] == ["合规率", "纳入率", "断档天数", "逾期事项", "满意率", "按时办结率"]
    assert rules.ranking_text().startswith("按合规率（高者在前）排名，相同时依次比较纳入率")
