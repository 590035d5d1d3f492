"""Forms of the public pages: 好差评 (with the arithmetic question instead of a CAPTCHA)."""
from __future__ import annotations

from ..forms import PortalForm
from wtforms import RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.meta import DefaultMeta
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from .. import rules

COMMENT_MAX = 500
MATTER_REF_MAX = 100
LEVEL_MESSAGE = "请选择满意程度（非常满意、满意、基本满意、不满意、非常不满意之一）"


class EvaluationForm(PortalForm):
    """好差评: five levels, an optional comment and matter reference, and the answer to the question."""

    class Meta(PortalForm.Meta):
        locales = ("zh",)

        def get_translations(self, form):
            return DefaultMeta.get_translations(self, form)

    level = RadioField("满意程度", coerce=int,
                       choices=[SelectChoice(str(k), f"{v}（{'★' * k}）") for k, v in rules.EVALUATION_LEVELS.items()],
                       validators=[InputRequired(LEVEL_MESSAGE)],
                       invalid_value_message=LEVEL_MESSAGE, invalid_choice_message=LEVEL_MESSAGE)
    comment = TextAreaField("评价内容（选填）", validators=[
        Optional(), Length(max=COMMENT_MAX, message=f"评价内容不能超过{COMMENT_MAX}个字")])
    matter_ref = StringField("办理事项或业务编号（选填）", validators=[
        Optional(), Length(max=MATTER_REF_MAX, message=f"事项或编号不能超过{MATTER_REF_MAX}个字")])
    answer = StringField("验证问题", validators=[DataRequired("请回答验证问题")])

    def validate_comment(self, field):
        problem = rules.personal_data_problem(field.data)
        if problem:
            raise ValidationError(problem)
