"""The demo city of Chibi (演示数据): 33 departments with their items, and — step by step, one module per
area — officers with histories, letters, lists in every state, ledger matters, evaluations, a joint
matter. Each step is a module of this package with `seed(ctx)`; a step whose module is absent is
skipped, so an area adds its demo data without editing the others.

The demo password is set here and nowhere else.
"""
from __future__ import annotations

import importlib
import importlib.util
import random
from dataclasses import dataclass, field

from .. import clock
from ..audit import write

DEMO_PASSWORD = "chibi-demo-2026"

# Order matters: officers before lists are approved, items before the ledger, the ledger before
# joint matters and oversight reviews.
STEPS = ("base", "officers", "lists", "ledger", "evaluations", "joint", "documents", "oversight", "cases", "logins",
         "snapshots", "assessment")


@dataclass
class Context:
    """What the steps share: the writer, today, a seeded random source, departments by code."""

    writer: object
    today: object
    rng: random.Random
    departments: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)
    extra: dict = field(default_factory=dict)


def load_demo() -> Context:
    """Load every step in one transaction: a half-loaded demo city is worse than none."""
    with write(username="演示数据") as w:
        ctx = Context(writer=w, today=clock.today(), rng=random.Random(20260810))
        for name in STEPS:
            module_name = f"{__name__}.{name}"
            if importlib.util.find_spec(module_name) is None:
                continue
            importlib.import_module(module_name).seed(ctx)
    return ctx


def print_logins(echo=print) -> None:
    """The demo logins, printed by `make run`."""
    from ..models import Department

    echo("")
    echo("演示账号（密码均为 %s）：" % DEMO_PASSWORD)
    echo("  office   协调办（市政务服务和大数据管理局）")
    echo("  leader   领导小组（只读）")
    for dept in Department.active_ordered():
        echo(f"  {dept.code:8s} {dept.name}")
    echo("")
