"""Demo step "documents" (建章立制): most departments have uploaded their 实施方案 (PDF) and 管理办法
(Word); two still lack the 管理办法, one replaced its 实施方案 by a revised version, and some added a
supervision mechanism or their item list. The files are made here: a small real PDF with a Chinese
title (the standard Adobe CJK font, not embedded) and a .docx made with python-docx."""
from __future__ import annotations

import datetime as dt
import hashlib
import io

from docx import Document

from ..models import RuleDocument
from ..uploads import CONTENT_TYPES


def _hex(text: str) -> bytes:
    return b"<" + text.encode("utf-16-be").hex().upper().encode("ascii") + b">"


def pdf_bytes(title: str, lines: list[str]) -> bytes:
    """A one-page A4 PDF with the title and lines, in STSong-Light (UniGB-UCS2-H), which every PDF
    reader supplies for Chinese text without the font being embedded."""
    ops = [b"BT", b"/F1 16 Tf", b"60 770 Td", _hex(title) + b" Tj", b"/F1 11 Tf", b"0 -40 Td"]
    for line in lines:
        ops += [_hex(line) + b" Tj", b"0 -22 Td"]
    ops.append(b"ET")
    stream = b"\n".join(ops)
    info_title = b"<FEFF" + title.encode("utf-16-be").hex().upper().encode("ascii") + b">"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts [6 0 R] >>",
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> /FontDescriptor 7 0 R /DW 1000 >>",
        b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] /ItalicAngle 0 "
        b"/Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>",
        b"<< /Title " + info_title + b" /Producer (Chibi portal demo) >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, len(objects), xref)
    return bytes(out)


def docx_bytes(title: str, paragraphs: list[str]) -> bytes:
    """A Word document with the title as its heading."""
    doc = Document()
    doc.core_properties.title = title
    doc.add_heading(title, level=1)
    for text in paragraphs:
        doc.add_paragraph(text)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


PLAN_LINES = [
    "一、总体要求：确定一名首席服务员，将依申请政务服务事项100%纳入首席服务员审批服务清单。",
    "二、工作职责：首席服务员对授权事项终审或初审，实行一次告知、限时办结。",
    "三、保障措施：建立服务台账，接受好差评，定期报送工作情况。",
]
METHOD_PARAGRAPHS = [
    "第一条 为规范首席服务员履职，强化放权与监管有机衔接，制定本办法。",
    "第二条 首席服务员任期不少于两年，确需调整的，应书面报告协调办。",
    "第三条 建立审批事项抽查和整改机制，对需整改的事项限期答复。",
]


def _abbr(dept) -> str:
    """The department's 发文字号 abbreviation: 赤 + the first character of its short name."""
    return "赤" + (dept.short_name or dept.name.removeprefix("赤壁市"))[:1]


def _create(ctx, dept, kind, title, number, day, filename, data, replaces=None):
    user = ctx.users.get(dept.code)
    doc = ctx.writer.create(
        RuleDocument, department=dept, kind=kind, title=title, number=number, doc_date=day, filename=filename,
        content_type=CONTENT_TYPES["pdf" if filename.endswith(".pdf") else "docx"], size=len(data),
        sha256=hashlib.sha256(data).hexdigest(), data=data, uploaded_by=user,
        uploaded_at=dt.datetime.combine(day + dt.timedelta(days=3), dt.time(10, 12)))
    if replaces is not None:
        ctx.writer.update(replaces, action="replace", replaced_by=doc.id)
    return doc


def seed(ctx) -> None:
    rng, today = ctx.rng, ctx.today
    departments = list(ctx.departments.values())
    if not departments:
        return
    year = today.year - 1
    codes = [d.code for d in departments]
    lacking_method = set(rng.sample(codes, min(2, len(codes))))
    others = [c for c in codes if c not in lacking_method]
    revised = rng.choice(others) if others else None
    for n, dept in enumerate(departments, start=1):
        name = dept.name
        abbr = _abbr(dept)
        plan_day = dt.date(year, rng.randint(2, 5), rng.randint(1, 28))
        plan_title = f"{name}“首席服务员”制度实施方案"
        plan = _create(ctx, dept, "实施方案", plan_title, f"{abbr}发〔{year}〕{rng.randint(2, 30)}号", plan_day,
                       f"{dept.short_name or name}首席服务员制度实施方案.pdf", pdf_bytes(plan_title, PLAN_LINES))
        if dept.code == revised:
            new_day = min(today - dt.timedelta(days=20), dt.date(today.year, 3, 16))
            new_title = f"{name}“首席服务员”制度实施方案（修订）"
            _create(ctx, dept, "实施方案", new_title, f"{abbr}发〔{new_day.year}〕{rng.randint(2, 30)}号", new_day,
                    f"{dept.short_name or name}首席服务员制度实施方案（修订）.pdf",
                    pdf_bytes(new_title, PLAN_LINES + ["四、本方案自印发之日起施行，原方案同时废止。"]), replaces=plan)
        if dept.code not in lacking_method:
            method_day = plan_day + dt.timedelta(days=rng.randint(10, 60))
            method_title = f"{name}首席服务员审批服务管理办法"
            _create(ctx, dept, "管理办法", method_title, f"{abbr}办发〔{year}〕{rng.randint(2, 40)}号", method_day,
                    f"{dept.short_name or name}首席服务员管理办法.docx", docx_bytes(method_title, METHOD_PARAGRAPHS))
        if n % 3 == 0:
            mech_day = plan_day + dt.timedelta(days=rng.randint(30, 90))
            mech_title = f"{name}首席服务员审批事项监管工作机制"
            _create(ctx, dept, "监管工作机制", mech_title, "", mech_day, f"{dept.short_name or name}监管工作机制.docx",
                    docx_bytes(mech_title, ["一、每季度配合协调办开展审批事项抽查。", "二、对需整改事项限期整改并书面答复。"]))
