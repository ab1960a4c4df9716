"""我的任务: role matrix, content, returned items first, query count."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ledger.models import ProgressEntry
from ledger.services import entries as svc
from tests.ledger.conftest import ROLES, make_items

pytestmark = pytest.mark.django_db
EXPECTED = {"anonymous": 302, "clerk": 200, "other_clerk": 200, "reviewer": 403, "leader": 403, "admin_user": 403}


@pytest.mark.parametrize("role", ROLES)
def test_role_matrix(world, as_role, role):
    client, _ = as_role(role)
    response = client.get(reverse("my_tasks"))
    assert response.status_code == EXPECTED[role]
    if role == "anonymous":
        assert response["Location"].startswith(reverse("login"))


def test_lists_own_unit_items_of_open_period(world, as_role):
    client, _ = as_role("clerk")
    html = client.get(reverse("my_tasks")).content.decode()
    assert "改造老旧小区第1批" in html and "新建人才公寓100套" in html  # lead and cooperating
    assert "建设社区卫生服务站" not in html  # another unit's
    assert "2024年6月" in html and "2024年5月" not in html  # the open period only
    assert '本期应报 <strong>3</strong>，已报 <strong class="text-success">0</strong>' in html
    assert "逾期" in html  # due 2024-07-05 is past


def test_returned_first_with_comment(world, as_role, clerk, reviewer):
    entry = svc.save_entry(
        user=clerk,
        subtask=world.items[1],
        period=world.period,
        data=svc.EntryInput(progress="进展"),
        version=0,
        submit=True,
    )
    svc.return_entry(user=reviewer, entry_id=entry.pk, version=entry.version, comment="请补充具体数字")
    client, _ = as_role("clerk")
    response = client.get(reverse("my_tasks"))
    html = response.content.decode()
    assert html.index('data-testid="returned"') < html.index("整月填报")
    assert "请补充具体数字" in html
    assert response.context["counts"]["returned"] == 1


def test_other_clerk_sees_only_their_items(world, as_role):
    client, _ = as_role("other_clerk")
    html = client.get(reverse("my_tasks")).content.decode()
    assert "建设社区卫生服务站" in html and "改造老旧小区第1批" not in html


@pytest.mark.parametrize("n", [5, 50])
def test_query_count_does_not_grow(world, as_role, unit, n, django_assert_max_num_queries):
    make_items(unit=unit, period=world.period, n=n)
    client, _ = as_role("clerk")
    with django_assert_max_num_queries(10):
        response = client.get(reverse("my_tasks"))
    assert response.context["counts"]["due"] == n + 3
    assert ProgressEntry.objects.count() >= n // 2
