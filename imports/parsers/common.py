"""Format-independent ledger logic: headers, cells, units, sections, tasks.

Every format parser reduces its file to a stream of blocks (paragraphs of text
outside tables, and tables as grids of cells after merge expansion); this
module turns that stream into a ParsedLedger. Nothing here knows about Word,
PDF or Excel, so a rule is written once and holds for all three.
"""

from __future__ import annotations

import functools
import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from imports.errors import NoLedgerError
from imports.parsers.ledger import (
    Column,
    ParsedLedger,
    ParsedSection,
    ParsedSubtask,
    ParsedTask,
    Source,
)
from ledger.periods import find_period

# --------------------------------------------------------------------------
# Blocks handed over by the format parsers


@dataclass(slots=True)
class Cell:
    """One grid position. Positions covered by one merged cell share `key`.

    `text` is None where the format only tells us "covered by a merge above"
    without repeating the text (pdfplumber); such a cell inherits from above.
    """

    text: str | None
    key: object = None


@dataclass(slots=True)
class Row:
    cells: list[Cell]
    table: int
    row: int
    page: int | None = None
    # First row of a table that starts a new page with no heading before it:
    # it may be the tail of the row above, broken by the page break.
    page_top: bool = False


@dataclass(slots=True)
class Paragraph:
    text: str
    page: int | None = None


@dataclass(slots=True)
class Table:
    rows: list[Row]
    index: int
    page: int | None = None


Block = Paragraph | Table


# --------------------------------------------------------------------------
# Cell text


class _HTMLText(HTMLParser):
    """Collects the visible text of an HTML fragment; block tags become breaks."""

    _BREAKS = frozenset({"p", "br", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in self._BREAKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._BREAKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


_HTML_HINT = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]*)?/?>|&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);")


_SIMPLE_BREAKS = ("<p>", "</p>", "<br>", "<br/>", "<br />", "<P>", "</P>", "<BR>", "<BR/>", "<BR />")


def html_to_text(text: str) -> str:
    """Plain text of a cell that a web system left HTML in; other text unchanged."""
    if ("<" not in text and "&" not in text) or not _HTML_HINT.search(text):
        return text
    # Web systems mostly emit bare <p>/<br>; those need no parser (it costs
    # more than reading the cell). Anything else goes through HTMLParser.
    simple = text
    for tag in _SIMPLE_BREAKS:
        simple = simple.replace(tag, "\n")
    if "<" not in simple:
        return html.unescape(simple).replace("\xa0", " ")
    parser = _HTMLText()
    parser.feed(text)
    parser.close()
    # Non-breaking spaces (&nbsp;) are layout, not content.
    return html.unescape("".join(parser.parts)).replace("\xa0", " ")


_SPACE = re.compile(r"[ \t\u3000\xa0]+")


def _lines(text: str) -> list[str]:
    text = html_to_text(text.replace("\r\n", "\n").replace("\r", "\n"))
    out = []
    for line in text.split("\n"):
        line = _SPACE.sub(" ", line).strip()
        if line:
            out.append(line)
    return out


