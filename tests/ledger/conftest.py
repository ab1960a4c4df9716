"""Fixtures of the reporting pages: a small ledger with two periods, and
clients signed in as each role."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest

from ledger.models import ProgressEntry, ReportingPeriod, Subtask
from tests import factories

ROLES = ["anonymous", "clerk", "other_clerk", "reviewer", "leader", "admin_user"]


@dataclass
class World:
    ledger: object
    prev: ReportingPeriod
    period: ReportingPeriod
    items: list[Subtask]  # the clerk's unit leads these
    shared: Subtask  # led by the other unit, the clerk's unit cooperates
    foreign: Subtask  # only the other unit
    prev_entries: dict[int, ProgressEntry] = field(default_factory=dict)


@pytest.fixture
def world(unit, other_unit) -> World:
    ledger = factories.LedgerFactory(title="2024年民生实事台账")
    section = factories.SectionFactory(ledger=ledger, order=1, name="一、城市建设")
    task = factories.TaskFactory(section=section, order=1, number="1", title="实施城市品质提升工程")
    items = [factories.SubtaskFactory(task=task, order=i, content=f"改造老旧小区第{i}批") for i in (1, 2)]
    for s in items:
        factories.SubtaskUnitFactory(subtask=s, unit=unit)
    shared = factories.SubtaskFactory(task=task, order=3, content="新建人才公寓100套")
    factories.SubtaskUnitFactory(subtask=shared, unit=other_unit, order=0)
    factories.SubtaskUnitFactory(subtask=shared, unit=unit, role="cooperating", order=1)
    foreign = factories.SubtaskFactory(task=task, order=4, content="建设社区卫生服务站")
    factories.SubtaskUnitFactory(subtask=foreign, unit=other_unit)
    prev = factories.PeriodFactory(
        ledger=ledger,
        start=dt.date(2024, 5, 1),
        end=dt.date(2024, 5, 31),
        label="2024年5月",
        due_date=dt.date(2024, 6, 5),
        locked=True,
    )
    period = factories.PeriodFactory(
        ledger=ledger,
        start=dt.date(2024, 6, 1),
        end=dt.date(2024, 6, 30),
        label="2024年6月",
        due_date=dt.date(2024, 7, 5),
    )
    prev_entries = {
        items[0].pk: factories.EntryFactory(
            subtask=items[0],
            period=prev,
            progress="五月：完成施工招标。",
            problems="资金缺口",
            next_steps="六月开工",
            status=ProgressEntry.Status.IN_PROGRESS,
            percent=30,
            review_state=ProgressEntry.ReviewState.APPROVED,
        )
    }
    return World(ledger, prev, period, items, shared, foreign, prev_entries)


@pytest.fixture
def login(client):
    """login(user) signs the test client in (None stays anonymous)."""

    def _login(user):
        if user is not None:
            client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return _login


@pytest.fixture
def as_role(request, login):
    """as_role("clerk") → (client, user) signed in as that role's fixture user."""

    def _as(role: str):
        user = None if role == "anonymous" else request.getfixturevalue(role)
        return login(user), user

    return _as


def make_items(*, unit, period, n: int, with_entries: bool = True) -> list[Subtask]:
    """n sub-items of the unit in the period's ledger (each in its own task), half with entries."""
    section = factories.SectionFactory(ledger=period.ledger, name=f"板块{n}")
    subtasks = []
    for i in range(n):
        task = factories.TaskFactory(section=section)
        s = factories.SubtaskFactory(task=task)
        factories.SubtaskUnitFactory(subtask=s, unit=unit)
        if with_entries and i % 2 == 0:
            factories.EntryFactory(
                subtask=s, period=period, progress=f"进展{i}", review_state=ProgressEntry.ReviewState.SUBMITTED
            )
        subtasks.append(s)
    return subtasks
