"""Writes to units and to the units named on sub-items."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from ledger.models import Subtask, SubtaskUnit, Unit
from ledger.selectors.units import UnitMatcher


def get_or_create_unit(*, name: str, matcher: UnitMatcher | None = None) -> tuple[Unit, bool]:
    """The unit known by this name or alias, else a new one (created=True)."""
    matcher = matcher or UnitMatcher()
    unit = matcher.find(name)
    if unit is not None:
        return unit, False
    unit = Unit.objects.create(name=name.strip())
    matcher.add(unit)
    return unit, True


@transaction.atomic
def set_subtask_units(*, subtask: Subtask, unit_names: Iterable[str], matcher: UnitMatcher | None = None) -> bool:
    """Make the sub-item's units exactly these, in order; the first leads.

    Returns True when anything changed.
    """
    matcher = matcher or UnitMatcher()
    named: dict[int, str] = {}
    for name in unit_names:
        unit, _ = get_or_create_unit(name=name, matcher=matcher)
        named.setdefault(unit.pk, name.strip())
    wanted = [
        (unit_id, SubtaskUnit.Role.LEAD if i == 0 else SubtaskUnit.Role.COOPERATING, i, printed)
        for i, (unit_id, printed) in enumerate(named.items())
    ]
    current = list(subtask.assignments.order_by("order").values_list("unit_id", "role", "order", "printed_name"))
    if current == wanted:
        return False
    subtask.assignments.all().delete()
    SubtaskUnit.objects.bulk_create(
        SubtaskUnit(subtask=subtask, unit_id=unit_id, role=role, order=order, printed_name=printed)
        for unit_id, role, order, printed in wanted
    )
    return True
