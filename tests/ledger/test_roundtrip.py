"""Import every sample ledger, export it to Word and Excel, parse the export:
what comes back must equal the sample's truth file field by field."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from imports.parsers import parse_file
from ledger.exports import export_table
from ledger.models import Ledger, ReportingPeriod
from ledger.selectors.ledger_table import build_ledger_table
from tests.conftest import SAMPLES

SAMPLE_FILES = sorted(p for p in SAMPLES.glob("*") if p.suffix in {".docx", ".pdf", ".xlsx"})
SUBTASK_FIELDS = ("content", "progress", "problems", "next_steps", "target", "stretch_target")


def flat(value) -> str:
    return re.sub(r"\s+", "", value or "")


def differences(truth: dict, got: dict) -> list[str]:
    """Every field where the parsed export differs from the truth file."""
    out: list[str] = []
    if truth.get("title") is not None and flat(truth["title"]) != flat(got.get("title")):
        out.append(f"title: want {truth['title']!r} got {got.get('title')!r}")
    if truth.get("period") != got.get("period"):
        out.append(f"period: want {truth.get('period')!r} got {got.get('period')!r}")
    tsecs, gsecs = truth["sections"], got["sections"]
    if len(tsecs) != len(gsecs):
        out.append(f"sections: want {len(tsecs)} got {len(gsecs)}")
    for si, (ts, gs) in enumerate(zip(tsecs, gsecs, strict=False), start=1):
        where = f"section {si}"
        if flat(ts.get("name")) != flat(gs.get("name")):
            out.append(f"{where} name: want {ts.get('name')!r} got {gs.get('name')!r}")
        if ts.get("declared_count") != gs.get("declared_count"):
            out.append(f"{where} declared_count: want {ts.get('declared_count')} got {gs.get('declared_count')}")
        if len(ts["tasks"]) != len(gs["tasks"]):
            out.append(f"{where} tasks: want {len(ts['tasks'])} got {len(gs['tasks'])}")
        for tt, gt in zip(ts["tasks"], gs["tasks"], strict=False):
            here = f"{where} task {tt['number']}"
            if flat(tt["number"]) != flat(gt["number"]):
                out.append(f"{here} number: got {gt['number']!r}")
            if (tt["title"] is None) != (gt["title"] is None) or flat(tt["title"]) != flat(gt["title"]):
                out.append(f"{here} title: want {tt['title']!r} got {gt['title']!r}")
            if len(tt["subtasks"]) != len(gt["subtasks"]):
                out.append(f"{here} subtasks: want {len(tt['subtasks'])} got {len(gt['subtasks'])}")
            for k, (tsub, gsub) in enumerate(zip(tt["subtasks"], gt["subtasks"], strict=False), start=1):
                if [flat(u) for u in tsub["units"]] != [flat(u) for u in gsub["units"]]:
                    out.append(f"{here}.{k} units: want {tsub['units']} got {gsub['units']}")
                for name in SUBTASK_FIELDS:
                    if name in tsub and (name not in gsub or flat(tsub[name]) != flat(gsub[name])):
                        out.append(f"{here}.{k} {name}: want {tsub[name][:30]!r} got {str(gsub.get(name))[:30]!r}")
                    elif name not in tsub and name in gsub and name in ("target", "stretch_target"):
                        out.append(f"{here}.{k} {name}: column invented")
    return out


def _import(path: Path) -> tuple[Ledger, ReportingPeriod]:
    from imports.loader import import_file

    report = import_file(str(path), original_name=path.name)
    ledger = Ledger.objects.get(pk=report.ledger_id)
    return ledger, ReportingPeriod.objects.get(ledger=ledger, start=_period_start(report.period_code))


def _period_start(code: str):
    from ledger.periods import parse_period

    return parse_period(code).start


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
@pytest.mark.parametrize("sample", SAMPLE_FILES, ids=[p.name for p in SAMPLE_FILES])
def test_roundtrip(sample: Path, fmt: str, tmp_path):
    pytest.importorskip("imports.loader")
    from imports.ledger_json import to_json_dict

    truth = json.loads(Path(f"{sample}.truth.json").read_text(encoding="utf-8"))
    ledger, period = _import(sample)
    table = build_ledger_table(ledger=ledger, label=period.code)
    out = tmp_path / f"export.{fmt}"
    export_table(table, fmt=fmt, out=out)
    got = to_json_dict(parse_file(out))
    diffs = differences(truth, got)
    assert not diffs, f"{len(diffs)} differences, first: " + "\n".join(diffs[:15])
