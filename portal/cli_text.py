"""`flask check-text [--fix]`: the records stored before the input filter (forms.clean_text) that hold
control characters or bidirectional marks (输入文字检查), listed and, with --fix, cleaned.

    flask --app wsgi check-text          # lists them; exit code 1 when there are any
    flask --app wsgi check-text --fix    # cleans them, one audit entry per record (action check_text)

A record is cleaned as the filter would have taken it in: CRLF and CR become LF, the other control
characters (tab and line feed excepted) and the bidi marks are removed, and the text is NFC. Nothing
else about the text changes. The audit log itself, sessions, login attempts and snapshots are history,
not typed text, and are left as they are."""
from __future__ import annotations

import re
import unicodedata

import click
from peewee import CharField, TextField

from . import models, rules
from .audit import write
from .db import db

SKIPPED = {models.AuditLog, models.LoginSession, models.LoginAttempt, models.DataVersion, models.DailySnapshot}
_NOT_SECRET = lambda name: not name.endswith(("password_hash", "token", "_hash"))  # noqa: E731
_CONTROL = "".join(chr(c) for c in [*range(0x00, 0x09), *range(0x0b, 0x20), *range(0x7f, 0xa0)])
_BAD = re.compile("[" + re.escape(_CONTROL) + "".join(chr(c) for c in sorted(rules.BIDI_CONTROLS)) + "]")


def bad_characters(text: str) -> list[str]:
    """The characters of a stored text that the input filter would not have let in, as U+XXXX, once each."""
    return list(dict.fromkeys(f"U+{ord(ch):04X}" for ch in _BAD.findall(text)))


def cleaned(text: str) -> str:
    """A stored text as the input filter would have taken it in (see the module's docstring)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = rules.strip_bidi(text)
    text = "".join(ch for ch in text if ch in "\t\n" or unicodedata.category(ch) != "Cc")
    return unicodedata.normalize("NFC", text)


def _text_fields(model) -> list:
    return [f for f in model._meta.sorted_fields
            if isinstance(f, (CharField, TextField)) and _NOT_SECRET(f.name) and not f.primary_key]


def problems():
    """(model, record, {field name: [U+XXXX …]}) of every stored record holding such characters."""
    for model in models.ALL_MODELS:
        if model in SKIPPED:
            continue
        fields = _text_fields(model)
        if not fields:
            continue
        for record in model.select().order_by(model._meta.primary_key):
            found = {}
            for f in fields:
                value = getattr(record, f.name)
                if isinstance(value, str) and _BAD.search(value):
                    found[f.name] = bad_characters(value)
            if found:
                yield model, record, found


def init_app(app) -> None:
    @app.cli.command("check-text")
    @click.option("--fix", is_flag=True, help="Clean the records found, with an audit entry each.")
    def check_text(fix):
        """List (and with --fix clean) stored texts holding control characters or bidi marks (输入文字检查)."""
        with db.connection_context():
            found = list(problems())
            for model, record, fields in found:
                where = ", ".join(f"{name}: {' '.join(chars)}" for name, chars in fields.items())
                click.echo(f"{model._meta.table_name} #{record._pk}  {where}")
            if not found:
                click.echo("没有含控制字符或方向控制字符的记录。")
                return
            if not fix:
                click.echo(f"共 {len(found)} 条记录含不可见的控制字符；加 --fix 可清理（每条记录记入操作日志）。")
                raise SystemExit(1)
            with write(username="cli") as w:
                for _, record, fields in found:
                    w.update(record, action="check_text",
                             **{name: cleaned(getattr(record, name)) for name in fields})
            click.echo(f"已清理 {len(found)} 条记录。")
