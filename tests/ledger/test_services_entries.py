"""Services of progress entries: permissions, the review state machine,
optimistic locking, copy-forward and history."""

from __future__ import annotations

import pytest

from ledger.models import ProgressEntry
from ledger.selectors import reporting as sel
from ledger.services import entries as svc

State = ProgressEntry.ReviewState
pytestmark = pytest.mark.django_db


def data(progress="六月：已开工建设。", **kw):
    return svc.EntryInput(progress=progress, **kw)


def test_save_creates_draft_and_records_history(world, clerk):
    entry = svc.save_entry(user=clerk, subtask=world.items[0], period=world.period, data=data(percent=40), version=0)
    assert entry.review_state == State.DRAFT
    assert entry.version == 1
    record = entry.history.get()
    assert record.history_user == clerk
    assert record.history_change_reason == "保存草稿"


def test_submit_requires_progress(world, clerk):
    with pytest.raises(svc.ReportingError, match="进展情况"):
        svc.save_entry(user=clerk, subtask=world.items[0], period=world.period, data=data(""), version=0, submit=True)
    assert not ProgressEntry.objects.filter(period=world.period).exists()


@pytest.mark.parametrize("percent", [-1, 101])
def test_percent_range(world, clerk, percent):
    with pytest.raises(svc.ReportingError, match="0 到 100"):
        svc.save_entry(user=clerk, subtask=world.items[0], period=world.period, data=data(percent=percent), version=0)


def test_stale_version_is_refused_and_names_the_other_change(world, clerk, unit):
    from ledger import roles
    from tests import factories

    colleague = factories.UserFactory(username="colleague", first_name="李四", unit=unit, role=roles.CLERK)
    svc.save_entry(user=clerk, subtask=world.items[0], period=world.period, data=data("张三写的"), version=0)
    with pytest.raises(svc.EntryConflict) as exc:
        svc.save_entry(user=colleague, subtask=world.items[0], period=world.period, data=data("李四写的"), version=0)
    assert "clerk" in exc.value.message and "张三写的" in exc.value.message
    assert exc.value.current.progress == "张三写的"
    entry = ProgressEntry.objects.get(subtask=world.items[0], period=world.period)
    assert entry.progress == "张三写的" and entry.version == 1


def test_clerk_of_other_unit_cannot_write(world, other_clerk):
    with pytest.raises(svc.NotAllowed):
        svc.save_entry(user=other_clerk, subtask=world.items[0], period=world.period, data=data(), version=0)


def test_cooperating_unit_may_write(world, clerk):
    entry = svc.save_entry(user=clerk, subtask=world.shared, period=world.period, data=data(), version=0)
    assert entry.pk


@pytest.mark.parametrize("role", ["reviewer", "leader"])
def test_reviewer_and_leader_cannot_write_content(world, request, role):
    user = request.getfixturevalue(role)
    with pytest.raises(svc.NotAllowed):
        svc.save_entry(user=user, subtask=world.items[0], period=world.period, data=data(), version=0)


def test_return_and_resubmit(world, clerk, reviewer):
    entry = svc.save_entry(user=clerk, subtask=world.items[0], period=world.period, data=data(), version=0, submit=True)
    assert entry.review_state == State.SUBMITTED and entry.submitted_by == clerk
    with pytest.raises(svc.ReportingError, match="审核意见"):
        svc.return_entry(user=reviewer, entry_id=entry.pk, version=entry.version, comment=" ")
    entry = svc.return_entry(user=reviewer, entry_id=entry.pk, version=entry.version, comment="请补充开工数量")
    assert entry.review_state == State.RETURNED and entry.reviewer_comment == "请补充开工数量"
    # a draft save keeps it returned (with its comment) until resubmitted
    entry = svc.save_entry(
        user=clerk, subtask=world.items[0], period=world.period, data=data("已开工3个"), version=entry.version
    )
    assert entry.review_state == State.RETURNED
    entry = svc.save_entry(
        user=clerk,
        subtask=world.items[0],
        period=world.period,
        data=data("已开工3个小区"),
        version=entry.version,
        submit=True,
    )
    assert entry.review_state == State.SUBMITTED
    assert entry.history.first().history_change_reason == "退回后重新提交"
    entry = svc.approve_entry(user=reviewer, entry_id=entry.pk, version=entry.version)
    assert entry.review_state == State.APPROVED


def test_approved_entry_not_editable_by_clerk(world, clerk, reviewer):
    entry = svc.save_entry(user=clerk, subtask=world.items[0], period=world.period, data=data(), version=0, submit=True)
    entry = svc.approve_entry(user=reviewer, entry_id=entry.pk, version=None)
    with pytest.raises(svc.NotAllowed, match="已审核"):
        svc.save_entry(user=clerk, subtask=world.items[0], period=world.period, data=data("x"), version=entry.version)


def test_only_submitted_entries_can_be_reviewed(world, clerk, reviewer):
    entry = svc.save_entry(user=clerk, subtask=world.items[0], period=world.period, data=data(), version=0)
    with pytest.raises(svc.ReportingError, match="已提交"):
        svc.approve_entry(user=reviewer, entry_id=entry.pk, version=None)


