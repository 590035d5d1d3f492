"""The base of every form of the portal."""
from __future__ import annotations

import datetime as dt

from flask import flash, g
from flask_wtf import FlaskForm
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from werkzeug.security import check_password_hash
from wtforms import DateField as _DateField
from wtforms import FieldList, FormField, PasswordField, StringField, TextAreaField
from wtforms.validators import StopValidation

from . import rules

CONTROL_MESSAGE = "含有不可见的控制字符，请删除后重新填写"
DATE_EXAMPLE = "2026-03-01"


def date_message(what: str) -> str:
    """The one Chinese error of a date that is not a date (日期格式错误), naming the field."""
    return f"请按“年-月-日”填写{what}，例如 {DATE_EXAMPLE}。"


def parse_date(text: str) -> dt.date:
    """年-月-日 as a date input sends it and a clerk types it (2026-03-01, 2026-3-1); ValueError otherwise."""
    return dt.datetime.strptime(text.strip(), "%Y-%m-%d").date()


class DateField(_DateField):
    """The date field of every form (日期): 年-月-日 as a date input sends it and as a clerk types it
    (2026-03-01, 2026-3-1). A malformed or impossible date gets date_message naming the field (its
    label, or ``what`` where the label is long); an empty box is no date (None), left to the field's
    validators — DateRequired, InputRequired or Optional."""

    def __init__(self, label=None, validators=None, *, what: str | None = None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.what = what or self.label.text

    def process_formdata(self, valuelist):
        text = " ".join(valuelist).strip() if valuelist else ""
        if not text:
            self.data = None
            return
        try:
            self.data = parse_date(text)
        except ValueError:
            self.data = None
            raise ValueError(date_message(self.what)) from None


class DateRequired:
    """A required date: an empty box gets ``message``; a malformed date keeps DateField's own error
    (DataRequired would replace it by "请填写")."""

    field_flags = {"required": True}

    def __init__(self, message: str):
        self.message = message

    def __call__(self, form, field):
        if field.data is None:
            raise StopValidation(None if field.process_errors else self.message)


def strip(value):
    """A field filter: the text without the spaces around it (a pasted name often brings some)."""
    return value.strip() if isinstance(value, str) else value


class TextProblem(ValueError):
    """A text refused by clean_text (its message is CONTROL_MESSAGE)."""


def clean_text(value, multiline: bool = False) -> tuple[str, bool]:
    """The one input filter (输入文字检查) of every text the portal takes in — each text field of every
    form (PortalForm) and each cell of an imported workbook (imports.plan).

    Refuses NUL and the other C0/C1 control characters (tab and line feed are allowed in a multi-line
    text) with TextProblem(CONTROL_MESSAGE); removes the bidirectional overrides, isolates and marks
    (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F); tidies as rules.tidy_text (CRLF → LF, spaces at line
    ends, NFC; inner spaces as typed). Returns (text, whether bidi characters were removed)."""
    if value is None:
        return "", False
    text = str(value)
    stripped = rules.strip_bidi(text)
    removed = stripped != text
    text = rules.tidy_text(stripped, multiline)
    if rules.control_characters(text, multiline):
        raise TextProblem(CONTROL_MESSAGE)
    return text, removed


class _TextFilter:
    """clean_text as a WTForms filter of one field; a removal of bidi characters is noted on the form."""

    def __init__(self, form, field, multiline: bool):
        self.form, self.field, self.multiline = form, field, multiline

    def __call__(self, value):
        if not isinstance(value, str):
            return value
        text, removed = clean_text(value, self.multiline)
        if removed:
            if not hasattr(self.form, "text_notices"):  # a sub-form (TextMeta)
                self.form.text_notices = []
            self.form.text_notices.append(self.field.label.text)
        return text


class TextMeta:
    """Meta of a sub-form (a wtforms Form inside a FieldList/FormField of a PortalForm): its text fields
    get the input filter too."""

    def bind_field(self, form, unbound_field, options):
        return with_text_filter(form, super().bind_field(form, unbound_field, options))


def with_text_filter(form, field):
    """Every text field gets the input filter (clean_text) before its own filters; a password is
    only checked for control characters."""
    if isinstance(field, PasswordField):
        field.filters = (_PasswordFilter(), *field.filters)
    elif isinstance(field, StringField):
        field.filters = (_TextFilter(form, field, isinstance(field, TextAreaField)), *field.filters)
    return field


def _notices(form) -> list[str]:
    """The labels of the fields of a form and of its sub-forms whose text lost bidi characters."""
    out = list(getattr(form, "text_notices", ()))
    for f in form:
        if isinstance(f, FieldList):
            out += [label for entry in f for label in (_notices(entry.form) if isinstance(entry, FormField) else ())]
        elif isinstance(f, FormField):
            out += _notices(f.form)
    return out


class _PasswordFilter:
    """Passwords are kept exactly as typed (nothing is removed or normalised), control characters refused."""

    def __call__(self, value):
        if isinstance(value, str) and rules.control_characters(value, False):
            raise TextProblem(CONTROL_MESSAGE)
        return value


def _notice(labels) -> str:
    names = "、".join(f"“{label}”" for label in dict.fromkeys(labels))
    return f"已删除{names}中的不可见方向控制字符（它们会让文字显示得与实际内容不同），请核对保存的内容。"


class PortalForm(FlaskForm):
    """A form whose CSRF token is checked once per request, by CSRFProtect.

    CSRFProtect (portal/__init__.py) checks the token of every POST before any view runs — forms,
    htmx requests and plain buttons alike — so a form checking it again only signed and verified the
    same token a second time on every write. `{{ form.csrf_token }}` still renders the hidden field.
    """

    class Meta(FlaskForm.Meta):
        csrf = False

        def bind_field(self, form, unbound_field, options):
            return with_text_filter(form, super().bind_field(form, unbound_field, options))

    def __init__(self, *args, **kwargs):
        self.text_notices: list[str] = []
        super().__init__(*args, **kwargs)

    def refused(self) -> dict[str, str]:
        """{field name: message} of the fields the input filter refused (for forms whose values are
        checked by rules outside WTForms, which must not go on to check or store them)."""
        return {f.short_name: f.process_errors[0] for f in self
                if f.process_errors and f.process_errors[0] == CONTROL_MESSAGE}

    def validate(self, extra_validators=None) -> bool:
        """As WTForms; a valid form whose text lost bidi characters says so (next page or htmx swap)."""
        ok = super().validate(extra_validators)
        notices = _notices(self) if ok else []
        if notices:
            g.setdefault("text_notices", []).extend(notices)
        return ok

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


def init_app(app) -> None:
    @app.after_request
    def _text_notices(response):
        """Tell the user that bidi characters were removed: in the htmx fragment answered (an
        out-of-band #messages) or, for a redirect, as a flash on the next page."""
        labels = g.pop("text_notices", None)
        if not labels:
            return response
        from . import htmx

        message = _notice(labels)
        if htmx.is_htmx() and response.status_code < 300 and response.mimetype == "text/html":
            response.set_data(response.get_data(as_text=True) + htmx.oob_messages([("warning", message)]))
        else:
            flash(message, "warning")
        return response
