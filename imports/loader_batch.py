"""The loader's batched writes: rows an import creates are collected while the
file is matched against the database, then written in a few statements.

New rows may point at one another before any of them has a primary key (a
new sub-item of a new task, the entry of a new sub-item): ``bulk_create``
fills in each foreign key from the object it points at, so writing the
levels in order (tasks, sub-items, their units, entries) is enough.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from simple_history.utils import bulk_create_with_history

from ledger.models import Ledger, ProgressEntry, Subtask, SubtaskUnit, Task
from ledger.selectors.units import UnitMatcher
from ledger.services import units as unit_services
from ledger.services.units import get_or_create_unit

# (unit_id, role, order, printed_name), as ledger.services.units.set_subtask_units writes them.
Assignment = tuple[int, str, int, str]


def wanted_assignments(names: Iterable[str], matcher: UnitMatcher) -> list[Assignment]:
    """A sub-item's units as set_subtask_units would write them: in order, the first leads.

    Units not known yet are created (through get_or_create_unit), as
    set_subtask_units does; a unit named twice keeps its first printed name.
    """
    named: dict[int, str] = {}
    for name in names:
        unit, _ = get_or_create_unit(name=name, matcher=matcher)
        named.setdefault(unit.pk, name.strip())
    return [
        (unit_id, SubtaskUnit.Role.LEAD if i == 0 else SubtaskUnit.Role.COOPERATING, i, printed)
        for i, (unit_id, printed) in enumerate(named.items())
    ]


def current_assignments(ledger: Ledger) -> dict[int, list[Assignment]]:
    """The units each sub-item of the ledger has now, in order: one query."""
    out: dict[int, list[Assignment]] = {}
    rows = (
        SubtaskUnit.objects.filter(subtask__task__section__ledger=ledger)
        .order_by("subtask_id", "order", "pk")
        .values_list("subtask_id", "unit_id", "role", "order", "printed_name")
    )
    for subtask_id, unit_id, role, order, printed in rows:
        out.setdefault(subtask_id, []).append((unit_id, role, order, printed))
    return out


def set_subtask_units(
    *,
    subtask: Subtask,
    unit_names: Iterable[str],
    matcher: UnitMatcher,
    pending: PendingRows | None = None,
    current: list[Assignment] | None = None,
) -> bool:
    """ledger.services.units.set_subtask_units for the loader, batched; True when anything changed.

    A new sub-item (not saved yet) gets its units queued on ``pending``; an
    existing one whose units, read beforehand (``current``), are already the
    wanted ones costs no query. Anything else goes to the service.
    """
    names = list(unit_names)
    if pending is None:
        return unit_services.set_subtask_units(subtask=subtask, unit_names=names, matcher=matcher)
    wanted = wanted_assignments(names, matcher)
    if subtask.pk is None:
        pending.assign(subtask, wanted)
        return bool(wanted)
    if current is not None and current == wanted:
        return False
    return unit_services.set_subtask_units(subtask=subtask, unit_names=names, matcher=matcher)


@dataclass
class PendingRows:
    """New rows of one import, written by flush() in one go per model."""

    tasks: list[Task] = field(default_factory=list)
    subtasks: list[Subtask] = field(default_factory=list)
    assignments: list[SubtaskUnit] = field(default_factory=list)
    entries: list[ProgressEntry] = field(default_factory=list)

    def assign(self, subtask: Subtask, wanted: list[Assignment]) -> None:
        self.assignments.extend(
            SubtaskUnit(subtask=subtask, unit_id=unit_id, role=role, order=order, printed_name=printed)
            for unit_id, role, order, printed in wanted
        )

    def flush(self, *, user, reason: str) -> None:
        """Insert everything collected (each with its history where the model keeps one)."""
        if self.tasks:
            Task.objects.bulk_create(self.tasks)
        if self.subtasks:
            Subtask.objects.bulk_create(self.subtasks)
        if self.assignments:
            SubtaskUnit.objects.bulk_create(self.assignments)
        if self.entries:
            # Each entry also carries _history_user and _change_reason, which
            # simple_history prefers over these defaults.
            bulk_create_with_history(self.entries, ProgressEntry, default_user=user, default_change_reason=reason)
        self.tasks, self.subtasks, self.assignments, self.entries = [], [], [], []
