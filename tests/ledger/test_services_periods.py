"""Services of reporting periods: open the next one, due dates, lock."""

from __future__ import annotations

import datetime as dt

import pytest

from ledger.models import Ledger, ReportingPeriod
from ledger.services import entries
from ledger.services import periods as svc
from tests import factories

pytestmark = pytest.mark.django_db


def test_open_next_month_follows_latest(world, reviewer):
    period = svc.open_next_period(user=reviewer, ledger=world.ledger, due_date=dt.date(2024, 8, 5))
    assert (period.kind, period.start, period.end, period.label) == (
        "month",
        dt.date(2024, 7, 1),
        dt.date(2024, 7, 31),
        "2024年7月",
    )
    assert period.due_date == dt.date(2024, 8, 5) and not period.locked
    assert period.entries.count() == 0  # entries are created lazily
    # sub-items carry forward: they belong to the ledger
    assert svc.next_period_value(ledger=world.ledger).code == "2024-08"


def test_open_next_rolls_over_the_year_and_defaults_due_date(reviewer):
    ledger = factories.LedgerFactory(cadence=Ledger.Cadence.QUARTER, year=2024)
    first = svc.open_next_period(user=reviewer, ledger=ledger)
    assert first.code == "2024-Q1" and first.due_date == dt.date(2024, 4, 5)
    ReportingPeriod.objects.filter(pk=first.pk).update(start=dt.date(2024, 10, 1), end=dt.date(2024, 12, 31))
    nxt = svc.open_next_period(user=reviewer, ledger=ledger)
    assert nxt.code == "2025-Q1" and nxt.label == "2025年第一季度"


def test_due_date_before_start_refused(world, reviewer):
    with pytest.raises(entries.ReportingError):
        svc.open_next_period(user=reviewer, ledger=world.ledger, due_date=dt.date(2024, 1, 1))
    with pytest.raises(entries.ReportingError):
        svc.set_due_date(user=reviewer, period=world.period, due_date=dt.date(2024, 1, 1))


@pytest.mark.parametrize("role", ["clerk", "leader"])
def test_only_office_manages_periods(world, request, role):
    user = request.getfixturevalue(role)
    with pytest.raises(entries.NotAllowed):
        svc.open_next_period(user=user, ledger=world.ledger)
    with pytest.raises(entries.NotAllowed):
        svc.lock_period(user=user, period=world.period)
    with pytest.raises(entries.NotAllowed):
        svc.set_due_date(user=user, period=world.period, due_date=dt.date(2024, 7, 9))


def test_lock_makes_entries_read_only_but_for_admin(world, reviewer, clerk, admin_user):
    svc.set_due_date(user=reviewer, period=world.period, due_date=dt.date(2024, 7, 9))
    svc.lock_period(user=reviewer, period=world.period)
    world.period.refresh_from_db()
    assert world.period.locked and world.period.due_date == dt.date(2024, 7, 9)
    with pytest.raises(entries.NotAllowed):
        entries.save_entry(
            user=clerk, subtask=world.items[0], period=world.period, data=entries.EntryInput(progress="x"), version=0
        )
    with pytest.raises(entries.NotAllowed):
        svc.set_due_date(user=reviewer, period=world.period, due_date=dt.date(2024, 7, 10))
    with pytest.raises(entries.NotAllowed):
        svc.unlock_period(user=reviewer, period=world.period)
    svc.unlock_period(user=admin_user, period=world.period)
    world.period.refresh_from_db()
    assert not world.period.locked


def test_open_twice_same_period_refused(world, reviewer):
    svc.open_next_period(user=reviewer, ledger=world.ledger)
    p = svc.open_next_period(user=reviewer, ledger=world.ledger)
    assert p.code == "2024-08"
