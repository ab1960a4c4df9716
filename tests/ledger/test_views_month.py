"""The whole-month form: role matrix, in-place row saves (htmx), submit all, query count."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ledger.models import ProgressEntry
from ledger.services import entries as svc
from tests import factories
from tests.ledger.conftest import ROLES, make_items

pytestmark = pytest.mark.django_db
State = ProgressEntry.ReviewState
HX = {"HTTP_HX_REQUEST": "true"}

GET_EXPECTED = {"anonymous": 302, "clerk": 200, "other_clerk": 200, "reviewer": 403, "leader": 403, "admin_user": 403}
ROW_EXPECTED = {"anonymous": 302, "clerk": 200, "other_clerk": 403, "reviewer": 403, "leader": 403, "admin_user": 403}


def row_url(world, subtask):
    return reverse("month_row", args=[world.period.pk, subtask.pk])


def row_data(subtask, progress="六月进展", version=0, action="save", percent=""):
    p = f"s{subtask.pk}"
    return {
        f"{p}-progress": progress,
        f"{p}-problems": "",
        f"{p}-next_steps": "",
        f"{p}-status": "in_progress",
        f"{p}-percent": percent,
        f"{p}-version": version,
        "action": action,
    }


@pytest.mark.parametrize("role", ROLES)
def test_get_matrix(world, as_role, role):
    client, _ = as_role(role)
    response = client.get(reverse("month_form", args=[world.period.pk]))
    assert response.status_code == GET_EXPECTED[role]


@pytest.mark.parametrize("role", ROLES)
def test_row_post_matrix(world, as_role, role):
    client, _ = as_role(role)
    response = client.post(row_url(world, world.items[0]), row_data(world.items[0]), **HX)
    assert response.status_code == ROW_EXPECTED[role]


def test_lists_only_own_items(world, as_role):
    client, _ = as_role("clerk")
    html = client.get(reverse("month_form", args=[world.period.pk])).content.decode()
    assert html.count('data-testid="month-row"') == 3
    assert "建设社区卫生服务站" not in html


def test_period_of_unrelated_ledger_is_404(world, as_role):
    client, _ = as_role("clerk")
    assert client.get(reverse("month_form", args=[factories.PeriodFactory().pk])).status_code == 404


def test_row_save_and_submit_swap_the_row(world, as_role):
    client, _ = as_role("clerk")
    s = world.items[0]
    response = client.post(row_url(world, s), row_data(s, percent="50"), **HX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith("<form") and f'id="row-{s.pk}"' in html
    assert "已保存" in html and "草稿" in html
    response = client.post(row_url(world, s), row_data(s, version=1, action="submit"), **HX)
    assert "已提交" in response.content.decode()
    assert ProgressEntry.objects.get(subtask=s, period=world.period).review_state == State.SUBMITTED


def test_row_conflict_is_409_with_the_other_change(world, as_role, other_clerk):
    s = world.shared  # the other unit leads, the clerk's unit cooperates
    svc.save_entry(
        user=other_clerk, subtask=s, period=world.period, data=svc.EntryInput(progress="卫健局写的"), version=0
    )
    client, _ = as_role("clerk")
    response = client.post(row_url(world, s), row_data(s, progress="住建局写的", version=0), **HX)
    assert response.status_code == 409
    html = response.content.decode()
    assert "other_clerk" in html and "卫健局写的" in html and "住建局写的" in html
    assert ProgressEntry.objects.get(subtask=s, period=world.period).progress == "卫健局写的"


def test_row_validation_422(world, as_role):
    client, _ = as_role("clerk")
    s = world.items[0]
    response = client.post(row_url(world, s), row_data(s, progress="", action="submit"), **HX)
    assert response.status_code == 422
    assert "提交前请填写进展情况" in response.content.decode()
    response = client.post(row_url(world, s), row_data(s, percent="150"), **HX)
    assert response.status_code == 422 and "0 到 100" in response.content.decode()


def test_row_copy_forward(world, as_role):
    client, _ = as_role("clerk")
    s = world.items[0]
    response = client.post(row_url(world, s), {**row_data(s), "action": "copy"}, **HX)
    assert response.status_code == 200 and "五月：完成施工招标。" in response.content.decode()
    assert ProgressEntry.objects.get(subtask=s, period=world.period).percent == 30


def test_row_without_htmx_redirects_back(world, as_role):
    client, _ = as_role("clerk")
    s = world.items[0]
    response = client.post(row_url(world, s), row_data(s))
    assert response.status_code == 302 and response["Location"].endswith(f"#row-{s.pk}")


def test_submit_all_filled_drafts(world, as_role, clerk):
    for s, progress in ((world.items[0], "有进展"), (world.items[1], "")):
        svc.save_entry(user=clerk, subtask=s, period=world.period, data=svc.EntryInput(progress=progress), version=0)
    client, _ = as_role("clerk")
    response = client.post(reverse("month_submit_all", args=[world.period.pk]), follow=True)
    html = response.content.decode()
    assert "已提交 1 条草稿" in html and "1 条草稿未填写进展情况" in html
    states = dict(ProgressEntry.objects.filter(period=world.period).values_list("subtask_id", "review_state"))
    assert states == {world.items[0].pk: State.SUBMITTED, world.items[1].pk: State.DRAFT}


@pytest.mark.parametrize("role", ["reviewer", "leader", "admin_user"])
def test_submit_all_forbidden_for_non_clerks(world, as_role, role):
    client, _ = as_role(role)
    assert client.post(reverse("month_submit_all", args=[world.period.pk])).status_code == 403


def test_locked_period_rows_read_only(world, as_role):
    client, _ = as_role("clerk")
    response = client.get(reverse("month_form", args=[world.prev.pk]))
    html = response.content.decode()
    assert "本期已锁定" in html and 'data-testid="row-save"' not in html
    s = world.items[0]
    assert client.post(reverse("month_row", args=[world.prev.pk, s.pk]), row_data(s), **HX).status_code == 403


@pytest.mark.parametrize("n", [5, 50])
def test_query_count_does_not_grow(world, as_role, unit, n, django_assert_max_num_queries):
    make_items(unit=unit, period=world.period, n=n)
    client, _ = as_role("clerk")
    with django_assert_max_num_queries(12):
        response = client.get(reverse("month_form", args=[world.period.pk]))
    assert response.content.decode().count('data-testid="month-row"') == n + 3
