"""Forms of the oversight review (抽查): start a review, record a finding, answer it, send it back."""
from __future__ import annotations

from ..forms import DateField, PortalForm, strip
from wtforms import FloatField, IntegerField, RadioField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from .. import clock, rules

TEXT_MAX = 2000


class ReviewForm(PortalForm):
    """发起抽查: title, period, departments, sampling rate and minimum, deadline for answers."""

    title = StringField("抽查名称", filters=[strip],
                        validators=[DataRequired("请填写抽查名称。"), Length(max=200, message="抽查名称不能超过200个字。")])
    period_start = DateField("抽查期间（起）", what="开始日期", validators=[InputRequired("请填写抽查期间的开始日期。")])
    period_end = DateField("抽查期间（止）", what="结束日期", validators=[InputRequired("请填写抽查期间的结束日期。")])
    departments = SelectMultipleField("抽查部门", coerce=int, widget=ListWidget(prefix_label=False),
                                      option_widget=CheckboxInput(),
                                      invalid_choice_message="所选部门不存在或已停用，请重新选择。",
                                      invalid_value_message="所选部门不存在或已停用，请重新选择。")
    rate = FloatField("抽查比例（%）", validators=[InputRequired("请填写抽查比例。")],
                      invalid_value_message="抽查比例须为数字，如 5。")
    minimum = IntegerField("每个部门至少抽取（件）", validators=[InputRequired("请填写每个部门至少抽取的件数。")],
                           invalid_value_message="至少抽取的件数须为整数。")
    deadline = DateField("整改答复期限", what="答复期限", validators=[InputRequired("请填写整改答复期限。")])

    def validate_period_end(self, field):
        start = self.period_start.data
        if field.data and start and field.data < start:
            raise ValidationError("结束日期不能早于开始日期。")
        if field.data and field.data > clock.today():
            raise ValidationError("抽查期间不能晚于今天：只能抽查已经办结的事项。")

    def validate_departments(self, field):
        if not field.data:
            raise ValidationError("请至少选择一个部门。")

    def validate_rate(self, field):
        if field.data is not None and not (0 < field.data <= 100):
            raise ValidationError("抽查比例须大于0且不超过100。")

    def validate_minimum(self, field):
        if field.data is not None and not (0 <= field.data <= 1000):
            raise ValidationError("至少抽取的件数须在0到1000之间。")

    def validate_deadline(self, field):
        if field.data and field.data < clock.today():
            raise ValidationError("答复期限不能早于今天。")


class FindingForm(PortalForm):
    """录入抽查结论: 规范, or 需整改 with what must be put right."""

    finding = RadioField("抽查结论", choices=[(f, f) for f in rules.FINDINGS],
                         validators=[InputRequired("请选择抽查结论。")],
                         invalid_choice_message="抽查结论须为“规范”或“需整改”。")
    requirement = TextAreaField("整改要求", filters=[strip],
                                validators=[Length(max=TEXT_MAX, message=f"整改要求不能超过{TEXT_MAX}个字。")])

    def validate_requirement(self, field):
        if self.finding.data == rules.FINDING_FIX and not field.data:
            raise ValidationError("结论为“需整改”时，请写明整改要求。")


class AnswerForm(PortalForm):
    """整改答复: what was put right (整改情况) and the date it was done."""

    answer = TextAreaField("整改情况", filters=[strip],
                           validators=[DataRequired("请填写整改情况。"),
                                       Length(max=TEXT_MAX, message=f"整改情况不能超过{TEXT_MAX}个字。")])
    answered_on = DateField("整改完成日期", validators=[InputRequired("请填写整改完成日期。")])

    def __init__(self, *args, review=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.review = review

    def validate_answered_on(self, field):
        today = clock.today()
        if not field.data:
            return
        if field.data > today:
            raise ValidationError("整改完成日期不能晚于今天。")
        review = self.review
        if review is not None:
            if field.data < review.created_at.date():
                raise ValidationError("整改完成日期不能早于抽查发起日期（%s）。" % review.created_at.date().isoformat())
            # An answer given after the deadline cannot be dated back before it: rule 10 counts it late.
            if today > review.deadline and field.data <= review.deadline:
                raise ValidationError("已超过答复期限（%s），整改完成日期不能填在期限之前；逾期答复将如实标记。"
                                      % review.deadline.isoformat())


class ReturnForm(PortalForm):
    """退回整改: the office's reason, for the department to answer again."""

    return_comment = TextAreaField("退回意见", filters=[strip],
                                   validators=[DataRequired("请填写退回意见，说明还需如何整改。"),
                                               Length(max=TEXT_MAX, message=f"退回意见不能超过{TEXT_MAX}个字。")])
