"""Forms of the rule documents (制度文件): upload a document, replace one by a newer version."""
from __future__ import annotations

from flask import current_app
from ..forms import DateField, PortalForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from .. import clock, rules
from ..models import Setting
from ..uploads import UploadError, check_upload

ALLOWED = ("pdf", "docx")
ACCEPT = ".pdf,.docx,application/pdf,application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def clean_filename(name: str) -> str:
    """The uploaded file's own name without any folder a browser may send, kept readable (Chinese
    stays), at most 200 characters with its extension."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip() or "文件"
    if len(name) > 200:
        stem, dot, ext = name.rpartition(".")
        name = stem[: 200 - len(ext) - 1] + dot + ext if dot else name[:200]
    return name


# Made before the other fields so that forms list it first (wtforms orders fields by creation).
_KIND = SelectField("文件类别", choices=[("", "请选择")] + [(k, k) for k in rules.DOCUMENT_KINDS],
                    validators=[DataRequired("请选择文件类别。")],
                    invalid_choice_message="请从列表中选择文件类别。")


class ReplaceDocumentForm(PortalForm):
    """替换制度文件: a newer version of a document; the kind stays that of the document it replaces."""

    title = StringField("文件标题", validators=[DataRequired("请填写文件标题。"), Length(max=200, message="文件标题不能超过200个字。")])
    number = StringField("文号", validators=[Length(max=60, message="文号不能超过60个字。")])
    doc_date = DateField("印发日期", validators=[InputRequired("请填写印发日期。")])
    file = FileField("文件", validators=[FileRequired("请选择要上传的文件。")], render_kw={"accept": ACCEPT})

    checked = None  # the file as check_upload read it, once the form is valid

    def validate_title(self, field):
        field.data = (field.data or "").strip()
        if not field.data:
            raise ValidationError("请填写文件标题。")

    def validate_number(self, field):
        field.data = (field.data or "").strip()

    def validate_doc_date(self, field):
        problem = rules.record_date_problem(field.data, clock.today(), Setting.system_start(), "印发日期")
        if problem:
            raise ValidationError(problem + "。")

    def validate_file(self, field):
        try:
            self.checked = check_upload(field.data, ALLOWED, current_app.config["UPLOAD_MAX_BYTES"])
        except UploadError as exc:
            raise ValidationError(str(exc)) from exc


class DocumentForm(ReplaceDocumentForm):
    """上传制度文件: kind, title, 文号, date and the file (PDF or Word .docx, checked by content)."""

    kind = _KIND
