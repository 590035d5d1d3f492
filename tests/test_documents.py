"""制度文件 (建章立制): uploads checked by content, replacing keeps the old version, the office's view of
who lacks a 实施方案 or 管理办法, and isolation between departments."""
from __future__ import annotations

import datetime as dt
import hashlib
import io
from urllib.parse import quote

import pytest
from docx import Document

from portal.models import AuditLog, RuleDocument

PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
       b"trailer<</Root 1 0 R>>\n%%EOF\n")


def docx_bytes(text="赤壁市公安局首席服务员制度管理办法") -> bytes:
    doc = Document()
    doc.add_paragraph(text)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def form(data=PDF, filename="实施方案.pdf", **fields):
    values = {"kind": "实施方案", "title": "赤壁市公安局“首席服务员”制度实施方案", "number": "赤公发〔2026〕3号",
              "doc_date": "2026-03-15"}
    values.update(fields)
    if data is not None:
        values["file"] = (io.BytesIO(data), filename)
    return values


def upload(client, **kwargs):
    return client.post("/admin/documents/new", data=form(**kwargs), content_type="multipart/form-data")


def _uploaded_by_gaj(login):
    """A document the 公安局 uploaded; its client logged out again, for another account to try."""
    client = login("gaj")
    upload(client)
    client.post("/logout")
    return RuleDocument.get()


def state():
    """What a refused upload must leave untouched."""
    return RuleDocument.select().count(), AuditLog.select().count()


def test_department_uploads_a_real_pdf(login, world):
    client = login("gaj")
    response = upload(client)
    assert response.status_code == 303
    doc = RuleDocument.get()
    assert (doc.department_id, doc.kind, doc.number, doc.doc_date) == (world.gaj.id, "实施方案", "赤公发〔2026〕3号", dt.date(2026, 3, 15))
    assert (doc.content_type, doc.size, doc.sha256) == ("application/pdf", len(PDF), hashlib.sha256(PDF).hexdigest())
    assert doc.filename == "实施方案.pdf" and bytes(doc.data) == PDF
    assert doc.uploaded_by.username == "gaj" and doc.replaced_by is None
    page = client.get("/admin/documents").get_data(as_text=True)
    assert "赤壁市公安局“首席服务员”制度实施方案" in page and "现行" in page
    assert "尚未上传：<strong>管理办法</strong>" in page


def test_department_uploads_a_real_docx(login, world):
    client = login("gaj")
    data = docx_bytes()
    response = upload(client, data=data, filename="管理办法.docx", kind="管理办法", title="管理办法")
    assert response.status_code == 303
    doc = RuleDocument.get()
    assert doc.content_type == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert doc.size == len(data)


@pytest.mark.parametrize("data, filename, message", [
    (b"just some text pretending to be a PDF\n", "实施方案.pdf", "文件类型不符"),
    (docx_bytes(), "实施方案.pdf", "文件扩展名与内容不符"),
    (b"\x89PNG\r\n\x1a\n" + b"0" * 64, "photo.pdf", "文件类型不符"),
    (b"", "empty.pdf", "文件是空的"),
])
def test_a_file_that_is_not_a_pdf_or_docx_by_content_is_refused(login, world, data, filename, message):
    client = login("gaj")
    before = state()
    response = upload(client, data=data, filename=filename)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html and "error-summary" in html
    assert state() == before


def test_the_size_limit(app, login, world):
    app.config["UPLOAD_MAX_BYTES"] = 2048
    client = login("gaj")
    before = state()
    response = upload(client, data=PDF + b"%" * 4096)
    assert response.status_code == 422
    assert "大小限制" in response.get_data(as_text=True)
    assert state() == before
    assert upload(client, data=PDF).status_code == 303  # under the limit it goes through


