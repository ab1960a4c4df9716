"""领导驾驶舱: permissions, figures, the light rule and a constant query count."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse

from ledger.models import ProgressEntry
from ledger.selectors import dashboard as sel
from tests import factories

pytestmark = pytest.mark.django_db
Status, Review = ProgressEntry.Status, ProgressEntry.ReviewState


@pytest.fixture
def data(unit, other_unit):
    ledger, period = factories.build_ledger(tasks=2, subtasks_per_task=2, units=[unit, other_unit])
    entries = list(ProgressEntry.objects.filter(period=period).order_by("subtask__task__order", "subtask__order"))
    # unit: entries 0 and 2; other_unit: entries 1 and 3
    entries[0].status = Status.DONE
    entries[1].review_state = Review.DRAFT
    entries[2].problems = "资金缺口较大，需协调。"
    entries[3].problems = "暂无。"
    entries[3].status = Status.DELAYED
    for e in entries:
        e.save()
    return ledger, period, entries


@pytest.mark.parametrize(
    ("who", "expected"),
    [("anonymous", 302), ("clerk", 403), ("reviewer", 200), ("leader", 200), ("admin_user", 200)],
)
def test_permissions(client, request, data, who, expected):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("dashboard"))
    assert response.status_code == expected
    if expected == 302:
        assert reverse("login") in response["Location"]


def test_dashboard_figures(client, leader, data, unit, other_unit):
    ledger, period, entries = data
    client.force_login(leader)
    response = client.get(reverse("dashboard"), {"ledger": ledger.pk, "period": period.pk})
    assert response.status_code == 200
    board = response.context["board"]
    rates = {r.name: (r.reported, r.expected) for r in board.unit_rates}
    assert rates == {unit.name: (2, 2), other_unit.name: (1, 2)}
    assert [u.name for u in board.chasing] == [other_unit.name]
    assert board.status_overall == {"done": 1, "in_progress": 2, "delayed": 1}
    # Only the real problem is listed, under its unit, linking to the entry page.
    assert list(board.problems) == [unit.name]
    problem = board.problems[unit.name][0]
    assert problem.text == "资金缺口较大，需协调。"
    assert problem.url == reverse("entry_edit", args=[entries[2].subtask_id, period.pk])
    lights = {t.number: t.light for t in board.tasks}
    assert lights["2"] == sel.RED  # a delayed sub-item
    html = response.content.decode()
    # Charts get data through json_script only, and every chart has a table.
    assert '<script id="dashboard-data" type="application/json">' in html
    assert "<script>" not in html and 'style="' not in html
    data_json = json.loads(html.split('type="application/json">')[1].split("</script>")[0])
    assert data_json["units"]["names"] == [other_unit.name, unit.name]
    for testid in ("unit-rates", "status-overall", "status-sections", "task-lights", "trend", "light-rule"):
        assert f'data-testid="{testid}"' in html
    assert "亮灯规则" in html


def test_defaults_to_latest_started_period(client, leader):
    ledger, _june = factories.build_ledger(tasks=1)
    factories.PeriodFactory(ledger=ledger, start=dt.date(2024, 7, 1), end=dt.date(2024, 7, 31), label="2024年7月")
    client.force_login(leader)
    response = client.get(reverse("dashboard"))
    assert response.context["board"].period.label == "2024年7月"
    trend = response.context["board"].trend
    assert [t["label"] for t in trend] == ["2024年6月", "2024年7月"]


def test_no_ledger(client, leader):
    client.force_login(leader)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    assert "还没有台账" in response.content.decode()


class TestLightRule:
    period = factories.PeriodFactory.build(
        start=dt.date(2024, 6, 1), end=dt.date(2024, 6, 30), due_date=dt.date(2024, 7, 5)
    )

    def entry(self, **kw):
        kw.setdefault("review_state", Review.APPROVED)
        return ProgressEntry(**kw)

    def light(self, entry, today=dt.date(2024, 6, 20)):
        return sel.subtask_light(entry=entry, period=self.period, today=today)

    def test_done_and_on_track_are_green(self):
        assert self.light(self.entry(status=Status.DONE)) == sel.GREEN
        assert self.light(self.entry(status=Status.IN_PROGRESS, percent=45)) == sel.GREEN
        assert self.light(self.entry(status=Status.IN_PROGRESS)) == sel.GREEN

    def test_behind_is_yellow(self):
        # End of June: half the year has passed; 30% is more than 10 points behind.
        assert self.light(self.entry(status=Status.IN_PROGRESS, percent=30)) == sel.YELLOW
        assert self.light(self.entry(status=Status.NOT_STARTED)) == sel.YELLOW

    def test_delayed_or_overdue_unreported_is_red(self):
        assert self.light(self.entry(status=Status.DELAYED)) == sel.RED
        late = dt.date(2024, 7, 6)
        assert self.light(None, today=late) == sel.RED
        assert self.light(self.entry(status=Status.DONE, review_state=Review.DRAFT), today=late) == sel.RED

    def test_not_yet_due_without_entry_is_grey(self):
        assert self.light(None) == sel.GREY

    def test_task_takes_worst(self):
        assert sel.task_light([sel.GREEN, sel.YELLOW, sel.GREY]) == sel.YELLOW
        assert sel.task_light([]) == sel.GREY

    @pytest.mark.parametrize("text", ["无", "", "暂无", "无。", " 暂无问题 ", "没有", "/", "—"])
    def test_no_problem_texts(self, text):
        assert not sel.is_real_problem(text)

    def test_real_problem(self):
        assert sel.is_real_problem("无法按期开工")


@pytest.mark.parametrize("page", ["dashboard"])
def test_constant_queries(client, leader, django_assert_max_num_queries, page):
    units = [factories.UnitFactory() for _ in range(4)]
    small, small_period = factories.build_ledger(tasks=5, units=units)
    big, big_period = factories.build_ledger(tasks=60, units=units)
    client.force_login(leader)
    counts = []
    for ledger, period in ((small, small_period), (big, big_period)):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse(page), {"ledger": ledger.pk, "period": period.pk}).status_code == 200
        counts.append(len(ctx))
    assert counts[0] == counts[1]
    with django_assert_max_num_queries(counts[0]):
        client.get(reverse(page), {"ledger": big.pk, "period": big_period.pk})


def test_latest_started_period_uses_the_local_date(monkeypatch):
    """Beijing is already on 1 July while a UTC server's date.today() still says 30 June."""
    ledger, _june = factories.build_ledger(tasks=1)
    factories.PeriodFactory(ledger=ledger, start=dt.date(2024, 7, 1), end=dt.date(2024, 7, 31), label="2024年7月")
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: dt.date(2024, 7, 1))
    assert sel.default_period(ledger).label == "2024年7月"
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: dt.date(2024, 6, 30))
    assert sel.default_period(ledger).label == "2024年6月"
