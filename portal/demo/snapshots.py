"""Demo step "snapshots": ninety days of daily snapshots (每日快照) before today, so that the dashboard's
trend chart has a line. Today's figures are computed from the demo city; the days before rise towards
them as the departments did their work."""
from __future__ import annotations

import datetime as dt
import json

from .. import metrics, snapshots
from ..models import DailySnapshot

DAYS = 90
RATES = ("inclusion_rate", "compliance_rate", "on_time_rate", "one_visit_rate", "online_rate", "satisfaction_rate")
COUNTS_DOWN = ("pending", "unassigned", "ledger_overdue", "reports_open", "bad_open", "documents_missing")


def seed(ctx) -> None:
    today_figures = snapshots.snapshot_figures(metrics.compute(ctx.today))
    existing = {row.day for row in DailySnapshot.select(DailySnapshot.day)}
    for back in range(DAYS, 0, -1):
        day = ctx.today - dt.timedelta(days=back)
        if day in existing:
            continue
        # progress 0 → 1 over the period: three months ago the city stood at about 60% of today's rates.
        progress = (DAYS - back) / DAYS
        figures = dict(today_figures)
        for key in RATES:
            value = today_figures.get(key)
            if value is not None:
                wobble = ctx.rng.uniform(-0.015, 0.015)
                figures[key] = round(min(1.0, max(0.0, value * (0.6 + 0.4 * progress) + wobble)), 4)
        for key in COUNTS_DOWN:
            value = today_figures.get(key) or 0
            figures[key] = int(round(value * (1.8 - 0.8 * progress)))
        departments = today_figures.get("departments") or 0
        figures["documents_missing"] = min(departments, figures["documents_missing"])
        figures["compliant_departments"] = min(departments, int(round(
            (today_figures.get("compliant_departments") or 0) * progress)))
        ctx.writer.create(DailySnapshot, day=day, figures=json.dumps(figures, ensure_ascii=False, sort_keys=True))
