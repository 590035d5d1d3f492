"""制度文件 (建章立制) — each department's implementation plan, management method, item list and
supervision mechanism, uploaded by the department and seen city-wide by the office (rule 9).
A replaced document is kept, marked with its newer version."""
from __future__ import annotations

import hashlib

from .. import clock, rules
from ..audit import write
from ..models import Case, RuleDocument
from .forms import clean_filename

# Documents sort by kind in the plan's order (实施方案 first), not by the characters' code points.
KIND_ORDER = Case(None, [(RuleDocument.kind == k, i) for i, k in enumerate(rules.DOCUMENT_KINDS)],
                  len(rules.DOCUMENT_KINDS))



def missing_kinds(kinds: set[str]) -> list[str]:
    """The required kinds (实施方案, 管理办法) a department has not issued in the portal."""
    return [k for k in rules.REQUIRED_DOCUMENT_KINDS if k not in kinds]


def save_document(form, *, department_id: int, user_id: int, kind: str,
                  replaces: RuleDocument | None = None) -> RuleDocument | None:
    """Store the checked file; None (with the error on the form) when this exact file is already in force."""
    checked = form.checked
    digest = hashlib.sha256(checked.data).hexdigest()
    same = (RuleDocument.without_data()
            .where((RuleDocument.department == department_id) & (RuleDocument.sha256 == digest)
                   & RuleDocument.replaced_by.is_null()).first())
    if same is not None:
        form.file.errors.append(f"同一文件已经上传过（{same.kind}《{same.title}》），无需重复上传。")
        return None
    with write() as w:
        if replaces is not None:
            # Another tab may have replaced it meanwhile: replace only the version still in force.
            still = RuleDocument.select(RuleDocument.replaced_by).where(RuleDocument.id == replaces.id).scalar()
            if still is not None:
                form.file.errors.append("该文件已被其他人替换为新版本，请返回列表后替换最新版本。")
                return None
        doc = w.create(RuleDocument, department=department_id, kind=kind, title=form.title.data,
                       number=form.number.data, doc_date=form.doc_date.data,
                       filename=clean_filename(checked.filename), content_type=checked.content_type,
                       size=len(checked.data), sha256=digest, data=checked.data, uploaded_at=clock.now(),
                       uploaded_by=user_id)
        if replaces is not None:
            w.update(replaces, action="replace", replaced_by=doc.id)
    return doc
