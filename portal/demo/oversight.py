"""Demo step "oversight" (抽查): the office's review of last quarter's finished matters, drawn the way the
portal draws (recorded seed, rate and minimum from the settings). Most sampled matters are 规范; of
those that need putting right, one was answered on time and closed, one answered late and waits for
the office, one was sent back, and one is still open past its deadline. Needs the ledger step's
finished matters; without them there is no review."""
from __future__ import annotations

import datetime as dt

from .. import rules
from ..models import Holiday, Matter, OversightReview, ReviewFinding, Setting
from ..oversight.service import create_review, previous_quarter

REQUIREMENTS = [
    ("受理单缺少申请人签字，未按规定留存一次性告知书。", "已补签受理单，一次性告知书已归档，并在窗口组织全员学习受理规范。"),
    ("办结时间超过承诺时限，台账未说明延期原因。", "已在台账补录延期原因，并建立临近时限提醒，每周由首席服务员核查。"),
    ("现场核查记录不完整，缺少核查人员签字和照片。", "已补齐现场核查记录及照片，修订现场核查记录表，增加签字栏。"),
    ("审批意见表中“终审”签字人与授权委托书不符。", "经核实系录入错误，已更正台账，并对首席服务员授权范围重新培训。"),
]


def _working_day_after(day, n, calendar):
    return rules.add_working_days(day, n, *calendar)


def seed(ctx) -> None:
    w, rng, today = ctx.writer, ctx.rng, ctx.today
    if not ctx.departments or not Matter.select().where(Matter.status == rules.MATTER_DONE).exists():
        return
    calendar = Holiday.calendar()
    # The last quarter that ended long enough ago for its answer deadline to have passed.
    start, end, name = previous_quarter(today)
    if end > today - dt.timedelta(days=30):
        start, end, name = previous_quarter(start)
    created = _working_day_after(end, 5, calendar)
    deadline = _working_day_after(created, int(Setting.get_value("oversight_answer_days")), calendar)
    dept_ids = [d.id for d in ctx.departments.values() if d.active]
    pools = OversightReview.finished_matter_ids(dept_ids, start, end)
    if not any(pools.values()):
        # The ledger's matters may all be more recent: review everything finished up to last month.
        start, end, name = today - dt.timedelta(days=365), today - dt.timedelta(days=30), "近一年"
        created = _working_day_after(end, 5, calendar)
        deadline = _working_day_after(created, int(Setting.get_value("oversight_answer_days")), calendar)
        if not any(OversightReview.finished_matter_ids(dept_ids, start, end).values()):
            return
    review, drawn = create_review(
        w, title=f"{name}放权事项抽查", period_start=start, period_end=end, department_ids=dept_ids,
        rate=float(Setting.get_value("oversight_rate")), minimum=int(Setting.get_value("oversight_minimum")),
        deadline=deadline, seed=rng.randrange(10**9), created_by=ctx.users.get("office"),
        created_at=dt.datetime.combine(created, dt.time(9, 30)))
    findings = list(ReviewFinding.select().where(ReviewFinding.review == review).order_by(ReviewFinding.id))
    if not findings:
        return
    # Spread the 需整改 findings over different departments where possible.
    by_dept: dict[int, list] = {}
    for f in findings:
        by_dept.setdefault(f.department_id, []).append(f)
    firsts = [fs[0] for fs in by_dept.values()]
    rng.shuffle(firsts)
    fixes = firsts[:4] if len(firsts) >= 4 else findings[:4]
    fix_ids = {f.id for f in fixes}
    for f in findings:
        if f.id not in fix_ids:
            w.update(f, action="finding", finding=rules.FINDING_OK)
    on_time_day = min(_working_day_after(created, 6, calendar), deadline, today)
    late_day = min(_working_day_after(deadline, 3, calendar), today)
    for n, f in enumerate(fixes):
        requirement, answer = REQUIREMENTS[n % len(REQUIREMENTS)]
        w.update(f, action="finding", finding=rules.FINDING_FIX, requirement=requirement)
        if n == 0:  # answered on time, closed by the office
            w.update(f, action="answer", answer=answer, answered_on=on_time_day)
            w.update(f, action="close", closed=True)
        elif n == 1:  # answered after the deadline, waiting for the office
            w.update(f, action="answer", answer=answer, answered_on=late_day)
        elif n == 2:  # answered on time, sent back, not answered again yet
            w.update(f, action="answer", answer="已责令整改。", answered_on=on_time_day)
            w.update(f, action="return", answered_on=None,
                     return_comment="答复过于笼统，请说明具体整改措施并附整改后的材料。")
        # n == 3: never answered, open past its deadline
