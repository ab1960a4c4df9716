"""Hostile text in an entry stays text: escaped on every page, plain text in exports.

Pages are found by URL name; a name that does not resolve yet is skipped with
its reason, so the test grows as the pages land. URL arguments are filled in
from the names of the pattern's parameters (subtask_id, period_id, …).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from urllib.parse import urlencode
from xml.etree import ElementTree

import pytest
from django.urls import NoReverseMatch, get_resolver, reverse

from ledger import roles
from ledger.models import ProgressEntry
from tests import factories

SCRIPT = "<script>alert(1)</script>"
SCRIPT_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
FORMULA = '=HYPERLINK("http://x","y")'
# Raw markup that would mean the payload reached the page unescaped.
RAW_MARKERS = (SCRIPT, 'href="http://x"', "<script>alert")

# (URL name, who looks at it, whether the page must show entry text)
PAGES = [
    ("my_tasks", "clerk", False),
    ("entry_edit", "clerk", True),
    ("month_form", "clerk", True),
    ("review", "reviewer", True),
    ("dashboard", "leader", False),
    ("ledger_index", "leader", False),
    ("ledger_table", "leader", True),
    ("subtask_list", "reviewer", False),
    ("entry_list", "reviewer", True),
    ("chase", "reviewer", False),
    ("periods", "reviewer", False),
]

# (URL name, query, who, format, payload the export must contain as text)
EXPORTS = [
    ("ledger_export", {"format": "docx"}, "leader", "docx", SCRIPT),
    ("ledger_export", {"format": "xlsx"}, "leader", "xlsx", FORMULA),
    ("entry_list", {"export": "xlsx"}, "reviewer", "xlsx", FORMULA),
    ("subtask_list", {"export": "xlsx"}, "reviewer", "xlsx", FORMULA),
    ("chase_export", {"fmt": "csv"}, "reviewer", "csv", FORMULA),
    ("chase_export", {"fmt": "xlsx"}, "reviewer", "xlsx", FORMULA),
]


@pytest.fixture
def hostile(db, clerk, reviewer, leader, unit):
    """A month with two entries of the clerk's unit carrying the payloads."""
    period = factories.PeriodFactory(
        ledger__title=f"台账{SCRIPT}", start=dt.date(2024, 6, 1), end=dt.date(2024, 6, 30), label="2024年6月"
    )
    ledger = period.ledger
    section = factories.SectionFactory(ledger=ledger, order=1, name=f"一、板块{SCRIPT}")
    task = factories.TaskFactory(section=section, order=1, number="1", title=f"任务{SCRIPT}")
    script_item = factories.SubtaskFactory(task=task, order=1, content=f"项目{SCRIPT}")
    formula_item = factories.SubtaskFactory(task=task, order=2, content=FORMULA)
    # A unit that has not reported, named like a formula, for the chase exports.
    silent = factories.UnitFactory(name=FORMULA)
    for item in (script_item, formula_item):
        factories.SubtaskUnitFactory(subtask=item, unit=unit)
    factories.SubtaskUnitFactory(subtask=factories.SubtaskFactory(task=task, order=3, content="未报事项"), unit=silent)
    common = {
        "period": period,
        "status": ProgressEntry.Status.IN_PROGRESS,
        "review_state": ProgressEntry.ReviewState.SUBMITTED,
        "submitted_by": clerk,
        "submitted_at": dt.datetime(2024, 6, 28, 9, 0, tzinfo=dt.UTC),
    }
    script_entry = factories.EntryFactory(
        subtask=script_item, progress=SCRIPT, problems=FORMULA, next_steps=SCRIPT, **common
    )
    formula_entry = factories.EntryFactory(subtask=formula_item, progress=FORMULA, problems=SCRIPT, **common)
    return {
        "period": period,
        "ledger": ledger,
        "subtask": script_item,
        "entry": script_entry,
        "formula_entry": formula_entry,
        "users": {"clerk": clerk, "reviewer": reviewer, "leader": leader},
    }


def _params(name: str) -> list[str]:
    possibilities = get_resolver().reverse_dict.getlist(name)
    if not possibilities:
        raise NoReverseMatch(name)
    return possibilities[0][0][0][1]


def _url(name: str, objects: dict, extra: dict | None = None) -> str:
    """The page's URL: parameters filled by name from `objects` or `extra`, the rest as query."""
    ids = {
        "subtask_id": objects["subtask"].pk,
        "period_id": objects["period"].pk,
        "ledger_id": objects["ledger"].pk,
        "entry_id": objects["entry"].pk,
        "pk": objects["entry"].pk,
    }
    # Pages pick the period by id, the ledger view by its code ("2024-06").
    period = objects["period"].code if name.startswith("ledger_") else objects["period"].pk
    query = {"period": period, "ledger": objects["ledger"].pk, **(extra or {})}
    try:
        params = _params(name)
    except NoReverseMatch:
        pytest.skip(f"URL name {name!r} does not exist yet")
    kwargs = {}
    for param in params:
        if param in query:
            kwargs[param] = query.pop(param)
        elif param in ids:
            kwargs[param] = ids[param]
        else:
            pytest.fail(f"{name}: unknown URL parameter {param!r}; teach _url about it")
    return reverse(name, kwargs=kwargs) + "?" + urlencode(query)


def _assert_escaped(html: str, *, where: str, must_show: bool) -> None:
    for marker in RAW_MARKERS:
        assert marker not in html, f"{where}: unescaped {marker!r} in the page"
    if must_show:
        assert SCRIPT_ESCAPED in html, f"{where}: the entry text is not shown (escaped) at all"


