"""PDF ledgers: each page's tables found once, headings read around them."""

from __future__ import annotations

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfplumber.utils.exceptions import PdfminerException

from imports.errors import CorruptFileError, NoTextLayerError
from imports.parsers.common import Block, Cell, Paragraph, Row, Table, build_ledger, is_page_number
from imports.parsers.ledger import ParsedLedger

_ENCRYPTED = "该PDF文件已加密（设有密码或权限保护），请解除加密后再上传"
# Characters whose tops differ by less than this (in points) share a line.
_LINE_TOLERANCE = 3.0


def _outside(char: dict, boxes: list[tuple[float, float, float, float]]) -> bool:
    x = (char["x0"] + char["x1"]) / 2
    y = (char["top"] + char["bottom"]) / 2
    return not any(x0 <= x <= x1 and top <= y <= bottom for x0, top, x1, bottom in boxes)


def _text_lines(chars: list[dict]) -> list[tuple[float, float, str]]:
    """(top, bottom, text) of the lines these characters form, top to bottom."""
    lines: list[tuple[float, float, list[dict]]] = []
    for ch in sorted(chars, key=lambda c: (round(c["top"]), c["x0"])):
        if lines and abs(ch["top"] - lines[-1][0]) <= _LINE_TOLERANCE:
            lines[-1][2].append(ch)
        else:
            lines.append((ch["top"], ch["bottom"], [ch]))
    out = []
    for top, _bottom, line in lines:
        line.sort(key=lambda c: c["x0"])
        text = "".join(c["text"] for c in line).strip()
        if text:
            out.append((top, max(c["bottom"] for c in line), text))
    return out


def _page_blocks(page, page_no: int, first_table: int) -> tuple[list[tuple[float, Block]], int]:
    """Blocks of one page in reading order, and how many tables it had."""
    tables = page.find_tables()
    boxes = [t.bbox for t in tables]
    items: list[tuple[float, Block]] = []
    # Lines outside the tables; vertically adjacent ones form one paragraph
    # so that a heading wrapped onto two lines stays one heading.
    para: list[str] = []
    para_top = para_bottom = 0.0
    for top, bottom, text in _text_lines([c for c in page.chars if _outside(c, boxes)]):
        if is_page_number(text):
            continue
        height = bottom - top
        between_table = any(para_bottom <= b[1] <= top for b in boxes)
        if para and (top - para_bottom > 0.8 * height or between_table):
            items.append((para_top, Paragraph("\n".join(para), page=page_no)))
            para = []
        if not para:
            para_top = top
        para.append(text)
        para_bottom = bottom
    if para:
        items.append((para_top, Paragraph("\n".join(para), page=page_no)))
    for i, table in enumerate(tables):
        rows = [
            Row([Cell(text) for text in cells], table=first_table + i, row=r, page=page_no)
            for r, cells in enumerate(table.extract(), start=1)
        ]
        items.append((table.bbox[1], Table(rows, index=first_table + i, page=page_no)))
    items.sort(key=lambda item: item[0])
    return items, len(tables)


def _mark_page_top(blocks: list[Block]) -> None:
    """Flag the first row of each page that may continue the previous page.

    Only a table that is the first thing on its page, with the previous page
    having ended inside a table, can hold the tail of a broken row.
    """
    last_was_table = False
    page = None
    for block in blocks:
        if block.page != page:
            page = block.page
            if isinstance(block, Table) and last_was_table and block.rows:
                for row in block.rows:
                    row.page_top = True
        last_was_table = isinstance(block, Table)


def parse_pdf(path: str, *, source_name: str) -> ParsedLedger:
    try:
        pdf = pdfplumber.open(path)
    except (PDFPasswordIncorrect, PDFEncryptionError) as exc:
        raise CorruptFileError(_ENCRYPTED) from exc
    except PdfminerException as exc:
        # pdfplumber wraps pdfminer's errors; the password ones mean encryption.
        inner = [exc.__cause__, *exc.args]
        if any(isinstance(e, (PDFPasswordIncorrect, PDFEncryptionError)) for e in inner):
            raise CorruptFileError(_ENCRYPTED) from exc
        raise
    with pdf:
        if getattr(pdf.doc, "encryption", None):
            raise CorruptFileError(_ENCRYPTED)
        blocks: list[Block] = []
        table_count = 0
        any_text = False
        for page_no, page in enumerate(pdf.pages, start=1):
            if not any_text and page.chars:
                any_text = True
            items, n = _page_blocks(page, page_no, table_count + 1)
            table_count += n
            blocks.extend(block for _, block in items)
            # pdfplumber caches layout per page; release it as we go.
            page.close()
        if not any_text:
            raise NoTextLayerError("该PDF没有文字层（可能是扫描件），请上传可复制文字的PDF")
    _mark_page_top(blocks)
    if not blocks:
        raise CorruptFileError("PDF文件中没有任何页面")
    return build_ledger(blocks, source_name=source_name, soft_wraps=True)
