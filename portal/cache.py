"""Figures remembered per data version: every write moves the version (portal.audit), so what was
computed for the current version is never older than the last write.

The portal's one cache: the dashboard's city figures (portal.metrics), each department's list
figures (portal.items.service) and the to-do panels (portal.reminders) all go through
`by_data_version`."""
from __future__ import annotations

import threading

from flask import current_app, has_app_context

from .models import DataVersion

MAX_ENTRIES = 1000  # past this the memory starts afresh


class _Memory(dict):
    """One named cache of an app: (data version, *key) → value, the newest version's entries only
    (older versions are never asked again once a write moved on), and one lock per key being computed,
    so that concurrent callers of the same key wait for one computation instead of each doing it."""

    def __init__(self):
        super().__init__()
        self.lock = threading.Lock()  # guards the dict, `latest` and `gates`
        self.latest = -1
        self.gates: dict[tuple, threading.Lock] = {}


_CREATE = threading.Lock()


def _memory(name: str) -> _Memory:
    memory = current_app.extensions.get(name)
    if memory is None:
        with _CREATE:
            memory = current_app.extensions.setdefault(name, _Memory())
    return memory


def by_data_version(name: str, switch: str, key: tuple, compute, version: int | None = None,
                    default: bool | None = None):
    """compute(), remembered in this process under (data version, *key) in the cache `name`.

    `version` is the data version the caller read before computing (read here when not given). The
    config setting `switch` turns the memory on or off; without it the memory is `default`, or, when
    that is None, off under TESTING, because tests count a page's queries cold and warm."""
    if not has_app_context():
        return compute()
    on = current_app.config.get(switch, (not current_app.testing) if default is None else default)
    if not on:
        return compute()
    memory = _memory(name)
    version = DataVersion.current() if version is None else version
    full_key = (version, *key)
    with memory.lock:
        found = memory.get(full_key)
        if found is not None:
            return found
        gate = memory.gates.setdefault(full_key, threading.Lock())
    with gate:
        found = memory.get(full_key)  # computed by another caller while this one waited
        if found is not None:
            return found
        try:
            found = compute()
        except BaseException:
            with memory.lock:
                memory.gates.pop(full_key, None)
            raise
        with memory.lock:
            if version > memory.latest:
                for old in [k for k in memory if k[0] < version]:
                    del memory[old]
                memory.latest = version
            if version == memory.latest:  # a caller still on an older version does not keep its result
                if len(memory) >= MAX_ENTRIES:
                    memory.clear()
                memory[full_key] = found
            memory.gates.pop(full_key, None)
    return found


def clear(name: str) -> None:
    """Forgets everything the cache `name` of the current app remembers."""
    if has_app_context():
        memory = current_app.extensions.get(name)
        if memory is not None:
            with memory.lock:
                memory.clear()