def test_missing_and_bad_fields_are_refused_with_clear_errors(login, world):
    client = login("gaj")
    before = state()
    response = upload(client, data=None, kind="", title="  ", doc_date="2026/13/40")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    for message in ("请选择文件类别", "请填写文件标题", "请按“年-月-日”填写印发日期", "请选择要上传的文件"):
        assert message in html
    future = upload(client, doc_date="2026-11-27")
    assert "印发日期不能晚于今天" in future.get_data(as_text=True)
    before_start = upload(client, doc_date="2024-12-31")
    assert "印发日期不能早于制度实施日期（2025-01-01）" in before_start.get_data(as_text=True)
    bad_kind = upload(client, kind="通知")
    assert "请从列表中选择文件类别" in bad_kind.get_data(as_text=True)
    assert state() == before


def test_the_same_file_is_not_uploaded_twice(login, world):
    client = login("gaj")
    upload(client)
    before = state()
    response = upload(client, kind="其他", title="另一个标题")
    assert response.status_code == 422 and "同一文件已经上传过" in response.get_data(as_text=True)
    assert state() == before


def test_replacing_keeps_the_old_document(login, world):
    client = login("gaj")
    upload(client)
    old = RuleDocument.get()
    page = client.get(f"/admin/documents/{old.id}/replace").get_data(as_text=True)
    assert "被替换的文件" in page and old.title in page
    newer = PDF + b"% version 2\n"
    response = client.post(f"/admin/documents/{old.id}/replace", content_type="multipart/form-data",
                           data={"title": "实施方案（修订）", "number": "赤公发〔2026〕9号", "doc_date": "2026-10-08",
                                 "file": (io.BytesIO(newer), "实施方案（修订）.pdf")})
    assert response.status_code == 303
    assert RuleDocument.select().count() == 2
    old = RuleDocument.get_by_id(old.id)
    new = RuleDocument.get(RuleDocument.id != old.id)
    assert old.replaced_by_id == new.id and new.replaced_by is None
    assert new.kind == "实施方案"  # a replacement keeps the kind
    assert client.get(f"/admin/documents/{old.id}/download").data == PDF  # still downloadable
    assert client.get(f"/admin/documents/{new.id}/download").data == newer
    html = client.get("/admin/documents").get_data(as_text=True)
    assert "已被替换" in html and "实施方案（修订）" in html
    assert AuditLog.select().where((AuditLog.table == "rule_document") & (AuditLog.action == "replace")).count() == 1
    # The replaced version cannot be replaced again: only the one in force can.
    before = state()
    again = client.post(f"/admin/documents/{old.id}/replace", content_type="multipart/form-data",
                        data={"title": "x", "doc_date": "2026-10-09", "file": (io.BytesIO(PDF + b"%3"), "x.pdf")})
    assert again.status_code == 303
    assert state() == before


def test_a_department_cannot_see_or_touch_another_departments_documents(login, world):
    doc = _uploaded_by_gaj(login)
    other = login("fgj")
    before = state()
    assert other.get(f"/admin/documents/{doc.id}/download").status_code == 404
    assert other.get(f"/admin/documents/{doc.id}/replace").status_code == 404
    response = other.post(f"/admin/documents/{doc.id}/replace", content_type="multipart/form-data",
                          data={"title": "x", "doc_date": "2026-10-09", "file": (io.BytesIO(PDF + b"%x"), "x.pdf")})
    assert response.status_code == 404
    page = other.get("/admin/documents?dept=gaj").get_data(as_text=True)  # ?dept is ignored for departments
    assert "赤壁市发展和改革局" in page and doc.title not in page
    assert state() == before


