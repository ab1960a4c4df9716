"""Spreadsheet cells that stay text: no formula injection in xlsx or csv.

A progress text such as ``=HYPERLINK("http://x","点击")`` typed by a clerk must
reach the reader as that text, never as a live formula.
"""

from __future__ import annotations

from io import BytesIO

from import_export.formats import base_formats
from openpyxl import Workbook
from openpyxl.cell.cell import Cell

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


def set_text(cell: Cell, value) -> Cell:
    """Assign a value; strings are always stored as strings, never formulas."""
    cell.value = value
    if isinstance(value, str):
        # openpyxl turns any string starting with "=" into a formula.
        cell.data_type = "s"
        if looks_like_formula(value):
            # Without the quote prefix Excel re-parses the text as a formula
            # as soon as someone edits the cell.
            cell.quotePrefix = True
    return cell


def append_row(sheet, values) -> None:
    """``sheet.append`` with every value written through set_text."""
    values = list(values)
    sheet.append([None] * len(values))
    row = sheet.max_row
    for col, value in enumerate(values, start=1):
        set_text(sheet.cell(row=row, column=col), value)


def csv_safe(value):
    """CSV has no cell types: prefix a quote so spreadsheets show formula-like text as text."""
    if looks_like_formula(value):
        return "'" + value
    return value


def csv_unescape(value):
    """Undo csv_safe on import so a csv round trip is lossless."""
    if isinstance(value, str) and value.startswith("'") and looks_like_formula(value[1:]):
        return value[1:]
    return value


class SafeXLSX(base_formats.XLSX):
    """django-import-export's xlsx with every string written as a string."""

    def export_data(self, dataset, **kwargs):
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = (dataset.title or "Sheet1")[:31]
        append_row(sheet, dataset.headers or [])
        for row in dataset:
            append_row(sheet, row)
        sheet.freeze_panes = "A2"
        out = BytesIO()
        workbook.save(out)
        return out.getvalue()


class SafeCSV(base_formats.CSV):
    """django-import-export's csv with formula-like text quoted, and unquoted on import."""

    def export_data(self, dataset, **kwargs):
        for index, row in enumerate(list(dataset)):
            dataset[index] = [csv_safe(value) for value in row]
        return super().export_data(dataset, **kwargs)

    def create_dataset(self, in_stream, **kwargs):
        dataset = super().create_dataset(in_stream, **kwargs)
        for index, row in enumerate(list(dataset)):
            dataset[index] = [csv_unescape(value) for value in row]
        return dataset
