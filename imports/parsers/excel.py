"""Excel (.xlsx) ledgers: openpyxl read-only, one table per worksheet.

Read-only worksheets stream the cell data and do not expose merged ranges, so
the ranges are read from each sheet's own XML: the <mergeCells> element sits
after <sheetData>, and a byte search finds it without parsing the sheet twice.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
import zipfile
from xml.etree import ElementTree

import openpyxl
from openpyxl.utils.cell import range_boundaries

from imports.parsers.common import Block, Cell, Row, Table, build_ledger
from imports.parsers.ledger import ParsedLedger

_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_MERGE_REF = re.compile(rb"<(?:\w+:)?mergeCell\b[^>]*?\bref=\"([A-Z]+[0-9]+(?::[A-Z]+[0-9]+)?)\"")


def _sheet_paths(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> path of its XML part inside the package."""
    workbook = ElementTree.fromstring(zf.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    targets = {rel.get("Id"): rel.get("Target", "") for rel in rels.iter(f"{_NS_PKG_REL}Relationship")}
    paths = {}
    for sheet in workbook.iter(f"{_NS_MAIN}sheet"):
        target = targets.get(sheet.get(f"{_NS_REL}id"), "")
        if target:
            path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
            paths[sheet.get("name", "")] = path
    return paths


def _merged_ranges(zf: zipfile.ZipFile, path: str) -> list[tuple[int, int, int, int]]:
    """(min_col, min_row, max_col, max_row) of every merged range in a sheet."""
    try:
        data = zf.read(path)
    except KeyError:
        return []
    # Cell text lives in sheetData (strings are shared, but inline strings
    # could spell anything), so only look after it.
    start = max(data.rfind(b"sheetData>"), 0)
    if data.find(b"mergeCell", start) < 0:
        return []
    return [range_boundaries(ref.decode()) for ref in _MERGE_REF.findall(data, start)]


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    return str(value)


def _sheet_rows(ws, merges: list[tuple[int, int, int, int]], index: int) -> list[Row]:
    # Covered positions point at the merge's top-left cell, filled in once the
    # top-left value has been read (it always comes first in row order).
    covered: dict[tuple[int, int], tuple[int, int]] = {}
    for min_col, min_row, max_col, max_row in merges:
        for r in range(min_row, max_row + 1):
            for c in range(min_col, max_col + 1):
                covered[(r, c)] = (min_row, min_col)
    anchors: dict[tuple[int, int], Cell] = {}
    rows: list[Row] = []
    for r, values in enumerate(ws.iter_rows(values_only=True), start=1):
        cells: list[Cell] = []
        for c, value in enumerate(values, start=1):
            anchor = covered.get((r, c))
            if anchor is None:
                cells.append(Cell(_text(value)))
            elif anchor == (r, c):
                cell = Cell(_text(value), key=anchor)
                anchors[anchor] = cell
                cells.append(cell)
            else:
                cells.append(anchors.get(anchor) or Cell(""))
        rows.append(Row(cells, table=index, row=r))
    return rows


def _all_merges(wb, path: str) -> dict[str, list[tuple[int, int, int, int]]]:
    # A read-only workbook keeps its package open and knows each sheet's part;
    # reusing them saves opening and indexing the zip a second time (it is a
    # third of the time on a small ledger). Fall back to reading the package
    # ourselves should openpyxl ever stop offering them.
    archive = getattr(wb, "_archive", None)
    sheet_paths = {ws.title: getattr(ws, "_worksheet_path", None) for ws in wb.worksheets}
    if isinstance(archive, zipfile.ZipFile) and all(sheet_paths.values()):
        return {name: _merged_ranges(archive, p) for name, p in sheet_paths.items()}
    with zipfile.ZipFile(path) as zf:
        return {name: _merged_ranges(zf, p) for name, p in _sheet_paths(zf).items()}


def parse_xlsx(path: str, *, source_name: str) -> ParsedLedger:
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        merges = _all_merges(wb, path)
        blocks: list[Block] = []
        for index, ws in enumerate(wb.worksheets, start=1):
            if getattr(ws, "sheet_state", "visible") != "visible":
                continue
            blocks.append(Table(_sheet_rows(ws, merges.get(ws.title, []), index), index=index))
    finally:
        wb.close()
    return build_ledger(blocks, source_name=source_name)
