"""Hostile uploads: zip bombs and XML entity bombs ("billion laughs") inside an .xlsx (the list import)
and a .docx (rule documents) are refused with a clear message, nothing is written, and memory stays
small — the crafted files are a few KB, and nothing ever expands them. A request over the size limit
gets the 413 page.

Also covered elsewhere (not repeated here): the per-file size limit and a renamed text file for the
list import (test_import_export.py), rule documents (test_documents.py) and case photos
(test_cases.py); a plain zip bomb and the row limit of the list import (test_import_export.py)."""
from __future__ import annotations

import io
import struct
import tracemalloc
import zipfile

import openpyxl
import pytest
from docx import Document

from portal.files import imports
from portal.models import AuditLog, DataVersion, RuleDocument, ServiceItem
from portal.uploads import UploadError, check_zip

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MEMORY_CEILING = 32 * 1024 * 1024  # what the whole request may allocate (Python objects)


def laughs(root: str, levels: int = 9) -> str:
    """The DTD of a billion-laughs bomb: &lol9; expands to 4 × 10⁹ characters."""
    entities = ['<!ENTITY lol0 "lollollollol">'] + [
        f'<!ENTITY lol{i} "' + f"&lol{i - 1};" * 10 + '">' for i in range(1, levels + 1)]
    return f"<!DOCTYPE {root} [{''.join(entities)}]>"


def sheet_bomb(levels=9) -> str:
    return (f'<?xml version="1.0" encoding="UTF-8"?>{laughs("worksheet", levels)}<worksheet xmlns="{NS}">'
            f'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol{levels};</t></is></c></row></sheetData>'
            "</worksheet>")


def shared_strings_bomb() -> str:
    return (f'<?xml version="1.0" encoding="UTF-8"?>{laughs("sst")}<sst xmlns="{NS}" count="1" uniqueCount="1">'
            "<si><t>&lol9;</t></si></sst>")


def document_bomb() -> str:
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{laughs("w:document")}'
            f'<w:document xmlns:w="{W}"><w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>')


def _replace_parts(data: bytes, parts: dict[str, bytes]) -> bytes:
    """The zip with some parts replaced (or added)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in src.infolist():
            zf.writestr(info.filename, parts.pop(info.filename, None) or src.read(info.filename))
        for name, body in parts.items():
            zf.writestr(name, body)
    return out.getvalue()


def xlsx(parts=None) -> bytes:
    wb = openpyxl.Workbook()
    wb.active.append(["序号", "事项名称"])
    buffer = io.BytesIO()
    wb.save(buffer)
    return _replace_parts(buffer.getvalue(), dict(parts or {}))


def docx(parts=None) -> bytes:
    doc = Document()
    doc.add_paragraph("赤壁市公安局首席服务员制度实施方案")
    buffer = io.BytesIO()
    doc.save(buffer)
    return _replace_parts(buffer.getvalue(), dict(parts or {}))


def state():
    return (DataVersion.current(), AuditLog.select().count(), ServiceItem.select().count(),
            RuleDocument.select().count())


def import_xlsx(client, data: bytes):
    return client.post("/items/import", data={"file": (io.BytesIO(data), "清单.xlsx")},
                       content_type="multipart/form-data")


def upload_docx(client, data: bytes):
    return client.post("/admin/documents/new", content_type="multipart/form-data", data={
        "kind": "实施方案", "title": "实施方案", "number": "", "doc_date": "2026-03-01",
        "file": (io.BytesIO(data), "实施方案.docx")})


def measured(call):
    """Run call() and return (its result, the peak of memory it allocated)."""
    tracemalloc.start()
    try:
        result = call()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return result, peak


XML_BOMB_MESSAGE = "XML 炸弹"

XLSX_BOMBS = {
    "sheet": lambda: xlsx({"xl/worksheets/sheet1.xml": sheet_bomb().encode()}),
    "shared strings": lambda: xlsx({"xl/sharedStrings.xml": shared_strings_bomb().encode()}),
    "sheet in UTF-16": lambda: xlsx({"xl/worksheets/sheet1.xml": sheet_bomb().replace(
        'encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")}),
}


def assert_bomb_refused(upload):
    """The upload is refused with the XML-bomb message in the error summary, within the memory ceiling,
    and nothing is saved."""
    before = state()
    response, peak = measured(upload)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert XML_BOMB_MESSAGE in html and "error-summary" in html
    assert state() == before
    assert peak < MEMORY_CEILING, peak


@pytest.mark.parametrize("where", sorted(XLSX_BOMBS))
def test_an_entity_bomb_in_a_workbook_is_refused(login, world, where):
    client = login("gaj")
    data = XLSX_BOMBS[where]()
    assert len(data) < 16 * 1024  # small on disk
    assert_bomb_refused(lambda: import_xlsx(client, data))


def test_an_entity_bomb_in_a_rule_document_is_refused(login, world):
    client = login("gaj")
    data = docx({"word/document.xml": document_bomb().encode()})
    assert len(data) < 64 * 1024
    assert_bomb_refused(lambda: upload_docx(client, data))
    # The same document without the bomb goes through.
    assert upload_docx(client, docx()).status_code == 303


def test_a_genuine_document_with_an_svg_picture_is_accepted(login, world):
    """An SVG picture's own DOCTYPE is no reason to refuse a document: the portal never parses it."""
    svg = ('<?xml version="1.0"?><!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
           '"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd"><svg xmlns="http://www.w3.org/2000/svg"/>')
    data = docx({"word/media/image1.svg": svg.encode()})
    assert upload_docx(login("gaj"), data).status_code == 303


