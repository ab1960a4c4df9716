"""A period's ledger as the official table: sections, columns and rows.

One structure feeds the screen, the Word and the Excel export, so all three
print the same thing. The number of queries does not grow with the ledger.

A period may be wider than the ledger's cadence (a quarter of a monthly
ledger): the entries of the periods it contains are then combined, keeping per
sub-item and per field the latest non-empty text.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import timezone

from ledger import periods as period_values
from ledger.models import Ledger, ProgressEntry, ReportingPeriod, Section, Subtask, SubtaskUnit, Task

# Columns of a ledger imported without a recorded header (or built by hand).
DEFAULT_COLUMNS: list[dict[str, str]] = [
    {"label": "序号", "field": "number"},
    {"label": "目标任务", "field": "title"},
    {"label": "项目内容", "field": "content"},
    {"label": "责任单位", "field": "units"},
    {"label": "进展情况", "field": "progress"},
    {"label": "存在问题", "field": "problems"},
    {"label": "下步打算", "field": "next_steps"},
]
ENTRY_FIELDS = ("progress", "problems", "next_steps", "target")
# Cells that span all rows of a task; units only when every row names the same.
TASK_FIELDS = ("number", "title")


class PeriodNotFound(LookupError):
    """The ledger has no reporting period within the requested one."""


@dataclass
class Column:
    label: str
    field: str


@dataclass
class Row:
    subtask_id: int
    cells: dict[str, str]
    status: str = ""
    entry_ids: list[int] = field(default_factory=list)


@dataclass
class TaskBlock:
    task_id: int
    number: str
    title: str
    rows: list[Row]
    shared_units: bool  # every row names the same units: print them merged


@dataclass
class SectionBlock:
    section_id: int
    name: str
    declared_count: int | None
    columns: list[Column]
    tasks: list[TaskBlock]

    @property
    def heading(self) -> str:
        """The section's name as printed; the count is added only if the name lacks it."""
        if not self.name:
            return ""
        if self.declared_count is not None and "共" not in self.name:
            return f"{self.name}（共{self.declared_count}项）"
        return self.name


@dataclass
class LedgerTable:
    ledger: Ledger
    period: period_values.Period
    reporting_periods: list[ReportingPeriod]
    title: str
    sections: list[SectionBlock]

    @property
    def period_label(self) -> str:
        if len(self.reporting_periods) == 1:
            return self.reporting_periods[0].label
        return self.period.label

    @property
    def task_count(self) -> int:
        return sum(len(s.tasks) for s in self.sections)


def normalize_columns(raw: list | None) -> list[Column]:
    """Section/Ledger.columns as Column objects; labels alone are classified."""
    cols: list[Column] = []
    for item in raw or []:
        if isinstance(item, dict) and item.get("field"):
            cols.append(Column(label=str(item.get("label") or ""), field=str(item["field"])))
        elif isinstance(item, str):
            guessed = _guess_field(item)
            if guessed:
                cols.append(Column(label=item, field=guessed))
    # A header without a single ledger column is not one we can print.
    if not any(c.field in ("content", "title") for c in cols):
        return [Column(**c) for c in DEFAULT_COLUMNS]
    return cols


def _guess_field(label: str) -> str | None:
    for col in DEFAULT_COLUMNS:
        if col["label"] == label:
            return col["field"]
    return None


def resolve_period(*, ledger: Ledger, label: str | None) -> tuple[period_values.Period, list[ReportingPeriod]]:
    """The period a label names and the ledger's reporting periods within it.

    No label: the latest period that has started (else the first one).
    Raises PeriodNotFound, or periods.PeriodError for an unreadable label.
    """
    all_periods = list(ledger.periods.order_by("start", "kind"))
    if not label:
        chosen = latest_period(all_periods)
        if chosen is None:
            raise PeriodNotFound(f"台账“{ledger.title}”还没有报送期次")
        return chosen.value, [chosen]
    wanted = period_values.parse_period(label)
    exact = [p for p in all_periods if p.code == wanted.code]
    if exact:
        return wanted, exact
    inside = [p for p in all_periods if wanted.contains(p.value)]
    if not inside:
        raise PeriodNotFound(f"台账“{ledger.title}”没有{wanted.label}的报送期次")
    return wanted, inside


def latest_period(all_periods: list[ReportingPeriod], *, today: dt.date | None = None) -> ReportingPeriod | None:
    """The latest period that has started (else the first), periods ordered by start."""
    # The date in TIME_ZONE: date.today() follows the server's clock zone,
    # which is a day behind Beijing until 08:00 on a UTC host.
    today = today or timezone.localdate()
    started = [p for p in all_periods if p.start <= today]
    if started:
        return max(started, key=lambda p: (p.start, p.end))
    return all_periods[0] if all_periods else None