def test_clerk_cannot_review(world, clerk):
    entry = svc.save_entry(user=clerk, subtask=world.items[0], period=world.period, data=data(), version=0, submit=True)
    with pytest.raises(svc.NotAllowed):
        svc.approve_entry(user=clerk, entry_id=entry.pk, version=None)


def test_review_with_stale_version_conflicts(world, clerk, reviewer):
    entry = svc.save_entry(user=clerk, subtask=world.items[0], period=world.period, data=data(), version=0, submit=True)
    with pytest.raises(svc.EntryConflict):
        svc.approve_entry(user=reviewer, entry_id=entry.pk, version=entry.version - 1)


def test_locked_period_only_admin_edits_and_history_records_it(world, clerk, reviewer, admin_user):
    prev_entry = world.prev_entries[world.items[0].pk]
    with pytest.raises(svc.NotAllowed, match="锁定"):
        svc.save_entry(user=clerk, subtask=world.items[0], period=world.prev, data=data(), version=prev_entry.version)
    entry = svc.save_entry(
        user=admin_user, subtask=world.items[0], period=world.prev, data=data("管理员更正"), version=prev_entry.version
    )
    assert entry.progress == "管理员更正"
    assert entry.review_state == State.APPROVED  # an admin correction keeps the state
    record = entry.history.first()
    assert record.history_user == admin_user and "锁定" in record.history_change_reason


def test_copy_forward(world, clerk):
    entry = svc.copy_forward(user=clerk, subtask=world.items[0], period=world.period, version=0)
    prev = world.prev_entries[world.items[0].pk]
    assert (entry.progress, entry.problems, entry.next_steps, entry.percent) == (
        prev.progress,
        prev.problems,
        prev.next_steps,
        prev.percent,
    )
    assert entry.review_state == State.DRAFT
    with pytest.raises(svc.ReportingError, match="上期没有"):
        svc.copy_forward(user=clerk, subtask=world.items[1], period=world.period, version=0)


def test_stale_report_flag(world, clerk):
    entry = svc.copy_forward(user=clerk, subtask=world.items[0], period=world.period, version=0)
    row = sel.item_row(subtask=world.items[0], period=world.period)
    assert not row.stale  # a draft is not reported yet
    svc.save_entry(
        user=clerk,
        subtask=world.items[0],
        period=world.period,
        data=svc.EntryInput.from_entry(entry),
        version=entry.version,
        submit=True,
    )
    row = sel.item_row(subtask=world.items[0], period=world.period)
    assert row.stale


def test_submit_all_drafts(world, clerk, other_clerk):
    svc.save_entry(user=clerk, subtask=world.items[0], period=world.period, data=data(), version=0)
    svc.save_entry(user=clerk, subtask=world.items[1], period=world.period, data=data(""), version=0)
    svc.save_entry(user=other_clerk, subtask=world.foreign, period=world.period, data=data(), version=0)
    assert svc.submit_all_drafts(user=clerk, period=world.period) == (1, 1)
    states = dict(ProgressEntry.objects.filter(period=world.period).values_list("subtask_id", "review_state"))
    assert states == {world.items[0].pk: State.SUBMITTED, world.items[1].pk: State.DRAFT, world.foreign.pk: State.DRAFT}


def test_bulk_approve_reports_problems(world, clerk, reviewer):
    a = svc.save_entry(user=clerk, subtask=world.items[0], period=world.period, data=data(), version=0, submit=True)
    b = svc.save_entry(user=clerk, subtask=world.items[1], period=world.period, data=data(), version=0)
    approved, problems = svc.approve_entries(user=reviewer, versions={a.pk: a.version, b.pk: b.version})
    assert approved == 1 and len(problems) == 1


def test_parse_versions():
    assert svc.parse_versions(["1:2", "x", "3:", "4:5"]) == {1: 2, 4: 5}


def test_history_selector_shows_before_and_after(world, clerk):
    e = svc.save_entry(user=clerk, subtask=world.items[0], period=world.period, data=data("甲"), version=0)
    svc.save_entry(user=clerk, subtask=world.items[0], period=world.period, data=data("乙"), version=e.version)
    e.refresh_from_db()
    history = sel.entry_history(e)
    assert history[0]["user"] == clerk
    assert {"label": "进展情况", "before": "甲", "after": "乙"} in history[0]["changes"]


@pytest.mark.django_db(transaction=True)
def test_concurrent_saves_one_wins(world, clerk):
    """Two saves from the same form version at once: exactly one wins (row lock
    on PostgreSQL, IMMEDIATE write transactions on SQLite)."""
    import threading

    from django.db import connection, connections

    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(("file:memorydb", ":memory:")):
        pytest.skip("threads do not share an in-memory SQLite test database")
    first = svc.save_entry(user=clerk, subtask=world.items[0], period=world.period, data=data("v1"), version=0)
    barrier = threading.Barrier(2)
    results: list[str] = []

    def worker(text):
        try:
            barrier.wait()
            svc.save_entry(
                user=clerk, subtask=world.items[0], period=world.period, data=data(text), version=first.version
            )
            results.append("ok")
        except svc.EntryConflict:
            results.append("conflict")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(t,)) for t in ("甲", "乙")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["conflict", "ok"]
    entry = ProgressEntry.objects.get(subtask=world.items[0], period=world.period)
    assert entry.version == 2 and entry.history.count() == 2
