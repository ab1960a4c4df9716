"""The ledger on screen: permissions (clerks read the ledgers their unit is in),
merged task cells, the period choice and downloads."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ledger.models import ProgressEntry
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(unit):
    return factories.build_ledger(tasks=2, subtasks_per_task=3, units=[unit])


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("anonymous", 302),
        ("clerk", 200),  # the clerk's unit has sub-items in this ledger
        ("other_clerk", 403),  # not in this ledger
        ("reviewer", 200),
        ("leader", 200),
        ("admin_user", 200),
    ],
)
@pytest.mark.parametrize("name", ["ledger_table", "ledger_export"])
def test_permissions(client, request, data, who, expected, name):
    ledger, _ = data
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    assert client.get(reverse(name, args=[ledger.pk])).status_code == expected


def test_index_lists_only_readable_ledgers(client, clerk, leader, data):
    ledger, _ = data
    other, _ = factories.build_ledger(tasks=1)
    client.force_login(clerk)
    assert list(client.get(reverse("ledger_index")).context["ledgers"]) == [ledger]
    client.force_login(leader)
    assert set(client.get(reverse("ledger_index")).context["ledgers"]) == {ledger, other}


def test_table_rowspans_and_section(client, leader, data):
    ledger, _period = data
    client.force_login(leader)
    response = client.get(reverse("ledger_table", args=[ledger.pk]), {"period": "2024年6月"})
    html = response.content.decode()
    assert "一、民生实事（共6项）" in html
    # Number, title and the shared unit span the task's three rows.
    assert html.count('rowspan="3"') == 2 * 3
    for label in ("序号", "目标任务", "项目内容", "责任单位", "进展情况", "存在问题", "下步打算"):
        assert f'<th scope="col">{label}</th>' in html
    assert 'style="' not in html and "<script>" not in html


def test_unknown_period_is_404(client, leader, data):
    ledger, _ = data
    client.force_login(leader)
    assert client.get(reverse("ledger_table", args=[ledger.pk]), {"period": "2019-01"}).status_code == 404
    assert client.get(reverse("ledger_table", args=[ledger.pk]), {"period": "胡说"}).status_code == 404


def test_quarter_combines_months(client, leader, data):
    ledger, june = data
    may = factories.PeriodFactory(ledger=ledger, start=dt.date(2024, 5, 1), end=dt.date(2024, 5, 31), label="2024年5月")
    sub = ProgressEntry.objects.filter(period=june).order_by("id").first().subtask
    ProgressEntry.objects.create(subtask=sub, period=may, progress="五月进展", problems="五月问题")
    ProgressEntry.objects.filter(period=june, subtask=sub).update(problems="")
    client.force_login(leader)
    response = client.get(reverse("ledger_table", args=[ledger.pk]), {"period": "2024-Q2"})
    table = response.context["table"]
    assert [p.pk for p in table.reporting_periods] == [may.pk, june.pk]
    row = table.sections[0].tasks[0].rows[0]
    assert row.cells["progress"] == "进展1-1"  # June's, the latest non-empty
    assert row.cells["problems"] == "五月问题"  # June's is blank: May's stands


def test_export_download(client, leader, data):
    ledger, _ = data
    client.force_login(leader)
    response = client.get(reverse("ledger_export", args=[ledger.pk]), {"period": "2024-06", "format": "xlsx"})
    assert response.status_code == 200
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    assert client.get(reverse("ledger_export", args=[ledger.pk]), {"format": "pdf"}).status_code == 404


def test_constant_queries(client, leader):
    units = [factories.UnitFactory() for _ in range(3)]
    small, _ = factories.build_ledger(tasks=5, units=units)
    big, _ = factories.build_ledger(tasks=60, units=units)
    client.force_login(leader)
    counts = []
    for ledger in (small, big):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("ledger_table", args=[ledger.pk])).status_code == 200
        counts.append(len(ctx))
    assert counts[0] == counts[1]
