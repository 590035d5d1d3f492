"""Highlight cases (亮点案例): submit → return → resubmit → approve, upload checks by content and size,
form errors with the database unchanged, department isolation, the public pages, the Word export and
the reminders."""
from __future__ import annotations

import io

import pytest
from docx import Document
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from portal.audit import write
from portal.demo.cases import demo_photo
from portal.models import AuditLog, HighlightCase

PNG = demo_photo(40, 30)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 200  # sniffed by its signature


def form(title="公安局“首席服务员”上门办证", body="第一段做法。\n\n第二段成效。", date="2026-10-12", photo=None, **extra):
    data = {"title": title, "body": body, "case_date": date, **extra}
    if photo is not None:
        data["photo"] = FileStorage(io.BytesIO(photo[0]), filename=photo[1])
    return data


def post_form(client, url, data, **kwargs):
    """A multipart post built in memory: the test client would spool a large body to a temporary file
    and never close it."""
    boundary, body = encode_multipart(data)
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}", **kwargs)


def submit(client, **kwargs):
    return post_form(client, "/admin/cases/new", form(**kwargs))


def make_case(world, dept=None, state="待审核", title="已有案例", photo=None):
    with write(username="test") as w:
        return w.create(HighlightCase, department=dept or world.gaj, title=title, body="做法。", state=state,
                        case_date="2026-09-01", photo=photo, photo_type="image/png" if photo else "")


def state_of(case_id):
    return HighlightCase.get_by_id(case_id).state


# --- the workflow ------------------------------------------------------------------------------------


def test_submit_return_resubmit_approve(app, login, world):
    gaj = login("gaj")
    response = submit(gaj, photo=(PNG, "现场.png"))
    assert response.status_code == 303
    case = HighlightCase.get()
    assert (case.state, case.department_id, case.photo_type) == ("待审核", world.gaj.id, "image/png")
    assert bytes(case.photo) == PNG and case.body == "第一段做法。\n\n第二段成效。"
    detail = gaj.get(f"/admin/cases/{case.id}").get_data(as_text=True)
    assert "待审核" in detail and "提交" in detail
    assert gaj.get(f"/admin/cases/{case.id}/photo").data == PNG
    assert gaj.get(f"/public/cases/{case.id}").status_code == 404  # not public before approval
    gaj.post("/logout")

    office = login("office")
    home = office.get("/").get_data(as_text=True)
    assert "1 个亮点案例待审核" in home
    empty = office.post(f"/admin/cases/{case.id}/return", data={"comment": "  "})
    assert empty.status_code == 422 and "请填写退回意见" in empty.get_data(as_text=True)
    assert state_of(case.id) == "待审核"
    returned = office.post(f"/admin/cases/{case.id}/return", data={"comment": "请补充办证数量和群众评价。"})
    assert returned.status_code == 303
    case = HighlightCase.get_by_id(case.id)
    assert case.state == "已退回" and case.review_comment == "请补充办证数量和群众评价。" and case.reviewed_by_id == world.office.id
    office.post("/logout")

    gaj = login("gaj")
    home = gaj.get("/").get_data(as_text=True)
    assert "1 个亮点案例被协调办退回" in home
    page = gaj.get(f"/admin/cases/{case.id}/edit").get_data(as_text=True)
    assert "请补充办证数量和群众评价。" in page and "保存并重新提交审核" in page
    again = gaj.post(f"/admin/cases/{case.id}/edit", data=form(body="补充：已办证216张，群众满意率100%。"),
                     content_type="multipart/form-data")
    assert again.status_code == 303
    case = HighlightCase.get_by_id(case.id)
    assert case.state == "待审核" and "216" in case.body and bytes(case.photo) == PNG  # the photo stays
    gaj.post("/logout")

    office = login("office")
    assert office.post(f"/admin/cases/{case.id}/approve").status_code == 303
    assert state_of(case.id) == "已发布"
    again = office.post(f"/admin/cases/{case.id}/approve", follow_redirects=True)
    assert "不能审核通过" in again.get_data(as_text=True)
    actions = [a.action for a in AuditLog.for_record("highlight_case", case.id)]
    assert sorted(actions) == sorted(["create", "return", "resubmit", "approve"])
    history = office.get(f"/admin/cases/{case.id}").get_data(as_text=True)
    assert "修改后重新提交" in history and "审核通过并发布" in history

    public = office.get("/public/cases").get_data(as_text=True)
    assert "公安局“首席服务员”上门办证" in public
    detail = office.get(f"/public/cases/{case.id}").get_data(as_text=True)
    assert "补充：已办证216张" in detail and "赤壁市公安局" in detail
    photo = office.get(f"/public/cases/{case.id}/photo")
    assert photo.status_code == 200 and photo.mimetype == "image/png" and photo.data == PNG