@pytest.mark.parametrize(("name", "who", "must_show"), PAGES, ids=[p[0] for p in PAGES])
def test_pages_show_hostile_text_escaped(client, hostile, name: str, who: str, must_show: bool) -> None:
    url = _url(name, hostile)
    client.force_login(hostile["users"][who])
    response = client.get(url)
    assert response.status_code == 200, f"{url} as {who}: {response.status_code}"
    _assert_escaped(response.content.decode(), where=url, must_show=must_show)


def test_saving_hostile_text_answers_escaped(client, hostile) -> None:
    """The save round trip and the conflict message (which quotes the other text)."""
    try:
        url = reverse("entry_edit", args=[hostile["subtask"].pk, hostile["period"].pk])
    except NoReverseMatch:
        pytest.skip("entry_edit does not exist yet")
    entry = hostile["entry"]
    entry.review_state = ProgressEntry.ReviewState.DRAFT
    entry.save()
    client.force_login(hostile["users"]["clerk"])
    data = {"progress": SCRIPT + FORMULA, "problems": "", "next_steps": "", "status": "in_progress", "percent": ""}
    saved = client.post(url, {**data, "version": entry.version}, follow=True)
    assert saved.status_code == 200
    _assert_escaped(saved.content.decode(), where=f"{url} after save", must_show=True)
    # Stale version: the conflict page quotes the current (hostile) progress.
    stale = client.post(url, {**data, "version": entry.version})
    assert stale.status_code == 409
    _assert_escaped(stale.content.decode(), where=f"{url} conflict", must_show=True)


def test_month_row_partial_answers_escaped(client, hostile) -> None:
    try:
        url = reverse("month_row", args=[hostile["period"].pk, hostile["subtask"].pk])
    except NoReverseMatch:
        pytest.skip("month_row does not exist yet")
    entry = hostile["entry"]
    entry.review_state = ProgressEntry.ReviewState.DRAFT
    entry.save()
    client.force_login(hostile["users"]["clerk"])
    prefix = f"s{hostile['subtask'].pk}"
    data = {
        f"{prefix}-{k}": v for k, v in {"progress": SCRIPT, "status": "in_progress", "version": entry.version}.items()
    }
    response = client.post(url, data, headers={"HX-Request": "true"})
    assert response.status_code == 200, response.content.decode()[:500]
    _assert_escaped(response.content.decode(), where=url, must_show=True)


# --- exports --------------------------------------------------------------------------------------


def _check_xlsx(content: bytes, *, where: str, payload: str) -> None:
    from openpyxl import load_workbook

    with zipfile.ZipFile(io.BytesIO(content)) as zf:
        for member in zf.namelist():
            if member.startswith("xl/worksheets/") and member.endswith(".xml"):
                xml = zf.read(member).decode()
                formulas = re.findall(r"<f[^>]*>(.*?)</f>", xml, flags=re.S)
                assert not any("HYPERLINK" in f for f in formulas), f"{where}: {member} has a HYPERLINK formula"
    workbook = load_workbook(io.BytesIO(content))
    texts = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    assert cell.data_type != "f", f"{where}: {cell.coordinate} is a formula: {cell.value!r}"
                    texts.append(cell.value)
    assert any(payload in t for t in texts), f"{where}: {payload!r} is not in the workbook as text"


def _check_docx(content: bytes, *, where: str, payload: str) -> None:
    ns = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    with zipfile.ZipFile(io.BytesIO(content)) as zf:
        xml = zf.read("word/document.xml")
    # Text spliced into the XML unescaped would break parsing or add elements.
    root = ElementTree.fromstring(xml)
    tags = {el.tag for el in root.iter()}
    assert "script" not in tags, f"{where}: the payload became XML"
    assert f"{ns}hyperlink" not in tags and f"{ns}fldSimple" not in tags, f"{where}: a hyperlink field appeared"
    instr = "".join(el.text or "" for el in root.iter(f"{ns}instrText"))
    assert "HYPERLINK" not in instr, f"{where}: a HYPERLINK field code appeared"
    text = "".join(el.text or "" for el in root.iter(f"{ns}t"))
    assert payload in text, f"{where}: {payload!r} is not in the document text"


def _check_csv(content: bytes, *, where: str, payload: str) -> None:
    text = content.decode("utf-8-sig")
    fields = [f for row in csv.reader(io.StringIO(text)) for f in row]
    for value in fields:
        assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), f"{where}: field {value!r} starts a formula"
    assert any(payload in f for f in fields), f"{where}: {payload!r} is not in the CSV"


@pytest.mark.parametrize(("name", "query", "who", "fmt", "payload"), EXPORTS, ids=[f"{e[0]}-{e[3]}" for e in EXPORTS])
def test_exports_write_hostile_text_as_text(client, hostile, name, query, who, fmt, payload) -> None:
    url = _url(name, hostile, query)
    client.force_login(hostile["users"][who])
    response = client.get(url)
    assert response.status_code == 200, f"{url}: {response.status_code}"
    content = b"".join(response.streaming_content) if response.streaming else response.content
    {"xlsx": _check_xlsx, "docx": _check_docx, "csv": _check_csv}[fmt](content, where=url, payload=payload)


def test_roles_used_here_exist() -> None:
    assert {roles.CLERK, roles.REVIEWER, roles.LEADER} <= set(roles.ALL_ROLES)
