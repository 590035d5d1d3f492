"""Forms of the officers area: the officer's particulars (附件3), appointing, issuing a letter, settings."""
from __future__ import annotations

import re

from ..forms import DateField, DateRequired, PortalForm
from wtforms import SelectField, StringField
from wtforms.validators import AnyOf, DataRequired, Length, Optional, ValidationError

from .. import clock, rules

PHONE = re.compile(r"^[0-9０-９\-－ ()（）转]{7,30}$")
MOBILE = re.compile(r"^1[3-9][0-9]{9}$")


def not_in_future(form, field):
    if field.data and field.data > clock.today():
        raise ValidationError("日期不能晚于今天。")


def phone(form, field):
    if field.data and not PHONE.match(field.data.strip()):
        raise ValidationError("请填写正确的电话号码，如 0715-5321234。")


def mobile(form, field):
    if field.data and not MOBILE.match(field.data.strip()):
        raise ValidationError("手机号码应为11位数字，如 13907151234。")


def plausible_birth(form, field):
    if field.data is None:
        return
    age = rules.age_on(field.data, clock.today())
    if not 18 <= age <= 70:
        raise ValidationError("出生日期不合理：首席服务员年龄应在18至70岁之间。")


class PersonForm(PortalForm):
    """The officer's particulars, as in the roster (附件3)."""

    name = StringField("姓名", validators=[DataRequired("请填写姓名。"), Length(max=40, message="姓名最长40个字。")])
    gender = SelectField("性别", choices=[("", "请选择")] + [(g, g) for g in rules.GENDERS], validate_choice=False,
                         validators=[DataRequired("请选择性别。"), AnyOf(rules.GENDERS, message="性别须为“男”或“女”。")])
    birth_date = DateField("出生日期", validators=[Optional(), plausible_birth])
    position = StringField("工作单位（股室）及职位", validators=[DataRequired("请填写工作单位（股室）及职位。"),
                                                        Length(max=100, message="最长100个字。")])
    work_phone = StringField("办公电话", validators=[DataRequired("请填写办公电话（公开）。"), Length(max=40), phone])
    mobile = StringField("手机", validators=[Optional(), Length(max=40), mobile])
    note = StringField("备注", validators=[Optional(), Length(max=200, message="备注最长200个字。")])

    PERSON_FIELDS = ("name", "gender", "birth_date", "position", "work_phone", "mobile", "note")

    def person(self) -> dict:
        """The particulars as model fields, trimmed."""
        out = {}
        for name in self.PERSON_FIELDS:
            value = getattr(self, name).data
            out[name] = value.strip() if isinstance(value, str) else value
        out["mobile"] = out["mobile"] or ""
        out["note"] = out["note"] or ""
        return out


class AppointForm(PersonForm):
    """任命首席服务员: the particulars and the first day of the term."""

    term_start = DateField("任期开始日期", validators=[DateRequired("请填写任期开始日期。"), not_in_future])


class EditForm(PersonForm):
    """修改首席服务员信息 (not the term: only a tenure-change report changes a term)."""


class IssueForm(PortalForm):
    """签发授权委托书."""

    issue_date = DateField("签发日期", validators=[DateRequired("请填写签发日期。")])


class SettingsForm(PortalForm):
    """首席服务员设置 (office): the system's start date, from which gap days are counted."""

    system_start = DateField("制度实施日期（断档天数自此日起计算）", what="制度实施日期",
                            validators=[DateRequired("请填写制度实施日期。"), not_in_future])

    def validate_system_start(self, field):
        if field.data and field.data.year < 2000:
            raise ValidationError("制度实施日期不能早于2000年。")
