"""考核通报 — the .docx of a locked period, laid out as an official notice (portal/files/docs.py: A4, 仿宋 body,
小标宋 title): the title with the period, 一、总体情况 (the city's figures and their change since the
previous period), 二、考核排名 (a table of score, rank and change of rank), 三、存在问题 (per rule, the
departments that fall short, with the facts), 四、下一步工作 (the office's closing paragraph)."""
from __future__ import annotations

import io

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt

from .. import clock
from ..files.assessment_period import problems_by_rule
from ..files.docs import BODY_FONT, HEADING_FONT, TITLE_FONT, TITLE_SIZE, _font, _paragraph, cn_date

ISSUER = "赤壁市推进政府职能转变和“放管服”改革协调小组办公室"
DEFAULT_CLOSING = ("各部门要对照考核通报反映的问题，逐项整改到位，确保首席服务员在岗不断档、事项应纳尽纳、"
                   "调整及时报告、台账规范完整，切实提升企业和群众办事满意度。")
NUMBERS = "一二三四五六七八九十"
SMALL = Pt(12)


def title(period) -> str:
    return f"关于{period.name}“首席服务员”制度落实情况的考核通报"


def _pct(value) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _change_text(change) -> str:
    if change is None:
        return "（上期无数据）"
    if abs(change) < 0.0005:
        return "，与上期持平"
    return f"，比上期{'提高' if change > 0 else '下降'}{abs(change) * 100:.1f}个百分点"


def _rank_change(change) -> str:
    if change is None:
        return "—"
    return "不变" if change == 0 else f"{'↑' if change > 0 else '↓'}{abs(change)}"


def report_docx(result, previous_name: str | None, city_changes: list, rank_changes: dict) -> bytes:
    """The report's bytes for a period's result (service.Assessment)."""
    period = result.period
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    doc.core_properties.title = title(period)
    doc.core_properties.author = ISSUER

    _paragraph(doc, title(period), font=TITLE_FONT, size=TITLE_SIZE, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False,
               space_after=Pt(12))
    _paragraph(doc, "各有关部门：", indent=False)
    _paragraph(doc, f"根据首席服务员制度考核办法，协调办对各部门{cn_date(period.start_date)}至{cn_date(period.end_date)}"
                    f"首席服务员制度落实情况进行了考核（数据截至{cn_date(period.cutoff)}），现将结果通报如下。")

    _paragraph(doc, "一、总体情况", font=HEADING_FONT)
    since = f"（与{previous_name}相比）" if previous_name else ""
    parts = [f"{c['label']}{_pct(c['now'])}{_change_text(c['change']) if previous_name else ''}" for c in city_changes]
    _paragraph(doc, f"全市参加考核部门{result.city.get('departments', len(result.departments))}个，平均得分"
                    f"{result.city.get('average_score') or 0:.2f}分。{since}" + "；".join(parts) + "。")

    _paragraph(doc, "二、考核排名", font=HEADING_FONT)
    table = doc.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, ("名次", "部门", "得分", "名次变化")):
        _cell(cell, text, bold=True)
    for d in result.departments:
        cells = table.add_row().cells
        for cell, text in zip(cells, (str(d["rank"]), d["name"], f"{d['score']:.2f}", _rank_change(rank_changes.get(d["id"])))):
            _cell(cell, text)

    _paragraph(doc, "三、存在问题", font=HEADING_FONT)
    problems = problems_by_rule(result)
    if not problems:
        _paragraph(doc, "各部门各项规则全部达标。")
    for i, (number, name, entries) in enumerate(problems):
        _paragraph(doc, f"（{NUMBERS[i] if i < len(NUMBERS) else i + 1}）{name}。{len(entries)}个部门未达标：", font=BODY_FONT)
        for dept, detail in entries:
            _paragraph(doc, f"{dept} {detail}。")

    _paragraph(doc, "四、下一步工作", font=HEADING_FONT)
    for line in [p for p in (period.closing or DEFAULT_CLOSING).split("\n") if p.strip()]:
        _paragraph(doc, line.strip())

    _paragraph(doc, "", space_after=Pt(28))
    _paragraph(doc, ISSUER, indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _paragraph(doc, cn_date(clock.today()), indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)

    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _cell(cell, text: str, bold: bool = False) -> None:
    p = cell.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(p.add_run(text), BODY_FONT, SMALL, bold)