def _zeros_zip(kind: str, size: int) -> bytes:
    """A zip of the given Office kind with one part of `size` zero bytes, written in chunks (the
    test never holds the unpacked size in memory)."""
    out = io.BytesIO()
    big = "xl/worksheets/sheet1.xml" if kind == "xlsx" else "word/document.xml"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml" if kind == "xlsx" else "word/styles.xml", "<x/>")
        with zf.open(big, "w") as part:
            chunk = b"0" * (1024 * 1024)
            for _ in range(size // len(chunk)):
                part.write(chunk)
    return out.getvalue()


def test_a_zip_bomb_rule_document_is_refused(login, world):
    client = login("gaj")
    data = _zeros_zip("docx", 32 * 1024 * 1024)  # 32 MB of zeros, ~32 KB packed
    assert len(data) < 256 * 1024
    before = state()
    response, peak = measured(lambda: upload_docx(client, data))
    assert response.status_code == 422
    assert "压缩炸弹" in response.get_data(as_text=True)
    assert state() == before
    assert peak < MEMORY_CEILING, peak


def _understate(data: bytes, name: str, claimed: int) -> bytes:
    """The zip with part `name` claiming to unpack to `claimed` bytes (local header and central
    directory), whatever its deflate stream really holds."""
    buf = bytearray(data)
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(name)
    struct.pack_into("<I", buf, info.header_offset + 22, claimed)  # local header: uncompressed size
    encoded = name.encode()
    at = buf.find(b"PK\x01\x02")
    while at != -1:
        length = struct.unpack_from("<H", buf, at + 28)[0]
        if bytes(buf[at + 46:at + 46 + length]) == encoded:
            struct.pack_into("<I", buf, at + 24, claimed)  # central directory: uncompressed size
            break
        at = buf.find(b"PK\x01\x02", at + 4)
    return bytes(buf)


def test_a_zip_that_lies_about_its_size_is_refused_without_unpacking_it(login, world):
    """The part claims 4 KB (so the ratio looks harmless) but holds 32 MB of zeros: reading stops at
    the claimed size and the checksum refuses it — nothing is unpacked beyond what was declared."""
    client = login("gaj")
    data = _understate(_zeros_zip("xlsx", 32 * 1024 * 1024), "xl/worksheets/sheet1.xml", 4096)
    with pytest.raises(UploadError, match="损坏"):
        check_zip(data)
    before = state()
    response, peak = measured(lambda: import_xlsx(client, data))
    assert response.status_code == 422 and "损坏" in response.get_data(as_text=True)
    assert state() == before
    assert peak < MEMORY_CEILING, peak


def test_openpyxl_itself_refuses_entities():
    """Behind the upload check, openpyxl reads through defusedxml (a dependency): even a small
    expansion that the XML parser's own limits would let through is refused."""
    assert openpyxl.xml.DEFUSEDXML, "install defusedxml (pyproject.toml) so that openpyxl refuses XML entities"
    small = xlsx({"xl/worksheets/sheet1.xml": sheet_bomb(levels=3).encode()})
    with pytest.raises(imports.FileRefused):
        imports.read_workbook(small, 100)


def test_a_request_over_the_size_limit_gets_the_413_page(app, login, world):
    client = login("gaj")
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024  # (under 500 KB the test client keeps the body in memory)
    before = state()
    response = import_xlsx(client, b"PK\x03\x04" + b"\x00" * (128 * 1024))
    assert response.status_code == 413
    assert "文件过大" in response.get_data(as_text=True)
    assert state() == before