def test_office_sees_who_lacks_a_plan_or_method_and_downloads_any_document(login, world):
    client = login("gaj")
    upload(client)
    upload(client, data=docx_bytes(), filename="管理办法.docx", kind="管理办法", title="公安局管理办法")
    office = login("office")
    html = office.get("/admin/documents").get_data(as_text=True)
    assert "各部门制度文件" in html and "未上传" in html
    lacking = office.get("/admin/documents?missing=1").get_data(as_text=True)
    assert "赤壁市发展和改革局" in lacking and "赤壁市公安局" not in lacking
    method = office.get("/admin/documents?missing=管理办法").get_data(as_text=True)
    assert "赤壁市发展和改革局" in method and "赤壁市公安局" not in method
    dept_page = office.get("/admin/documents?dept=gaj").get_data(as_text=True)
    assert "公安局管理办法" in dept_page and "替换" not in dept_page.split("<tbody>")[1]
    assert office.get("/admin/documents?dept=nope").status_code == 404
    doc = RuleDocument.get(RuleDocument.kind == "管理办法")
    response = office.get(f"/admin/documents/{doc.id}/download")
    assert response.status_code == 200 and response.data == bytes(doc.data)
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert "filename*=UTF-8''" + quote("管理办法.docx") in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_leader_reads_but_cannot_upload(login, world):
    doc = _uploaded_by_gaj(login)
    leader = login("leader")
    before = state()
    assert leader.get("/admin/documents").status_code == 200
    assert leader.get(f"/admin/documents/{doc.id}/download").status_code == 200
    assert leader.get("/admin/documents/new").status_code == 403
    assert upload(leader).status_code == 403
    assert leader.post(f"/admin/documents/{doc.id}/replace", data={}).status_code == 403
    assert state() == before


def test_office_cannot_upload_for_a_department(login, world):
    office = login("office")
    before = state()
    assert upload(office).status_code == 403
    assert state() == before


def test_department_is_reminded_of_missing_plan_and_method(login, world):
    client = login("gaj")
    home = client.get("/").get_data(as_text=True)
    assert "尚未上传实施方案、管理办法" in home
    upload(client)
    upload(client, data=docx_bytes(), filename="管理办法.docx", kind="管理办法", title="公安局管理办法")
    assert "尚未上传" not in client.get("/").get_data(as_text=True)


def test_filters_and_fragment(login, world):
    client = login("gaj")
    upload(client)
    upload(client, data=docx_bytes(), filename="管理办法.docx", kind="管理办法", title="公安局管理办法")
    client.get("/admin/documents")  # shows the flash messages once
    only_plan = client.get("/admin/documents?kind=实施方案").get_data(as_text=True)
    assert "公安局管理办法" not in only_plan
    fragment = client.get("/admin/documents?kind=管理办法", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in fragment and "公安局管理办法" in fragment


def test_document_pages_cost_a_fixed_number_of_queries(login, world):
    from tests.test_oversight import QueryLog

    client = login("gaj")
    upload(client)
    old = RuleDocument.get(RuleDocument.kind == "实施方案")
    client.post(f"/admin/documents/{old.id}/replace", content_type="multipart/form-data",
                data={"title": "新版", "doc_date": "2026-10-08", "file": (io.BytesIO(PDF + b"%v2"), "v2.pdf")})
    count = QueryLog(client)
    one = count("/admin/documents")
    for i in range(3):
        upload(client, data=PDF + b"%" + str(i).encode(), kind="其他", title=f"其他文件{i}")
        new = RuleDocument.get(RuleDocument.title == f"其他文件{i}")
        client.post(f"/admin/documents/{new.id}/replace", content_type="multipart/form-data",
                    data={"title": f"其他文件{i}新版", "doc_date": "2026-10-08",
                          "file": (io.BytesIO(PDF + b"%new" + str(i).encode()), "v2.pdf")})
    count("/admin/documents")  # shows the flash messages once
    assert count("/admin/documents") == one
    office = login("office")
    matrix = QueryLog(office)("/admin/documents")
    upload(login("fgj"), data=PDF + b"%fgj")
    office = login("office")
    assert QueryLog(office)("/admin/documents") == matrix


def test_a_bad_replacement_leaves_the_old_document_in_force(login, world):
    client = login("gaj")
    upload(client)
    old = RuleDocument.get()
    before = state()
    response = client.post(f"/admin/documents/{old.id}/replace", content_type="multipart/form-data",
                           data={"title": "", "doc_date": "2026-10-08",
                                 "file": (io.BytesIO(b"plain text, not a PDF"), "修订.pdf")})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "请填写文件标题" in html and "文件类型不符" in html
    assert state() == before and RuleDocument.get_by_id(old.id).replaced_by is None
