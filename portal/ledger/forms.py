"""Forms of the service ledger (服务台账), the holiday list and the answers to bad reviews.

Choices that depend on the department (its investors, items, officers) are set by the view; a value
that is not among them — another department's item, say — is refused with a Chinese message.
"""
from __future__ import annotations

import datetime as dt

from ..forms import DateField, PortalForm, date_message, parse_date
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.meta import DefaultMeta
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from .. import rules

NOTES_MAX = 1000
ANSWER_MAX = 2000


class Form(PortalForm):
    """A form whose few built-in messages (bad number, bad date) come out in Chinese too."""

    class Meta(PortalForm.Meta):
        locales = ("zh",)

        def get_translations(self, form):
            # flask-wtf would look for flask-babel, which the portal does not use.
            return DefaultMeta.get_translations(self, form)


def _choice(label: str, message: str, **kwargs) -> SelectField:
    """A select whose value must be one of the choices the view sets (ids as strings)."""
    return SelectField(label, choices=[], invalid_choice_message=message, **kwargs)


class InvestorForm(Form):
    """投资者 / 企业 of the department's ledger."""

    name = StringField("企业（投资者）名称", validators=[DataRequired("请填写企业（投资者）名称"),
                                                 Length(max=200, message="名称不能超过200个字")])
    credit_code = StringField("统一社会信用代码", validators=[DataRequired("请填写统一社会信用代码")],
                              filters=[lambda v: v.strip().upper() if isinstance(v, str) else v])
    contact = StringField("联系人", validators=[Optional(), Length(max=40, message="联系人不能超过40个字")])
    phone = StringField("联系电话", validators=[Optional(), Length(max=40, message="联系电话不能超过40个字符")])

    def validate_credit_code(self, field):
        error = rules.credit_code_error(field.data)
        if error:
            raise ValidationError(error)


class MatterForm(Form):
    """服务台账事项: who, what, when promised and how it was handled."""

    investor = _choice("投资者/企业", "所选企业不在本部门台账中", validators=[DataRequired("请选择投资者/企业")])
    project = StringField("项目名称", validators=[DataRequired("请填写项目名称"), Length(max=200, message="项目名称不能超过200个字")])
    item = _choice("服务事项", "所选事项不是本部门在用的服务事项", validators=[DataRequired("请选择服务事项")])
    officer = _choice("首席服务员", "所选人员不是本部门的首席服务员")
    received_date = DateField("受理日期", validators=[InputRequired("请填写受理日期")])
    promised_date = DateField("承诺办结日期", validators=[Optional()])
    status = SelectField("状态", choices=list(rules.MATTER_STATES), default=rules.MATTER_RECEIVED,
                         invalid_choice_message="状态须为：" + "、".join(rules.MATTER_STATES))
    completed_date = DateField("办结日期", validators=[Optional()])
    visits = IntegerField("跑动次数", default=1, validators=[InputRequired("请填写跑动次数"),
                                                        NumberRange(0, 99, "跑动次数须为0到99之间的整数")],
                          invalid_value_message="跑动次数须为0到99之间的整数")
    handling = SelectField("办理方式", choices=list(rules.HANDLINGS), default=rules.HANDLINGS[0],
                           invalid_choice_message="办理方式须为：" + "、".join(rules.HANDLINGS))
    notes = TextAreaField("备注", validators=[Optional(), Length(max=NOTES_MAX, message=f"备注不能超过{NOTES_MAX}个字")])

    def check_dates(self, today, since) -> None:
        """The rules between the dates and the status, as errors on their fields; `since` is the system's
        start (制度实施日期), before which no matter can have been received."""
        received, promised, completed = self.received_date.data, self.promised_date.data, self.completed_date.data
        problem = rules.record_date_problem(received, today, since, "受理日期")
        if problem:
            self.received_date.errors.append(problem)
        if received and promised and promised < received:
            self.promised_date.errors.append("承诺办结日期不能早于受理日期")
        status = self.status.data
        if status == rules.MATTER_DONE and not completed and not self.completed_date.errors:
            self.completed_date.errors.append("已办结的事项须填写办结日期")
        if status in rules.MATTER_OPEN_STATES and completed:
            self.completed_date.errors.append("尚未办结或退回的事项不应填写办结日期")
        if completed and received and completed < received:
            self.completed_date.errors.append("办结日期不能早于受理日期")
        if completed and completed > today:
            self.completed_date.errors.append("办结日期不能晚于今天")


class StatusForm(Form):
    """办理状态: a matter moved on in place from its row (rules.MATTER_NEXT_STATES), with the 办结 or
    退回 date when it is finished or returned. The row shows one error, so `check` gives one message."""

    status = StringField("状态")
    completed_date = StringField("办结或退回日期")

    completed: dt.date | None = None

    def check(self, matter, today: dt.date) -> str | None:
        """The Chinese error of the change asked for, or None (then `completed` holds its date, if any)."""
        new = self.status.data or ""
        self.completed = None
        if new not in rules.MATTER_NEXT_STATES.get(matter.status, ()):
            return f"不能将「{matter.status}」改为「{new or '（空）'}」"
        if new not in (rules.MATTER_DONE, rules.MATTER_RETURNED):
            return None
        label = "办结日期" if new == rules.MATTER_DONE else "退回日期"
        raw = (self.completed_date.data or "").strip()
        if not raw:
            return f"请填写{label}"
        try:
            completed = parse_date(raw)
        except ValueError:
            return date_message(label)
        if completed < matter.received_date:
            return f"{label}不能早于受理日期（{matter.received_date.isoformat()}）"
        if completed > today:
            return f"{label}不能晚于今天"
        self.completed = completed
        return None


class HolidayForm(Form):
    """One day of the holiday list: 法定节假日 (off) or 调休上班日 (a weekend day worked)."""

    day = DateField("日期", validators=[InputRequired("请填写日期")])
    kind = SelectField("类型", choices={"off": "法定节假日（放假）", "on": "调休上班日"}, default="off",
                       invalid_choice_message="类型须为法定节假日或调休上班日")
    name = StringField("名称", validators=[DataRequired("请填写名称，如：国庆节"), Length(max=40, message="名称不能超过40个字")])

    def validate_day(self, field):
        if self.kind.data == "on" and field.data and field.data.weekday() < 5:
            raise ValidationError("调休上班日应为周六或周日；工作日本来就上班")


class AnswerForm(Form):
    """The department's answer to a 差评: verified, put right, called back."""

    verified = TextAreaField("核实情况", validators=[DataRequired("请填写核实情况"), Length(max=ANSWER_MAX, message=f"不能超过{ANSWER_MAX}个字")])
    remedy = TextAreaField("整改措施", validators=[DataRequired("请填写整改措施"), Length(max=ANSWER_MAX, message=f"不能超过{ANSWER_MAX}个字")])
    callback = TextAreaField("回访结果", validators=[DataRequired("请填写回访结果"), Length(max=ANSWER_MAX, message=f"不能超过{ANSWER_MAX}个字")])


class AnswerDaysForm(Form):
    """The office's 差评整改回复时限 in working days."""

    days = IntegerField("差评答复时限（工作日）", validators=[InputRequired("请填写答复时限"),
                                                    NumberRange(1, 30, "答复时限须为1到30个工作日")],
                        invalid_value_message="答复时限须为1到30之间的整数")