def _is_ascii_word(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def join_wrapped(lines: list[str]) -> str:
    """Join lines that are visual wraps of one paragraph.

    Chinese has no spaces between words, so a wrap is simply removed; only
    between two Latin words or numbers would joining lose a real space.
    """
    out = ""
    for line in lines:
        if out and _is_ascii_word(out[-1]) and _is_ascii_word(line[0]):
            out += " "
        out += line
    return out


def clean_text(raw: str | None, *, soft_wraps: bool) -> str:
    """Normalised cell text: HTML removed, wraps joined, paragraphs kept.

    soft_wraps: every line break is a visual wrap (PDF), so all are joined;
    otherwise line breaks are real paragraph breaks (Word, Excel) and kept.
    """
    if not raw:
        return ""
    lines = _lines(raw)
    if soft_wraps:
        return join_wrapped(lines)
    return "\n".join(lines)


# --------------------------------------------------------------------------
# Units

# Endings of the names of offices, towns and companies: a fragment ending
# otherwise was wrapped mid-name and continues on the next line. 馆 is left
# out on purpose: the reference ledgers read a "档案馆" line as the start of
# the unit on the next line ("档案馆文旅局"), so a 馆 line joins what follows.
_UNIT_ENDINGS = frozenset("局委办心府道镇乡村街区县市省司院所队会部站行社处室团组厅署台庭校科联协班门园场厂")
_UNIT_SPLIT = re.compile(r"[\n、，,；;]+|(?<=[^\x00-\x7f]) +(?=[^\x00-\x7f])")
_OPEN_PARENS = "（("
_CLOSE_PARENS = "）)"


def _unit_is_complete(unit: str) -> bool:
    opened = sum(unit.count(c) for c in _OPEN_PARENS)
    closed = sum(unit.count(c) for c in _CLOSE_PARENS)
    if opened > closed:
        return False
    return unit[-1] in _CLOSE_PARENS or unit[-1] in _UNIT_ENDINGS


def split_units(raw: str | None) -> list[str]:
    """Units of a 责任单位 cell, lead first: one per line, wraps rejoined."""
    if not raw:
        return []
    text = html_to_text(raw)
    units: list[str] = []
    open_unit = False
    for frag in _UNIT_SPLIT.split(text):
        frag = _SPACE.sub("", frag)
        if not frag:
            continue
        # A parenthesised line names the unit above another way
        # ("区政府办公室" / "（区大数据中心）"); an unfinished name continues.
        if units and (open_unit or frag[0] in _OPEN_PARENS):
            units[-1] += frag
        else:
            units.append(frag)
        open_unit = not _unit_is_complete(units[-1])
    return units


# --------------------------------------------------------------------------
# Headers

NUMBER, TITLE, CONTENT, TARGET, STRETCH = "number", "title", "content", "target", "stretch_target"
UNITS, CO_UNITS, PROGRESS, PROBLEMS, NEXT = "units", "co_units", "progress", "problems", "next_steps"

# Checked in order; the first match names the column. Matching is on the
# label with white space removed, so "序\n号" is 序号.
_ROLE_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (NUMBER, re.compile(r"^(?:序号|编号|任务编号|项目编号|任务序号|No\.?)$", re.I)),
    (STRETCH, re.compile(r"奋斗目标")),
    (TITLE, re.compile(r"^(?:目标任务|事项|重点任务|重点事项|任务名称|项目名称|重点工作|主要任务)$")),
    (CONTENT, re.compile(r"(?:项目内容|任务目标|工作任务|任务内容|工作内容|具体内容|建设内容)$")),
    (TARGET, re.compile(r"目标$")),
    (CO_UNITS, re.compile(r"(?:配合单位|协办单位|配合部门)$")),
    (UNITS, re.compile(r"(?:责任单位|牵头单位|责任部门|牵头部门|责任主体|承办单位|主办单位)$")),
    (PROGRESS, re.compile(r"(?:进展情况|完成情况|工作进展|推进情况|落实情况|进展|进度)$")),
    (PROBLEMS, re.compile(r"(?:存在的?问题|问题|困难问题)$")),
    (
        NEXT,
        re.compile(r"(?:下步打算|下一?步.*(?:计划|打算|措施)|[0-9一二三四五六七八九十]+月份?(?:工作)?计划|工作计划)$"),
    ),
]
_WS = re.compile(r"\s+")


@functools.lru_cache(maxsize=4096)
def classify_label(label: str) -> str | None:
    # Header labels are short; don't strip HTML from every long data cell.
    if not label or len(label) > 60:
        return None
    label = _WS.sub("", html_to_text(label))
    if not label or len(label) > 20:
        return None
    for role, pattern in _ROLE_PATTERNS:
        if pattern.search(label):
            return role
    return None


@dataclass
class Header:
    labels: list[str]
    roles: dict[str, int]  # role -> column index
    title_from_content: bool = False  # no title column: the content names the task

    @property
    def has_target(self) -> bool:
        return TARGET in self.roles

    @property
    def has_stretch(self) -> bool:
        return STRETCH in self.roles

    def columns(self) -> list[Column]:
        """The recognised columns in printed order; unknown columns are dropped."""
        by_index: dict[int, str] = {}
        for role, col in self.roles.items():
            # When one column serves as both title and content, it is the content.
            if col not in by_index or role == CONTENT:
                by_index[col] = role
        return [Column(self.labels[i], by_index[i]) for i in sorted(by_index)]


def recognise_header(texts: list[str | None]) -> Header | None:
    """A Header if these cells read as a ledger's header row, else None."""
    roles: dict[str, int] = {}
    for col, text in enumerate(texts):
        role = classify_label(text or "")
        if role is not None and role not in roles:
            roles[role] = col
    if len(roles) < 3 or not ({CONTENT, TITLE, TARGET} & roles.keys()):
        return None
    if not ({UNITS, PROGRESS} & roles.keys()):
        return None
    labels = [_WS.sub("", text or "") for text in texts]
    title_from_content = False
    if CONTENT not in roles:
        # The period's target is all there is to describe the item.
        if TARGET in roles:
            roles[CONTENT] = roles.pop(TARGET)
        else:
            roles[CONTENT] = roles[TITLE]
    if TITLE not in roles:
        # A task column (工作任务, 年度任务目标) also names the task; a bare
        # target column (年度工作目标) does not.
        title_from_content = "任务" in labels[roles[CONTENT]]
    return Header(labels, roles, title_from_content)


