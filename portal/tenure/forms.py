"""Forms of tenure-change reports (任期调整报告)."""
from __future__ import annotations

from ..forms import DateField, DateRequired, PortalForm
from wtforms import RadioField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..officers.forms import PersonForm

NEW, PREVIOUS, NONE = "new", "previous", "none"
INCOMING_KINDS = [(NEW, "新任人员"), (PREVIOUS, "本部门原首席服务员再次任职"), (NONE, "暂无接任人员（将产生断档）")]


class ReportForm(PersonForm):
    """报送任期调整报告: outgoing, incoming (new person, a former officer, or none yet), effective date,
    reason and handover. The person fields are those of the appointment and count only for a new person."""

    outgoing = SelectField("离任首席服务员", choices=[], validate_choice=False, validators=[DataRequired("请选择离任的首席服务员。")])
    incoming_kind = RadioField("接任人员", choices=INCOMING_KINDS, default=NEW, validate_choice=False,
                               validators=[DataRequired("请选择接任人员的情况。")])
    previous = SelectField("原首席服务员", choices=[], validate_choice=False)
    effective_date = DateField("调整生效日期", validators=[DateRequired("请填写调整生效日期。")])
    reason = TextAreaField("调整原因", validators=[Optional(), Length(max=2000, message="最长2000个字。")])
    handover = TextAreaField("交接安排", validators=[DataRequired("请填写交接安排（在办事项、档案资料、授权事项的移交）。"),
                                                 Length(max=2000, message="最长2000个字。")])
    late_note = TextAreaField("补报说明", validators=[Optional(), Length(max=2000, message="最长2000个字。")])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The report's own fields come first, in the error summary too; the new person's after them.
        self._fields = dict(sorted(self._fields.items(), key=lambda kv: kv[0] in self.PERSON_FIELDS))

    def validate(self, extra_validators=None):
        if self.incoming_kind.data != NEW:
            # The new person's particulars are not asked for when nobody new comes in.
            for name in self.PERSON_FIELDS:
                getattr(self, name).validators = [Optional()]
        return super().validate(extra_validators)


class RefileForm(PortalForm):
    """修改后重新报送: the texts of a returned report (the terms have already changed with the filing)."""

    reason = TextAreaField("调整原因", validators=[Optional(), Length(max=2000, message="最长2000个字。")])
    handover = TextAreaField("交接安排", validators=[DataRequired("请填写交接安排。"), Length(max=2000, message="最长2000个字。")])
    late_note = TextAreaField("补报说明", validators=[Optional(), Length(max=2000, message="最长2000个字。")])


class ReturnForm(PortalForm):
    """退回任期调整报告, with the office's comment."""

    comment = TextAreaField("退回意见", validators=[DataRequired("退回时须填写意见，告知部门需要修改或补充的内容。"),
                                                Length(max=1000, message="最长1000个字。")])
