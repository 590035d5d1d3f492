"""考核 — views: the periods, one period's ranking (or a department's own score), scoring, preview,
locking (定稿), the report (考核通报 .docx), the workbook and the comparison of two periods.

The office writes; the leader sees everything read-only (403 on writes); a department sees its own row
only, and the whole ranking only when the office has said so (RANKING_VISIBLE, off by default)."""
from __future__ import annotations

import json

from flask import abort, request, url_for
from flask_login import current_user

from .. import clock, htmx, listing, metrics, rules
from ..access import any_role, office_required, staff_required
from ..audit import write
from ..models import AssessmentPeriod
from . import bp, service
from .forms import ClosingForm, PeriodForm, ScoringForm, VisibilityForm


def _period_or_404(period_id) -> AssessmentPeriod:
    return AssessmentPeriod.get_or_none(AssessmentPeriod.id == period_id) or abort(404)


def _link(entry: dict) -> str | None:
    target = service.link(entry)
    return url_for(target[0], **target[1]) if target else None


def _taken() -> set:
    return AssessmentPeriod.names()


def _open_period(period_id, refusal: str) -> AssessmentPeriod:
    """A period that is not locked yet; a locked one (定稿) sends the office back to it with `refusal`."""
    period = _period_or_404(period_id)
    if period.locked:
        abort(_to_period(period, refusal, "error"))
    return period


def _to_period(period, message: str, category: str = "success"):
    """Back to the period's page, saying what happened."""
    return htmx.flash_redirect(message, category, "assessment.detail", period_id=period.id)


def _form_again(period, fragment: str, **form):
    """The period's page with a refused form and its errors (422); htmx gets the form alone."""
    return htmx.render("assessment/detail.html", fragment, 422, **_detail_context(period, service.load(period), **form))


@bp.get("/")
@any_role
def index():
    """考核周期列表: the office and the leader see every period with its state; a department sees its own
    score and rank in each."""
    periods = list(AssessmentPeriod.ordered())
    own = {}
    if current_user.is_department:
        for period in periods:
            own[period.id] = service.load(period).department(current_user.department_id)
    form = PeriodForm() if current_user.is_office else None
    visibility = VisibilityForm(visible=service.ranking_visible()) if current_user.is_office else None
    return htmx.render("assessment/index.html", None, periods=periods, own=own, form=form, visibility=visibility,
                       ranking_visible=service.ranking_visible())


@bp.post("/periods")
@office_required
def create():
    """新建考核周期 (office)."""
    form = PeriodForm(taken=_taken())
    if not form.validate():
        periods = list(AssessmentPeriod.ordered())
        return htmx.render("assessment/index.html", "assessment/_period_form.html", 422, periods=periods, own={},
                           form=form, visibility=VisibilityForm(visible=service.ranking_visible()),
                           ranking_visible=service.ranking_visible())
    with write() as w:
        period = w.create(AssessmentPeriod, name=form.name.data, start_date=form.start_date.data,
                          end_date=form.end_date.data, cutoff=form.cutoff.data,
                          scoring=json.dumps(rules.default_scoring()), created_at=clock.now())
    return _to_period(period, f"已新建考核周期“{period.name}”，评分办法为默认（等权，满分100分）。")


def _detail_context(period, result, **extra):
    show_ranking = not current_user.is_department or service.ranking_visible()
    own = result.department(current_user.department_id) if current_user.is_department else None
    context = dict(
        period=period, result=result, own=own, show_ranking=show_ranking, link=_link,
        movers=service.movers(result, service.last_preview(period)) if not period.locked else [],
        rules_list=metrics.RULES, points=rules.item_points(period.scoring_data()),
        scoring=period.scoring_data(), deductions=rules.SCORE_DEDUCTIONS, rate_names=rules.SCORE_RATES,
        lock_problem=service.lock_problem(period), previous=service.previous(period),
        scoring_form=None, closing_form=None, verdict_labels=metrics.VERDICT_LABELS,
    )
    if current_user.is_office:
        if not period.locked:
            context["scoring_form"] = ScoringForm.from_scoring(period.scoring_data())
        context["closing_form"] = ClosingForm(closing=period.closing)
    context.update(extra)
    return context


@bp.get("/periods/<int:period_id>")
@any_role
def detail(period_id):
    """考核周期: the ranking by score with each department's points lost (office, leader; departments
    when the office shows the ranking), a department's own score and losses with links, the notes on
    what cannot be known exactly, and the office's scoring, preview and lock."""
    period = _period_or_404(period_id)
    return htmx.render("assessment/detail.html", None, **_detail_context(period, service.load(period)))


@bp.post("/periods/<int:period_id>/scoring")
@office_required
def scoring(period_id):
    """评分办法 of an open period (office)."""
    period = _open_period(period_id, "该考核周期已定稿，评分办法不能再修改。")
    form = ScoringForm()
    if not form.validate():
        return _form_again(period, "assessment/_scoring_form.html", scoring_form=form)
    with write() as w:
        w.update(period, scoring=json.dumps(form.scoring()))
    return _to_period(period, "评分办法已保存。")


