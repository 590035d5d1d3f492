"""The import graph has no arrow running back up the layers (issue 16 §3), as CONTRIBUTING.md draws
them: each module of the portal imports only from layers below its own. Areas (the blueprints) may use
one another's service sideways, without a cycle; so may the entry points at the top. A new module
must be placed in LAYERS, or this test fails."""
from __future__ import annotations

import ast
import collections
import pathlib
import sys

import portal

ROOT = pathlib.Path(portal.__file__).parent
AREAS = set(portal.AREAS)
# Lowest first, as in CONTRIBUTING.md's picture (which lists them highest first).
LAYERS = {
    "rules": 0, "clock": 0, "config": 0,
    "db": 1,
    "models": 2,
    "cache": 3, "audit": 3, "access": 3, "listing": 3, "htmx": 3, "uploads": 3, "qr": 3, "svg": 3,
    "forms": 4, "security": 4, "reminders": 4, "metrics": 4,
    "files": 5, "snapshots": 5, "poll": 5, "filters": 5,
    **{area: 6 for area in AREAS},
    "demo": 7, "cli": 7, "cli_ops": 7, "cli_text": 7, "backup": 7, "__init__": 7,
}
SIDEWAYS = {6, 7}  # areas, and the entry points (create_app, the CLI, the demo city)


def _unit(module: str) -> str:
    """portal.items.views → items; portal.rules → rules; portal → __init__."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def import_graph() -> dict[str, set[str]]:
    """Unit → the units it imports (relative and absolute imports of portal.*)."""
    edges: dict[str, set[str]] = collections.defaultdict(set)
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT.parent).with_suffix("").parts
        module = ".".join(rel[:-1] if rel[-1] == "__init__" else rel)
        package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets = []
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - node.level + 1]
                    target = ".".join(base + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                # `from .. import rules` names a module; `from ..models import X` names the module above X.
                targets = [f"{target}.{a.name}" if target == "portal" else target for a in node.names]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            for target in targets:
                if target == "portal" or target.startswith("portal."):
                    if _unit(target) != _unit(module):
                        edges[_unit(module)].add(_unit(target))
    return edges


def test_every_module_has_its_layer():
    units = {p.stem if p.parent == ROOT else p.relative_to(ROOT).parts[0] for p in ROOT.rglob("*.py")}
    assert units - set(LAYERS) == set(), "place these modules in LAYERS (and in CONTRIBUTING.md)"


def test_no_import_runs_up_the_layers():
    upward = [f"{a} ({LAYERS[a]}) → {b} ({LAYERS[b]})" for a, bs in import_graph().items() for b in bs
              if LAYERS[b] > LAYERS[a] or (LAYERS[b] == LAYERS[a] and LAYERS[a] not in SIDEWAYS)]
    assert upward == []


def test_sideways_imports_make_no_cycle():
    graph = import_graph()
    state: dict[str, int] = {}

    def visit(unit, path):
        if state.get(unit) == 1:
            raise AssertionError("import cycle: " + " → ".join(path + [unit]))
        if state.get(unit) == 2:
            return
        state[unit] = 1
        for nxt in sorted(graph.get(unit, ())):
            if LAYERS[nxt] == LAYERS[unit]:
                visit(nxt, path + [unit])
        state[unit] = 2

    for unit in sorted(graph):
        visit(unit, [])


def test_metrics_imports_nothing_that_writes():
    """metrics.py only reads: neither it nor anything it imports reaches the write path."""
    graph, seen, todo = import_graph(), set(), ["metrics"]
    while todo:
        unit = todo.pop()
        if unit not in seen:
            seen.add(unit)
            todo.extend(graph.get(unit, ()))
    assert seen & {"audit", "snapshots", "security"} == set(), seen


def test_the_check_sees_an_upward_arrow(monkeypatch):
    """rules importing models would be caught."""
    real = import_graph()
    real["rules"].add("models")
    monkeypatch.setattr(sys.modules[__name__], "import_graph", lambda: real)
    try:
        test_no_import_runs_up_the_layers()
    except AssertionError as exc:
        assert "rules (0) → models (2)" in str(exc)
    else:
        raise AssertionError("the upward import was not seen")


def test_every_area_has_the_one_shape():
    """Each area is a package whose routes are in views.py, its forms in forms.py and its reminder
    sources in reminders.py — nowhere else in the portal."""
    for area in AREAS:
        assert (ROOT / area / "__init__.py").exists() and (ROOT / area / "views.py").exists(), area
    for path in ROOT.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        where = path.relative_to(ROOT).as_posix()
        if "@bp.route" in text:
            assert path.name == "views.py" and path.parent.name in AREAS, where
        if "@reminders.source" in text and path != ROOT / "reminders.py":  # where the decorator is defined
            assert path.name == "reminders.py" and path.parent.name in AREAS, where
        if "(PortalForm)" in text and path.parent != ROOT:
            assert path.name == "forms.py", where
    registered = {name.split(".")[0] for name in portal.REMINDER_MODULES}
    assert registered == {p.parent.name for p in ROOT.glob("*/reminders.py")}


def test_views_build_no_queries():
    """A view reads the request, calls a model or service function and renders: the queries are named
    in the domain on the models (ServiceItem.listed, OversightReview.with_creator …) or in service.py."""
    built = {area: (ROOT / area / "views.py").read_text(encoding="utf-8").count(".select(") for area in AREAS}
    assert {area: n for area, n in built.items() if n} == {}
