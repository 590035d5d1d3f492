"""一事联办 — forms: opening a joint matter, the countersignature (会签), material received, notes.

Checks that need the database (whose investor, whose item, which officer) are made by the views'
helpers after `validate()`, and land on the field they concern like every other error."""
from __future__ import annotations

import datetime as dt
import re

from ..forms import DateField, DateRequired, PortalForm, TextMeta
from wtforms import FieldList, Form, FormField, RadioField, SelectField, StringField, TextAreaField
from wtforms.i18n import get_translations
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from .. import rules
from .service import DAYS_MAX, DAYS_MIN, INVESTOR_EXISTING, INVESTOR_NEW, VISITS_MAX, parse_int

PHONE = re.compile(r"^[0-9+()\- ]{7,20}$")
MAX_ROWS = 20  # participating departments of one joint matter


class _ZhMeta:
    # Flask-WTF's own translations need Flask-Babel; WTForms ships Chinese messages of its own, so that
    # even a message we did not word ourselves reaches the user in Chinese.
    def get_translations(self, form):
        return get_translations(["zh"])


class ZhForm(PortalForm):
    class Meta(_ZhMeta):
        pass


def days_error(text) -> str | None:
    """The Chinese error for a 会签时限, or None."""
    if not (text or "").strip():
        return "请填写会签时限（工作日）"
    n = parse_int(text)
    if n is None or not DAYS_MIN <= n <= DAYS_MAX:
        return f"会签时限须为{DAYS_MIN}至{DAYS_MAX}之间的整数（工作日）"
    return None


class PartRow(Form):
    """One participating department of a new joint matter: the department, its item, its deadline."""

    class Meta(TextMeta, _ZhMeta):
        pass

    department = SelectField("参与部门", validate_choice=False)
    item = SelectField("该部门办理事项", validate_choice=False)
    days = StringField("会签时限（工作日）", default="5")

    def is_blank(self) -> bool:
        return not (self.department.data or "").strip() and not (self.item.data or "").strip()


class JointForm(ZhForm):
    """发起联办: the lead department opens a joint matter for an investor's project."""

    project = StringField("项目名称", validators=[DataRequired("请填写项目名称"), Length(max=200, message="项目名称不能超过200个字")])
    opened_on = DateField("受理日期", validators=[DateRequired("请填写受理日期")])
    investor_mode = RadioField("投资者", choices=[(INVESTOR_EXISTING, "本部门台账中已有的投资者"), (INVESTOR_NEW, "登记新的投资者")],
                               validate_choice=False)
    investor_id = SelectField("台账中的投资者", validate_choice=False)
    inv_name = StringField("投资者（企业）名称", validators=[Optional(), Length(max=200, message="名称不能超过200个字")])
    inv_code = StringField("统一社会信用代码", validators=[Optional()])
    inv_contact = StringField("联系人", validators=[Optional(), Length(max=40, message="联系人不能超过40个字")])
    inv_phone = StringField("联系电话", validators=[Optional()])
    lead_item = SelectField("牵头部门办理事项", validate_choice=False)
    lead_days = StringField("本部门会签时限（工作日）", default="5")
    parts = FieldList(FormField(PartRow), min_entries=3, max_entries=MAX_ROWS)
    notes = TextAreaField("牵头部门内部备注", validators=[Length(max=2000, message="备注不能超过2000个字")])

    since: dt.date = dt.date(2000, 1, 1)  # the system's start (制度实施日期), set by the view with `today`

    def validate_opened_on(self, field):
        problem = rules.record_date_problem(field.data, self.today, self.since, "受理日期")
        if problem:
            raise ValidationError(problem)

    def validate_investor_mode(self, field):
        if field.data not in (INVESTOR_EXISTING, INVESTOR_NEW):
            raise ValidationError("请选择投资者来源：台账中已有或登记新的投资者")

    def validate_lead_days(self, field):
        message = days_error(field.data)
        if message:
            raise ValidationError(message)

    def check_investor(self, investors: dict) -> None:
        """The investor is one of the lead's ledger investors, or a new one entered in full.

        investors: the lead department's investors by id."""
        if self.investor_mode.data == INVESTOR_EXISTING:
            if not self.investor_id.data:
                self.investor_id.errors.append("请选择本部门台账中的投资者")
            elif parse_int(self.investor_id.data) not in investors:
                self.investor_id.errors.append("所选投资者不在本部门的台账中")
            return
        if self.investor_mode.data != INVESTOR_NEW:
            return
        if not (self.inv_name.data or "").strip():
            self.inv_name.errors.append("请填写投资者（企业）名称")
        code = (self.inv_code.data or "").strip().upper()
        if not code:
            self.inv_code.errors.append("请填写统一社会信用代码")
        else:
            problem = rules.credit_code_error(code)
            if problem:
                self.inv_code.errors.append(problem)
            else:
                same = next((inv for inv in investors.values() if inv.credit_code == code), None)
                if same is not None:
                    self.inv_code.errors.append(f"本部门台账中已有该统一社会信用代码的投资者（{same.name}），请在“本部门台账中已有的投资者”中选择")
        if not (self.inv_contact.data or "").strip():
            self.inv_contact.errors.append("请填写联系人")
        phone = (self.inv_phone.data or "").strip()
        if not phone:
            self.inv_phone.errors.append("请填写联系电话")
        elif not PHONE.match(phone):
            self.inv_phone.errors.append("联系电话格式不正确（如 0715-5212345 或 13912345678）")

    def check_parts(self, lead_id: int, lead_items: dict, departments: dict, items: dict) -> list[dict]:
        """The participating departments: each an active department other than the lead, once, with one
        of its own items in use and a deadline. Blank rows are skipped. Returns the good rows.

        lead_items: the lead's items in use by id; departments: active departments by id;
        items: items in use of the departments named in the rows, by id."""
        if not self.lead_item.data:
            self.lead_item.errors.append("请选择牵头部门本部门的办理事项")
        elif parse_int(self.lead_item.data) not in lead_items:
            self.lead_item.errors.append("所选事项不是本部门在用的事项")
        rows, seen = [], set()
        for entry in self.parts:
            row = entry.form
            if row.is_blank():
                continue
            dept_id = parse_int(row.department.data)
            item_id = parse_int(row.item.data)
            ok = True
            if not row.department.data:
                row.department.errors.append("请选择参与部门")
                ok = False
            elif dept_id not in departments:
                row.department.errors.append("所选参与部门不存在或已停用")
                ok = False
            elif dept_id == lead_id:
                row.department.errors.append("牵头部门已在上方填写本部门事项，参与部门须为其他部门")
                ok = False
            elif dept_id in seen:
                row.department.errors.append("同一部门只能参加一次")
                ok = False
            if ok:
                seen.add(dept_id)
                if not row.item.data:
                    row.item.errors.append("请选择该部门的办理事项")
                    ok = False
                elif item_id not in items or items[item_id].department_id != dept_id:
                    row.item.errors.append("所选事项不是该部门在用的事项")
                    ok = False
            message = days_error(row.days.data)
            if message:
                row.days.errors.append(message)
                ok = False
            if ok:
                rows.append({"department_id": dept_id, "item_id": item_id, "days": parse_int(row.days.data)})
        if not seen and not any(e.form.department.errors for e in self.parts):
            self.parts[0].form.department.errors.append("请至少选择一个参与部门（牵头部门以外的部门）")
        return rows


