"""亮点案例汇编 — the published highlight cases as a Word document (.docx) the office sends to the media:
a title page line, then per case its title, department and date, photo and text. Word rather than a
workbook, because editors paste the text and the pictures straight into their articles."""
from __future__ import annotations

import datetime as dt
import io

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
BODY_FONT = "仿宋"
HEADING_FONT = "黑体"


def _font(run_or_style, name: str, size: float | None = None, bold: bool | None = None) -> None:
    """Set a font for Latin and East Asian text alike (Word keeps the two apart)."""
    font = run_or_style.font
    font.name = name
    if size is not None:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    element = run_or_style.element
    rpr = element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(rfonts)
    rfonts.set(qn("w:eastAsia"), name)


def _cn_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def cases_docx(cases, today: dt.date, department=None, year: int | None = None) -> bytes:
    """The Word document of the given published cases (each with its department loaded)."""
    doc = Document()
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.top_margin = section.bottom_margin = Cm(2.54)
    section.left_margin = section.right_margin = Cm(2.8)
    _font(doc.styles["Normal"], BODY_FONT, 14)

    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    scope = department.name if department is not None else "赤壁市"
    _font(title.add_run(f"{scope}“首席服务员”制度亮点案例汇编"), HEADING_FONT, 20, True)
    sub = doc.add_paragraph()
    sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
    parts = [f"{year}年" if year else "", f"共 {len(cases)} 篇", f"赤壁市推进政府职能转变和“放管服”改革协调小组办公室 {_cn_date(today)}"]
    _font(sub.add_run(" · ".join(p for p in parts if p)), BODY_FONT, 12)

    if not cases:
        doc.add_paragraph("暂无已发布的亮点案例。")
    for n, case in enumerate(cases, 1):
        heading = doc.add_paragraph()
        heading.paragraph_format.space_before = Pt(18)
        heading.paragraph_format.keep_with_next = True
        _font(heading.add_run(f"{_num(n)}、{case.title}"), HEADING_FONT, 16, True)
        meta = doc.add_paragraph()
        meta.paragraph_format.keep_with_next = True
        run = meta.add_run(f"{case.department.name}　{_cn_date(case.case_date)}")
        _font(run, BODY_FONT, 12)
        run.font.color.rgb = RGBColor(0x5F, 0x63, 0x68)
        if case.photo:
            try:
                doc.add_picture(io.BytesIO(bytes(case.photo)), width=Cm(13))
                doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
            except Exception:  # a picture Word cannot place must not cost the office the whole export
                doc.add_paragraph("（照片无法嵌入，请在门户中查看。）")
        for text in case.body.split("\n"):
            if text.strip():
                p = doc.add_paragraph(text.strip())
                p.paragraph_format.first_line_indent = Pt(28)
                p.paragraph_format.line_spacing = 1.5
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


_DIGITS = "零一二三四五六七八九"


def _num(n: int) -> str:
    """1 → 一, 12 → 十二, 25 → 二十五 (case numbering in Chinese documents)."""
    if n < 10:
        return _DIGITS[n]
    if n < 20:
        return "十" + (_DIGITS[n % 10] if n % 10 else "")
    if n < 100:
        return _DIGITS[n // 10] + "十" + (_DIGITS[n % 10] if n % 10 else "")
    return str(n)
