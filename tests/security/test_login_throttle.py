"""django-axes: repeated wrong passwords lock the account out; success resets."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from ledger import roles
from tests import factories

PASSWORD = "pass12345"


@pytest.fixture
def user(db):
    return factories.UserFactory(username="clerk_throttle", role=roles.CLERK)


def _login(client, *, password: str):
    return client.post(reverse("login"), {"username": "clerk_throttle", "password": password})


def test_limit_is_configured() -> None:
    assert settings.AXES_ENABLED
    assert 3 <= settings.AXES_FAILURE_LIMIT <= 10


def test_repeated_failures_lock_the_account_with_a_chinese_page(client, user) -> None:
    for attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        response = _login(client, password=f"wrong{attempt}")
        assert response.status_code == 200, "a wrong password shows the form again"
        assert "用户名或密码不正确" in response.content.decode()

    locked = _login(client, password="wrong-last")
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "登录尝试次数过多" in page
    assert "锁定" in page

    # Locked means locked: the right password does not get in either.
    still_locked = _login(client, password=PASSWORD)
    assert still_locked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_lock_is_per_account_not_global(client, user) -> None:
    factories.UserFactory(username="clerk_other", role=roles.CLERK)
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        _login(client, password=f"wrong{attempt}")
    response = client.post(reverse("login"), {"username": "clerk_other", "password": PASSWORD})
    assert response.status_code == 302


def test_success_resets_the_failure_count(client, user) -> None:
    for attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(client, password=f"wrong{attempt}")
    assert _login(client, password=PASSWORD).status_code == 302
    client.post(reverse("logout"))

    # A fresh budget of failures: the count did not carry over.
    for attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _login(client, password=f"again{attempt}").status_code == 200
    assert _login(client, password=PASSWORD).status_code == 302
