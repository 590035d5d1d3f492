"""Forms of the office's system management (系统管理)."""
from __future__ import annotations

from ..forms import PasswordRules, PortalForm, account_names
from wtforms import BooleanField, DecimalField, IntegerField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp, URL

from .. import rules
from ..listing import record_id
from ..models import Department


class DepartmentForm(PortalForm):
    code = StringField("部门代码", validators=[DataRequired("请填写部门代码。"), Length(max=32, message="最长32个字符。"),
                                           Regexp(r"^[A-Za-z0-9_-]+$", message="部门代码只能由字母、数字、-、_ 组成。")])
    name = StringField("部门名称", validators=[DataRequired("请填写部门名称。"), Length(max=100, message="最长100个字符。")])
    short_name = StringField("简称", validators=[Optional(), Length(max=40, message="最长40个字符。")])
    has_window = BooleanField("设有审批窗口", default=True)
    several_officers = BooleanField("允许设置多名首席服务员")
    active = BooleanField("启用", default=True)


def _new_account(form):
    """The account being created: its user name, display name and chosen department (no password yet)."""
    dept_id = record_id(form.department.data)
    dept = Department.get_or_none(Department.id == dept_id) if dept_id is not None else None
    return account_names((form.username.data or "").strip(), form.display_name.data, dept), None


class UserForm(PortalForm):
    username = StringField("用户名", validators=[DataRequired("请填写用户名。"), Length(max=64, message="最长64个字符。"),
                                             Regexp(r"^\S+$", message="用户名不能含空格。")])
    display_name = StringField("姓名", validators=[Optional(), Length(max=64, message="最长64个字符。")])
    role = SelectField("角色", choices=[(r, rules.ROLE_LABELS[r]) for r in rules.ROLES], invalid_choice_message="请选择角色。")
    department = SelectField("所属部门", choices=[], validate_choice=False)
    password = PasswordField("初始密码", validators=[Optional(), Length(max=256, message="密码最长256个字符。"),
                                                   PasswordRules(_new_account)])


class SettingsForm(PortalForm):
    public_base_url = StringField("对外公开地址", validators=[Optional(), Length(max=200), URL(require_tld=False, message="请填写完整地址，如 https://zwfw.chibi.gov.cn")])
    oversight_rate = DecimalField("抽查比例（%）", places=1, invalid_value_message="抽查比例须为数字。", validators=[InputRequired("请填写抽查比例。"), NumberRange(min=0.1, max=100, message="抽查比例应在0.1%%到100%%之间。")])
    oversight_minimum = IntegerField("每个部门最少抽查件数", invalid_value_message="请填写整数。", validators=[InputRequired("请填写最少抽查件数。"), NumberRange(min=1, max=100, message="应在1到100之间。")])
    oversight_answer_days = IntegerField("整改回复时限（工作日）", invalid_value_message="请填写整数。", validators=[InputRequired("请填写整改回复时限。"), NumberRange(min=1, max=60, message="应在1到60个工作日之间。")])