def test_office_takes_down_a_published_case(login, world):
    case = make_case(world, state="已发布")
    office = login("office")
    assert office.post(f"/admin/cases/{case.id}/return", data={"comment": "照片涉及个人信息，请更换。"}).status_code == 303
    assert state_of(case.id) == "已退回"
    assert office.get(f"/public/cases/{case.id}").status_code == 404


def test_published_case_cannot_be_edited_or_withdrawn_by_the_department(login, world):
    case = make_case(world, state="已发布", title="原标题")
    gaj = login("gaj")
    response = gaj.post(f"/admin/cases/{case.id}/edit", data=form(title="改过的标题"), content_type="multipart/form-data",
                        follow_redirects=True)
    assert "已发布的案例不能修改" in response.get_data(as_text=True)
    gaj.post(f"/admin/cases/{case.id}/delete")
    case = HighlightCase.get_by_id(case.id)
    assert case.title == "原标题" and case.state == "已发布"


def test_department_withdraws_a_pending_case_and_the_log_keeps_it(login, world):
    case = make_case(world)
    gaj = login("gaj")
    assert gaj.post(f"/admin/cases/{case.id}/delete").status_code == 303
    assert HighlightCase.select().count() == 0
    assert AuditLog.get((AuditLog.table == "highlight_case") & (AuditLog.action == "delete")).before


def test_photo_can_be_replaced_and_removed(login, world):
    case = make_case(world, photo=PNG)
    gaj = login("gaj")
    post_form(gaj, f"/admin/cases/{case.id}/edit", form(photo=(JPEG, "新照片.jpg")))
    case = HighlightCase.get_by_id(case.id)
    assert case.photo_type == "image/jpeg" and bytes(case.photo) == JPEG
    gaj.post(f"/admin/cases/{case.id}/edit", data=form(remove_photo="y"), content_type="multipart/form-data")
    case = HighlightCase.get_by_id(case.id)
    assert case.photo is None and case.photo_type == ""


# --- bad input: a clear error and nothing saved -------------------------------------------------------


@pytest.mark.parametrize("upload, message", [
    ((b"just some text, not a picture", "照片.png"), "文件类型不符"),  # a renamed text file
    ((b"%PDF-1.7\n...", "照片.jpg"), "文件类型不符"),
    ((PNG, "照片.jpg"), "扩展名与内容不符"),
    ((b"\x89PNG\r\n\x1a\n" + b"\x00" * (2 * 1024 * 1024), "大图.png"), "2 MB"),  # oversize
    ((b"", "空.png"), "文件是空的"),
])
def test_bad_photo_is_refused_and_nothing_is_saved(login, world, upload, message):
    gaj = login("gaj")
    response = submit(gaj, photo=upload)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html and "error-summary" in html
    assert HighlightCase.select().count() == 0 and AuditLog.select().where(AuditLog.table == "highlight_case").count() == 0


def test_bad_photo_on_edit_leaves_the_case_as_it_was(login, world):
    case = make_case(world, state="已退回", title="原标题", photo=PNG)
    gaj = login("gaj")
    response = gaj.post(f"/admin/cases/{case.id}/edit", data=form(title="新标题", photo=(b"MZ\x90\x00", "图.png")),
                        content_type="multipart/form-data")
    assert response.status_code == 422
    case = HighlightCase.get_by_id(case.id)
    assert (case.title, case.state, bytes(case.photo)) == ("原标题", "已退回", PNG)


@pytest.mark.parametrize("fields, message", [
    ({"title": "  "}, "请填写案例标题"),
    ({"title": "长" * 101}, "标题不超过100个字"),
    ({"body": ""}, "请填写案例内容"),
    ({"body": "字" * 5001}, "案例内容不超过5000个字"),
    ({"date": ""}, "请填写案例日期"),
    ({"date": "2026/13/45"}, "请按“年-月-日”填写案例日期"),
    ({"date": "2026-11-27"}, "案例日期不能晚于今天"),
    ({"date": "1999-12-31"}, "案例日期不能早于2000年"),
])
def test_form_errors_in_chinese_and_nothing_saved(login, world, fields, message):
    gaj = login("gaj")
    response = submit(gaj, **fields)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html and "请修改以下" in html
    assert HighlightCase.select().count() == 0


# --- who may do what ---------------------------------------------------------------------------------


