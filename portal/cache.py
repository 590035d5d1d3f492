"""Figures remembered per data version: every write moves the version (portal.audit), so what was
computed for the current version is never older than the last write."""
from __future__ import annotations

from flask import current_app, has_app_context

from .models import DataVersion

MAX_ENTRIES = 1000  # past this the memory starts afresh: old versions are never asked again


def by_data_version(name: str, switch: str, key: tuple, compute):
    """compute(), remembered in this process under (data version, *key) in the cache `name`.

    The config setting `switch` turns the memory on or off; it is off under TESTING by default, because
    tests count a page's queries cold and warm."""
    if not has_app_context() or not current_app.config.get(switch, not current_app.testing):
        return compute()
    cache = current_app.extensions.setdefault(name, {})
    full_key = (DataVersion.current(), *key)
    found = cache.get(full_key)
    if found is None:
        if len(cache) >= MAX_ENTRIES:
            cache.clear()
        found = cache[full_key] = compute()
    return found
