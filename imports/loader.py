"""Writes a ParsedLedger into the database: the one place an import writes.

Everything happens inside one ``transaction.atomic``: any error leaves the
database as it was, and a dry run does all the work and then rolls back, so
what it reports is exactly what a real run would change.

Matching against what the database already holds (so that re-importing a
file changes nothing and the next period's file lands on the same rows):

* the ledger by ``--ledger`` or by its title without the period phrase and year;
* sections by their order in the file;
* tasks within a section by number, then by title;
* sub-items within a task by content (white space ignored), then by order.

Rows are compared before they are written and left alone when nothing
changed; a progress entry's ``version`` moves only when its text changes.
What the ledger already holds is read once per import, and new rows are
collected and written in one batch per model (imports.loader_batch), so an
import costs a handful of statements rather than several per sub-item.
Nothing is ever deleted: rows of the ledger that the file no longer has are
reported as warnings.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import F

from imports.errors import (
    BadPeriodError,
    FileTooLargeError,
    ImportFileMissingError,
    LedgerImportError,
    LedgerNotFoundError,
    PeriodMissingError,
)
from imports.loader_batch import PendingRows, current_assignments, set_subtask_units
from imports.parsers.ledger import Column, ParsedLedger, ParsedSection, ParsedSubtask, ParsedTask
from ledger import periods
from ledger.models import Ledger, ProgressEntry, ReportingPeriod, Section, Subtask, Task
from ledger.selectors.units import UnitMatcher, normalize_unit_name

logger = logging.getLogger(__name__)
Progress = Callable[[int, int], None]

KINDS = ("sections", "tasks", "subtasks", "units", "entries")
ACTIONS = ("created", "updated", "unchanged")
KIND_LABELS = {
    "sections": "板块",
    "tasks": "目标任务",
    "subtasks": "项目内容",
    "units": "责任单位",
    "entries": "进展填报",
}
DEFAULT_MAX_BYTES = 20 * 1024 * 1024

# The label a derived column gets when the file named none we can use.
DEFAULT_LABELS = {
    "number": "序号",
    "title": "目标任务",
    "content": "项目内容",
    "stretch_target": "年度奋斗目标",
    "target": "工作目标",
    "units": "责任单位",
    "progress": "进展情况",
    "problems": "存在问题",
    "next_steps": "下步打算",
}
# Moved out of the way before final orders are set, so that the unique
# (parent, order) constraints never see two rows on one order mid-update.
_ORDER_OFFSET = 1_000_000
_WS = re.compile(r"\s+")


def _norm(text: str | None) -> str:
    return _WS.sub("", text or "")


def _empty_counts() -> dict[str, dict[str, int]]:
    return {kind: dict.fromkeys(ACTIONS, 0) for kind in KINDS}


@dataclass
class ImportReport:
    """What an import changed (or, for a dry run, would change)."""

    ledger_id: int | None
    ledger_title: str
    period_code: str
    period_label: str
    parsed: ParsedLedger
    ledger_created: bool = False
    period_created: bool = False
    counts: dict[str, dict[str, int]] = field(default_factory=_empty_counts)
    new_units: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # Created and updated rows, for the preview page: {"kind", "action", "label"}.
    changes: list[dict[str, str]] = field(default_factory=list)
    dry_run: bool = False

    def count(self, kind: str, action: str) -> int:
        return self.counts[kind][action]

    @property
    def total_created(self) -> int:
        return sum(c["created"] for c in self.counts.values())

    @property
    def total_updated(self) -> int:
        return sum(c["updated"] for c in self.counts.values())

    @property
    def changed(self) -> bool:
        return bool(self.total_created or self.total_updated)

    def summary_zh(self) -> str:
        """One line in Chinese, e.g. for the command line and the job page."""
        prefix = "试导入（未写入数据库）" if self.dry_run else "导入完成"
        parts = []
        for kind in ("sections", "tasks", "subtasks", "entries"):
            c = self.counts[kind]
            parts.append(f"{KIND_LABELS[kind]}新增{c['created']}、更新{c['updated']}、未变{c['unchanged']}")
        text = f"{prefix}：“{self.ledger_title}”{self.period_label}，" + "；".join(parts)
        text += f"；新增责任单位{len(self.new_units)}个"
        if self.warnings:
            text += f"；提示{len(self.warnings)}条"
        return text + "。"

    def as_dict(self, *, include_parsed: bool = False) -> dict[str, Any]:
        data: dict[str, Any] = {
            "ledger_id": self.ledger_id,
            "ledger_title": self.ledger_title,
            "ledger_created": self.ledger_created,
            "period": self.period_code,
            "period_label": self.period_label,
            "period_created": self.period_created,
            "counts": {kind: dict(c) for kind, c in self.counts.items()},
            "new_units": list(self.new_units),
            "warnings": list(self.warnings),
            "changes": list(self.changes),
            "dry_run": self.dry_run,
            "summary": self.summary_zh(),
        }
        if include_parsed:
            from imports.ledger_json import to_json_dict

            data["parsed"] = to_json_dict(self.parsed)
        return data


# --------------------------------------------------------------------------
# Entry points


def import_file(
    path: str | os.PathLike[str],
    *,
    original_name: str | None = None,
    ledger_id: int | None = None,
    period: str | None = None,
    dry_run: bool = False,
    user=None,
    max_bytes: int | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Parse a ledger file and load it; raises LedgerImportError subclasses."""
    from imports.parsers import parse_file

    path = os.fspath(path)
    # Cheap checks first: a typo in --period should not wait for a PDF parse.
    if period:
        resolve_period_arg(period)
    if ledger_id is not None:
        get_ledger(ledger_id=ledger_id)
    check_file(path, max_bytes=max_bytes)
    parsed = parse_file(path, original_name=original_name, max_bytes=_max_bytes(max_bytes))
    if original_name and not parsed.source_name:
        parsed.source_name = original_name
    return load_parsed(parsed, ledger_id=ledger_id, period=period, dry_run=dry_run, user=user, progress=progress)