@bp.post("/periods/<int:period_id>/preview")
@office_required
def preview(period_id):
    """预览排名: computes the ranking now, shows who moved since the last preview, and remembers it."""
    period = _open_period(period_id, "该考核周期已定稿，排名不再变化。")
    result = service.compute(period)
    moved = service.movers(result, service.last_preview(period))
    had_preview = bool(service.last_preview(period))
    with write() as w:
        service.save_preview(w, period, result)
    if not had_preview:
        return _to_period(period, "已记录本次预览，下次预览时将显示名次变化。")
    if not moved:
        return _to_period(period, "与上次预览相比，各部门名次没有变化。")
    return _to_period(period, "与上次预览相比，" + "；".join(
        f"{m['name']}由第{m['before']}名{'升至' if m['change'] > 0 else '降至'}第{m['now']}名" for m in moved[:10])
        + ("等" if len(moved) > 10 else "") + "。")


@bp.post("/periods/<int:period_id>/lock")
@office_required
def lock(period_id):
    """定稿 (office): the figures and scores are stored and never change again."""
    period = _period_or_404(period_id)
    problem = service.lock_problem(period)
    if problem:
        return _to_period(period, problem, "error")
    with write() as w:
        service.lock(w, period, current_user._get_current_object())
    return _to_period(period, f"“{period.name}”已定稿，考核结果已保存，今后记录的变动不再影响本期结果。")


@bp.post("/periods/<int:period_id>/closing")
@office_required
def closing(period_id):
    """下一步工作: the closing paragraph the office edits before downloading the report."""
    period = _period_or_404(period_id)
    form = ClosingForm()
    if not form.validate():
        return _form_again(period, "assessment/_closing_form.html", closing_form=form)
    with write() as w:
        w.update(period, closing=form.closing.data or "")
    return _to_period(period, "“下一步工作”已保存。")


@bp.post("/settings")
@office_required
def settings():
    """部门可见排名: whether departments see the whole ranking (off by default)."""
    form = VisibilityForm()
    if bool(form.visible.data) != service.ranking_visible():  # unset reads as off: nothing to record
        with write() as w:
            w.set_setting(service.RANKING_VISIBLE, bool(form.visible.data))
    return htmx.flash_redirect("已设置：各部门" + ("可以" if form.visible.data else "不能") + "查看完整排名。",
                               "success", "assessment.index")


@bp.get("/compare")
@staff_required
def compare():
    """两期对比: figures, scores, ranks and what changed per department (?a= and ?b= two periods)."""
    periods = list(AssessmentPeriod.ordered())
    chosen = {}
    for key in ("a", "b"):
        value = request.args.get(key)
        if value:
            period_id = listing.record_id(value)
            period = AssessmentPeriod.get_or_none(AssessmentPeriod.id == period_id) if period_id else None
            if period is None:
                abort(404)
            chosen[key] = period
    rows, a, b = [], None, None
    if len(chosen) == 2:
        a, b = service.load(chosen["a"]), service.load(chosen["b"])
        rows = service.compare(a, b)
    return htmx.render("assessment/compare.html", None, periods=periods, chosen=chosen, rows=rows, a=a, b=b,
                       city=service.city_changes(b, a) if a and b else [],
                       verdict=lambda v: metrics.VERDICT_LABELS.get(v, "—"))


def _report_inputs(period):
    result = service.load(period)
    before_period = service.previous(period)
    before = service.load(before_period) if before_period else None
    return result, before_period, service.city_changes(result, before), service.rank_changes(result, before)


@bp.get("/periods/<int:period_id>/report.docx")
@staff_required
def report(period_id):
    """考核通报 (.docx) of a locked period: title, 总体情况, 排名, 存在问题, 下一步工作."""
    from ..files.docs import send_docx
    from .report import report_docx

    period = _period_or_404(period_id)
    if not period.locked:
        return _to_period(period, "考核通报须在定稿后下载。", "error")
    result, before_period, city, ranks = _report_inputs(period)
    name = service.report_filename(period, "docx")
    return send_docx(report_docx(result, before_period.name if before_period else None, city, ranks), str(name),
                     ascii=name.ascii)


@bp.get("/periods/<int:period_id>/workbook.xlsx")
@staff_required
def workbook(period_id):
    """考核表 (.xlsx): the ranking with a bar chart of the scores, the city's figures with the 纳入率 and
    合规率 lines over the period, the problems per rule, the points lost."""
    from ..files import send_xlsx
    from ..files.assessment_period import period_workbook

    period = _period_or_404(period_id)
    result, _before, city, ranks = _report_inputs(period)
    return send_xlsx(period_workbook(result, ranks, city, service.trend(result)), service.report_filename(period, "xlsx"))
