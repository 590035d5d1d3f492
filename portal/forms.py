"""The base of every form of the portal."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup


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
