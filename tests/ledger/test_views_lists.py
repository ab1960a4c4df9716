"""Filtered lists of sub-items and entries: permissions, filters, paging, xlsx."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ledger.models import ProgressEntry
from tests import factories

pytestmark = pytest.mark.django_db
Status, Review = ProgressEntry.Status, ProgressEntry.ReviewState


@pytest.fixture
def data(unit, other_unit):
    ledger, period = factories.build_ledger(tasks=3, subtasks_per_task=2, units=[unit, other_unit])
    entry = ProgressEntry.objects.filter(period=period).order_by("id").first()
    entry.status = Status.DELAYED
    entry.review_state = Review.SUBMITTED
    entry.problems = '=HYPERLINK("http://evil","点我")'
    entry.progress = "征地拆迁完成80%"
    entry.save()
    return ledger, period, entry


@pytest.mark.parametrize("name", ["subtask_list", "entry_list"])
@pytest.mark.parametrize(
    ("who", "expected"),
    [("anonymous", 302), ("clerk", 403), ("reviewer", 200), ("leader", 200), ("admin_user", 200)],
)
def test_permissions(client, request, data, name, who, expected):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    assert client.get(reverse(name)).status_code == expected


def test_entry_filters(client, leader, data, other_unit):
    ledger, period, entry = data
    client.force_login(leader)
    url = reverse("entry_list")

    def ids(**params):
        response = client.get(url, params)
        assert response.status_code == 200
        return [row["entry"].pk for row in response.context["rows"]]

    assert len(ids(ledger=ledger.pk)) == 6
    assert ids(status=Status.DELAYED) == [entry.pk]
    assert ids(review_state=Review.SUBMITTED) == [entry.pk]
    assert ids(q="征地 拆迁") == [entry.pk]
    assert ids(period=period.pk, ledger=ledger.pk, section=ledger.sections.get().pk) != []
    assert len(ids(unit=other_unit.pk)) == 3
    other_ledger, _ = factories.build_ledger(tasks=1)
    assert len(ids(ledger=other_ledger.pk)) == 2


def test_subtask_filters_and_sorting(client, leader, data, unit):
    _ledger, period, entry = data
    client.force_login(leader)
    url = reverse("subtask_list")
    response = client.get(url, {"unit": unit.pk, "o": "-content"})
    contents = [row["subtask"].content for row in response.context["rows"]]
    assert len(contents) == 3 and contents == sorted(contents, reverse=True)
    response = client.get(url, {"period": period.pk, "status": Status.DELAYED})
    assert [row["subtask"].pk for row in response.context["rows"]] == [entry.subtask_id]
    response = client.get(url, {"q": "任务2"})
    assert {row["subtask"].task.number for row in response.context["rows"]} == {"2"}


def test_pagination(client, leader):
    factories.build_ledger(tasks=30, subtasks_per_task=2)  # 60 entries
    client.force_login(leader)
    first = client.get(reverse("entry_list"))
    assert len(first.context["rows"]) == 50 and first.context["page"].has_next()
    second = client.get(reverse("entry_list"), {"page": 2})
    assert len(second.context["rows"]) == 10
    assert "page=2" in first.content.decode()


def test_list_export_is_text_not_formula(client, leader, data):
    client.force_login(leader)
    response = client.get(reverse("entry_list"), {"status": Status.DELAYED, "export": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = openpyxl.load_workbook(io.BytesIO(response.content)).active
    headers = [c.value for c in ws[1]]
    cell = ws.cell(row=2, column=headers.index("存在问题") + 1)
    assert cell.value == '=HYPERLINK("http://evil","点我")'
    assert cell.data_type == "s" and cell.quotePrefix
    assert ws.max_row == 2


@pytest.mark.parametrize("name", ["subtask_list", "entry_list"])
def test_constant_queries(client, leader, name):
    units = [factories.UnitFactory() for _ in range(3)]
    factories.build_ledger(tasks=5, units=units)
    client.force_login(leader)
    counts = []
    for extra in (0, 55):
        if extra:
            factories.build_ledger(tasks=extra, units=units)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse(name)).status_code == 200
        counts.append(len(ctx))
    assert counts[0] == counts[1]
