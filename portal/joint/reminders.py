"""一事联办 — the to-dos on the home page: a department's parts waiting for its countersignature, the
lead's matters returned for 补正, and for the office the joint matters late at some department."""
from __future__ import annotations

from flask import url_for

from .. import reminders, rules
from ..models import Department, JointMatter, JointPart
from .service import stopped_ids

AREA = "一事联办"
ENDPOINT = "joint.index"


def _open_matter():
    return JointMatter.finished_on.is_null() & JointMatter.id.not_in(stopped_ids())


@reminders.source
def joint_todo(user, today):
    """待会签 parts for a department, 补正 requests for the lead, late matters for the office."""
    out = []
    if user.is_department:
        waiting = (JointPart.select(JointPart, JointMatter)
                   .join(JointMatter)
                   .where((JointPart.department == user.department_id) & JointPart.decision.is_null() & _open_matter())
                   .order_by(JointPart.deadline))
        for part in waiting:
            out.append(reminders.Reminder(
                area=AREA, text=f"联办事项“{part.joint.project}”待本部门会签",
                url=url_for("joint.detail", matter_id=part.joint_id), deadline=part.deadline,
                overdue=today > part.deadline, endpoint=ENDPOINT))
        returned = (JointPart.select(JointPart, JointMatter, Department)
                    .join(JointMatter).switch(JointPart).join(Department)
                    .where((JointMatter.lead == user.department_id) & (JointPart.decision == rules.SIGN_SUPPLEMENT) & _open_matter())
                    .order_by(JointPart.signed_on))
        for part in returned:
            out.append(reminders.Reminder(
                area=AREA, text=f"联办事项“{part.joint.project}”：{part.department.name}要求补正材料，请一次性告知投资者",
                url=url_for("joint.detail", matter_id=part.joint_id), endpoint=ENDPOINT))
    elif user.is_office:
        late = (JointPart.select(JointPart, JointMatter, Department)
                .join(JointMatter).switch(JointPart).join(Department)
                .where(JointPart.late_condition(today))
                .order_by(JointPart.deadline, Department.sort_order))
        by_matter: dict[int, list] = {}
        for part in late:
            by_matter.setdefault(part.joint_id, []).append(part)
        for parts in by_matter.values():
            names = "、".join(p.department.short_name or p.department.name for p in parts)
            out.append(reminders.Reminder(
                area=AREA, text=f"联办事项“{parts[0].joint.project}”在{names}逾期未会签",
                url=url_for("joint.detail", matter_id=parts[0].joint_id), deadline=parts[0].deadline,
                overdue=True, endpoint=ENDPOINT))
    return out