# --------------------------------------------------------------------------
# Section headings and titles

_DECLARED = re.compile(r"[（(]\s*共\s*(\d+)\s*项\s*[)）]")
_ENUMERATED = re.compile(
    r"^(?:[一二三四五六七八九十]+\s*[、.．]|[（(]\s*[一二三四五六七八九十]+\s*[)）]|\d{1,2}\s*[、．])"
)
_PAGE_NUMBER = re.compile(r"^[—\-－–~]*\s*\d{1,4}\s*[—\-－–~]*$|^第\s*\d+\s*页")
_TITLE_HINT = re.compile(r"台账|情况|[表单]$|清单|分解|任务|计划|报告")
_CIRCLED = re.compile(r"[\u2460-\u2473\u3251-\u325f]")
_JUNK = re.compile(r"^[\s\-—－_=*.·…]*$")


def parse_heading(text: str) -> tuple[str, int | None] | None:
    """(name, declared count) if this text is a section heading."""
    text = _SPACE.sub(" ", text.strip())
    if not text or len(text) > 80 or _PAGE_NUMBER.match(text):
        return None
    m = _DECLARED.search(text)
    if m:
        return text, int(m.group(1))
    if _ENUMERATED.match(text) and len(text) <= 40 and not text.endswith(("。", "；", ";")):
        return text, None
    return None


def is_page_number(text: str) -> bool:
    return bool(_PAGE_NUMBER.match(text.strip()))


# --------------------------------------------------------------------------
# Assembly


def _spans_row(row: Row) -> bool:
    """True if the row is one cell merged across all columns."""
    first = row.cells[0]
    if len(row.cells) < 2 or not first.text:
        return False
    # None is a position covered by the merge (pdfplumber); otherwise the
    # format parser gives all positions of a merged cell the same key.
    return all(c.text is None or (c.key is not None and c.key is first.key) for c in row.cells[1:])


@dataclass
class _RowValues:
    raw: dict[str, str | None]
    source: Source
    page_top: bool = False


_TERMINAL = tuple("。！？；.!?;…")


