"""Reminders are registered by create_app from an explicit list (issue 16 §3): every module that marks a
source is on the list, and marking alone registers nothing."""
from __future__ import annotations

import importlib
import inspect
import pathlib
import types

import portal
from portal import reminders


def test_every_module_with_reminder_sources_is_registered_by_create_app(app):
    root = pathlib.Path(portal.__file__).parent
    marking = {str(p.relative_to(root).with_suffix("")).replace("/", ".")
               for p in root.rglob("*.py") if "@reminders.source" in p.read_text(encoding="utf-8")}
    marking.discard("reminders")  # the docstring's example
    assert marking == set(portal.REMINDER_MODULES)
    for name in portal.REMINDER_MODULES:
        module = importlib.import_module(f"portal.{name}")
        marked = [f for f in vars(module).values() if inspect.isfunction(f) and getattr(f, "is_reminder_source", False)]
        assert marked and all(f in reminders._sources for f in marked), name


def test_marking_a_source_registers_nothing_until_its_module_is_registered():
    @reminders.source
    def stray(user, today):
        return []

    assert stray not in reminders._sources
    module = types.SimpleNamespace(stray=stray)
    reminders.register(module)
    try:
        assert reminders._sources.count(stray) == 1
        reminders.register(module)  # twice: still once
        assert reminders._sources.count(stray) == 1
    finally:
        reminders._sources.remove(stray)
