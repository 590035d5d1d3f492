"""Figures remembered per data version (portal/cache.py)."""
from __future__ import annotations

from portal import cache
from portal.audit import write


def counter():
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    return calls, compute


def test_remembered_until_a_write_moves_the_version(app, world):
    app.config["SOME_CACHE"] = True
    calls, compute = counter()
    with app.app_context():
        assert cache.by_data_version("some", "SOME_CACHE", ("k",), compute) == 1
        assert cache.by_data_version("some", "SOME_CACHE", ("k",), compute) == 1
        assert cache.by_data_version("some", "SOME_CACHE", ("other",), compute) == 2
        with write(username="test") as w:
            w.update(world.gaj, short_name="公安")
        assert cache.by_data_version("some", "SOME_CACHE", ("k",), compute) == 3
    assert len(calls) == 3


def test_off_under_testing_unless_switched_on(app, world):
    calls, compute = counter()
    with app.app_context():
        cache.by_data_version("some", "SOME_CACHE", ("k",), compute)
        cache.by_data_version("some", "SOME_CACHE", ("k",), compute)
    assert len(calls) == 2


def test_the_memory_is_bounded(app, world, monkeypatch):
    app.config["SOME_CACHE"] = True
    monkeypatch.setattr(cache, "MAX_ENTRIES", 3)
    calls, compute = counter()
    with app.app_context():
        for n in range(10):
            cache.by_data_version("some", "SOME_CACHE", (n,), compute)
        assert len(app.extensions["some"]) <= 3
