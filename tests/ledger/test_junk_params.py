"""Junk in query strings and form fields is a 4xx or a default, never a 500.

Each value here once crashed a page: "²" passes str.isdigit() but not int(),
a 22-digit id overflows SQLite's INTEGER, "0000" parsed as year 0 (no date
exists for it), and next=abc made redirect() look up a URL pattern named abc.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from ledger.models import ProgressEntry
from ledger.periods import HALF, Period, PeriodError, find_period, parse_period
from ledger.services import entries as svc
from tests import factories

pytestmark = pytest.mark.django_db

JUNK = ["abc", "²", "-1", "0000", "9" * 22]
PARAMS = ["period", "page", "ledger", "unit", "state", "next"]
# Anonymous users only get redirected and other_clerk reads like clerk: left out to keep this quick.
SIGNED_IN = ["clerk", "reviewer", "leader", "admin_user"]
PAGES = [
    ("my_tasks", None),
    ("entry_edit", "item"),
    ("month_form", "period"),
    ("review", None),
    ("chase", None),
    ("chase_export", "csv"),
    ("chase_export", "xlsx"),
    ("periods", None),
    ("dashboard", None),
    ("ledger_index", None),
    ("ledger_table", "ledger"),
    ("ledger_export", "ledger"),
    ("subtask_list", None),
    ("entry_list", None),
    ("imports:upload", None),
]


def _url(world, name, arg):
    args = {
        None: [],
        "item": [world.items[0].pk, world.period.pk],
        "period": [world.period.pk],
        "ledger": [world.ledger.pk],
        "csv": ["csv"],
        "xlsx": ["xlsx"],
    }[arg]
    return reverse(name, args=args)


@pytest.mark.parametrize("role", SIGNED_IN)
@pytest.mark.parametrize(("name", "arg"), PAGES, ids=[f"{n}-{a}" for n, a in PAGES])
def test_pages_answer_junk_params_without_500(world, as_role, role, name, arg):
    client, _ = as_role(role)
    client.raise_request_exception = False
    url = _url(world, name, arg)
    failures = []
    for param in PARAMS:
        for value in JUNK:
            for extra in ({}, {"export": "xlsx"}) if name.endswith("_list") else ({},):
                status = client.get(url, {param: value, **extra}).status_code
                if status >= 500:
                    failures.append((param, value, extra, status))
    assert not failures


@pytest.mark.parametrize("value", JUNK)
def test_review_posts_answer_junk_without_500(world, as_role, clerk, value):
    entry = factories.EntryFactory(
        subtask=world.items[0], period=world.period, progress="x", review_state=ProgressEntry.ReviewState.APPROVED
    )
    client, _ = as_role("reviewer")
    client.raise_request_exception = False
    data = {"version": value, "comment": value, "next": value, "entries": [value, f"{entry.pk}:{value}", f"{value}:1"]}
    for url in (
        reverse("review_approve", args=[entry.pk]),
        reverse("review_return", args=[entry.pk]),
        reverse("review_approve_bulk"),
    ):
        response = client.post(url, data)
        assert response.status_code == 302, url
        assert response.url == reverse("review")


def test_next_must_be_a_path_on_this_site(world, as_role):
    client, _ = as_role("reviewer")
    for target, expected in [("abc", "/review/"), ("//evil.example/", "/review/"), ("/review/?period=1", None)]:
        response = client.post(reverse("review_approve_bulk"), {"next": target})
        assert response.url == (expected or target)


def test_parse_versions_ignores_digits_int_rejects():
    assert svc.parse_versions(["²:1", "1:²", "٣:4", "5:6"]) == {3: 4, 5: 6}


def test_year_zero_is_not_a_period():
    with pytest.raises(PeriodError):
        parse_period("0000")
    assert find_period("0000年工作台账") is None


@pytest.mark.parametrize(("index", "start", "end"), [(1, "2024-01-01", "2024-06-30"), (2, "2024-07-01", "2024-12-31")])
def test_half_year_dates(index, start, end):
    half = Period(2024, HALF, index)
    assert (half.start.isoformat(), half.end.isoformat()) == (start, end)
