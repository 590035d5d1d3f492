"""The daily snapshot (每日快照) has its own module and its own writers — the CLI and the server's job —
and the dashboard's figures only read (portal/metrics.py imports nothing that writes); the figures'
one cache (portal/cache.py) keeps only the newest data version."""
from __future__ import annotations

import ast
import json
import pathlib

from portal import cache, metrics, snapshots
from portal.audit import write
from portal.models import DailySnapshot
from tests.conftest import TODAY

PORTAL = pathlib.Path(metrics.__file__).parent


def imported_modules(path: pathlib.Path) -> set[str]:
    tree = ast.parse(path.read_text())
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            out.add(node.module or "")
            out.update(f"{node.module or ''}.{a.name}".lstrip(".") for a in node.names)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
    return out


def test_metrics_imports_nothing_that_writes():
    modules = imported_modules(PORTAL / "metrics.py")
    assert not {m for m in modules if "audit" in m or m.endswith("snapshots") or m.endswith(".write")}


def test_the_servers_job_starts_once_per_process_and_stops(app, world):
    job = snapshots.start_daily(app)
    try:
        assert snapshots.start_daily(app) is job and job.thread.is_alive()
    finally:
        job.stop()
        job.thread.join(timeout=60)
    assert not job.thread.is_alive()
    with app.app_context():
        assert DailySnapshot.select().count() <= 1  # whether it ran before it was stopped or not


def test_take_snapshot_writes_through_the_audit_path(app, world):
    with app.app_context():
        assert snapshots.take_snapshot(TODAY) is True
        assert snapshots.take_snapshot(TODAY) is False
        row = DailySnapshot.get(DailySnapshot.day == TODAY)
        assert snapshots.snapshot_figures(metrics.compute(TODAY)) == json.loads(row.figures)


def test_the_cache_keeps_only_the_newest_versions_entries(app, world):
    app.config["SOME_CACHE"] = True
    with app.app_context():
        cache.by_data_version("some", "SOME_CACHE", ("a",), lambda: 1)
        cache.by_data_version("some", "SOME_CACHE", ("b",), lambda: 2)
        assert len(app.extensions["some"]) == 2
        with write(username="test") as w:
            w.update(world.gaj, short_name="公安")
        assert cache.by_data_version("some", "SOME_CACHE", ("a",), lambda: 3) == 3
        assert list(app.extensions["some"].values()) == [3]  # the older version's entries are gone
        # A caller that read an older version before a write gets its own result, which is not kept.
        old = min(k[0] for k in app.extensions["some"]) - 1
        assert cache.by_data_version("some", "SOME_CACHE", ("a",), lambda: 4, version=old) == 4
        assert list(app.extensions["some"].values()) == [3]
        cache.clear("some")
        assert not app.extensions["some"]


def test_the_dashboards_figures_are_remembered_even_under_testing(app, world):
    with app.app_context():
        assert metrics.city_figures(TODAY) is metrics.city_figures(TODAY)
        metrics.clear_cache()
        app.config["METRICS_CACHE"] = False
        assert metrics.city_figures(TODAY) is not metrics.city_figures(TODAY)
