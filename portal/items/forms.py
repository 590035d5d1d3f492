"""Forms of the item list (事项清单). The plan's rules are checked by items.service.check (which calls
rules.check_item), so the fields here only carry values; choices are not validated by WTForms because
its messages are English and the rules give the Chinese ones."""
from __future__ import annotations

from ..forms import DateField, PortalForm
from flask_wtf.file import FileField
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from .. import rules

TYPE_CHOICES = [("", "请选择")] + [(t, t) for t in rules.ITEM_TYPES]
INCLUSION_CHOICES = [(i, i) for i in rules.INCLUSIONS]
MODE_CHOICES = [("", "—")] + [(m, m) for m in rules.MODES]
REASON_CHOICES = [("", "—")] + [(r, r) for r in rules.REASONS]
KIND_CHOICES = [("", "—"), ("即办件", "即办件"), ("承诺件", "承诺件")]


def officer_choices(officers) -> list[tuple[str, str]]:
    return [("", "未指定")] + [(str(o.id), o.name) for o in officers]


class ItemRowForm(PortalForm):
    """One row of attachment 1, edited in place in the list."""

    item_name = StringField("事项名称")
    sub_item_name = StringField("办理项名称")
    item_type = SelectField("事项类型", choices=TYPE_CHOICES, validate_choice=False)
    inclusion = SelectField("是否纳入", choices=INCLUSION_CHOICES, default=rules.PENDING, validate_choice=False)
    officer_id = SelectField("首席服务员", choices=[("", "未指定")], validate_choice=False)
    mode = SelectField("审批方式", choices=MODE_CHOICES, validate_choice=False)
    reason = SelectField("未纳入原因", choices=REASON_CHOICES, validate_choice=False)
    reason_note = StringField("原因说明")

    def set_officers(self, officers) -> None:
        self.officer_id.choices = officer_choices(officers)

    def values(self) -> dict:
        return {f.short_name: f.data for f in self if f.short_name != "csrf_token"}

    def add_errors(self, errors: dict) -> None:
        """Put the rules' messages next to their fields."""
        for name, message in errors.items():
            target = getattr(self, name, None)
            if target is not None and message not in target.errors:
                target.errors = list(target.errors) + [message]

    @classmethod
    def data_of(cls, item) -> dict:
        return {"item_name": item.item_name, "sub_item_name": item.sub_item_name, "item_type": item.item_type,
                "inclusion": item.inclusion, "officer_id": str(item.officer_id or ""), "mode": item.mode or "",
                "reason": item.reason or "", "reason_note": item.reason_note}


class ItemDetailForm(ItemRowForm):
    """The item's own page: the row and the optional elements of a service item (事项要素)."""

    seq = StringField("排序号")
    code = StringField("事项编码")
    basis = TextAreaField("设定依据")
    legal_days = StringField("法定办结时限（工作日）")
    promised_days = StringField("承诺办结时限（工作日）")
    kind = SelectField("办件类型", choices=KIND_CHOICES, validate_choice=False)
    visits = StringField("到现场次数")
    materials = TextAreaField("申请材料（一次性告知）")
    location = StringField("办理地点/窗口")

    @classmethod
    def data_of(cls, item) -> dict:
        data = ItemRowForm.data_of(item)
        data.update(seq=str(item.seq or ""), code=item.code, basis=item.basis,
                    legal_days="" if item.legal_days is None else str(item.legal_days),
                    promised_days="" if item.promised_days is None else str(item.promised_days),
                    kind=item.kind, visits="" if item.visits is None else str(item.visits),
                    materials=item.materials, location=item.location)
        return data


class AssignForm(PortalForm):
    """批量指定: selected items under one officer and mode."""

    officer_id = SelectField("首席服务员", choices=[("", "未指定")], validate_choice=False)
    mode = SelectField("审批方式", choices=MODE_CHOICES, validate_choice=False)

    @classmethod
    def for_officers(cls, officers) -> "AssignForm":
        """The form with the department's serving officers to choose from."""
        form = cls()
        form.officer_id.choices = [("", "未指定")] + [(str(o.id), o.name) for o in officers]
        return form


class ImportForm(PortalForm):
    file = FileField("附件1 Excel 文件（.xlsx）")


class CityImportForm(PortalForm):
    """全市清单导入: the workbook, and whether to check it only."""

    file = FileField("全市汇总清单 Excel 文件（.xlsx）")
    check_only = BooleanField("只检查，不导入")


class ReturnForm(PortalForm):
    comment = TextAreaField("退回意见", validators=[DataRequired("请填写退回意见，说明需要修改的内容。"),
                                                Length(max=2000, message="退回意见不能超过2000个字。")])


class DeadlineForm(PortalForm):
    year = SelectField("年度", choices=[], validate_choice=False)
    deadline = DateField("报送截止日期", validators=[InputRequired("请填写报送截止日期。")])
