"""好差评: the public form and its limits (the question, the level, the comment, the per-address limit,
CSRF), the deadline of a bad review in working days, the department's answer (all three parts, once,
own department only), late answers flagged, the office's view and setting, and the reminders."""
from __future__ import annotations

import datetime as dt

import pytest

from portal import rules
from portal.audit import write
from portal.models import AuditLog, Evaluation, Holiday, Setting
from portal.public.views import QUESTION_KEY
from tests.conftest import TODAY, csrf_from, make_app


def ask(client, code="gaj") -> int:
    """Open the form and read the question's answer from the session, as a person would compute it."""
    assert client.get(f"/public/evaluate/{code}").status_code == 200
    with client.session_transaction() as s:
        return s[QUESTION_KEY]


def evaluation(dept, level, **extra):
    fields = dict(department=dept, level=level, created_at=dt.datetime(2026, 11, 2, 10, 0))
    if rules.is_bad_review(level) and "deadline" not in extra:
        fields["deadline"] = dt.date(2026, 11, 9)
    fields.update(extra)
    with write(username="test") as w:
        return w.create(Evaluation, **fields)


def rows():
    return [e.snapshot() for e in Evaluation.select().order_by(Evaluation.id)]


# --- the public form -----------------------------------------------------------------------------------


def test_a_good_evaluation_is_saved_and_thanked_without_anything_else(client, world):
    answer = ask(client)
    response = client.post("/public/evaluate/gaj", data={"level": "5", "comment": "服务很好", "matter_ref": "户籍迁移",
                                                          "answer": str(answer)})
    assert response.status_code == 303 and response.headers["Location"].endswith("/public/thanks")
    saved = Evaluation.get()
    assert (saved.department_id, saved.level, saved.comment, saved.matter_ref) == (world.gaj.id, 5, "服务很好", "户籍迁移")
    assert saved.deadline is None and len(saved.address_hash) == 64 and "127.0.0.1" not in saved.address_hash
    thanks = client.get("/public/thanks").get_data(as_text=True)
    assert "感谢您的评价" in thanks and "服务很好" not in thanks and "满意率" not in thanks


def test_a_bad_review_gets_a_deadline_in_working_days(client, world):
    with write(username="test") as w:
        w.create(Holiday, day=dt.date(2026, 11, 30), name="测试假日")  # the Monday after
    answer = ask(client)
    client.post("/public/evaluate/gaj", data={"level": "1", "comment": "跑了三趟", "answer": str(answer)})
    saved = Evaluation.get()
    # Thu 26 Nov + 5 working days, skipping the weekend and Monday 30 Nov: Fri 4 Dec.
    assert saved.deadline == dt.date(2026, 12, 4)
    assert saved.deadline == rules.add_working_days(TODAY, 5, *Holiday.calendar())


def test_the_deadline_follows_the_office_setting(client, world):
    Setting.set_value("evaluation_answer_days", 2)
    client.post("/public/evaluate/gaj", data={"level": "2", "answer": str(ask(client))})
    assert Evaluation.get().deadline == dt.date(2026, 11, 30)


BAD_EVALUATIONS = [
    ({"level": "5", "answer": "WRONG"}, "验证问题回答不正确"),
    ({"level": "5", "answer": "-1"}, "验证问题回答不正确"),
    ({"level": "5", "answer": ""}, "请回答验证问题"),
    ({"level": "6", "answer": "RIGHT"}, "请选择满意程度"),
    ({"level": "0", "answer": "RIGHT"}, "请选择满意程度"),
    ({"level": "abc", "answer": "RIGHT"}, "请选择满意程度"),
    ({"answer": "RIGHT"}, "请选择满意程度"),
    ({"level": "4", "comment": "评" * 501, "answer": "RIGHT"}, "评价内容不能超过500个字"),
    ({"level": "4", "matter_ref": "号" * 101, "answer": "RIGHT"}, "事项或编号不能超过100个字"),
    ({"level": "2", "comment": "办事员态度差，请回电13871234567", "answer": "RIGHT"}, "评价内容含有手机号码"),
    ({"level": "2", "comment": "电话 138-7123-4567 联系我", "answer": "RIGHT"}, "评价内容含有手机号码"),
    ({"level": "2", "comment": "我的手机１３８７１２３４５６７", "answer": "RIGHT"}, "评价内容含有手机号码"),
    ({"level": "2", "comment": "身份证11010519491231002X办不了", "answer": "RIGHT"}, "评价内容含有身份证号码"),
    ({"level": "2", "comment": "身份证 420000199001011238", "answer": "RIGHT"}, "评价内容含有身份证号码"),
]


def test_bad_evaluation_input_is_refused_and_nothing_saved(client, world):
    for data, message in BAD_EVALUATIONS:
        answer = ask(client)
        data = {**data, "answer": {"RIGHT": str(answer), "WRONG": str(answer + 1)}.get(data["answer"], data["answer"])}
        response = client.post("/public/evaluate/gaj", data=data)
        assert response.status_code == 422, data
        html = response.get_data(as_text=True)
        assert message in html and "error-summary" in html, message
        assert Evaluation.select().count() == 0
        assert "验证问题：" in html  # a fresh question to try again


