"""期次管理: role matrix, open next period, due date, lock (admin-only unlock)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ledger.models import ReportingPeriod
from tests.ledger.conftest import ROLES

pytestmark = pytest.mark.django_db
EXPECTED = {"anonymous": 302, "clerk": 403, "other_clerk": 403, "reviewer": 200, "leader": 403, "admin_user": 200}
POST_OK = {"anonymous": 302, "clerk": 403, "other_clerk": 403, "reviewer": 302, "leader": 403, "admin_user": 302}


@pytest.mark.parametrize("role", ROLES)
def test_role_matrix(world, as_role, role):
    client, _ = as_role(role)
    response = client.get(reverse("periods"))
    assert response.status_code == EXPECTED[role]
    if response.status_code == 200:
        assert "开启2024年7月" in response.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_open_matrix(world, as_role, role):
    client, _ = as_role(role)
    response = client.post(
        reverse("period_open", args=[world.ledger.pk]), {f"l{world.ledger.pk}-due_date": "2024-08-05"}
    )
    assert response.status_code == POST_OK[role]
    assert ReportingPeriod.objects.filter(ledger=world.ledger, label="2024年7月").exists() == (
        POST_OK[role] == 302 and role != "anonymous"
    )


@pytest.mark.parametrize("role", ROLES)
def test_lock_matrix(world, as_role, role):
    client, _ = as_role(role)
    response = client.post(reverse("period_lock", args=[world.period.pk]))
    assert response.status_code == POST_OK[role]
    world.period.refresh_from_db()
    assert world.period.locked == (POST_OK[role] == 302 and role != "anonymous")


def test_open_sets_due_date(world, as_role):
    client, _ = as_role("reviewer")
    response = client.post(
        reverse("period_open", args=[world.ledger.pk]), {f"l{world.ledger.pk}-due_date": "2024-08-06"}, follow=True
    )
    assert "已开启" in response.content.decode()
    period = ReportingPeriod.objects.get(ledger=world.ledger, label="2024年7月")
    assert str(period.due_date) == "2024-08-06"


def test_set_due_date(world, as_role):
    client, _ = as_role("reviewer")
    client.post(reverse("period_due", args=[world.period.pk]), {f"p{world.period.pk}-due_date": "2024-07-10"})
    world.period.refresh_from_db()
    assert str(world.period.due_date) == "2024-07-10"
    response = client.post(
        reverse("period_due", args=[world.period.pk]), {f"p{world.period.pk}-due_date": "x"}, follow=True
    )
    assert "请填写正确的截止日期" in response.content.decode()


@pytest.mark.parametrize(("role", "status"), [("reviewer", 403), ("admin_user", 302)])
def test_unlock_admin_only(world, as_role, role, status):
    client, _ = as_role(role)
    assert client.post(reverse("period_unlock", args=[world.prev.pk])).status_code == status
    world.prev.refresh_from_db()
    assert world.prev.locked == (status == 403)
