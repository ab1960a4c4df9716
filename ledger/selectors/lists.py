"""Querysets behind the filtered lists and the ledger index; permission-aware."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Prefetch, QuerySet

from ledger import roles
from ledger.models import Ledger, ProgressEntry, Subtask, SubtaskUnit
from ledger.selectors.reporting import unit_in_ledger


def _assignments() -> Prefetch:
    return Prefetch("assignments", queryset=SubtaskUnit.objects.select_related("unit").order_by("order", "id"))


def subtask_rows() -> QuerySet[Subtask]:
    return (
        Subtask.objects.select_related("task__section__ledger")
        .prefetch_related(_assignments())
        .order_by("task__section__ledger__title", "task__section__order", "task__order", "order")
    )


def entry_rows() -> QuerySet[ProgressEntry]:
    return (
        ProgressEntry.objects.select_related("period__ledger", "subtask__task__section")
        .prefetch_related(Prefetch("subtask__assignments", queryset=SubtaskUnit.objects.select_related("unit")))
        .order_by("-period__start", "subtask__task__section__order", "subtask__task__order", "subtask__order")
    )


def unit_names(subtask: Subtask) -> str:
    """Units as printed in the ledger, one per line (uses the prefetch)."""
    return "\n".join(a.printed_name or a.unit.name for a in subtask.assignments.all())


def readable_ledgers(user) -> QuerySet[Ledger]:
    """Ledgers whose table the user may read: all for leaders, reviewers and
    admins; for a clerk, the ledgers in which the clerk's unit has sub-items
    (the official ledger is circulated to every responsible unit anyway)."""
    ledgers = Ledger.objects.annotate(period_count=Count("periods", distinct=True)).order_by("-year", "title")
    if roles.can_read_all(user):
        return ledgers
    if roles.is_clerk(user):
        mine = SubtaskUnit.objects.filter(subtask__task__section__ledger=OuterRef("pk"), unit_id=user.unit_id)
        return ledgers.filter(Exists(mine))
    return ledgers.none()


def can_read_ledger(user, ledger: Ledger) -> bool:
    """The single-ledger form of readable_ledgers."""
    if roles.can_read_all(user):
        return True
    return roles.is_clerk(user) and unit_in_ledger(unit_id=user.unit_id, ledger_id=ledger.pk)
