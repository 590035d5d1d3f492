"""节假日安排: the office keeps the list of public holidays (法定节假日) and make-up working days
(调休上班日) that every working-day deadline counts with (承诺办结日期, 差评答复期限 …)."""
from __future__ import annotations

import datetime as dt

from flask import flash, redirect, render_template, request, url_for
from peewee import IntegrityError

from .. import clock
from ..access import office_required
from ..audit import write
from ..models import Holiday
from . import bp
from .forms import HolidayForm

WEEKDAYS = "一二三四五六日"


def _year() -> int:
    value = request.args.get("year", "")
    return int(value) if value.isdigit() and 2000 <= int(value) <= 2100 else clock.today().year


def _render(form: HolidayForm, status: int = 200):
    year = _year()
    days = list(Holiday.select().where(Holiday.day.between(dt.date(year, 1, 1), dt.date(year, 12, 31)))
                .order_by(Holiday.day))
    this_year = clock.today().year
    years = sorted({d.year for (d,) in Holiday.select(Holiday.day).tuples()} | {this_year, this_year + 1, year})
    return render_template("ledger/holidays.html", form=form, days=days, year=year, years=years,
                           weekdays=WEEKDAYS), status


@bp.route("/holidays", methods=["GET", "POST"])
@office_required
def holidays():
    """节假日安排: the year's holidays and make-up working days; the office adds a day here."""
    form = HolidayForm()
    if request.method == "GET":
        return _render(form)
    if not form.validate_on_submit():
        return _render(form, 422)
    if Holiday.get_or_none(Holiday.day == form.day.data) is not None:
        form.day.errors.append("该日期已在节假日安排中；如需更改，请先删除原记录")
        return _render(form, 422)
    try:
        with write() as w:
            w.create(Holiday, day=form.day.data, is_workday=form.kind.data == "on", name=form.name.data.strip())
    except IntegrityError:
        form.day.errors.append("该日期已在节假日安排中")
        return _render(form, 422)
    kind = "调休上班日" if form.kind.data == "on" else "法定节假日"
    flash(f"已添加{kind}：{form.day.data.isoformat()} {form.name.data.strip()}", "success")
    return redirect(url_for("ledger.holidays", year=form.day.data.year))


@bp.route("/holidays/<int:holiday_id>/delete", methods=["POST"])
@office_required
def holiday_delete(holiday_id: int):
    """删除节假日: removes one day from the list (asked for confirmation first; the log keeps it)."""
    day = Holiday.get_or_none(Holiday.id == holiday_id)
    if day is None:
        flash("该日期已不在节假日安排中。", "warning")
        return redirect(url_for("ledger.holidays"))
    with write() as w:
        w.delete(day)
    flash(f"已删除：{day.day.isoformat()} {day.name}", "success")
    return redirect(url_for("ledger.holidays", year=day.day.year))
