"""Forms of the highlight cases (亮点案例): submit or edit a case, return it with a comment."""
from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from .. import clock
from ..forms import DateField, DateRequired, PortalForm
from .service import BODY_MAX, EARLIEST, TITLE_MAX


class CaseForm(PortalForm):
    title = StringField("案例标题", validators=[DataRequired("请填写案例标题。"),
                                             Length(max=TITLE_MAX, message=f"标题不超过{TITLE_MAX}个字。")])
    case_date = DateField("案例日期", validators=[DateRequired("请填写案例日期。")])
    body = TextAreaField("案例内容", validators=[DataRequired("请填写案例内容。"),
                                             Length(max=BODY_MAX, message=f"案例内容不超过{BODY_MAX}个字。")])
    photo = FileField("照片（可选）")
    remove_photo = BooleanField("删除现有照片")

    def validate_case_date(self, field):
        if field.data and field.data > clock.today():
            raise ValidationError("案例日期不能晚于今天。")
        if field.data and field.data < EARLIEST:
            raise ValidationError("案例日期不能早于2000年。")

    def validate_title(self, field):
        field.data = (field.data or "").strip()
        if not field.data:
            raise ValidationError("请填写案例标题。")

    def validate_body(self, field):
        # Line ends as typed in Windows browsers; the public page splits paragraphs on them.
        field.data = (field.data or "").replace("\r\n", "\n").strip()
        if not field.data:
            raise ValidationError("请填写案例内容。")


class ReturnForm(PortalForm):
    comment = TextAreaField("退回意见", validators=[DataRequired("请填写退回意见，说明需要修改的内容。"),
                                                Length(max=1000, message="退回意见不超过1000个字。")])

    def validate_comment(self, field):
        field.data = (field.data or "").strip()
        if not field.data:
            raise ValidationError("请填写退回意见，说明需要修改的内容。")
