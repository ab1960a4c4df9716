"""What a parser returns: a ledger as plain dataclasses, no database."""

from __future__ import annotations

from dataclasses import dataclass, field

from ledger.periods import Period


@dataclass
class Source:
    """Where a row came from, kept on every imported sub-item and entry."""

    file: str
    table: int  # 1-based table (or sheet) index in the document
    row: int  # 1-based row within that table
    page: int | None = None  # PDF only


@dataclass
class ParsedSubtask:
    """One sub-item row (项目内容) with its units and this period's report."""

    content: str
    units: list[str] = field(default_factory=list)
    progress: str = ""
    problems: str = ""
    next_steps: str = ""
    target: str | None = None  # None where the ledger has no period-target column
    stretch_target: str | None = None  # None where the ledger has no 年度奋斗目标 column
    source: Source | None = None


@dataclass
class ParsedTask:
    """One task (目标任务) with its number as printed and its sub-items."""

    number: str
    title: str | None
    subtasks: list[ParsedSubtask] = field(default_factory=list)


# What a column holds; the same keys name the fields of ParsedSubtask/ParsedTask.
COLUMN_FIELDS = (
    "number",
    "title",
    "content",
    "stretch_target",
    "target",
    "units",
    "co_units",
    "progress",
    "problems",
    "next_steps",
)


@dataclass
class Column:
    """A table column: its label as printed and the field it holds."""

    label: str
    field: str  # one of COLUMN_FIELDS


@dataclass
class ParsedSection:
    """A section heading with its declared count (共N项) and its tasks."""

    name: str | None
    declared_count: int | None
    tasks: list[ParsedTask] = field(default_factory=list)
    columns: list[Column] = field(default_factory=list)  # this section's table columns, in order


@dataclass
class ParsedLedger:
    """A whole ledger as read from one file."""

    title: str | None
    period: Period | None
    columns: list[str]  # the ledger's own header labels, in order
    sections: list[ParsedSection] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    source_name: str = ""
    has_target: bool = False  # the ledger has a period-target column (工作目标)
    has_stretch_target: bool = False  # the ledger has a 年度奋斗目标 column
    joined_rows: int = 0  # PDF rows continued across a page break and joined