class SignForm(ZhForm):
    """会签: the department's countersignature on its own part."""

    decision = RadioField("会签意见", choices=[(d, d) for d in rules.SIGN_DECISIONS], validate_choice=False)
    missing = TextAreaField("需补正的材料（一次性告知）", validators=[Length(max=2000, message="不能超过2000个字")])
    opinion = TextAreaField("意见说明", validators=[Length(max=2000, message="意见说明不能超过2000个字")])
    signed_on = DateField("会签日期", validators=[DateRequired("请填写会签日期")])
    officer_id = SelectField("签署人（首席服务员）", validate_choice=False)

    def validate_decision(self, field):
        if field.data not in rules.SIGN_DECISIONS:
            raise ValidationError("请选择会签意见：同意、不同意或补正")

    def validate_missing(self, field):
        if self.decision.data == rules.SIGN_SUPPLEMENT and not (field.data or "").strip():
            raise ValidationError("选择“补正”时须一次性列明需补正的全部材料")

    def validate_opinion(self, field):
        if self.decision.data == rules.SIGN_DISAGREE and not (field.data or "").strip():
            raise ValidationError("选择“不同意”时须说明理由")

    def check(self, today: dt.date, earliest: dt.date, earliest_label: str, officer_ids: set[int]) -> None:
        """Date within [earliest, today]; the signer one of the department's serving officers."""
        problem = rules.record_date_problem(self.signed_on.data, today, earliest, "会签日期", earliest_label)
        if problem:
            self.signed_on.errors.append(problem)
        if not self.officer_id.data:
            self.officer_id.errors.append("请选择签署的首席服务员" if officer_ids else
                                          "本部门尚无在任的首席服务员，请先在“首席服务员”中登记")
        elif parse_int(self.officer_id.data) not in officer_ids:
            self.officer_id.errors.append("所选人员不是本部门在任的首席服务员")


class ReceivedForm(ZhForm):
    """补正材料已收到: the part returns to be signed again, its deadline counted afresh."""

    received_on = DateField("材料收到日期", validators=[DateRequired("请填写材料收到日期")])

    def check(self, today: dt.date, asked_on: dt.date) -> None:
        problem = rules.record_date_problem(self.received_on.data, today, asked_on, "材料收到日期", "要求补正的日期")
        if problem:
            self.received_on.errors.append(problem)


class NoteForm(ZhForm):
    """The department's internal note on its part (内部备注, seen by no other department)."""

    internal_note = TextAreaField("本部门内部备注", validators=[Length(max=2000, message="备注不能超过2000个字")])


class LeadForm(ZhForm):
    """The lead's record of the matter: the investor's in-person visits (跑动次数) and its notes."""

    visits = StringField("投资者到现场次数", validators=[DataRequired("请填写投资者到现场次数")])
    notes = TextAreaField("牵头部门内部备注", validators=[Length(max=2000, message="备注不能超过2000个字")])

    def validate_visits(self, field):
        n = parse_int(field.data)
        if n is None or n > VISITS_MAX:
            raise ValidationError(f"到现场次数须为0至{VISITS_MAX}之间的整数")


def summary(form) -> list[tuple[str, str, str]]:
    """Every error of a form as (field id, label, message), rows of the parts table numbered."""
    out = []
    for f in form:
        if isinstance(f, FieldList):
            for i, entry in enumerate(f, start=1):
                for sub in entry.form:
                    out.extend((sub.id, f"参与部门第{i}行 {sub.label.text}", e) for e in sub.errors)
        else:
            out.extend((f.id, f.label.text, e) for e in f.errors if isinstance(e, str))
    return out
