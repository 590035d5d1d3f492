from flask_login import current_user
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from ..forms import PasswordRules, PortalForm, account_names


class LoginForm(PortalForm):
    username = StringField("用户名", validators=[DataRequired("请输入用户名。"), Length(max=64)])
    password = PasswordField("密码", validators=[DataRequired("请输入密码。"), Length(max=256)])


def _own_account(form):
    """The logged-in account: its names, and its current hash (the new password must differ)."""
    user = current_user._get_current_object()
    return account_names(user.username, user.display_name, user.department), user.password_hash


class PasswordChangeForm(PortalForm):
    current = PasswordField("当前密码", validators=[DataRequired("请输入当前密码。")])
    new = PasswordField("新密码", validators=[DataRequired("请输入新密码。"), Length(max=256, message="新密码最长256个字符。"),
                                           PasswordRules(_own_account)])
    confirm = PasswordField("确认新密码", validators=[DataRequired("请再次输入新密码。"), EqualTo("new", "两次输入的新密码不一致。")])