def test_the_question_cannot_be_answered_twice_or_skipped(client, world):
    answer = ask(client)
    assert client.post("/public/evaluate/gaj", data={"level": "5", "answer": str(answer)}).status_code == 303
    # The same answer again, without opening the form: the question was used up.
    again = client.post("/public/evaluate/gaj", data={"level": "5", "answer": str(answer)})
    assert again.status_code == 422 and "验证问题回答不正确" in again.get_data(as_text=True)
    assert Evaluation.select().count() == 1


def test_one_address_may_leave_five_a_day(client, world):
    for _ in range(5):
        assert client.post("/public/evaluate/gaj", data={"level": "4", "answer": str(ask(client))}).status_code == 303
    response = client.post("/public/evaluate/fgj", data={"level": "4", "answer": str(ask(client, "fgj"))})
    assert response.status_code == 422
    assert "同一网络每天最多提交5条评价" in response.get_data(as_text=True)
    assert Evaluation.select().count() == 5
    # Another address is not held back; yesterday's evaluations do not count.
    other = {"REMOTE_ADDR": "10.1.2.3"}
    client.get("/public/evaluate/gaj", environ_base=other)
    with client.session_transaction() as s:
        answer = s[QUESTION_KEY]
    assert client.post("/public/evaluate/gaj", data={"level": "4", "answer": str(answer)},
                       environ_base=other).status_code == 303
    Evaluation.update(created_at=dt.datetime(2026, 11, 25, 9, 0)).execute()
    assert client.post("/public/evaluate/gaj", data={"level": "4", "answer": str(ask(client))}).status_code == 303


def test_unknown_or_inactive_department_is_404(client, world):
    assert client.get("/public/evaluate/nosuch").status_code == 404
    with write(username="test") as w:
        w.update(world.fgj, active=False)
    assert client.get("/public/evaluate/fgj").status_code == 404


def test_the_form_page_is_not_kept_in_shared_caches(client, world):
    response = client.get("/public/evaluate/gaj")
    assert "no-store" not in response.headers.get("Cache-Control", "")
    assert "private" in response.headers["Cache-Control"]


class TestCsrf:
    @pytest.fixture
    def app(self, tmp_path):
        yield make_app(tmp_path, WTF_CSRF_ENABLED=True)

    def test_evaluation_needs_the_csrf_token(self, client, world):
        answer = ask(client)
        refused = client.post("/public/evaluate/gaj", data={"level": "5", "answer": str(answer)})
        assert refused.status_code == 400 and Evaluation.select().count() == 0
        html = client.get("/public/evaluate/gaj").get_data(as_text=True)
        with client.session_transaction() as s:
            answer = s[QUESTION_KEY]
        token = csrf_from(html)
        accepted = client.post("/public/evaluate/gaj", data={"level": "5", "answer": str(answer), "csrf_token": token})
        assert accepted.status_code == 303 and Evaluation.select().count() == 1


# --- answers inside ------------------------------------------------------------------------------------

ANSWER = {"verified": "经核实情况属实。", "remedy": "已整改窗口排队问题。", "callback": "已电话回访，评价人认可。"}


def test_department_answers_a_bad_review_once(login, world):
    bad = evaluation(world.gaj, 1, comment="跑了三趟", deadline=dt.date(2026, 11, 30))
    client = login("gaj")
    assert "跑了三趟" in client.get("/ledger/evaluations").get_data(as_text=True)
    response = client.post(f"/ledger/evaluations/{bad.id}/answer", data=ANSWER)
    assert response.status_code == 303
    saved = Evaluation.get_by_id(bad.id)
    assert saved.verified == ANSWER["verified"] and saved.answered_at.date() == TODAY
    assert AuditLog.for_record("evaluation", bad.id).first().action == "answer"
    again = client.post(f"/ledger/evaluations/{bad.id}/answer", data={k: "改" for k in ANSWER})
    assert again.status_code == 303 and Evaluation.get_by_id(bad.id).verified == ANSWER["verified"]
    html = client.get("/ledger/evaluations").get_data(as_text=True)
    assert "已答复" in html and "超期" not in html.split("evaluation-table")[-1]


def test_an_answer_needs_all_three_parts(login, world):
    bad = evaluation(world.gaj, 2)
    client = login("gaj")
    before = rows()
    for missing, message in (("verified", "请填写核实情况"), ("remedy", "请填写整改措施"), ("callback", "请填写回访结果")):
        response = client.post(f"/ledger/evaluations/{bad.id}/answer", data={**ANSWER, missing: "  "})
        assert response.status_code == 422
        assert message in response.get_data(as_text=True)
        assert rows() == before
    too_long = client.post(f"/ledger/evaluations/{bad.id}/answer", data={**ANSWER, "remedy": "改" * 2001})
    assert too_long.status_code == 422 and "不能超过2000个字" in too_long.get_data(as_text=True)
    assert rows() == before