def check_file(path: str, *, max_bytes: int | None = None) -> int:
    """The file's size; raises when it is missing or over the limit."""
    limit = _max_bytes(max_bytes)
    if not os.path.isfile(path):
        raise ImportFileMissingError(f"文件不存在：{path}")
    size = os.path.getsize(path)
    if size > limit:
        raise FileTooLargeError(f"文件过大（{size / 1048576:.1f} MB），上限为 {limit / 1048576:g} MB")
    return size


def _max_bytes(max_bytes: int | None) -> int:
    return max_bytes if max_bytes is not None else getattr(settings, "IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES)


def resolve_period_arg(text: str) -> periods.Period:
    try:
        return periods.parse_period(text)
    except periods.PeriodError:
        raise BadPeriodError(f"无法识别的期次：{text}（应写作 2024-06、2025-Q1、2024-H1、2023 或“2025年一季度”）")


def get_ledger(*, ledger_id: int) -> Ledger:
    ledger = Ledger.objects.filter(pk=ledger_id).first()
    if ledger is None:
        raise LedgerNotFoundError(f"台账不存在（ID={ledger_id}）")
    return ledger


def load_parsed(
    parsed: ParsedLedger,
    *,
    ledger_id: int | None = None,
    period: str | None = None,
    dry_run: bool = False,
    user=None,
    progress: Progress | None = None,
) -> ImportReport:
    """Write a parsed ledger into the database, all or nothing."""
    value = resolve_period_arg(period) if period else parsed.period
    if value is None:
        raise PeriodMissingError("无法从标题或文件名识别期次，请用 --period 指定，如 2024-06")
    try:
        with transaction.atomic():
            report = _Loader(parsed, period=value, user=user, progress=progress, dry_run=dry_run).run(
                ledger_id=ledger_id
            )
            if dry_run:
                transaction.set_rollback(True)
    except DatabaseError as exc:
        # The database's own message may name tables and values: log it for
        # the administrator, tell the user only what happened.
        logger.exception("ledger import failed in the database")
        raise LedgerImportError("写入数据库失败，未导入任何内容，请联系管理员查看日志。") from exc
    if dry_run and report.ledger_created:
        report.ledger_id = None  # rolled back: the id would only mislead
    return report


# --------------------------------------------------------------------------
# Ledger title, kind and columns


_TITLE_PERIODS = [
    re.compile(r"(\d{4})\s*年\s*(?:度\s*)?(?:第\s*)?[一二三四1-4]\s*季\s*度"),
    re.compile(r"(\d{4})\s*年\s*(?:度\s*)?[上下]\s*半\s*年(?:度)?"),
    re.compile(r"(\d{4})\s*年\s*(?:\d{1,2}\s*[-—－~～至到]\s*)?\d{1,2}\s*月\s*(?:份)?(?:底|末)?"),
]
_BARE_PERIODS = [
    re.compile(r"(?:第\s*)?[一二三四]\s*季\s*度"),
    re.compile(r"[上下]\s*半\s*年(?:度)?"),
    re.compile(r"(?<!\d)(?:\d{1,2}\s*[-—－~～至到]\s*)?\d{1,2}\s*月\s*份?"),
]
_CODE_PERIODS = [
    re.compile(r"(\d{4})[-_.]?[Qq][1-4](?![0-9])"),
    re.compile(r"(\d{4})[-_.]?[Hh][12](?![0-9])"),
    re.compile(r"(\d{4})[-_.]?(?:0[1-9]|1[0-2])(?!\d)"),
]


def strip_period(text: str) -> str:
    """A title without its period phrase: the same for every period of a year.

    "2025年一季度民生实事工作进展情况台账" -> "2025年民生实事工作进展情况台账".
    """
    out = text
    for pattern in _TITLE_PERIODS:
        out = pattern.sub(r"\1年", out)
    if out == text:
        for pattern in _BARE_PERIODS:
            out = pattern.sub("", out, count=1)
    return out.strip()


def ledger_title_for(parsed: ParsedLedger, *, period: periods.Period) -> str:
    if parsed.title and parsed.title.strip():
        return strip_period(parsed.title.strip())[:200] or parsed.title.strip()[:200]
    stem = Path(parsed.source_name or "").stem
    out = stem
    for pattern in _CODE_PERIODS:
        out = pattern.sub(r"\1", out)
    out = strip_period(out).strip(" -_.")
    return (out or f"{period.year}年台账")[:200]


def ledger_kind_for(text: str) -> str:
    if "民生实事" in text or "minsheng" in text.lower():
        return Ledger.Kind.MINSHENG
    if "政府工作报告" in text or "gzbg" in text.lower():
        return Ledger.Kind.WORK_REPORT
    return Ledger.Kind.OTHER


def _classify(label: str) -> str | None:
    try:
        from imports.parsers.common import classify_label
    except ImportError:  # the parsers own header recognition; without it, fall back to counts
        return None
    role = classify_label(label)
    return "units" if role == "co_units" else role


def derived_fields(section: ParsedSection) -> list[str]:
    """The fields this section's rows fill, in the canonical column order."""
    tasks = section.tasks
    subs = [s for t in tasks for s in t.subtasks]
    # A title that only repeats the sole sub-item's content comes from the
    # content column (ledgers without a 目标任务 column): not a column of its own.
    has_title = any(
        t.title and not (len(t.subtasks) == 1 and _norm(t.title) == _norm(t.subtasks[0].content)) for t in tasks
    )
    out = ["number"]
    if has_title:
        out.append("title")
    out.append("content")
    if any(s.stretch_target is not None for s in subs):
        out.append("stretch_target")
    if any(s.target is not None for s in subs):
        out.append("target")
    out += ["units", "progress", "problems", "next_steps"]
    return out


def section_columns(section: ParsedSection, parsed: ParsedLedger) -> list[dict[str, str]]:
    """The section's columns as [{"label", "field"}], whatever the parser filled in."""
    raw = list(section.columns or [])
    if raw and all(isinstance(c, Column) for c in raw):
        return [{"label": c.label, "field": c.field} for c in raw]
    if raw and all(isinstance(c, dict) and "field" in c for c in raw):
        return [{"label": str(c.get("label") or DEFAULT_LABELS.get(c["field"], "")), "field": c["field"]} for c in raw]
    labels = [str(c) for c in raw] if raw and all(isinstance(c, str) for c in raw) else list(parsed.columns or [])
    subs = [s for t in section.tasks for s in t.subtasks]
    if labels:
        fields = [_classify(label) for label in labels]
        # "年度工作目标" reads as a target, but where no row has a target and
        # no column holds the content, it is the content column.
        if "content" not in fields and "target" in fields and all(s.target is None for s in subs):
            fields[fields.index("target")] = "content"
        if all(fields) and "content" in fields:
            return [{"label": label, "field": f} for label, f in zip(labels, fields, strict=True)]
    wanted = derived_fields(section)
    if labels and len(labels) != len(wanted):
        # Columns that are blank in every row may simply not exist in this ledger.
        blank = {f for f in ("units", "problems", "next_steps") if not any(getattr(s, f) for s in subs)}
        compact = [f for f in wanted if f not in blank]
        if len(labels) == len(compact):
            wanted = compact
    if labels and len(labels) == len(wanted):
        return [{"label": label, "field": f} for label, f in zip(labels, wanted, strict=True)]
    return [{"label": DEFAULT_LABELS[f], "field": f} for f in wanted]


_DONE = re.compile(r"(?:已全部完成|已全面完成|全面完成|已完成)(?:全年|年度)?(?:目标)?(?:任务)?$")
_FUTURE = re.compile(r"确保|力争|争取|计划|预计|将|拟|要|前")
_CLAUSES = re.compile(r"[，,；;。.！!？?\n]+")


def infer_status(progress: str) -> str:
    """An imported entry's status from its progress text.

    Only a statement of completion that ends the text counts as done:
    "已完成方案设计，正在招标" and "已完成80%" are work in progress,
    "项目已全部完成。" is done. Reviewers correct what this gets wrong.
    """
    text = _norm(progress)
    if not text:
        return ProgressEntry.Status.NOT_STARTED
    clauses = [c for c in _CLAUSES.split(text) if c]
    last = clauses[-1] if clauses else ""
    if _DONE.search(last) and not _FUTURE.search(last):
        return ProgressEntry.Status.DONE
    return ProgressEntry.Status.IN_PROGRESS


# --------------------------------------------------------------------------
# The loader


def _order_rows(rows: list, final: dict[int, int]) -> None:
    """Give existing rows their final orders without ever colliding."""
    moving = [r for r in rows if final.get(r.pk, r.order) != r.order]
    if not moving:
        return
    model = type(moving[0])
    model.objects.filter(pk__in=[r.pk for r in moving]).update(order=F("order") + _ORDER_OFFSET)
    for r in moving:
        r.order = final[r.pk]
        model.objects.filter(pk=r.pk).update(order=r.order)


class _Loader:
    def __init__(self, parsed: ParsedLedger, *, period: periods.Period, user, progress: Progress | None, dry_run: bool):
        self.parsed = parsed
        self.value = period
        self.user = user
        self.progress = progress
        self.source_name = parsed.source_name or ""
        self.matcher = UnitMatcher()
        self.report = ImportReport(
            ledger_id=None,
            ledger_title="",
            period_code=period.code,
            period_label=period.label,
            parsed=parsed,
            warnings=list(parsed.warnings),
            dry_run=dry_run,
        )
        self.done = 0
        self.total = sum(len(t.subtasks) for s in parsed.sections for t in s.tasks)
        self._new_unit_keys: set[str] = set()
        self._known_unit_ids: set[int] = set()
        self._overwritten = 0
        self._section_has_units = True
        self.pending = PendingRows()
        self.reason = f"导入：{self.source_name}"[:100]

    # -- helpers --------------------------------------------------------------

    def _count(self, kind: str, action: str, label: str = "") -> None:
        self.report.counts[kind][action] += 1
        if action != "unchanged":
            self.report.changes.append({"kind": KIND_LABELS[kind], "action": action, "label": label[:80]})

    def _warn(self, text: str) -> None:
        if text not in self.report.warnings:
            self.report.warnings.append(text)

    def _tick(self) -> None:
        self.done += 1
        # The last tick waits for the batched writes (see _sections).
        if self.progress is not None and self.done < self.total:
            self.progress(self.done, self.total)

    # -- ledger and period ----------------------------------------------------

    def run(self, *, ledger_id: int | None) -> ImportReport:
        if not self.parsed.sections or self.total == 0:
            from imports.errors import NoLedgerError

            raise NoLedgerError("文件中没有找到台账内容（没有任何项目内容行）")
        ledger = self._ledger(ledger_id)
        period = self._period(ledger)
        self._check_warnings()
        if self.progress is not None:
            self.progress(0, self.total)
        self._sections(ledger, period)
        self.report.counts["units"]["created"] = len(self.report.new_units)
        self.report.counts["units"]["unchanged"] = len(self._known_unit_ids)
        if self._overwritten:
            self._warn(f"{self._overwritten}条进展原为系统内填报，已按文件内容覆盖（历史记录可查）")
        entries = self.report.counts["entries"]
        if period.locked and (entries["created"] or entries["updated"]):
            raise LedgerImportError(f"期次“{period.label}”已锁定，不能导入进展；请先解锁该期次")
        return self.report

    def _ledger(self, ledger_id: int | None) -> Ledger:
        if ledger_id is not None:
            ledger = get_ledger(ledger_id=ledger_id)
            if ledger.year != self.value.year:
                self._warn(f"期次{self.value.label}与台账“{ledger.title}”的年度（{ledger.year}年）不一致，请核对")
        else:
            title = ledger_title_for(self.parsed, period=self.value)
            ledger = Ledger.objects.filter(title=title, year=self.value.year).first()
            if ledger is None:
                ledger = Ledger.objects.create(
                    title=title,
                    year=self.value.year,
                    kind=ledger_kind_for(f"{self.parsed.title or ''} {self.source_name}"),
                    cadence=self.value.kind,
                    columns=list(self.parsed.columns or []),
                )
                self.report.ledger_created = True
        if not ledger.columns and self.parsed.columns:
            ledger.columns = list(self.parsed.columns)
            ledger.save(update_fields=["columns"])
        self.report.ledger_id = ledger.pk
        self.report.ledger_title = ledger.title
        return ledger

    def _period(self, ledger: Ledger) -> ReportingPeriod:
        value = self.value
        title = (self.parsed.title or "")[:200]
        period = ReportingPeriod.objects.filter(ledger=ledger, start=value.start, kind=value.kind).first()
        if period is None:
            period = ReportingPeriod.objects.create(
                ledger=ledger, kind=value.kind, start=value.start, end=value.end, label=value.label, title=title
            )
            self.report.period_created = True
        elif title and not period.title:
            period.title = title
            period.save(update_fields=["title"])
        return period

    def _check_warnings(self) -> None:
        for section in self.parsed.sections:
            n = sum(len(t.subtasks) for t in section.tasks)
            if section.declared_count is not None and section.declared_count != n:
                name = section.name or "（不分板块）"
                if not any(name in w and str(section.declared_count) in w for w in self.report.warnings):
                    self._warn(f"“{name}”标明共{section.declared_count}项，实际读到{n}项，请核对")
        if self.parsed.joined_rows:
            self._warn(f"有{self.parsed.joined_rows}行在PDF分页处断开，已合并为一行，请核对")

    # -- sections -------------------------------------------------------------

    def _sections(self, ledger: Ledger, period: ReportingPeriod) -> None:
        existing = {s.order: s for s in Section.objects.filter(ledger=ledger)}
        tasks_by_section: dict[int, list[Task]] = {}
        for task in Task.objects.filter(section__ledger=ledger).order_by("order"):
            tasks_by_section.setdefault(task.section_id, []).append(task)
        subs_by_task: dict[int, list[Subtask]] = {}
        for sub in Subtask.objects.filter(task__section__ledger=ledger).order_by("order"):
            subs_by_task.setdefault(sub.task_id, []).append(sub)
        self.entries = {e.subtask_id: e for e in ProgressEntry.objects.filter(period=period)}
        self.assignments = current_assignments(ledger)
        self.period = period
        self.subs_by_task = subs_by_task

        for order, ps in enumerate(self.parsed.sections, start=1):
            name = (ps.name or "").strip()
            columns = section_columns(ps, self.parsed)
            section = existing.get(order)
            label = name or "（不分板块）"
            if section is None:
                section = Section.objects.create(
                    ledger=ledger, order=order, name=name, declared_count=ps.declared_count, columns=columns
                )
                self._count("sections", "created", label)
            else:
                wanted = {"name": name, "declared_count": ps.declared_count, "columns": columns}
                changed = [f for f, v in wanted.items() if getattr(section, f) != v]
                if section.name and name and _norm(section.name) != _norm(name):
                    self._warn(f"第{order}个板块名称由“{section.name}”改为“{name}”")
                if changed:
                    for f in changed:
                        setattr(section, f, wanted[f])
                    section.save(update_fields=changed)
                    self._count("sections", "updated", label)
                else:
                    self._count("sections", "unchanged", label)
            # A ledger without a 责任单位 column keeps the units its sub-items had.
            self._section_has_units = any(s.units for t in ps.tasks for s in t.subtasks)
            self._tasks(section, ps, tasks_by_section.get(section.pk, []))
        self.pending.flush(user=self.user, reason=self.reason)
        if self.progress is not None and self.done:
            self.progress(self.done, self.total)
        for order, section in sorted(existing.items()):
            if order > len(self.parsed.sections):
                self._warn(f"台账中已有的板块“{section}”在本文件中没有找到（未删除）")

    # -- tasks ----------------------------------------------------------------

    def _tasks(self, section: Section, ps: ParsedSection, existing: list[Task]) -> None:
        seen: dict[str, int] = {}
        for pt in ps.tasks:
            number = (pt.number or "").strip()
            if len(number) > 20:
                raise LedgerImportError(f"序号“{number[:30]}…”过长，无法导入；请检查“序号”列")
            if number and number in seen:
                raise LedgerImportError(f"“{section}”中序号“{number}”出现在两个不同的任务上，请核对后再导入")
            if number:
                seen[number] = 1
        by_number = {t.number: t for t in existing if t.number}
        by_title: dict[str, Task] = {}
        for t in existing:
            by_title.setdefault(_norm(t.title), t)
        by_order = {t.order: t for t in existing}
        claimed: set[int] = set()
        plan: list[tuple[ParsedTask, Task | None]] = []
        for order, pt in enumerate(ps.tasks, start=1):
            number = (pt.number or "").strip()
            task = by_number.get(number) if number else None
            if task is None and pt.title and _norm(pt.title):
                task = by_title.get(_norm(pt.title))
                # A title match must not steal a task another number names.
                if task is not None and task.number and number and task.number != number and number in by_number:
                    task = None
            if task is None and not number and not (pt.title or "").strip():
                task = by_order.get(order)
            if task is not None and task.pk in claimed:
                task = None
            if task is not None:
                claimed.add(task.pk)
            plan.append((pt, task))

        leftovers = [t for t in existing if t.pk not in claimed]
        final = {task.pk: order for order, (_, task) in enumerate(plan, start=1) if task is not None}
        for i, t in enumerate(leftovers, start=len(plan) + 1):
            final[t.pk] = i
            self._warn(f"“{section}”中已有的任务“{t}”在本文件中没有找到（未删除）")
        _order_rows(existing, final)

        for order, (pt, task) in enumerate(plan, start=1):
            number = (pt.number or "").strip()
            label = f"{number}. {(pt.title or '').strip()[:40]}".strip(". ") or f"任务{order}"
            if task is None:
                # Written with the other new rows; its sub-items are all new.
                task = Task(section=section, number=number, title=(pt.title or "").strip(), order=order)
                self.pending.tasks.append(task)
                self._count("tasks", "created", label)
            else:
                wanted: dict[str, Any] = {"number": number}
                if pt.title is not None:
                    wanted["title"] = pt.title.strip()
                changed = [f for f, v in wanted.items() if getattr(task, f) != v]
                if changed:
                    for f in changed:
                        setattr(task, f, wanted[f])
                    task.save(update_fields=changed)
                # A task only moved because others were added stays "unchanged".
                self._count("tasks", "updated" if changed else "unchanged", label)
            self._subtasks(task, pt, self.subs_by_task.get(task.pk, []) if task.pk else [])

    # -- sub-items ------------------------------------------------------------

    def _subtasks(self, task: Task, pt: ParsedTask, existing: list[Subtask]) -> None:
        by_content: dict[str, list[Subtask]] = {}
        for s in existing:
            by_content.setdefault(_norm(s.content), []).append(s)
        by_order = {s.order: s for s in existing}
        claimed: set[int] = set()
        plan: list[Subtask | None] = []
        for ps in pt.subtasks:
            match = next((s for s in by_content.get(_norm(ps.content), []) if s.pk not in claimed), None)
            if match is not None:
                claimed.add(match.pk)
            plan.append(match)
        # Content no longer matches: the sub-item at the same place, if free.
        for i, ps in enumerate(pt.subtasks):
            if plan[i] is None:
                candidate = by_order.get(i + 1)
                if (
                    candidate is not None
                    and candidate.pk not in claimed
                    and _norm(candidate.content) not in {_norm(p.content) for p in pt.subtasks}
                ):
                    claimed.add(candidate.pk)
                    plan[i] = candidate
                    self._warn(
                        f"任务“{task}”第{i + 1}项的项目内容与台账中已有的不同，已按文件更新："
                        f"“{candidate.content[:30]}”→“{ps.content[:30]}”"
                    )
        leftovers = [s for s in existing if s.pk not in claimed]
        final = {s.pk: order for order, s in enumerate(plan, start=1) if s is not None}
        for i, s in enumerate(leftovers, start=len(plan) + 1):
            final[s.pk] = i
            self._warn(f"任务“{task}”中已有的项目内容“{s.content[:40]}”在本文件中没有找到（未删除）")
        _order_rows(existing, final)

        for order, (ps, sub) in enumerate(zip(pt.subtasks, plan, strict=True), start=1):
            self._subtask(task, ps, sub, order)
            self._tick()

    def _subtask(self, task: Task, ps: ParsedSubtask, sub: Subtask | None, order: int) -> None:
        label = ps.content.strip()[:60]
        src = ps.source
        source = {
            "source_file": (src.file if src else self.source_name)[:255],
            "source_table": src.table if src else None,
            "source_row": src.row if src else None,
            "source_page": src.page if src else None,
        }
        if sub is None:
            sub = Subtask(
                task=task,
                order=order,
                content=ps.content.strip(),
                stretch_target=(ps.stretch_target or "").strip(),
                **source,
            )
            self.pending.subtasks.append(sub)
            changed = True
            created = True
        else:
            created = False
            wanted: dict[str, Any] = {"content": ps.content.strip()}
            if ps.stretch_target is not None:
                wanted["stretch_target"] = ps.stretch_target.strip()
            # The source stays where the sub-item was first read from; entries
            # carry the source of each period's file.
            if not sub.source_file:
                wanted.update(source)
            fields = [f for f, v in wanted.items() if getattr(sub, f) != v]
            if fields:
                for f in fields:
                    setattr(sub, f, wanted[f])
                sub.save(update_fields=fields)
            changed = bool(fields)
        if self._units(sub, ps):
            changed = True
        if created:
            self._count("subtasks", "created", label)
        else:
            self._count("subtasks", "updated" if changed else "unchanged", label)
        self._entry(sub, ps, source=source, label=label)

    def _units(self, sub: Subtask, ps: ParsedSubtask) -> bool:
        names = []
        for raw in ps.units:
            name = (raw or "").strip()
            if not name:
                continue
            if len(name) > 100:
                self._warn(f"责任单位名称过长，已忽略：“{name[:40]}…”")
                continue
            names.append(name)
        if not names and not self._section_has_units:
            return False
        for name in names:
            unit = self.matcher.find(name)
            if unit is not None:
                self._known_unit_ids.add(unit.pk)
                continue
            key = normalize_unit_name(name)
            if key not in self._new_unit_keys:
                self._new_unit_keys.add(key)
                self.report.new_units.append(name)
                self.report.changes.append({"kind": KIND_LABELS["units"], "action": "created", "label": name})
        return set_subtask_units(
            subtask=sub,
            unit_names=names,
            matcher=self.matcher,
            pending=self.pending,
            current=self.assignments.get(sub.pk, []) if sub.pk else None,
        )

    # -- progress entries -----------------------------------------------------

    def _entry(self, sub: Subtask, ps: ParsedSubtask, *, source: dict[str, Any], label: str) -> None:
        wanted: dict[str, Any] = {
            "progress": ps.progress or "",
            "problems": ps.problems or "",
            "next_steps": ps.next_steps or "",
        }
        if ps.target is not None:
            wanted["target"] = ps.target
        entry = self.entries.get(sub.pk) if sub.pk else None
        reason = self.reason
        if entry is None:
            entry = ProgressEntry(
                subtask=sub,
                period=self.period,
                status=infer_status(wanted["progress"]),
                review_state=ProgressEntry.ReviewState.APPROVED,
                **wanted,
                **source,
            )
            entry._history_user = self.user
            entry._change_reason = reason
            self.pending.entries.append(entry)  # written, with its history, in one batch
            self._count("entries", "created", label)
            return
        if all(getattr(entry, f) == v for f, v in wanted.items()):
            self._count("entries", "unchanged", label)
            return
        if not entry.source_file or entry.review_state != ProgressEntry.ReviewState.APPROVED:
            self._overwritten += 1
        for f, v in {**wanted, **source}.items():
            setattr(entry, f, v)
        entry.status = infer_status(wanted["progress"])
        entry.review_state = ProgressEntry.ReviewState.APPROVED
        entry.version += 1
        entry._history_user = self.user
        entry._change_reason = reason
        entry.save()
        self._count("entries", "updated", label)
