"""Official Word and Excel exports of a period's ledger.

Both take a LedgerTable (ledger.selectors.ledger_table) so they print exactly
what the screen shows, and both keep what the importer needs to read the file
back: section headings as printed, the ledger's own header labels, task cells
merged over their sub-items, one unit per line.
"""

from __future__ import annotations

import re

DOCX = "docx"
XLSX = "xlsx"
FORMATS = (DOCX, XLSX)
CONTENT_TYPES = {
    DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

# Characters XML 1.0 cannot carry; text pasted from other systems has them.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def clean(text: str | None) -> str:
    return _XML_ILLEGAL.sub("", (text or "").replace("\r\n", "\n").replace("\r", "\n"))


def export_filename(*, title: str, fmt: str) -> str:
    safe = re.sub(r'[\\/:*?"<>|\s]+', "", title) or "台账"
    return f"{safe[:80]}.{fmt}"


def export_table(table, *, fmt: str, out) -> None:
    """Write the ledger table as .docx or .xlsx to a path or binary file."""
    if fmt == DOCX:
        from ledger.exports.word import write_docx

        write_docx(table, out=out)
    elif fmt == XLSX:
        from ledger.exports.excel import write_xlsx

        write_xlsx(table, out=out)
    else:
        raise ValueError(f"不支持的导出格式：{fmt}")
