"""Who may see what. A department user's queries are scoped to their department here, so that another
department's record is a 404 by construction, never by a view remembering to check."""
from __future__ import annotations

from functools import wraps

from flask import abort, request
from flask_login import current_user, login_required

from . import rules
from .models import Department


def roles_required(*roles: str):
    """Only these roles (department / office / leader) may use the view; others get 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


department_required = roles_required(rules.ROLE_DEPARTMENT)
office_required = roles_required(rules.ROLE_OFFICE)
staff_required = roles_required(rules.ROLE_OFFICE, rules.ROLE_LEADER)
any_role = roles_required(*rules.ROLES)


def scoped(query, department_field):
    """Restrict a query to the current user's department when the user is a department user.

    The office and the leading group see every department."""
    if current_user.is_department:
        return query.where(department_field == current_user.department_id)
    return query


def get_scoped_or_404(model, record_id, department_field=None):
    """A record by id, or 404 when it does not exist or belongs to another department."""
    field = department_field if department_field is not None else model.department
    try:
        record_id = int(record_id)
    except (TypeError, ValueError):
        abort(404)
    if not 0 < record_id < 2**63:
        abort(404)
    record = scoped(model.select().where(model.id == record_id), field).first()
    if record is None:
        abort(404)
    return record


def own_department():
    """The current department user's department (404 for anyone else: the page is per department)."""
    if not current_user.is_authenticated or not current_user.is_department:
        abort(404)
    return current_user.department


def can_write_department(department_id: int) -> bool:
    """Department users write only their own records; the office and leaders never write them."""
    return current_user.is_department and current_user.department_id == department_id


def chosen_department():
    """The department the office or the leader chose with ?dept=<code> (the drill-down contract), or
    None when none is chosen; 404 when no department has that code. None for a department user: its
    records are scoped to its own department anyway."""
    if current_user.is_department:
        return None
    code = (request.args.get("dept") or "").strip()
    if not code:
        return None
    department = Department.get_or_none(Department.code == code)
    if department is None:
        abort(404)
    return department


def viewed_department(optional: bool = True):
    """The department a page is about: a department user's own (?dept= is ignored); for the office and
    the leader the one chosen with ?dept=<code> (chosen_department), or None for the whole city — a
    404 instead when the page is always about one department (``optional=False``)."""
    if current_user.is_department:
        return current_user.department
    department = chosen_department()
    if department is None and not optional:
        abort(404)
    return department
