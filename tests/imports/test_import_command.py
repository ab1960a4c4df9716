"""``manage.py import_ledger``: the output contract, and the five samples imported for real."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from imports.ledger_json import to_json_dict
from imports.loader import import_file
from imports.parsers import parse_file
from ledger.models import Ledger, ProgressEntry, ReportingPeriod, Section, Subtask
from tests.conftest import SAMPLES

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_FILES = sorted(p.name for p in SAMPLES.iterdir() if p.suffix in {".docx", ".xlsx", ".pdf"})
_WS = re.compile(r"\s+")


def run(*args) -> tuple[int, str, str]:
    """Run the command in-process: (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_ledger", *args, stdout=out, stderr=err)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def truth(name: str) -> dict:
    return json.loads((SAMPLES / f"{name}.truth.json").read_text(encoding="utf-8"))


def squash(value):
    """Text compared with all white space removed, as the truth files are."""
    if isinstance(value, str):
        return _WS.sub("", value)
    if isinstance(value, list):
        return [squash(v) for v in value]
    if isinstance(value, dict):
        return {k: squash(v) for k, v in value.items()}
    return value


def db_ledger(ledger: Ledger, period: ReportingPeriod) -> list[dict]:
    """The ledger's sections as stored, in the truth files' shape."""
    entries = {e.subtask_id: e for e in ProgressEntry.objects.filter(period=period)}
    out = []
    for section in Section.objects.filter(ledger=ledger).prefetch_related("tasks__subtasks__assignments"):
        tasks = []
        for task in section.tasks.all():
            subs = []
            for sub in task.subtasks.all():
                entry = entries[sub.pk]
                subs.append(
                    {
                        "content": sub.content,
                        "units": [a.printed_name for a in sub.assignments.all()],
                        "progress": entry.progress,
                        "problems": entry.problems,
                        "next_steps": entry.next_steps,
                        "target": entry.target,
                        "stretch_target": sub.stretch_target,
                    }
                )
            tasks.append({"number": task.number, "title": task.title, "subtasks": subs})
        out.append({"name": section.name, "declared_count": section.declared_count, "tasks": tasks})
    return out


def truth_sections(data: dict) -> list[dict]:
    out = []
    for sec in data["sections"]:
        tasks = []
        for task in sec["tasks"]:
            subs = [
                {
                    "content": s["content"],
                    "units": s.get("units") or [],
                    "progress": s.get("progress") or "",
                    "problems": s.get("problems") or "",
                    "next_steps": s.get("next_steps") or "",
                    "target": s.get("target") or "",
                    "stretch_target": s.get("stretch_target") or "",
                }
                for s in task["subtasks"]
            ]
            tasks.append({"number": task["number"], "title": task.get("title") or "", "subtasks": subs})
        out.append({"name": sec.get("name") or "", "declared_count": sec.get("declared_count"), "tasks": tasks})
    return out


# --- the samples, imported for real ------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("name", SAMPLE_FILES)
def test_sample_imports_faithfully(name):
    data = truth(name)
    n_tasks = sum(len(s["tasks"]) for s in data["sections"])
    n_subs = sum(len(t["subtasks"]) for s in data["sections"] for t in s["tasks"])

    status, out, err = run(str(SAMPLES / name), "--json")

    assert status == 0, err
    result = json.loads(out)
    assert result["period"] == data["period"]
    ledger = Ledger.objects.get(pk=result["ledger_id"])
    period = ReportingPeriod.objects.get(ledger=ledger)
    assert period.code == data["period"]
    assert Section.objects.filter(ledger=ledger).count() == len(data["sections"])
    assert Subtask.objects.filter(task__section__ledger=ledger).count() == n_subs
    assert ProgressEntry.objects.filter(period=period).count() == n_subs
    assert sum(s.tasks.count() for s in ledger.sections.all()) == n_tasks
    assert squash(db_ledger(ledger, period)) == squash(truth_sections(data))

    again = import_file(SAMPLES / name)
    assert (again.total_created, again.total_updated) == (0, 0)
    assert again.ledger_id == ledger.pk


@pytest.mark.django_db
def test_summary_lists_counts_new_units_and_warnings():
    status, out, err = run(str(SAMPLES / "shanting-gzbg-2023-annual.docx"))
    assert status == 0, err
    assert "导入完成" in out
    assert "项目内容新增72" in out
    assert "新增责任单位" in out
    assert "标明共14项，实际读到7项" in out
    status, out, _ = run(str(SAMPLES / "shanting-gzbg-2023-annual.docx"))
    assert "项目内容新增0、更新0、未变72" in out


@pytest.mark.django_db
def test_dry_run_json_prints_only_the_parsed_json_and_writes_nothing():
    path = SAMPLES / "shanting-minsheng-2025-q1.docx"
    status, out, err = run(str(path), "--dry-run", "--json")
    assert status == 0, err
    assert out == json.dumps(to_json_dict(parse_file(path)), ensure_ascii=False, indent=2) + "\n"
    assert Ledger.objects.count() == 0
    assert ProgressEntry.objects.count() == 0


@pytest.mark.django_db
def test_dry_run_without_json_reports_what_would_change():
    status, out, _ = run(str(SAMPLES / "linyi-gzbg-2024-q2.xlsx"), "--dry-run")
    assert status == 0
    assert "试导入" in out and "项目内容新增6" in out
    assert Ledger.objects.count() == 0


@pytest.mark.django_db
def test_period_and_ledger_options():
    status, out, _ = run(str(SAMPLES / "linyi-gzbg-2024-q2.xlsx"), "--json")
    ledger_id = json.loads(out)["ledger_id"]
    status, out, err = run(
        str(SAMPLES / "linyi-gzbg-2024-q2.xlsx"), "--ledger", str(ledger_id), "--period", "2024年三季度", "--json"
    )
    assert status == 0, err
    data = json.loads(out)
    assert (data["ledger_id"], data["period"]) == (ledger_id, "2024-Q3")
    assert ReportingPeriod.objects.filter(ledger_id=ledger_id).count() == 2
    # The dry-run JSON shows the period given.
    status, out, _ = run(str(SAMPLES / "linyi-gzbg-2024-q2.xlsx"), "--dry-run", "--json", "--period", "2024-H1")
    assert json.loads(out)["period"] == "2024-H1"


# --- failures: one line on stderr, exit status 1 -------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["/no/such/file.docx"], "文件不存在"),
        ([str(SAMPLES / "linyi-gzbg-2024-q2.xlsx"), "--period", "下个月"], "无法识别的期次"),
        ([str(SAMPLES / "linyi-gzbg-2024-q2.xlsx"), "--ledger", "999"], "台账不存在"),
        ([str(SAMPLES / "linyi-gzbg-2024-q2.xlsx"), "--ledger", "abc"], "--ledger"),
        ([str(SAMPLES / "linyi-gzbg-2024-q2.xlsx"), "--dry-run", "--json", "--ledger", "999"], "台账不存在"),
        ([str(ROOT / "pyproject.toml")], "无法识别的文件类型"),
    ],
)
def test_failures_are_one_line_on_stderr(args, message):
    status, out, err = run(*args)
    assert status == 1
    assert out == ""
    assert err.startswith("错误：") and message in err
    assert err.count("\n") <= 1 and "Traceback" not in err


