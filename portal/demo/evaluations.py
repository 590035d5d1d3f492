"""Demo step "evaluations": about 150 public ratings (好差评) of the last months — mostly 非常满意 and
满意, some 基本满意, and a handful of bad reviews: three answered on time, one answered late, one open
past its deadline and one open within it."""
from __future__ import annotations

import datetime as dt
import hashlib

from .. import rules
from ..models import Evaluation, Holiday, Matter, Setting

GOOD_COMMENTS = [
    "首席服务员全程帮办，一次就办好了，非常感谢！", "窗口服务热情，材料一次性告知清楚。", "比承诺时间提前办结，点赞。",
    "上门服务，省去了来回跑，很贴心。", "网上申请很方便，进度随时能查。", "态度好，效率高。", "办事流程清楚，不用反复跑。",
    "", "", "", "", "",
]
FAIR_COMMENTS = ["整体还行，排队时间有点长。", "材料清单还可以再简化一些。", "", "电话不太好打通。"]
BAD = [
    # (comment, how it went): on_time / late / open_overdue / open_recent
    ("窗口人员让我回去补材料，但第一次没有一次性说清楚，跑了三趟。", "on_time"),
    ("承诺5个工作日办结，实际拖了两周，也没人主动告知进度。", "on_time"),
    ("中午去办事窗口没人，等了一个多小时。", "on_time"),
    ("电话一直无人接听，问题得不到答复。", "late"),
    ("办理人员态度生硬，对政策解释不清楚。", "open_overdue"),
    ("网上提交后被退回，退回理由写得不清楚。", "open_recent"),
]
ANSWERS = {
    "verified": "经调取窗口服务记录并与评价人核实，评价反映的情况基本属实。",
    "remedy": "已对窗口人员进行批评教育，完善一次性告知清单，落实首问负责和午间延时服务。",
    "callback": "已电话回访评价人，告知整改情况，评价人表示认可。",
}


def _hash(rng) -> str:
    return hashlib.sha256(rng.randbytes(16)).hexdigest()


def _at(day: dt.date, rng) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(rng.randint(8, 17), rng.randint(0, 59), rng.randint(0, 59)))


def seed(ctx) -> None:
    w, rng, today = ctx.writer, ctx.rng, ctx.today
    departments = list(ctx.departments.values())
    if not departments:
        return
    calendar = Holiday.calendar()
    answer_days = int(Setting.get_value("evaluation_answer_days") or 5)
    # Departments with more ledger matters see more ratings; matter references come from the ledger.
    refs: dict[int, list[str]] = {}
    for dept_id, project in Matter.select(Matter.department, Matter.project).tuples():
        refs.setdefault(dept_id, []).append(project)
    weights = [1 + len(refs.get(d.id, [])) for d in departments]

    def make(dept, level, day, comment, **answer):
        ref = rng.choice(refs[dept.id]) if refs.get(dept.id) and rng.random() < 0.4 else ""
        deadline = rules.add_working_days(day, answer_days, *calendar) if rules.is_bad_review(level) else None
        return w.create(Evaluation, department=dept, level=level, comment=comment, matter_ref=ref[:100],
                        created_at=_at(day, rng), address_hash=_hash(rng), deadline=deadline, **answer)

    for _ in range(144):
        dept = rng.choices(departments, weights)[0]
        level = rng.choices((5, 4, 3), (64, 27, 9))[0]
        day = rules.add_working_days(today, -rng.randint(0, 110), *calendar)
        make(dept, level, day, rng.choice(FAIR_COMMENTS if level == 3 else GOOD_COMMENTS))

    busy = sorted(departments, key=lambda d: -len(refs.get(d.id, [])))[:6]
    for (comment, how), dept in zip(BAD, busy):
        level = rng.choice(rules.BAD_LEVELS)
        user = ctx.users.get(dept.code)
        if how == "open_recent":
            make(dept, level, rules.add_working_days(today, -1, *calendar), comment)
        elif how == "open_overdue":
            make(dept, level, rules.add_working_days(today, -(answer_days + 4), *calendar), comment)
        else:
            day = rules.add_working_days(today, -rng.randint(25, 80), *calendar)
            deadline = rules.add_working_days(day, answer_days, *calendar)
            answered = (rules.add_working_days(day, rng.randint(1, answer_days), *calendar) if how == "on_time"
                        else rules.add_working_days(deadline, 3, *calendar))
            make(dept, level, day, comment, answered_at=_at(answered, rng), answered_by=user, **ANSWERS)