def test_another_departments_case_is_a_404(login, world):
    case = make_case(world, photo=PNG)
    fgj = login("fgj")
    for url in (f"/admin/cases/{case.id}", f"/admin/cases/{case.id}/edit", f"/admin/cases/{case.id}/photo"):
        assert fgj.get(url).status_code == 404, url
    assert fgj.post(f"/admin/cases/{case.id}/edit", data=form(title="篡改"), content_type="multipart/form-data").status_code == 404
    assert fgj.post(f"/admin/cases/{case.id}/delete").status_code == 404
    assert "已有案例" not in fgj.get("/admin/cases").get_data(as_text=True)
    assert "已有案例" not in fgj.get("/admin/cases?dept=gaj").get_data(as_text=True)  # ?dept= is ignored
    assert HighlightCase.get_by_id(case.id).title == "已有案例"


def test_roles_on_the_review_actions(login, world, client):
    case = make_case(world)
    gaj = login("gaj")
    assert gaj.post(f"/admin/cases/{case.id}/approve").status_code == 403
    assert gaj.post(f"/admin/cases/{case.id}/return", data={"comment": "自己退回"}).status_code == 403
    assert gaj.get("/admin/cases/export").status_code == 403
    leader = login("leader")
    assert leader.get(f"/admin/cases/{case.id}").status_code == 200  # reads
    assert leader.post(f"/admin/cases/{case.id}/approve").status_code == 403
    assert leader.post(f"/admin/cases/{case.id}/return", data={"comment": "x"}).status_code == 403
    assert leader.post("/admin/cases/new", data=form(), content_type="multipart/form-data").status_code == 403
    office = login("office")
    assert office.post("/admin/cases/new", data=form(), content_type="multipart/form-data").status_code == 403
    assert office.post(f"/admin/cases/{case.id}/edit", data=form(), content_type="multipart/form-data").status_code == 403
    assert state_of(case.id) == "待审核" and HighlightCase.select().count() == 1


def test_public_pages_show_only_published_cases(client, world):
    published = make_case(world, state="已发布", title="已发布案例", photo=PNG)
    pending = make_case(world, state="待审核", title="待审核案例", photo=PNG)
    returned = make_case(world, dept=world.fgj, state="已退回", title="已退回案例")
    html = client.get("/public/cases").get_data(as_text=True)
    assert "已发布案例" in html and "待审核案例" not in html and "已退回案例" not in html
    for case in (pending, returned):
        assert client.get(f"/public/cases/{case.id}").status_code == 404
    assert client.get(f"/public/cases/{pending.id}/photo").status_code == 404
    assert client.get(f"/public/cases/{published.id}/photo").status_code == 200
    assert "暂无发布的亮点案例" in client.get("/public/cases?dept=fgj").get_data(as_text=True)
    assert client.get("/public/cases?dept=none").status_code == 404


def test_office_list_filters_by_state_department_and_title(login, world):
    make_case(world, title="公安上门办证")
    make_case(world, dept=world.fgj, state="已发布", title="发改项目代办")
    office = login("office")
    html = office.get("/admin/cases?state=待审核").get_data(as_text=True)
    assert "公安上门办证" in html and "发改项目代办" not in html
    html = office.get("/admin/cases?dept=fgj").get_data(as_text=True)
    assert "发改项目代办" in html and "公安上门办证" not in html
    html = office.get("/admin/cases?q=代办&sort=-date").get_data(as_text=True)
    assert "发改项目代办" in html and "公安上门办证" not in html
    assert "没有符合条件的案例" in office.get("/admin/cases?q=不存在").get_data(as_text=True)


# --- export for the media ----------------------------------------------------------------------------


def test_export_holds_the_published_cases_with_photos(login, world):
    make_case(world, state="已发布", title="已发布一", photo=PNG)
    make_case(world, dept=world.fgj, state="已发布", title="已发布二")
    make_case(world, state="待审核", title="还在审核")
    response = login("office").get("/admin/cases/export")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    assert "%E4%BA%AE%E7%82%B9%E6%A1%88%E4%BE%8B" in response.headers["Content-Disposition"]  # 亮点案例
    doc = Document(io.BytesIO(response.data))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "一、已发布一" in text and "二、已发布二" in text and "还在审核" not in text
    assert len(doc.inline_shapes) == 1
    one = Document(io.BytesIO(login("office").get("/admin/cases/export?dept=fgj&year=2026").data))
    assert "已发布二" in "\n".join(p.text for p in one.paragraphs)
    assert "已发布一" not in "\n".join(p.text for p in one.paragraphs)
