"""Word (.docx) ledgers: one pass over the body XML, tables read row by row."""

from __future__ import annotations

from typing import IO

import docx
from docx.oxml.ns import qn

from imports.parsers.common import Block, Cell, Paragraph, Row, Table, build_ledger
from imports.parsers.ledger import ParsedLedger

_P, _TBL, _SDT, _SDT_CONTENT = qn("w:p"), qn("w:tbl"), qn("w:sdt"), qn("w:sdtContent")
_TC, _TR, _TC_PR, _TR_PR = qn("w:tc"), qn("w:tr"), qn("w:tcPr"), qn("w:trPr")
_V_MERGE, _GRID_SPAN, _GRID_BEFORE, _VAL = qn("w:vMerge"), qn("w:gridSpan"), qn("w:gridBefore"), qn("w:val")


def _int_val(el) -> int:
    try:
        return max(1, int(el.get(_VAL)))
    except (TypeError, ValueError):
        return 1


def _cell_text(tc) -> str:
    # Paragraphs directly in the cell; each is a real paragraph break.
    return "\n".join(p.text for p in tc.iterchildren(_P))


def _table_rows(tbl, index: int) -> list[Row]:
    rows: list[Row] = []
    above: list[Cell] = []  # the previous row's grid, for vMerge continuations
    for r, tr in enumerate(tbl.iterchildren(_TR), start=1):
        grid: list[Cell] = []
        tr_pr = tr.find(_TR_PR)
        if tr_pr is not None:
            before = tr_pr.find(_GRID_BEFORE)
            if before is not None:
                grid.extend(Cell("") for _ in range(_int_val(before)))
        for tc in tr.iterchildren(_TC):
            span = 1
            merge: str | None = None
            tc_pr = tc.find(_TC_PR)
            if tc_pr is not None:
                gs = tc_pr.find(_GRID_SPAN)
                if gs is not None:
                    span = _int_val(gs)
                vm = tc_pr.find(_V_MERGE)
                if vm is not None:
                    # <w:vMerge/> without a value means "continue", like val="continue".
                    merge = vm.get(_VAL) or "continue"
            col = len(grid)
            cell = above[col] if merge == "continue" and col < len(above) else Cell(_cell_text(tc), key=tc)
            grid.extend([cell] * span)
        rows.append(Row(grid, table=index, row=r))
        above = grid
    return rows


def _blocks(body) -> list[Block]:
    blocks: list[Block] = []
    tables = 0

    def walk(parent) -> None:
        nonlocal tables
        for child in parent.iterchildren():
            tag = child.tag
            if tag == _P:
                blocks.append(Paragraph(child.text))
            elif tag == _TBL:
                tables += 1
                blocks.append(Table(_table_rows(child, tables), index=tables))
            elif tag == _SDT:
                content = child.find(_SDT_CONTENT)
                if content is not None:
                    walk(content)

    walk(body)
    return blocks


def parse_docx(file: str | IO[bytes], *, source_name: str) -> ParsedLedger:
    document = docx.Document(file)
    return build_ledger(_blocks(document.element.body), source_name=source_name)
