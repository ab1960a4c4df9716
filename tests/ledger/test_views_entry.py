"""The entry page of one sub-item and period: role matrix, save/submit,
validation, stale-form conflict, copy-forward, stale-report warning, lock, history."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ledger.models import ProgressEntry
from ledger.services import entries as svc
from tests.ledger.conftest import ROLES

pytestmark = pytest.mark.django_db
State = ProgressEntry.ReviewState

GET_EXPECTED = {"anonymous": 302, "clerk": 200, "other_clerk": 403, "reviewer": 200, "leader": 200, "admin_user": 200}
POST_EXPECTED = {"anonymous": 302, "clerk": 302, "other_clerk": 403, "reviewer": 403, "leader": 403, "admin_user": 302}


def url(world, i=0, period=None):
    return reverse("entry_edit", args=[world.items[i].pk, (period or world.period).pk])


def post_data(progress="六月：已开工。", version=0, action="save", **kw):
    return {
        "progress": progress,
        "problems": "",
        "next_steps": "",
        "status": "in_progress",
        "percent": "",
        **kw,
        "version": version,
        "action": action,
    }


@pytest.mark.parametrize("role", ROLES)
def test_get_matrix(world, as_role, role):
    client, _ = as_role(role)
    response = client.get(url(world))
    assert response.status_code == GET_EXPECTED[role]
    if role == "anonymous":
        assert response["Location"].startswith(reverse("login"))
    if response.status_code == 200:
        editable = response.context["editable"]
        assert editable == (role in ("clerk", "admin_user"))
        assert ("保存草稿" in response.content.decode()) == editable


@pytest.mark.parametrize("role", ROLES)
def test_post_matrix(world, as_role, role):
    client, _ = as_role(role)
    response = client.post(url(world), post_data())
    assert response.status_code == POST_EXPECTED[role]
    assert ProgressEntry.objects.filter(period=world.period).exists() == (
        POST_EXPECTED[role] == 302 and role != "anonymous"
    )


def test_foreign_sub_item_of_period_is_404_for_other_ledger(world, as_role):
    from tests import factories

    other_period = factories.PeriodFactory()
    client, _ = as_role("clerk")
    assert client.get(reverse("entry_edit", args=[world.items[0].pk, other_period.pk])).status_code == 404
    assert client.get(reverse("entry_edit", args=[999999, world.period.pk])).status_code == 404


def test_save_then_submit(world, as_role, clerk):
    client, _ = as_role("clerk")
    response = client.post(url(world), post_data(percent="40"))
    assert response.status_code == 302
    entry = ProgressEntry.objects.get(subtask=world.items[0], period=world.period)
    assert (entry.review_state, entry.percent, entry.version) == (State.DRAFT, 40, 1)
    client.post(url(world), post_data(version=1, action="submit"))
    entry.refresh_from_db()
    assert entry.review_state == State.SUBMITTED and entry.submitted_by == clerk


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (post_data(progress="", action="submit"), "提交前请填写进展情况"),
        (post_data(percent="101"), "0 到 100"),
        (post_data(percent="-5"), "0 到 100"),
        (post_data(percent="abc"), "整数"),
    ],
)
def test_validation_errors(world, as_role, data, message):
    client, _ = as_role("clerk")
    response = client.post(url(world), data)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not ProgressEntry.objects.filter(period=world.period).exists()


def test_stale_form_conflict_shows_other_change(world, as_role, clerk, unit):
    from ledger import roles
    from tests import factories

    colleague = factories.UserFactory(username="wang", first_name="王五", unit=unit, role=roles.CLERK)
    svc.save_entry(
        user=colleague,
        subtask=world.items[0],
        period=world.period,
        data=svc.EntryInput(progress="王五的进展"),
        version=0,
    )
    client, _ = as_role("clerk")
    response = client.post(url(world), post_data(progress="我的进展", version=0))
    assert response.status_code == 409
    html = response.content.decode()
    assert "王五" in html and "王五的进展" in html and "我的进展" in html
    assert response.context["form"]["version"].value() == 1  # re-saving now is a knowing overwrite
    entry = ProgressEntry.objects.get(subtask=world.items[0], period=world.period)
    assert entry.progress == "王五的进展"
    # htmx gets 409 as well
    response = client.post(url(world), post_data(progress="我的进展", version=0), HTTP_HX_REQUEST="true")
    assert response.status_code == 409


def test_copy_forward(world, as_role):
    client, _ = as_role("clerk")
    response = client.get(url(world))
    assert "五月：完成施工招标。" in response.content.decode()  # last period's entry beside the form
    response = client.post(url(world), {"action": "copy", "version": 0}, follow=True)
    assert "已复制上期" in response.content.decode()
    entry = ProgressEntry.objects.get(subtask=world.items[0], period=world.period)
    assert entry.progress == "五月：完成施工招标。" and entry.percent == 30 and entry.review_state == State.DRAFT


def test_stale_report_warning(world, as_role):
    client, _ = as_role("clerk")
    response = client.post(url(world), post_data(progress="五月：完成施工招标。", action="submit"), follow=True)
    html = response.content.decode()
    assert "本期进展与上期完全相同" in html
    assert 'data-testid="stale-warning"' in html


def test_locked_period_read_only(world, as_role):
    client, _ = as_role("clerk")
    locked_url = url(world, period=world.prev)
    response = client.get(locked_url)
    assert response.status_code == 200 and not response.context["editable"]
    assert "已锁定" in response.content.decode()
    assert client.post(locked_url, post_data(version=1)).status_code == 403


def test_admin_edits_locked_period_with_history(world, as_role, admin_user):
    client, _ = as_role("admin_user")
    response = client.post(url(world, period=world.prev), post_data(progress="管理员更正", version=1))
    assert response.status_code == 302
    response = client.get(url(world, period=world.prev))
    history = response.context["history"]
    assert history[0]["user"] == admin_user
    assert "锁定" in history[0]["reason"]
    html = response.content.decode()
    assert "管理员更正" in html and "五月：完成施工招标。" in html  # before → after


def test_approved_is_read_only_for_clerk(world, as_role, clerk, reviewer):
    e = svc.save_entry(
        user=clerk,
        subtask=world.items[0],
        period=world.period,
        data=svc.EntryInput(progress="x"),
        version=0,
        submit=True,
    )
    svc.approve_entry(user=reviewer, entry_id=e.pk, version=None)
    client, _ = as_role("clerk")
    assert client.get(url(world)).context["editable"] is False
    assert client.post(url(world), post_data(version=3)).status_code == 403


def test_reviewer_sees_review_actions(world, as_role, clerk):
    svc.save_entry(
        user=clerk,
        subtask=world.items[0],
        period=world.period,
        data=svc.EntryInput(progress="x"),
        version=0,
        submit=True,
    )
    client, _ = as_role("reviewer")
    response = client.get(url(world))
    assert response.context["reviewable"]
    client, _ = as_role("leader")
    assert not client.get(url(world)).context["reviewable"]
