"""催报: role matrix, counts and lateness, copyable text, CSV/xlsx without formula injection."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from ledger.services import entries as svc
from tests import factories
from tests.ledger.conftest import ROLES

pytestmark = pytest.mark.django_db
EXPECTED = {"anonymous": 302, "clerk": 403, "other_clerk": 403, "reviewer": 200, "leader": 200, "admin_user": 200}


def urls(world):
    q = f"?period={world.period.pk}"
    return [reverse("chase") + q, reverse("chase_export", args=["csv"]) + q, reverse("chase_export", args=["xlsx"]) + q]


@pytest.mark.parametrize("role", ROLES)
def test_role_matrix(world, as_role, role):
    client, _ = as_role(role)
    for u in urls(world):
        assert client.get(u).status_code == EXPECTED[role], u


def test_counts_and_lateness(world, as_role, clerk, unit, other_unit, monkeypatch):
    from ledger.selectors import reporting

    monkeypatch.setattr(reporting, "today", lambda: dt.date(2024, 7, 8))
    svc.save_entry(
        user=clerk,
        subtask=world.items[0],
        period=world.period,
        data=svc.EntryInput(progress="x"),
        version=0,
        submit=True,
    )
    svc.save_entry(
        user=clerk, subtask=world.items[1], period=world.period, data=svc.EntryInput(progress="y"), version=0
    )
    client, _ = as_role("reviewer")
    response = client.get(urls(world)[0])
    rows = {r.unit.name: (r.due, r.reported, r.missing, r.days_late) for r in response.context["rows"]}
    # 区住建局: 2 lead + 1 cooperating, 1 submitted (a draft does not count)
    assert rows == {"区住建局": (3, 1, 2, 3), "区卫健局": (2, 0, 2, 3)}
    text = response.context["text"]
    assert "区住建局：应报3项，已报1项，未报2项，已逾期3天" in text
    assert text in response.content.decode()


def test_fully_reported_units_are_left_out(world, as_role, other_clerk, clerk):
    for s in (world.foreign, world.shared):
        svc.save_entry(
            user=other_clerk, subtask=s, period=world.period, data=svc.EntryInput(progress="x"), version=0, submit=True
        )
    client, _ = as_role("reviewer")
    names = [r.unit.name for r in client.get(urls(world)[0]).context["rows"]]
    assert names == ["区住建局"]


def test_exports_write_formulas_as_text(world, as_role):
    evil = factories.UnitFactory(name='=HYPERLINK("http://x","点我")')
    factories.SubtaskUnitFactory(subtask=factories.SubtaskFactory(task=world.items[0].task), unit=evil)
    plus = factories.UnitFactory(name="+区测试局")
    factories.SubtaskUnitFactory(subtask=factories.SubtaskFactory(task=world.items[0].task), unit=plus)
    client, _ = as_role("reviewer")
    _, csv_url, xlsx_url = urls(world)

    response = client.get(csv_url)
    assert response["Content-Disposition"].startswith("attachment;")
    cells = [c for row in csv.reader(io.StringIO(response.content.decode("utf-8-sig"))) for c in row]
    assert '\'=HYPERLINK("http://x","点我")' in cells and "'+区测试局" in cells
    assert not any(c.startswith(("=", "+", "-", "@")) for c in cells)

    response = client.get(xlsx_url)
    ws = load_workbook(io.BytesIO(response.content)).active
    values = {c.value: c.data_type for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    assert values['=HYPERLINK("http://x","点我")'] == "s"
    assert values["+区测试局"] == "s"
    assert all(t == "s" for t in values.values())


def test_unknown_format_404(world, as_role):
    client, _ = as_role("reviewer")
    assert client.get(reverse("chase_export", args=["pdf"]) + f"?period={world.period.pk}").status_code == 404
