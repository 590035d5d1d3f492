"""Word documents the portal hands out (python-docx): the authorisation letter (授权委托书, 附件2).

A service that returns bytes; the view only sends them. The layout follows the city's template and the
usual official-document page (GB/T 9704): A4, 仿宋 body text, 小标宋 title, the number under the title,
sections 一 and 二 with their numbered item lists, duties 三 to 七, the responsibility paragraph and the
signature block.
"""
from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from . import letter_text as text

BODY_FONT = "仿宋_GB2312"
TITLE_FONT = "方正小标宋简体"
HEADING_FONT = "黑体"
BODY_SIZE = Pt(16)  # 三号, the size of official documents
TITLE_SIZE = Pt(22)  # 二号


@dataclass
class LetterContent:
    """Everything printed on one authorisation letter, as plain values."""

    number: str
    department: str
    officer_name: str
    position: str
    issue_date: dt.date | None
    final: list[str] = field(default_factory=list)  # section 一, 终审
    first: list[str] = field(default_factory=list)  # section 二, 初审
    draft: bool = False


def cn_date(day: dt.date | None) -> str:
    """2026-11-26 → 2026年11月26日; an unissued letter leaves the date for the signature."""
    if day is None:
        return "　　年　　月　　日"
    return f"{day.year}年{day.month}月{day.day}日"


def _font(run, name: str, size, bold: bool = False) -> None:
    run.font.name = name
    run.font.size = size
    run.font.bold = bold
    # Word picks the East Asian typeface from w:eastAsia; font.name alone only sets the Latin one.
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def _paragraph(doc, content: str, *, font=BODY_FONT, size=BODY_SIZE, bold=False, align=None,
               indent: bool = True, space_after=Pt(0), left=None):
    p = doc.add_paragraph()
    fmt = p.paragraph_format
    if left is not None:
        fmt.left_indent = left
    fmt.line_spacing = Pt(28)  # fixed 28 pt lines, as official documents are set
    fmt.space_after = space_after
    if indent:
        fmt.first_line_indent = Pt(32)  # two characters
    if align is not None:
        p.alignment = align
    _font(p.add_run(content), font, size, bold)
    return p


def letter_docx(letter: LetterContent) -> bytes:
    """The authorisation letter (授权委托书) as a .docx laid out like the city's attachment 2."""
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    doc.core_properties.title = f"{text.TITLE} {letter.number}"
    doc.core_properties.author = letter.department

    if letter.draft:
        _paragraph(doc, text.DRAFT_MARK, font=HEADING_FONT, size=Pt(14), align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    _paragraph(doc, text.TITLE, font=TITLE_FONT, size=TITLE_SIZE, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False,
               space_after=Pt(12))
    _paragraph(doc, letter.number, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, space_after=Pt(12))
    _paragraph(doc, text.INTRO.format(department=letter.department, position=letter.position, name=letter.officer_name))

    for heading, labels in ((text.SECTION_FINAL, letter.final), (text.SECTION_FIRST, letter.first)):
        _paragraph(doc, heading, font=HEADING_FONT)
        if labels:
            for n, label in enumerate(labels, 1):
                _paragraph(doc, f"{n}. {label}")
        else:
            _paragraph(doc, text.SECTION_EMPTY)
    for duty in text.DUTIES:
        _paragraph(doc, duty)
    _paragraph(doc, text.RESPONSIBILITY)
    _paragraph(doc, text.TERM, space_after=Pt(28))

    for line in (text.SIGN_DEPARTMENT + letter.department, text.SIGN_LEADER, text.SIGN_OFFICER + letter.officer_name):
        # The signature block sits on the right half of the page, left-aligned, as in the template.
        _paragraph(doc, line, indent=False, left=Mm(70), space_after=Pt(6))
    _paragraph(doc, cn_date(letter.issue_date), indent=False, left=Mm(90))

    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def send_docx(data: bytes, name: str, ascii: str | None = None):
    """Send .docx bytes: the Chinese name intact (filename*), ``ascii`` the meaningful fallback."""
    from . import DownloadName, send_download

    return send_download(data, DownloadName(name, ascii) if ascii else name,
                         "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
