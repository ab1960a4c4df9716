"""Shared fixtures: users of every role and a small ledger they work on."""

from pathlib import Path

import pytest

from ledger import roles
from tests import factories

SAMPLES = Path(__file__).resolve().parent.parent / "fixtures" / "ledgers"


@pytest.fixture
def unit(db):
    return factories.UnitFactory(name="区住建局", aliases=["区住房和城乡建设局"])


@pytest.fixture
def other_unit(db):
    return factories.UnitFactory(name="区卫健局")


@pytest.fixture
def clerk(unit):
    return factories.UserFactory(username="clerk", unit=unit, role=roles.CLERK)


@pytest.fixture
def other_clerk(other_unit):
    return factories.UserFactory(username="other_clerk", unit=other_unit, role=roles.CLERK)


@pytest.fixture
def reviewer(db):
    return factories.UserFactory(username="reviewer", role=roles.REVIEWER)


@pytest.fixture
def leader(db):
    return factories.UserFactory(username="leader", role=roles.LEADER)


@pytest.fixture
def admin_user(db):
    return factories.UserFactory(username="admin", role=roles.ADMIN, is_superuser=True, is_staff=True)