@dataclass
class _Builder:
    source_name: str
    soft_wraps: bool
    ledger: ParsedLedger
    header: Header | None = None
    section: ParsedSection | None = None
    pending: list[_RowValues] = field(default_factory=list)
    header_seen: bool = False

    def text(self, raw: str | None) -> str:
        return clean_text(raw, soft_wraps=self.soft_wraps)

    def open_section(self, name: str | None, declared: int | None) -> None:
        self.flush()
        # A section whose table repeats no header keeps the columns in force.
        columns = self.header.columns() if self.header is not None else []
        self.section = ParsedSection(name=name, declared_count=declared, columns=columns)
        self.ledger.sections.append(self.section)

    def row_values(self, row: Row) -> _RowValues:
        assert self.header is not None
        used: set[int] = set()
        raw: dict[str, str | None] = {}
        for role, col in self.header.roles.items():
            cell = row.cells[col] if col < len(row.cells) else Cell("")
            # A cell merged across several columns belongs to the first role.
            if cell.key is not None and id(cell.key) in used:
                raw[role] = ""
                continue
            if cell.key is not None:
                used.add(id(cell.key))
            raw[role] = cell.text
        return _RowValues(raw, Source(self.source_name, row.table, row.row, row.page), row.page_top)

    def add_table(self, table: Table) -> None:
        first_data = True
        for i, row in enumerate(table.rows):
            texts = [c.text for c in row.cells]
            # Deep in a table only a repeated header (its first label again)
            # can be a header; don't classify every data row's cells.
            maybe_header = i < 8 or self.header is None or classify_label(texts[0] or "") is not None
            header = recognise_header(texts) if maybe_header else None
            if header is not None:
                if self.header is not None and header.labels == self.header.labels:
                    continue  # header repeated on a new page or a new section's table
                self.flush()
                self.header = header
                if not self.ledger.columns:
                    self.ledger.columns = header.labels
                self.ledger.has_target |= header.has_target
                self.ledger.has_stretch_target |= header.has_stretch
                if self.section is None:
                    self.open_section(None, None)
                self.section.columns = header.columns()
                continue
            nonempty = [t for t in texts if t and t.strip()]
            if not nonempty or all(_JUNK.match(t) for t in nonempty):
                continue
            if _spans_row(row):
                # One text across the whole row: a title or section heading.
                self.add_paragraph(Paragraph(nonempty[0], row.page))
                continue
            if self.header is None:
                continue
            values = self.row_values(row)
            # Only the first row under the header can be the tail of a row
            # broken by the page break.
            values.page_top = row.page_top and first_data
            first_data = False
            self.pending.append(values)

    def add_paragraph(self, para: Paragraph) -> None:
        text = " ".join(_lines(para.text))
        if not text or is_page_number(text):
            return
        heading = parse_heading(text)
        if heading is not None:
            self.open_section(*heading)
        elif self.ledger.title is None and not self.header_seen and _TITLE_HINT.search(text):
            self.ledger.title = text

    def flush(self) -> None:
        if not self.pending:
            return
        rows = self._join_page_breaks(self.pending)
        self.pending = []
        assert self.header is not None and self.section is not None
        self._assemble(rows)

    def _join_page_breaks(self, rows: list[_RowValues]) -> list[_RowValues]:
        out: list[_RowValues] = []
        for row in rows:
            if row.page_top and out and not (row.raw.get(NUMBER) or "").strip():
                prev = out[-1]
                content = (row.raw.get(CONTENT) or "").strip()
                prev_content = self.text(prev.raw.get(CONTENT))
                if not content or not prev_content.endswith(_TERMINAL):
                    for role, value in row.raw.items():
                        if value and value.strip():
                            before = prev.raw.get(role) or ""
                            prev.raw[role] = f"{before}\n{value}" if before else value
                    self.ledger.joined_rows += 1
                    continue
            out.append(row)
        return out

    def _assemble(self, rows: list[_RowValues]) -> None:
        header, section = self.header, self.section
        assert header is not None and section is not None
        has_title_col = TITLE in header.roles
        task: ParsedTask | None = None
        above: dict[str, str | None] = {}
        for row in rows:
            raw = dict(row.raw)
            # Merge-covered cells (None) inherit whatever is above them.
            for role, value in raw.items():
                if value is None:
                    raw[role] = above.get(role)
            number = self.text(raw.get(NUMBER))
            title = self.text(raw.get(TITLE)) if has_title_col else None
            content = self.text(raw.get(CONTENT))
            if task is not None and not number:
                number = task.number
                if has_title_col and not title:
                    title = task.title
            if not has_title_col and header.title_from_content:
                title = content if task is None or number != task.number else task.title
            if task is None or number != task.number or (has_title_col and title != task.title):
                task = ParsedTask(number=number, title=title)
                section.tasks.append(task)
            units = split_units(raw.get(UNITS)) + split_units(raw.get(CO_UNITS))
            if not units and task.subtasks:
                units = list(task.subtasks[-1].units)
            task.subtasks.append(
                ParsedSubtask(
                    content=content or (title or ""),
                    units=units,
                    progress=self.text(raw.get(PROGRESS)),
                    problems=self.text(raw.get(PROBLEMS)),
                    next_steps=self.text(raw.get(NEXT)),
                    target=self.text(raw.get(TARGET)) if header.has_target else None,
                    stretch_target=self.text(raw.get(STRETCH)) if header.has_stretch else None,
                    source=row.source,
                )
            )
            above = raw


def build_ledger(
    blocks: list[Block],
    *,
    source_name: str,
    soft_wraps: bool = False,
) -> ParsedLedger:
    """Turn a format parser's block stream into a ParsedLedger."""
    ledger = ParsedLedger(title=None, period=None, columns=[], source_name=source_name)
    builder = _Builder(source_name=source_name, soft_wraps=soft_wraps, ledger=ledger)
    for block in blocks:
        if isinstance(block, Table):
            builder.add_table(block)
            builder.header_seen = builder.header_seen or builder.header is not None
        else:
            builder.add_paragraph(block)
    builder.flush()
    ledger.sections = [s for s in ledger.sections if s.tasks or s.name]
    if not any(s.tasks for s in ledger.sections):
        raise NoLedgerError("文件中没有找到台账表格（需要含有序号、任务内容、责任单位或进展情况等列的表格）")
    ledger.period = find_period(ledger.title or "") or find_period(source_name)
    for section in ledger.sections:
        if section.declared_count is None:
            continue
        found = sum(len(t.subtasks) for t in section.tasks)
        # Some ledgers count the ①②③ items enumerated inside the cells.
        circled = sum(len(_CIRCLED.findall(s.content)) for t in section.tasks for s in t.subtasks)
        if section.declared_count not in (found, circled):
            ledger.warnings.append(f"“{section.name}”标明共{section.declared_count}项，实际读到{found}项，请核对")
    return ledger
