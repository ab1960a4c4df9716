"""Reads of the ledger domain."""

from __future__ import annotations

import re

from ledger.models import Unit

_SPACE = re.compile(r"\s+")


def normalize_unit_name(name: str) -> str:
    """Compare unit names without white space and with ASCII brackets folded."""
    return _SPACE.sub("", name or "").replace("(", "（").replace(")", "）")


class UnitMatcher:
    """Finds units by name, short name or alias; loads all units once."""

    def __init__(self, units=None):
        self._by_name: dict[str, Unit] = {}
        for unit in units if units is not None else Unit.objects.all():
            self.add(unit)

    def add(self, unit: Unit) -> None:
        # The full name wins over another unit's alias or short name.
        for name in unit.all_names()[1:]:
            self._by_name.setdefault(normalize_unit_name(name), unit)
        self._by_name[normalize_unit_name(unit.name)] = unit

    def find(self, name: str) -> Unit | None:
        return self._by_name.get(normalize_unit_name(name))