def test_bad_arguments_are_one_line(capsys):
    with pytest.raises(SystemExit) as exc:
        call_command("import_ledger", "--dry-run")
    assert exc.value.code == 1
    err = capsys.readouterr().err
    assert err.startswith("错误：参数错误") and err.count("\n") == 1


@pytest.mark.django_db
def test_corrupt_and_mismatched_files(tmp_path):
    broken = tmp_path / "broken.docx"
    broken.write_bytes((SAMPLES / "shanting-minsheng-2025-q1.docx").read_bytes()[:3000])
    status, _, err = run(str(broken))
    assert status == 1 and err.startswith("错误：") and err.count("\n") <= 1
    renamed = tmp_path / "ledger.docx"
    renamed.write_bytes((SAMPLES / "yicheng-gzbg-2024-h1.pdf").read_bytes())
    status, _, err = run(str(renamed), "--dry-run", "--json")
    assert status == 1 and "PDF" in err and err.count("\n") <= 1


@pytest.mark.django_db
def test_size_limit(settings):
    settings.IMPORT_MAX_BYTES = 1024
    status, _, err = run(str(SAMPLES / "linyi-gzbg-2024-q2.xlsx"), "--dry-run", "--json")
    assert status == 1 and "文件过大" in err


@pytest.mark.django_db
def test_unexpected_error_is_still_one_line(monkeypatch):
    from imports.management.commands import import_ledger

    def crash(*args, **kwargs):
        raise RuntimeError("boom\nsecond line")

    monkeypatch.setattr(import_ledger, "import_file", crash)
    status, _, err = run(str(SAMPLES / "linyi-gzbg-2024-q2.xlsx"))
    assert status == 1 and err.startswith("错误：") and err.count("\n") <= 1 and "boom" in err


def _subprocess(*args, tmp_path):
    env = {
        **os.environ,
        "SECRET_KEY": "test",
        "DEBUG": "0",
        # A database that does not exist: the parse-only paths must not need one.
        "DATABASE_URL": f"sqlite:///{tmp_path / 'absent.sqlite3'}",
    }
    return subprocess.run(
        [sys.executable, "manage.py", "import_ledger", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_subprocess_failure_contract(tmp_path):
    proc = _subprocess("/no/such/ledger.pdf", tmp_path=tmp_path)
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert proc.stderr.strip().startswith("错误：") and len(proc.stderr.strip().splitlines()) == 1


def test_subprocess_dry_run_json_needs_no_database(tmp_path):
    path = SAMPLES / "linyi-gzbg-2024-q2.xlsx"
    proc = _subprocess(str(path), "--dry-run", "--json", tmp_path=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == json.loads(json.dumps(to_json_dict(parse_file(path))))
    assert not (tmp_path / "absent.sqlite3").exists()
