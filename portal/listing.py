"""Sorting, filtering and pagination for every table, driven by the query string so that a filtered
view is a link that can be shared and restored."""
from __future__ import annotations

import math
from dataclasses import dataclass
from urllib.parse import urlencode

from flask import current_app, request


@dataclass
class Page:
    """One page of a query's rows, with what the template needs to draw the pager."""

    rows: list
    number: int
    size: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.size))

    @property
    def has_prev(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    def url(self, number: int) -> str:
        return query_url(page=number)


def query_url(**changes) -> str:
    """The current URL with some query parameters changed (None removes one)."""
    args = request.args.to_dict()
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = value
    qs = urlencode(args)
    return request.path + ("?" + qs if qs else "")


def paginate(query, size: int | None = None) -> Page:
    """Rows of the requested page (?page=N) of a peewee query: two queries whatever the size."""
    size = size or current_app.config.get("PAGE_SIZE", 50)
    try:
        number = max(1, int(request.args.get("page", 1)))
    except ValueError:
        number = 1
    total = query.count()
    number = min(number, max(1, math.ceil(total / size)))
    rows = list(query.paginate(number, size))
    return Page(rows, number, size, total)


def sort(query, columns: dict, default: str):
    """Order a query by ?sort=key (or -key for descending) among the allowed columns."""
    key = request.args.get("sort", default)
    desc = key.startswith("-")
    name = key.lstrip("-")
    if name not in columns:
        name, desc = default.lstrip("-"), default.startswith("-")
    column = columns[name]
    return query.order_by(column.desc() if desc else column.asc()), ("-" if desc else "") + name


def sort_link(column: str, current: str) -> str:
    """The URL that sorts by `column`, flipping the direction when it is already the sort."""
    new = "-" + column if current == column else column
    return query_url(sort=new, page=None)
