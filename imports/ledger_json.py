"""The canonical ledger JSON (shared/ledgers/README.md) to and from ParsedLedger."""

from __future__ import annotations

from typing import Any

from imports.parsers.common import classify_label
from imports.parsers.ledger import (
    Column,
    ParsedLedger,
    ParsedSection,
    ParsedSubtask,
    ParsedTask,
)
from ledger.periods import parse_period


def _subtask_dict(sub: ParsedSubtask) -> dict[str, Any]:
    out: dict[str, Any] = {
        "content": sub.content,
        "units": list(sub.units),
        "progress": sub.progress,
        "problems": sub.problems,
        "next_steps": sub.next_steps,
    }
    # Only where the ledger has such a column: absent is not the same as blank.
    if sub.target is not None:
        out["target"] = sub.target
    if sub.stretch_target is not None:
        out["stretch_target"] = sub.stretch_target
    return out


def to_json_dict(parsed: ParsedLedger) -> dict[str, Any]:
    sections = []
    for sec in parsed.sections:
        d: dict[str, Any] = {"name": sec.name, "declared_count": sec.declared_count}
        labels = [c.label for c in sec.columns]
        if labels and labels != parsed.columns:
            d["columns"] = labels
        d["tasks"] = [
            {
                "number": task.number,
                "title": task.title,
                "subtasks": [_subtask_dict(s) for s in task.subtasks],
            }
            for task in sec.tasks
        ]
        sections.append(d)
    return {
        "title": parsed.title,
        "period": parsed.period.code if parsed.period else None,
        "columns": list(parsed.columns),
        "sections": sections,
        "warnings": list(parsed.warnings),
    }


def from_json_dict(d: dict[str, Any]) -> ParsedLedger:
    columns = list(d.get("columns") or [])
    ledger = ParsedLedger(
        title=d.get("title"),
        period=parse_period(d["period"]) if d.get("period") else None,
        columns=columns,
        warnings=list(d.get("warnings") or []),
    )
    for sec in d.get("sections") or []:
        section = ParsedSection(
            name=sec.get("name"),
            declared_count=sec.get("declared_count"),
            columns=[Column(label, classify_label(label) or "content") for label in sec.get("columns") or columns],
        )
        for task in sec.get("tasks") or []:
            parsed_task = ParsedTask(number=str(task.get("number") or ""), title=task.get("title"))
            for sub in task.get("subtasks") or []:
                parsed_task.subtasks.append(
                    ParsedSubtask(
                        content=sub.get("content") or "",
                        units=list(sub.get("units") or []),
                        progress=sub.get("progress") or "",
                        problems=sub.get("problems") or "",
                        next_steps=sub.get("next_steps") or "",
                        target=sub.get("target"),
                        stretch_target=sub.get("stretch_target"),
                    )
                )
                ledger.has_target |= "target" in sub
                ledger.has_stretch_target |= "stretch_target" in sub
            section.tasks.append(parsed_task)
        ledger.sections.append(section)
    return ledger
