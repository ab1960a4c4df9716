"""Ledger file parsers: `parse_file` reads a .docx, .xlsx or .pdf ledger.

The file type is decided by content, not by name; a name that disagrees with
the content is refused, since a clerk who uploads "x.docx" that is really a
PDF has probably picked the wrong file. Everything a library may raise on a
malformed file is turned into a LedgerImportError with a Chinese message.
"""

from __future__ import annotations

import os
import zipfile

from imports.errors import (
    CorruptFileError,
    FileTooLargeError,
    LedgerImportError,
    UnsupportedFileError,
)
from imports.parsers.ledger import ParsedLedger

__all__ = ["ParsedLedger", "parse_file", "sniff_kind"]

DOCX, XLSX, PDF = "docx", "xlsx", "pdf"
_KIND_LABEL = {DOCX: "Word文档（.docx）", XLSX: "Excel表格（.xlsx）", PDF: "PDF文件（.pdf）"}
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
DEFAULT_MAX_UNCOMPRESSED = 200 * 1024 * 1024
DEFAULT_MAX_RATIO = 100
# Small XML parts compress very well in legitimate files; the ratio limit only
# matters for members big enough to hurt.
_RATIO_MIN_SIZE = 1024 * 1024


def _check_zip(path: str, *, max_uncompressed: int, max_ratio: float) -> set[str]:
    """Member names of a zip, refusing zip bombs before anything decompresses."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise CorruptFileError("文件已损坏或不完整（无法作为压缩包打开），请重新导出后上传") from exc
    total = 0
    for info in infos:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if total > max_uncompressed or (info.file_size > _RATIO_MIN_SIZE and ratio > max_ratio):
            raise CorruptFileError("文件解压后体积异常（疑似压缩炸弹），已拒绝读取")
    return {info.filename for info in infos}


def sniff_kind(
    path: str,
    *,
    max_uncompressed: int = DEFAULT_MAX_UNCOMPRESSED,
    max_ratio: float = DEFAULT_MAX_RATIO,
) -> str:
    """Return "docx", "xlsx" or "pdf" according to the file's content."""
    with open(path, "rb") as fh:
        head = fh.read(1024)
    if not head:
        raise CorruptFileError("文件是空的（0字节），请重新上传")
    if b"%PDF-" in head:
        return PDF
    if head.startswith(_OLE_MAGIC):
        raise UnsupportedFileError(
            "这是旧版Office文件（.doc/.xls）或加了密码的Office文件，请另存为.docx或.xlsx（不设密码）后上传"
        )
    if head.startswith(b"PK"):
        names = _check_zip(path, max_uncompressed=max_uncompressed, max_ratio=max_ratio)
        if "word/document.xml" in names:
            return DOCX
        if "xl/workbook.xml" in names:
            return XLSX
        if "[Content_Types].xml" in names:
            raise UnsupportedFileError("这是一个Office文件，但不是Word文档或Excel表格，无法导入")
        raise UnsupportedFileError("这是一个压缩包，不是台账文件；请上传.docx、.xlsx或.pdf文件")
    raise UnsupportedFileError("无法识别的文件类型；请上传.docx、.xlsx或.pdf格式的台账")


def parse_file(
    path: str | os.PathLike[str],
    *,
    original_name: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_uncompressed: int = DEFAULT_MAX_UNCOMPRESSED,
    max_ratio: float = DEFAULT_MAX_RATIO,
) -> ParsedLedger:
    """Parse a ledger file into a ParsedLedger.

    original_name: the name the user uploaded (the stored path may be a
    temporary file); its extension must agree with the content, and it is
    where a period is looked for when the document has no title.
    Raises a LedgerImportError subclass, never anything else.
    """
    path = os.fspath(path)
    name = original_name or os.path.basename(path)
    try:
        return _parse(
            path,
            name=name,
            max_bytes=max_bytes,
            max_uncompressed=max_uncompressed,
            max_ratio=max_ratio,
        )
    except LedgerImportError:
        raise
    except MemoryError as exc:
        raise FileTooLargeError("文件内容过大，无法读取") from exc
    except Exception as exc:  # the libraries raise anything on malformed input
        raise CorruptFileError("文件已损坏或格式不正确，无法读取；请用原软件重新保存后上传") from exc


def _parse(path: str, *, name: str, max_bytes: int, max_uncompressed: int, max_ratio: float) -> ParsedLedger:
    try:
        size = os.path.getsize(path)
    except OSError as exc:
        raise CorruptFileError("无法读取上传的文件") from exc
    if size > max_bytes:
        raise FileTooLargeError(f"文件过大（{size / 1048576:.1f} MB），上限为{max_bytes / 1048576:.0f} MB")
    kind = sniff_kind(path, max_uncompressed=max_uncompressed, max_ratio=max_ratio)
    ext = os.path.splitext(name)[1].lower().lstrip(".")
    if ext and ext != kind:
        if ext in _KIND_LABEL:
            raise UnsupportedFileError(f"文件扩展名是.{ext}，但内容是{_KIND_LABEL[kind]}；请确认上传的是正确的文件")
        raise UnsupportedFileError(f"不支持.{ext}文件；请上传.docx、.xlsx或.pdf格式的台账")
    if kind == DOCX:
        from imports.parsers.word import parse_docx

        return parse_docx(path, source_name=name)
    if kind == XLSX:
        from imports.parsers.excel import parse_xlsx

        return parse_xlsx(path, source_name=name)
    from imports.parsers.pdf import parse_pdf

    return parse_pdf(path, source_name=name)
