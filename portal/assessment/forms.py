"""Forms of the assessment (考核): a period, its scoring, the report's closing paragraph, the setting."""
from __future__ import annotations

from wtforms import BooleanField, FloatField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, ValidationError

from .. import metrics, rules
from ..forms import DateField, PortalForm, strip

CLOSING_MAX = 3000


class PeriodForm(PortalForm):
    """新建考核周期: name, first and last day, cut-off day (截止日)."""

    name = StringField("周期名称", filters=[strip],
                       validators=[DataRequired("请填写周期名称，如“2026年度”。"), Length(max=40, message="周期名称不能超过40个字。")])
    start_date = DateField("开始日期", validators=[InputRequired("请填写开始日期。")])
    end_date = DateField("结束日期", validators=[InputRequired("请填写结束日期。")])
    cutoff = DateField("截止日", validators=[InputRequired("请填写截止日。")])

    def __init__(self, *args, taken=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.taken = set(taken)

    def validate_name(self, field):
        if field.data and field.data in self.taken:
            raise ValidationError("已有同名的考核周期，请换一个名称。")

    def validate_start_date(self, field):
        if field.data and field.data.year < 2000:
            raise ValidationError("开始日期不能早于2000年。")

    def validate_end_date(self, field):
        if field.data and self.start_date.data and field.data < self.start_date.data:
            raise ValidationError("结束日期不能早于开始日期。")
        if field.data and self.start_date.data and (field.data - self.start_date.data).days > 3 * 366:
            raise ValidationError("一个考核周期不能超过三年。")

    def validate_cutoff(self, field):
        if field.data and self.end_date.data and field.data < self.end_date.data:
            raise ValidationError("截止日不能早于结束日期。")
        if field.data and self.end_date.data and (field.data - self.end_date.data).days > 366:
            raise ValidationError("截止日不能晚于结束日期一年以上。")


def _weight(label):
    return FloatField(label, validators=[InputRequired(f"请填写“{label}”的权重。"),
                                         NumberRange(0, 100, "权重须在0到100之间。")],
                      invalid_value_message="权重须为数字，如 1。")


class ScoringForm(PortalForm):
    """评分办法: a weight for each rule and rate (scaled to 100 points), and each deduction's points and cap."""

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if ok and sum(f.data for name, f in self._fields.items() if name.startswith(("rule_", "rate_"))) <= 0:
            self.rule_1.errors.append("至少有一项权重大于0。")
            return False
        return ok

    def scoring(self) -> dict:
        """The scoring as rules.assessment_score reads it."""
        return {
            "rules": {str(n): self[f"rule_{n}"].data for n in rules.SCORE_RULE_NUMBERS},
            "rates": {key: self[f"rate_{key}"].data for key in rules.SCORE_RATES},
            "deductions": {key: {"points": self[f"ded_{key}_points"].data, "cap": self[f"ded_{key}_cap"].data}
                           for key in rules.SCORE_DEDUCTIONS},
        }

    @classmethod
    def from_scoring(cls, scoring: dict, **kwargs):
        data = {f"rule_{n}": float(scoring["rules"].get(str(n), 0)) for n in rules.SCORE_RULE_NUMBERS}
        data.update({f"rate_{k}": float(scoring["rates"].get(k, 0)) for k in rules.SCORE_RATES})
        for key in rules.SCORE_DEDUCTIONS:
            d = scoring["deductions"].get(key, {"points": 0, "cap": 0})
            data[f"ded_{key}_points"], data[f"ded_{key}_cap"] = float(d["points"]), float(d["cap"])
        return cls(data=data, **kwargs)


for _rule in metrics.RULES:
    setattr(ScoringForm, f"rule_{_rule.number}", _weight(f"规则{_rule.number} {_rule.name}"))
for _key, _label in rules.SCORE_RATES.items():
    setattr(ScoringForm, f"rate_{_key}", _weight(_label))
for _key, (_label, _unit) in rules.SCORE_DEDUCTIONS.items():
    setattr(ScoringForm, f"ded_{_key}_points", FloatField(
        f"{_label}：每{_unit}扣分", validators=[InputRequired("请填写扣分。"), NumberRange(0, 100, "扣分须在0到100之间。")],
        invalid_value_message="扣分须为数字，如 0.5。"))
    setattr(ScoringForm, f"ded_{_key}_cap", FloatField(
        f"{_label}：最多扣分", validators=[InputRequired("请填写最多扣分。"), NumberRange(0, 100, "最多扣分须在0到100之间。")],
        invalid_value_message="最多扣分须为数字，如 10。"))


class ClosingForm(PortalForm):
    """下一步工作: the closing paragraph of the 考核通报."""

    closing = TextAreaField("下一步工作", validators=[Length(max=CLOSING_MAX, message=f"不能超过{CLOSING_MAX}个字。")])


class VisibilityForm(PortalForm):
    """Whether departments see the whole ranking (部门可见排名)."""

    visible = BooleanField("向各部门公开完整排名")

