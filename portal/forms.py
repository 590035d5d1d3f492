"""The base of every form of the portal."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from werkzeug.security import check_password_hash
from wtforms.validators import StopValidation

from . import rules


class PortalForm(FlaskForm):
    """A form whose CSRF token is checked once per request, by CSRFProtect.

    CSRFProtect (portal/__init__.py) checks the token of every POST before any view runs — forms,
    htmx requests and plain buttons alike — so a form checking it again only signed and verified the
    same token a second time on every write. `{{ form.csrf_token }}` still renders the hidden field.
    """

    class Meta(FlaskForm.Meta):
        csrf = False

    @property
    def csrf_token(self) -> Markup:
        # No id: a page with several forms would repeat it, and a hidden field needs none.
        return Markup('<input name="csrf_token" type="hidden" value="{}">').format(generate_csrf())

    def hidden_tag(self, *fields) -> Markup:
        """The form's hidden fields, the CSRF field first (as flask-wtf's own form would render it)."""
        return self.csrf_token + Markup("\n") + super().hidden_tag(*fields)


class PasswordRules:
    """WTForms validator: the portal's password rules (rules.password_problem, 密码要求) on the field.

    `account(form)` gives the account the password is for, as (names, current password hash or None):
    its user name, display name and department's code and names are refused as passwords, and so is the
    current password when a hash is given. Every place a password is set uses this one validator, the
    CLI the same rule function."""

    def __init__(self, account):
        self.account = account

    def __call__(self, form, field):
        names, current_hash = self.account(form)
        same = bool(current_hash and field.data and check_password_hash(current_hash, field.data))
        problem = rules.password_problem(field.data or "", names, current_hash_matches=same)
        if problem:
            raise StopValidation(problem)


def account_names(username: str | None, display_name: str | None = None, department=None) -> list[str]:
    """The words of an account that may not be its password: user name, display name, department code,
    name and short name."""
    names = [username or "", display_name or ""]
    if department is not None:
        names += [department.code or "", department.name or "", department.short_name or ""]
    return [n for n in names if n]
