"""The one date field of every form (portal.forms.DateField, issue 16 §7): what it takes, and its one
Chinese error, naming the field."""
from __future__ import annotations

import datetime as dt

import pytest
from werkzeug.datastructures import MultiDict
from wtforms import Form
from wtforms.validators import Optional

from portal.forms import DateField, DateRequired, date_message


class _Form(Form):
    day = DateField("受理日期", validators=[DateRequired("请填写受理日期")])
    long = DateField("制度实施日期（断档天数自此日起计算）", what="制度实施日期", validators=[Optional()])


@pytest.mark.parametrize("typed, expected", [("2026-03-01", dt.date(2026, 3, 1)), ("2026-3-1", dt.date(2026, 3, 1)),
                                             (" 2026-11-26 ", dt.date(2026, 11, 26))])
def test_a_date_as_clerks_type_it(typed, expected):
    form = _Form(MultiDict({"day": typed}))
    assert form.validate() and form.day.data == expected


@pytest.mark.parametrize("typed", ["2026-02-30", "2026/11/26", "昨天", "26.11.2026", "2026-13-01"])
def test_a_malformed_date_names_the_field(typed):
    form = _Form(MultiDict({"day": typed, "long": typed}))
    assert not form.validate()
    assert form.day.errors == [date_message("受理日期")] == ["请按“年-月-日”填写受理日期，例如 2026-03-01。"]
    assert form.long.errors == [date_message("制度实施日期")]  # a long label gives a short name


def test_an_empty_box_is_no_date_left_to_the_validators():
    form = _Form(MultiDict({"day": "  ", "long": ""}))
    assert not form.validate()
    assert form.day.errors == ["请填写受理日期"] and form.long.errors == [] and form.long.data is None
