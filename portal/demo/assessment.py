"""Demo step "assessment": the leading group's assessment (考核). Last year (2025年度) and the first half
of this year (2026年上半年) are locked (定稿), each with its own scoring and closing paragraph, so that
the report and the comparison show rank changes; this year (2026年度) is open, with a preview taken a
month ago, so that the office sees who moved since."""
from __future__ import annotations

import datetime as dt
import json

from .. import rules
from ..assessment import service
from ..models import AssessmentPeriod

CLOSING = ("各部门要对照本通报反映的问题，于下月底前完成整改并书面报协调办。\n"
           "协调办将结合日常抽查，对整改情况进行跟踪问效，考核结果纳入年度“放管服”改革综合考评。")


def _scoring(**weights) -> str:
    scoring = rules.default_scoring()
    for key, value in weights.items():
        if key.startswith("rule_"):
            scoring["rules"][key[5:]] = value
        else:
            scoring["rates"][key] = value
    return json.dumps(scoring)


def seed(ctx) -> None:
    w, today = ctx.writer, ctx.today
    office = ctx.users.get("office")
    year = today.year
    periods = [
        # Last year's scoring weighed being on duty (规则3、5) and the ledger more.
        (f"{year - 1}年度", dt.date(year - 1, 1, 1), dt.date(year - 1, 12, 31),
         _scoring(rule_3=2.0, rule_5=3.0, on_time_rate=2.0, satisfaction_rate=0.5)),
        (f"{year}年上半年", dt.date(year, 1, 1), dt.date(year, 6, 30), _scoring()),
        (f"{year}年度", dt.date(year, 1, 1), dt.date(year, 12, 31), _scoring()),
    ]
    made = []
    for name, start, end, scoring in periods:
        made.append(w.create(AssessmentPeriod, name=name, start_date=start, end_date=end, cutoff=end, scoring=scoring,
                             closing=CLOSING, created_at=dt.datetime.combine(end + dt.timedelta(days=1), dt.time(9, 0))
                             if end < today else dt.datetime.combine(today, dt.time(9, 0))))
    for period in made[:2]:
        if service.lock_problem(period, today) is None:
            service.lock(w, period, office, today)
    # The open period's last preview, a month ago.
    open_period = made[2]
    service.save_preview(w, open_period, service.compute(open_period, today - dt.timedelta(days=30)))
