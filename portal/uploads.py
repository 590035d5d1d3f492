"""Checks every uploaded file passes before anything reads it: size, type by content (not by name),
and, for the zip-based Office formats, a bound on what unpacking would cost (zip bombs) and no XML
entity declarations in their parts (XML bombs such as "billion laughs": an Office document never
needs a DTD). openpyxl also refuses entities by itself once defusedxml is installed (a dependency), and
the parts the import parses itself are read through EntityGuard."""
from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

# Unpacked size and entry count a genuine list, letter or plan never comes near.
MAX_UNPACKED = 200 * 1024 * 1024
MAX_ENTRIES = 2000
MAX_RATIO = 200
# SVG pictures often carry a DOCTYPE (and Illustrator's, entities) and are never parsed by the portal:
# not scanned, so that a genuine document with such a picture is not refused. (Were a workbook to
# name a sheet *.svg, openpyxl would still read it through defusedxml.)
UNSCANNED = (".svg",)
# A DTD or an entity declaration, in UTF-8 / ASCII and in the UTF-16 an XML part may also use.
_DECLARATIONS = tuple(marker.encode(enc) for marker in ("<!DOCTYPE", "<!ENTITY")
                      for enc in ("ascii", "utf-16-le", "utf-16-be"))
_CHUNK = 64 * 1024


class UploadError(ValueError):
    """A file refused, with the reason in Chinese for the user."""


@dataclass
class Checked:
    data: bytes
    kind: str  # xlsx / docx / pdf / png / jpeg
    content_type: str
    filename: str


CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "png": "image/png",
    "jpeg": "image/jpeg",
}
LABELS = {"xlsx": "Excel（.xlsx）", "docx": "Word（.docx）", "pdf": "PDF", "png": "PNG 图片", "jpeg": "JPEG 图片"}
EXTENSIONS = {"xlsx": (".xlsx",), "docx": (".docx",), "pdf": (".pdf",), "png": (".png",), "jpeg": (".jpg", ".jpeg")}


def sniff(data: bytes) -> str | None:
    """The file's real type from its first bytes and, for zip files, its contents."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                names = set(zf.namelist())
        except zipfile.BadZipFile:
            return None
        if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
            return "xlsx"
        if "[Content_Types].xml" in names and "word/document.xml" in names:
            return "docx"
    return None


def check_zip(data: bytes) -> None:
    """Refuse a zip whose unpacked size, entry count or compression ratio is out of bounds."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except zipfile.BadZipFile as exc:
        raise UploadError("文件已损坏，无法打开。") from exc
    if len(infos) > MAX_ENTRIES:
        raise UploadError("文件结构异常（包含的部件过多），已拒绝。")
    total = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos) or 1
    if total > MAX_UNPACKED or total / packed > MAX_RATIO:
        raise UploadError("文件解压后体积异常（疑似压缩炸弹），已拒绝。")
    if _declares_entities(data, infos):
        raise UploadError("文件内部含有 XML 实体声明（DOCTYPE/ENTITY），正常的 Office 文档不会包含，"
                          "疑似恶意构造的“XML 炸弹”，已拒绝。请用 Excel 或 Word 重新另存后再上传。")


def _declares_entities(data: bytes, infos) -> bool:
    """Whether any part (but SVG pictures) declares a DTD or an entity. Read in chunks, so the cost is
    bounded by the unpacked size checked above (zipfile stops at a part's declared size), never by
    what its entities would expand to."""
    keep = max(len(m) for m in _DECLARATIONS) - 1
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            for info in infos:
                if info.is_dir() or info.filename.lower().endswith(UNSCANNED):
                    continue
                with zf.open(info) as part:
                    tail = b""
                    while chunk := part.read(_CHUNK):
                        window = tail + chunk
                        if any(m in window for m in _DECLARATIONS):
                            return True
                        tail = window[-keep:]
    except Exception as exc:  # noqa: BLE001
        # Damaged (a bad CRC or deflate stream), encrypted, or of an unknown compression: not a file
        # the portal could read either.
        raise UploadError("文件已损坏，无法打开。") from exc
    return False


class EntityGuard:
    """A part of a document, read through this while a parser reads it: an UploadError at a DTD or an
    entity declaration, wherever it sits (across the parser's chunks too). For a part parsed with the
    standard library's parser rather than through defusedxml (files/imports.py): the parser never sees one."""

    _KEEP = max(len(m) for m in _DECLARATIONS) - 1

    def __init__(self, stream):
        self.stream = stream
        self.tail = b""

    def read(self, size: int = -1) -> bytes:
        chunk = self.stream.read(size)
        window = self.tail + chunk
        if any(m in window for m in _DECLARATIONS):
            raise UploadError("文件内部含有 XML 实体声明（DOCTYPE/ENTITY），已拒绝。")
        self.tail = window[-self._KEEP:]
        return chunk


# Office's older binary formats (.xls, .doc, WPS's .et and .wps) and password-protected .xlsx/.docx all
# come as an OLE2 compound file: many offices still save in them, and a clerk needs to be told what to do.
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _wrong_kind(data: bytes, allowed: tuple[str, ...], wanted: str) -> str:
    """Why a file of the wrong type is refused, and, for the formats clerks really have, what to do."""
    if data.startswith(OLE2) and ("xlsx" in allowed or "docx" in allowed):
        target = "Excel 工作簿（.xlsx）" if "xlsx" in allowed else "Word 文档（.docx）"
        return (f"这是旧版 Office 格式（.xls/.doc/.et）或设置了打开密码的文件，无法读取。请在 Excel 或 WPS 中"
                f"打开它，取消密码后“另存为”{target}，再上传。")
    if "xlsx" in allowed and _looks_like_text_table(data):
        return "这是 CSV 或文本文件，无法按附件1导入。请在 Excel 或 WPS 中打开它，“另存为”Excel 工作簿（.xlsx）后再上传。"
    return f"文件类型不符：只接受 {wanted} 文件（按文件内容识别，改扩展名无效）。"


def _looks_like_text_table(data: bytes) -> bool:
    head = data[:4096]
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = head.decode(encoding)
        except UnicodeDecodeError:
            continue
        return ("," in text or "\t" in text) and "\x00" not in text
    return False


def check_upload(storage, allowed: tuple[str, ...], max_bytes: int) -> Checked:
    """Read an uploaded werkzeug FileStorage and check it; raises UploadError with a Chinese reason.

    Reads at most max_bytes + 1 bytes, so an oversized file never lands in memory whole."""
    if storage is None or not getattr(storage, "filename", ""):
        raise UploadError("请选择要上传的文件。")
    filename = storage.filename
    data = storage.stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise UploadError(f"文件超过 {max_bytes // (1024 * 1024)} MB 的大小限制。")
    if not data:
        raise UploadError("文件是空的。")
    wanted = "、".join(LABELS[k] for k in allowed)
    kind = sniff(data)
    if kind not in allowed:
        raise UploadError(_wrong_kind(data, allowed, wanted))
    if not filename.lower().endswith(EXTENSIONS[kind]):
        raise UploadError(f"文件扩展名与内容不符：这是一个 {LABELS[kind]} 文件。")
    if kind in ("xlsx", "docx"):
        check_zip(data)
    return Checked(data=data, kind=kind, content_type=CONTENT_TYPES[kind], filename=filename)
