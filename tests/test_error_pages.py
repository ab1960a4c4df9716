"""403, 404 and 500 pages speak Chinese (Django's own are English), and the
403 page shows the reason the view gave."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from ledger import roles
from tests import factories

pytestmark = pytest.mark.django_db


def test_403_shows_the_views_reason(client):
    client.force_login(factories.UserFactory(role=roles.LEADER))
    response = client.get(reverse("imports:upload"))
    assert response.status_code == 403
    text = response.content.decode()
    assert "没有权限访问该页面" in text and "只有审核员和管理员可以导入台账" in text
    assert "Forbidden" not in text


def test_404_is_chinese(client):
    client.force_login(factories.UserFactory(role=roles.LEADER))
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_500_page_renders_without_a_request():
    assert "系统错误" in render_to_string("500.html")
