"""制度文件 reminders: a department's missing 实施方案 or 管理办法 (rule 9)."""
from __future__ import annotations

from flask import url_for

from .. import reminders
from ..models import RuleDocument
from .service import missing_kinds


@reminders.source
def documents_missing(user, today):
    """A department that has not issued its 实施方案 or 管理办法 in the portal (rule 9)."""
    if not user.is_department:
        return []
    kinds = RuleDocument.kinds_in_force([user.department_id]).get(user.department_id, set())
    lacking = missing_kinds(kinds)
    if not lacking:
        return []
    return [reminders.Reminder(area="制度文件", text="尚未上传" + "、".join(lacking) + "（建章立制）",
                               url=url_for("documents.new", kind=lacking[0]), count=len(lacking),
                               endpoint="documents.index")]
