"""Sorting, filtering and pagination for every table, driven by the query string so that a filtered
view is a link that can be shared and restored."""
from __future__ import annotations

import math
from dataclasses import dataclass
from urllib.parse import urlencode

from flask import current_app, request, url_for


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


def record_id(value) -> int | None:
    """The id of a record named in the query string or chosen in a form (?item=12), or None when the
    value is none: digits only, at most 18 of them — a 20-digit number names no record, and the database
    driver could not even compare it (an overflow, a 500)."""
    text = str(value if value is not None else "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else None


def paginate(query, size: int | None = None, total: int | None = None, fetch=list) -> Page:
    """Rows of the requested page (?page=N) of a peewee query: two queries whatever the size, or one
    when the caller already knows how many rows the query has (`total`). `fetch` turns the page's
    query into its rows (by default peewee's own)."""
    size = size or current_app.config.get("PAGE_SIZE", 50)
    try:
        number = max(1, int(request.args.get("page", 1)))
    except ValueError:
        number = 1
    if total is None:
        total = query.count()
    number = min(number, max(1, math.ceil(total / size)))
    rows = fetch(query.paginate(number, size))
    return Page(rows, number, size, total)


def paginate_list(rows: list, size: int) -> Page:
    """The requested page (?page=N) of rows already in memory (figures computed for every department)."""
    try:
        number = max(1, int(request.args.get("page", 1)))
    except ValueError:
        number = 1
    number = min(number, max(1, math.ceil(len(rows) / size)))
    return Page(rows[(number - 1) * size:number * size], number, size, len(rows))


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


class RowUrl:
    """``url_for(endpoint, **{key: id})`` for every row of a table, the URL built once.

    Why: werkzeug builds each URL anew (a few µs), and a page of 50 rows links each of its rows two or
    three times, a tenth of the page's time. The URL is built by url_for for a marker id, then each
    row's id takes the marker's place: url_for's own URL, whatever the rule or the prefix the portal is
    served under. For integer ids (an int converter writes them as they print)."""

    MARKER = 918273645

    def __init__(self, endpoint: str, key: str, **values):
        url = url_for(endpoint, **values, **{key: self.MARKER})
        self.before, marker, self.after = url.partition(str(self.MARKER))
        if not marker:  # a rule that does not write the id as it prints
            raise ValueError(f"{endpoint}: {key} not found in {url}")

    def __call__(self, value: int) -> str:
        return f"{self.before}{int(value)}{self.after}"