def test_a_bad_review_answered_late_is_flagged(login, world):
    bad = evaluation(world.gaj, 1, comment="电话没人接", deadline=dt.date(2026, 11, 20))
    evaluation(world.gaj, 2, comment="还没到期", deadline=dt.date(2026, 12, 1))
    client = login("gaj")
    response = client.post(f"/ledger/evaluations/{bad.id}/answer", data=ANSWER, follow_redirects=True)
    assert "已超过答复期限" in response.get_data(as_text=True)
    saved = Evaluation.get_by_id(bad.id)
    assert rules.answer_late(saved.deadline, saved.answered_at.date(), TODAY)
    late = client.get("/ledger/evaluations?late=1").get_data(as_text=True)
    assert "电话没人接" in late and "超期答复" in late and "还没到期" not in late
    assert "超期答复" in client.get(f"/ledger/evaluations/{bad.id}/answer").get_data(as_text=True)


def test_unanswered_past_deadline_is_late_and_open(login, world):
    evaluation(world.gaj, 1, comment="过期未答", deadline=dt.date(2026, 11, 25))
    evaluation(world.gaj, 1, comment="按时答复", deadline=dt.date(2026, 11, 25),
               answered_at=dt.datetime(2026, 11, 25, 16, 0), **ANSWER)
    client = login("gaj")
    late = client.get("/ledger/evaluations?late=1").get_data(as_text=True)
    assert "过期未答" in late and "超期未答复" in late and "按时答复" not in late
    opened = client.get("/ledger/evaluations?open=1").get_data(as_text=True)
    assert "过期未答" in opened and "按时答复" not in opened


def test_good_reviews_have_nothing_to_answer(login, world):
    good = evaluation(world.gaj, 4)
    assert login("gaj").post(f"/ledger/evaluations/{good.id}/answer", data=ANSWER).status_code == 404
    assert Evaluation.get_by_id(good.id).answered_at is None


def test_another_departments_review_is_404_and_office_and_leader_cannot_answer(app, login, world):
    bad = evaluation(world.fgj, 1, comment="发改的差评")
    client = login("gaj")
    assert "发改的差评" not in client.get("/ledger/evaluations?dept=fgj").get_data(as_text=True)
    assert client.get(f"/ledger/evaluations/{bad.id}/answer").status_code == 404
    assert client.post(f"/ledger/evaluations/{bad.id}/answer", data=ANSWER).status_code == 404
    for user in ("office", "leader"):
        other = app.test_client()
        other.post("/login", data={"username": user, "password": "test-password-1"})
        assert "发改的差评" in other.get(f"/ledger/evaluations/{bad.id}/answer").get_data(as_text=True)
        assert other.post(f"/ledger/evaluations/{bad.id}/answer", data=ANSWER).status_code == 403
    assert Evaluation.get_by_id(bad.id).answered_at is None


def test_office_sees_every_department_and_its_satisfaction_rate(login, world):
    for level in (5, 4, 3, 1):
        evaluation(world.gaj, level)
    evaluation(world.fgj, 5)
    html = login("office").get("/ledger/evaluations").get_data(as_text=True)
    assert "各部门满意率" in html
    assert "50.0%" in html  # 公安局: (5 + 4) of 4
    assert "100.0%" in html  # 发改局
    one = login("office").get("/ledger/evaluations?dept=fgj").get_data(as_text=True)
    assert "赤壁市发展和改革局 · 好差评" in one


def test_office_sets_the_answer_deadline(login, world):
    client = login("office")
    assert client.post("/ledger/evaluations/settings", data={"days": "7"}).status_code == 303
    assert Setting.get_value("evaluation_answer_days") == 7


def test_bad_answer_deadline_is_refused(login, world):
    client = login("office")
    for value, message in (("0", "答复时限须为1到30个工作日"), ("31", "答复时限须为1到30个工作日"),
                           ("五天", "答复时限须为1到30之间的整数"), ("", "请填写答复时限")):
        response = client.post("/ledger/evaluations/settings", data={"days": value})
        assert response.status_code == 422 and message in response.get_data(as_text=True), value
        assert Setting.get_value("evaluation_answer_days") == 5


@pytest.mark.parametrize("user", ["gaj", "leader"])
def test_only_the_office_sets_the_deadline(login, world, user):
    assert login(user).post("/ledger/evaluations/settings", data={"days": "9"}).status_code == 403
    assert Setting.get_value("evaluation_answer_days") == 5


def test_reminders_for_the_department_and_the_office(app, login, world):
    evaluation(world.gaj, 1, deadline=dt.date(2026, 11, 20))
    evaluation(world.gaj, 2, deadline=dt.date(2026, 12, 1))
    home = login("gaj").get("/").get_data(as_text=True)
    assert home.count("评价待答复") == 2 and "已逾期" in home
    office = app.test_client()
    office.post("/login", data={"username": "office", "password": "test-password-1"})
    assert "全市有1条差评超过答复期限仍未答复" in office.get("/").get_data(as_text=True)
