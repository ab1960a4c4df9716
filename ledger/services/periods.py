"""Writes to reporting periods: the supervision office opens the next period of
a ledger, sets its due date and locks it when it is finished.

Entries of a new period are not created here: they are created lazily when a
clerk first saves (see ``ledger.services.entries``), and the sub-items carry
forward by themselves because they belong to the ledger, not to a period.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction

from ledger import periods, roles
from ledger.models import Ledger, ReportingPeriod
from ledger.services.entries import NotAllowed, ReportingError

DEFAULT_DUE_DAYS = 5


OFFICE_ONLY = "只有督查室（审核员）可以管理期次。"


def _check_office(user) -> None:
    if not roles.is_reviewer(user):
        raise NotAllowed(OFFICE_ONLY)


def next_period_value(*, ledger: Ledger) -> periods.Period:
    """The period that follows the ledger's latest one (the first of its year when none)."""
    latest = ledger.periods.filter(kind=ledger.cadence).order_by("-start").first()
    if latest is not None:
        return latest.value.next()
    index = None if ledger.cadence == periods.YEAR else 1
    return periods.Period(ledger.year, ledger.cadence, index)


def default_due_date(value: periods.Period) -> dt.date:
    return value.end + dt.timedelta(days=DEFAULT_DUE_DAYS)


def open_next_period(*, user, ledger: Ledger, due_date: dt.date | None = None) -> ReportingPeriod:
    """Open the ledger's next period (of its cadence) with its due date."""
    _check_office(user)
    value = next_period_value(ledger=ledger)
    if due_date is not None and due_date < value.start:
        raise ReportingError("截止日期不能早于期次开始日期。")
    try:
        with transaction.atomic():
            return ReportingPeriod.objects.create(
                ledger=ledger,
                kind=value.kind,
                start=value.start,
                end=value.end,
                label=value.label,
                title=f"{ledger.title}（{value.label}）",
                due_date=due_date or default_due_date(value),
            )
    except IntegrityError:
        raise ReportingError(f"{value.label}已经开启。")


def set_due_date(*, user, period: ReportingPeriod, due_date: dt.date) -> ReportingPeriod:
    _check_office(user)
    if period.locked and not roles.is_admin(user):
        raise NotAllowed(f"{period.label}已锁定，不能再修改。")
    if due_date < period.start:
        raise ReportingError("截止日期不能早于期次开始日期。")
    period.due_date = due_date
    period.save(update_fields=["due_date"])
    return period


def lock_period(*, user, period: ReportingPeriod) -> ReportingPeriod:
    """Lock a finished period: afterwards only an admin can change its entries."""
    _check_office(user)
    if period.locked:
        raise ReportingError(f"{period.label}已经锁定。")
    ReportingPeriod.objects.filter(pk=period.pk).update(locked=True)
    period.locked = True
    return period


def unlock_period(*, user, period: ReportingPeriod) -> ReportingPeriod:
    """Unlock a period again (admins only)."""
    if not roles.is_admin(user):
        raise NotAllowed("只有管理员可以解除锁定。")
    ReportingPeriod.objects.filter(pk=period.pk).update(locked=False)
    period.locked = False
    return period
