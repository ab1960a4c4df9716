"""load_demo: units, accounts for every role, the samples, an open period; twice changes nothing."""

import io

import pytest
from django.core.management import call_command

from ledger import roles
from ledger.models import Ledger, ProgressEntry, ReportingPeriod, Subtask, Unit, User

pytestmark = pytest.mark.django_db(transaction=False)


def _counts():
    return [m.objects.count() for m in (Unit, User, Ledger, ReportingPeriod, Subtask, ProgressEntry)]


def test_load_demo_is_complete_and_idempotent(client):
    call_command("load_demo", stdout=io.StringIO())
    first = _counts()
    assert Ledger.objects.count() == 5
    assert Subtask.objects.count() == 6 + 72 + 25 + 33 + 82
    for name in (roles.ADMIN, roles.REVIEWER, roles.LEADER):
        assert User.objects.filter(groups__name=name).exists()
    clerks = User.objects.filter(groups__name=roles.CLERK)
    assert clerks.count() == Unit.objects.filter(assignments__isnull=False).distinct().count()
    assert all(c.unit and c.username == c.unit.name for c in clerks)
    # Open periods with something to review and something to chase.
    states = set(ProgressEntry.objects.filter(source_file="").values_list("review_state", flat=True))
    assert {"submitted", "approved", "returned", "draft"} <= states

    call_command("load_demo", stdout=io.StringIO())
    assert _counts() == first

    response = client.post("/login/", {"username": "区住建局", "password": "demo12345"}, follow=True)
    assert response.redirect_chain[-1][0] == "/tasks/"
    assert response.status_code == 200
