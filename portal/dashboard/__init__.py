"""首页与看板 — each user's home page with the to-do panel, and the office's dashboard."""
import click
from flask import Blueprint

bp = Blueprint("dashboard", __name__)


@bp.cli.command("snapshot")
@click.option("--date", "day", default=None, help="The day to store (YYYY-MM-DD); default today.")
def snapshot_command(day):
    """Store the day's city figures as its daily snapshot (每日快照), replacing an earlier one of the
    same day: `flask --app wsgi dashboard snapshot`, e.g. from cron shortly before midnight."""
    import datetime as dt

    from .. import clock, snapshots
    from ..db import db

    try:
        when = dt.date.fromisoformat(day) if day else clock.today()
    except ValueError:
        raise click.ClickException("日期格式应为 YYYY-MM-DD，例如 2026-11-26。") from None
    with db.connection_context():
        snapshots.take_snapshot(when, replace=True)
    click.echo(f"已保存 {when.isoformat()} 的每日快照。")


from . import views  # noqa: E402,F401