def compose_title(*, ledger: Ledger, period: period_values.Period, reporting_periods: list[ReportingPeriod]) -> str:
    """The period's own title if the source had one; else ledger title + period."""
    if len(reporting_periods) == 1 and reporting_periods[0].title:
        return reporting_periods[0].title
    base = ledger.title
    # Keep the word 台账 in the title: it is how a reader (and the importer)
    # recognises the title line above the table.
    suffix = "" if "台账" in base or base.endswith(("表", "清单")) else "台账"
    return f"{base}{suffix}（{period.label}）"


def combine_entries(entries: list[ProgressEntry]) -> dict[int, dict]:
    """Per sub-item: the latest non-empty text per field over the given entries.

    Entries must be ordered by period start, oldest first.
    """
    out: dict[int, dict] = {}
    for entry in entries:
        slot = out.setdefault(entry.subtask_id, {"ids": [], "status": "", "percent": None})
        slot["ids"].append(entry.id)
        for name in ENTRY_FIELDS:
            value = getattr(entry, name) or ""
            if value.strip():
                slot[name] = value
        slot["status"] = entry.status
        if entry.percent is not None:
            slot["percent"] = entry.percent
    return out


def build_ledger_table(*, ledger: Ledger, label: str | None = None) -> LedgerTable:
    """The ledger as printed for one period (a constant number of queries)."""
    period, reporting_periods = resolve_period(ledger=ledger, label=label)
    sections = list(Section.objects.filter(ledger=ledger).order_by("order"))
    tasks = list(Task.objects.filter(section__ledger=ledger).order_by("section_id", "order"))
    subtasks = list(
        Subtask.objects.filter(task__section__ledger=ledger)
        .only("id", "task_id", "order", "content", "stretch_target", "annual_target")
        .order_by("task_id", "order")
    )
    assignments = (
        SubtaskUnit.objects.filter(subtask__task__section__ledger=ledger)
        .select_related("unit")
        .order_by("subtask_id", "order", "id")
    )
    units_by_subtask: dict[int, list[str]] = defaultdict(list)
    for a in assignments:
        units_by_subtask[a.subtask_id].append(a.printed_name or a.unit.name)
    entries = list(
        ProgressEntry.objects.filter(period__in=reporting_periods)
        .select_related(None)
        .only("id", "subtask_id", "period_id", "status", "percent", *ENTRY_FIELDS)
        .order_by("period__start", "id")
    )
    combined = combine_entries(entries)

    subs_by_task: dict[int, list[Subtask]] = defaultdict(list)
    for s in subtasks:
        subs_by_task[s.task_id].append(s)
    tasks_by_section: dict[int, list[Task]] = defaultdict(list)
    for t in tasks:
        tasks_by_section[t.section_id].append(t)

    blocks: list[SectionBlock] = []
    for section in sections:
        columns = normalize_columns(section.columns or ledger.columns)
        task_blocks = []
        for task in tasks_by_section[section.id]:
            rows = []
            for sub in subs_by_task[task.id]:
                data = combined.get(sub.id, {})
                cells = {
                    "number": task.number,
                    "title": task.title,
                    "content": sub.content,
                    "stretch_target": sub.stretch_target,
                    "target": data.get("target") or sub.annual_target,
                    "units": "\n".join(units_by_subtask.get(sub.id, [])),
                    "progress": data.get("progress", ""),
                    "problems": data.get("problems", ""),
                    "next_steps": data.get("next_steps", ""),
                }
                rows.append(
                    Row(subtask_id=sub.id, cells=cells, status=data.get("status", ""), entry_ids=data.get("ids", []))
                )
            shared = len(rows) > 1 and len({r.cells["units"] for r in rows}) == 1
            task_blocks.append(
                TaskBlock(task_id=task.id, number=task.number, title=task.title, rows=rows, shared_units=shared)
            )
        blocks.append(
            SectionBlock(
                section_id=section.id,
                name=section.name,
                declared_count=section.declared_count,
                columns=columns,
                tasks=task_blocks,
            )
        )
    title = compose_title(ledger=ledger, period=period, reporting_periods=reporting_periods)
    return LedgerTable(ledger=ledger, period=period, reporting_periods=reporting_periods, title=title, sections=blocks)


def merged_fields(block: TaskBlock) -> set[str]:
    """Columns printed once for the whole task (merged down over its rows)."""
    fields = set(TASK_FIELDS)
    if block.shared_units:
        fields.add("units")
    return fields
