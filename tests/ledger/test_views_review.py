"""审核: role matrix (leaders read-only), approve, return with comment, bulk approve, filters, query count."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ledger.models import ProgressEntry
from ledger.services import entries as svc
from tests.ledger.conftest import ROLES, make_items

pytestmark = pytest.mark.django_db
State = ProgressEntry.ReviewState
HX = {"HTTP_HX_REQUEST": "true"}

GET_EXPECTED = {"anonymous": 302, "clerk": 403, "other_clerk": 403, "reviewer": 200, "leader": 200, "admin_user": 200}
POST_EXPECTED = {"anonymous": 302, "clerk": 403, "other_clerk": 403, "reviewer": 200, "leader": 403, "admin_user": 200}


@pytest.fixture
def submitted(world, clerk, other_clerk):
    a = svc.save_entry(
        user=clerk,
        subtask=world.items[0],
        period=world.period,
        data=svc.EntryInput(progress="住建局进展"),
        version=0,
        submit=True,
    )
    b = svc.save_entry(
        user=other_clerk,
        subtask=world.foreign,
        period=world.period,
        data=svc.EntryInput(progress="卫健局进展"),
        version=0,
        submit=True,
    )
    svc.save_entry(
        user=clerk, subtask=world.items[1], period=world.period, data=svc.EntryInput(progress="草稿进展"), version=0
    )
    return a, b


def review_url(world, **params):
    query = "&".join(f"{k}={v}" for k, v in {"period": world.period.pk, **params}.items())
    return reverse("review") + "?" + query


@pytest.mark.parametrize("role", ROLES)
def test_get_matrix(world, submitted, as_role, role):
    client, _ = as_role(role)
    response = client.get(review_url(world))
    assert response.status_code == GET_EXPECTED[role]
    if response.status_code == 200:
        html = response.content.decode()
        assert "住建局进展" in html and "卫健局进展" in html and "草稿进展" not in html
        assert ('data-testid="approve"' in html) == (role != "leader")  # leaders read only


@pytest.mark.parametrize("role", ROLES)
def test_approve_matrix(world, submitted, as_role, role):
    a, _ = submitted
    client, _ = as_role(role)
    response = client.post(reverse("review_approve", args=[a.pk]), {"version": a.version}, **HX)
    assert response.status_code == POST_EXPECTED[role]
    a.refresh_from_db()
    assert (a.review_state == State.APPROVED) == (POST_EXPECTED[role] == 200)


@pytest.mark.parametrize("role", ROLES)
def test_return_matrix(world, submitted, as_role, role):
    a, _ = submitted
    client, _ = as_role(role)
    response = client.post(reverse("review_return", args=[a.pk]), {"version": a.version, "comment": "补充"}, **HX)
    assert response.status_code == POST_EXPECTED[role]


def test_return_with_comment_then_resubmit(world, submitted, as_role, login, clerk):
    a, _ = submitted
    client, _ = as_role("reviewer")
    response = client.post(reverse("review_return", args=[a.pk]), {"version": a.version, "comment": ""}, **HX)
    assert response.status_code == 422 and "审核意见" in response.content.decode()
    response = client.post(
        reverse("review_return", args=[a.pk]), {"version": a.version, "comment": "请补充开工数量"}, **HX
    )
    assert response.status_code == 200 and "已退回" in response.content.decode()
    a.refresh_from_db()
    assert a.review_state == State.RETURNED and a.reviewer_comment == "请补充开工数量"
    # the clerk sees it first with the comment, fixes it and resubmits
    login(clerk)
    html = client.get(reverse("my_tasks")).content.decode()
    assert "请补充开工数量" in html
    client.post(
        reverse("entry_edit", args=[world.items[0].pk, world.period.pk]),
        {"progress": "已开工3个小区", "status": "in_progress", "version": a.version, "action": "submit"},
    )
    a.refresh_from_db()
    assert a.review_state == State.SUBMITTED and a.progress == "已开工3个小区"


def test_stale_approve_is_409(world, submitted, as_role):
    a, _ = submitted
    client, _ = as_role("reviewer")
    response = client.post(reverse("review_approve", args=[a.pk]), {"version": a.version + 5}, **HX)
    assert response.status_code == 409


def test_bulk_approve(world, submitted, as_role):
    a, b = submitted
    client, _ = as_role("reviewer")
    response = client.post(
        reverse("review_approve_bulk"),
        {"entries": [f"{a.pk}:{a.version}", f"{b.pk}:{b.version}"], "next": review_url(world)},
    )
    assert response.status_code == 302 and response["Location"] == review_url(world)
    assert set(
        ProgressEntry.objects.filter(period=world.period, review_state=State.APPROVED).values_list("pk", flat=True)
    ) == {a.pk, b.pk}


def test_bulk_approve_forbidden_for_leader(world, submitted, as_role):
    a, _ = submitted
    client, _ = as_role("leader")
    assert client.post(reverse("review_approve_bulk"), {"entries": [f"{a.pk}:{a.version}"]}).status_code == 403


def test_filters(world, submitted, as_role, other_unit):
    client, _ = as_role("reviewer")
    html = client.get(review_url(world, unit=other_unit.pk)).content.decode()
    assert "卫健局进展" in html and "住建局进展" not in html
    html = client.get(review_url(world, state="draft")).content.decode()
    assert "草稿进展" in html and "住建局进展" not in html


def test_locked_period_read_only_for_reviewer(world, submitted, as_role):
    a, _ = submitted
    world.period.locked = True
    world.period.save()
    client, _ = as_role("reviewer")
    assert 'data-testid="approve"' not in client.get(review_url(world)).content.decode()
    assert client.post(reverse("review_approve", args=[a.pk]), {"version": a.version}).status_code == 403


@pytest.mark.parametrize("n", [5, 50])
def test_query_count_does_not_grow(world, as_role, unit, n, django_assert_max_num_queries):
    make_items(unit=unit, period=world.period, n=n)
    client, _ = as_role("reviewer")
    with django_assert_max_num_queries(12):
        response = client.get(review_url(world))
    assert len(response.context["rows"]) == (n + 1) // 2
