"""The ledger as an Excel workbook (openpyxl), laid out like the Word one.

One sheet: the title and each section heading as rows merged across the
table, the section's own header row, then its rows with task cells merged
down. Frozen under the first header, landscape A4, fit to page width, header
row repeated on every printed page.
"""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from ledger.exports import clean
from ledger.selectors.ledger_table import LedgerTable, merged_fields
from ledger.spreadsheet import set_text

# Column widths in characters by what a column holds.
WIDTHS = {
    "number": 6,
    "title": 16,
    "content": 32,
    "stretch_target": 24,
    "target": 24,
    "units": 14,
    "progress": 44,
    "problems": 20,
    "next_steps": 28,
}
LINE_HEIGHT = 14.5  # points per line of 11 pt text

_thin = Side(style="thin", color="000000")
BORDER = Border(left=_thin, right=_thin, top=_thin, bottom=_thin)
WRAP = Alignment(wrap_text=True, vertical="center")
WRAP_CENTER = Alignment(wrap_text=True, vertical="center", horizontal="center")
TITLE_FONT = Font(name="方正小标宋简体", size=18)
HEADING_FONT = Font(name="黑体", size=12)
HEADER_FONT = Font(name="黑体", size=11)
BODY_FONT = Font(name="仿宋_GB2312", size=11)


def _write_text(cell, value: str | None) -> None:
    """Ledger text without XML-illegal characters, never as a formula."""
    set_text(cell, clean(value))


def _lines_needed(text: str, width: float) -> int:
    """Wrapped line count of a cell: spreadsheets do not size merged or
    generated rows themselves, and text would overflow into the next row."""
    capacity = max(width - 1, 4)
    lines = 0
    for para in (text or "").split("\n"):
        # A CJK character takes about two character widths.
        units = sum(2 if ord(ch) > 0x2E80 else 1 for ch in para)
        lines += max(1, -(-units // int(capacity)))
    return lines


def _merge_row(ws, row: int, ncols: int, text: str, *, font: Font, height: float) -> None:
    cell = ws.cell(row=row, column=1)
    _write_text(cell, text)
    cell.font = font
    cell.alignment = WRAP_CENTER if font is TITLE_FONT else Alignment(vertical="center", wrap_text=True)
    if ncols > 1:
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=ncols)
    ws.row_dimensions[row].height = height


def build_workbook(table: LedgerTable) -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.title = "台账"
    ncols = max((len(s.columns) for s in table.sections), default=1)
    row = 1
    _merge_row(ws, row, ncols, table.title, font=TITLE_FONT, height=36)
    first_header: int | None = None
    widest = max(table.sections, key=lambda s: len(s.columns)) if table.sections else None
    for section in table.sections:
        fields = [c.field for c in section.columns]
        if section.heading:
            row += 1
            _merge_row(ws, row, ncols, section.heading, font=HEADING_FONT, height=24)
        row += 1
        for col, column in enumerate(section.columns, start=1):
            cell = ws.cell(row=row, column=col)
            _write_text(cell, column.label)
            cell.font, cell.alignment, cell.border = HEADER_FONT, WRAP_CENTER, BORDER
        if first_header is None:
            first_header = row
        for task in section.tasks:
            merged = merged_fields(task)
            start = row + 1
            for sub in task.rows:
                row += 1
                lines = max(
                    (
                        _lines_needed(sub.cells.get(f, ""), WIDTHS.get(f, 18))
                        for f in fields
                        if f not in merged or len(task.rows) == 1
                    ),
                    default=1,
                )
                ws.row_dimensions[row].height = min(409, max(1, lines) * LINE_HEIGHT + 4)
                for col, field in enumerate(fields, start=1):
                    cell = ws.cell(row=row, column=col)
                    if field in merged and row > start:
                        cell.border = BORDER
                        continue  # covered by the merge from the task's first row
                    _write_text(cell, sub.cells.get(field, ""))
                    cell.font, cell.border = BODY_FONT, BORDER
                    cell.alignment = WRAP_CENTER if field == "number" else WRAP
            if row > start:
                for col, field in enumerate(fields, start=1):
                    if field in merged:
                        ws.merge_cells(start_row=start, start_column=col, end_row=row, end_column=col)
    if widest is not None:
        for col, column in enumerate(widest.columns, start=1):
            ws.column_dimensions[get_column_letter(col)].width = WIDTHS.get(column.field, 18)
    if first_header is not None:
        ws.freeze_panes = ws.cell(row=first_header + 1, column=1)
        ws.print_title_rows = f"{first_header}:{first_header}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.oddFooter.center.text = "—&P—"
    wb.properties.title = table.title
    return wb


def write_xlsx(table: LedgerTable, *, out) -> None:
    build_workbook(table).save(out)


def write_list_xlsx(*, title: str, headers: list[str], rows, out) -> None:
    """A plain list (the filtered sub-items or entries) as one sheet.

    Values go through _write_text, so text from the database that looks like a
    formula ("=HYPERLINK(…)", "+86…", "-", "@…") stays text.
    """
    wb = Workbook(write_only=False)
    ws = wb.active
    ws.title = title[:31]
    for col, label in enumerate(headers, start=1):
        cell = ws.cell(row=1, column=col)
        _write_text(cell, label)
        cell.font, cell.alignment, cell.border = HEADER_FONT, WRAP_CENTER, BORDER
        ws.column_dimensions[get_column_letter(col)].width = 14 if len(label) <= 4 else 24
    for r, values in enumerate(rows, start=2):
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row=r, column=col)
            if isinstance(value, int | float) and not isinstance(value, bool):
                cell.value = value
            else:
                _write_text(cell, "" if value is None else str(value))
            cell.alignment = WRAP
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    ws.page_setup.orientation = "landscape"
    ws.print_title_rows = "1:1"
    wb.save(out)
