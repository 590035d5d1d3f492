"""制度文件 pages: a department's documents, the office's matrix of missing ones, upload, replace, download."""
from __future__ import annotations

from flask import abort, request
from flask_login import current_user
from peewee import JOIN

from .. import htmx, listing, rules
from ..access import any_role, department_required, scoped, viewed_department
from ..files import DownloadName, send_download
from ..models import Department, RuleDocument, User
from . import bp
from .forms import DocumentForm, ReplaceDocumentForm
from .service import KIND_ORDER, missing_kinds, save_document


def _scoped_document(doc_id: int, with_data: bool = False) -> RuleDocument:
    """One document, or 404 when it does not exist or belongs to another department."""
    doc = scoped(RuleDocument.one(doc_id, with_data), RuleDocument.department).first()
    if doc is None:
        abort(404)
    return doc


@bp.route("/documents")
@any_role
def index():
    """制度文件: a department sees its own documents; the office and the leading group see which
    departments lack a 实施方案 or 管理办法 (?missing=1 or a kind), or one department's list (?dept=)."""
    dept = viewed_department()
    return _department_page(dept) if dept is not None else _matrix_page()


def _department_page(dept):
    q = (RuleDocument.without_data(User.display_name, User.username)
         .join_from(RuleDocument, User, JOIN.LEFT_OUTER, on=(RuleDocument.uploaded_by == User.id))
         .where(RuleDocument.department == dept))
    kind = request.args.get("kind")
    if kind in rules.DOCUMENT_KINDS:
        q = q.where(RuleDocument.kind == kind)
    if request.args.get("current") == "1":
        q = q.where(RuleDocument.replaced_by.is_null())
    q, sort = listing.sort(q, {
        "kind": KIND_ORDER, "date": RuleDocument.doc_date, "uploaded": RuleDocument.uploaded_at,
        "title": RuleDocument.title}, "kind")
    # Within a kind the version in force comes first, then older versions, newest first.
    q = q.order_by_extend(RuleDocument.replaced_by.is_null(False), RuleDocument.doc_date.desc(),
                          RuleDocument.id.desc())
    page = listing.paginate(q)
    # The newer versions of replaced documents on this page, in one query.
    newer_ids = {d.replaced_by_id for d in page.rows if d.replaced_by_id}
    newer = ({d.id: d for d in RuleDocument.without_data().where(RuleDocument.id.in_(list(newer_ids)))}
             if newer_ids else {})
    kinds = RuleDocument.kinds_in_force([dept.id]).get(dept.id, set())
    return htmx.render("documents/index.html", "documents/_rows.html", dept=dept, page=page, sort=sort,
                       newer=newer, missing=missing_kinds(kinds), kind=kind,
                       own=current_user.is_department)


def _matrix_page():
    depts = list(Department.active_ordered())
    docs = (RuleDocument.without_data().where(RuleDocument.replaced_by.is_null())
            .order_by(RuleDocument.doc_date.desc(), RuleDocument.id.desc()))
    by_dept: dict[int, dict[str, list]] = {}
    for doc in docs:
        by_dept.setdefault(doc.department_id, {}).setdefault(doc.kind, []).append(doc)
    rows = []
    for dept in depts:
        cells = by_dept.get(dept.id, {})
        rows.append({"dept": dept, "cells": cells, "missing": missing_kinds(set(cells)),
                     "count": sum(len(v) for v in cells.values())})
    figures = {
        "departments": len(rows),
        "complete": sum(1 for r in rows if not r["missing"]),
        "lacking": {k: sum(1 for r in rows if k in r["missing"]) for k in rules.REQUIRED_DOCUMENT_KINDS},
        "documents": sum(r["count"] for r in rows),
    }
    missing = request.args.get("missing")
    if missing == "1":
        rows = [r for r in rows if r["missing"]]
    elif missing in rules.REQUIRED_DOCUMENT_KINDS:
        rows = [r for r in rows if missing in r["missing"]]
    return htmx.render("documents/matrix.html", "documents/_matrix.html", rows=rows,
                       figures=figures, missing=missing)


@bp.route("/documents/new", methods=["GET", "POST"])
@department_required
def new():
    """上传制度文件: kind, title, 文号, date and the file (PDF or Word, checked by its content)."""
    form = DocumentForm()
    if request.method == "GET" and request.args.get("kind") in rules.DOCUMENT_KINDS:
        form.kind.data = request.args["kind"]
    if form.validate_on_submit():
        doc = save_document(form, department_id=current_user.department_id,
                            user_id=current_user.id, kind=form.kind.data)
        if doc is not None:
            return htmx.flash_redirect(f"已上传{doc.kind}《{doc.title}》。", "success", "documents.index")
    status = 422 if form.is_submitted() else 200
    return htmx.render("documents/form.html", None, status, form=form, old=None)


@bp.route("/documents/<int:doc_id>/replace", methods=["GET", "POST"])
@department_required
def replace(doc_id):
    """替换制度文件: upload a newer version; the old one is kept, marked 已被替换, and stays downloadable."""
    old = _scoped_document(doc_id)
    if old.replaced_by_id:
        return htmx.flash_redirect("该文件已被替换，请替换其最新版本。", "warning", "documents.index")
    form = ReplaceDocumentForm(data={"title": old.title} if request.method == "GET" else None)
    if form.validate_on_submit():
        doc = save_document(form, department_id=current_user.department_id,
                            user_id=current_user.id, kind=old.kind, replaces=old)
        if doc is not None:
            return htmx.flash_redirect(f"已用新版本替换{old.kind}《{old.title}》，原文件仍保留。", "success", "documents.index")
    status = 422 if form.is_submitted() else 200
    return htmx.render("documents/form.html", None, status, form=form, old=old)


@bp.route("/documents/<int:doc_id>/download")
@any_role
def download(doc_id):
    """下载制度文件: the stored file under its own name; a department only its own documents."""
    doc = _scoped_document(doc_id, with_data=True)
    ext = doc.filename.rpartition(".")[2]
    ext = ext.lower() if ext.isascii() and ext.isalnum() else "bin"
    name = DownloadName(doc.filename, f"chibi-rule-document-{doc.id}.{ext}")
    return send_download(bytes(doc.data), name, doc.content_type, max_age=0)
