"""Word and Excel exports: the official layout, and the export_ledger command."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import docx
import openpyxl
import pytest
from django.core.management import call_command
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn

from ledger.exports import export_table
from ledger.models import ProgressEntry
from ledger.selectors.ledger_table import build_ledger_table
from tests import factories

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def table(unit, other_unit):
    ledger, period = factories.build_ledger(tasks=3, subtasks_per_task=2, units=[unit])
    period.title = "2024年6月民生实事进展情况台账"
    period.save()
    first = ProgressEntry.objects.filter(period=period).order_by("id").first()
    first.progress = "=SUM(A1:A9)\n第二段"
    first.problems = "@cmd"
    first.save()
    # Task 3's second row names another unit: its units are not shared.
    last = ProgressEntry.objects.filter(period=period).order_by("id").last().subtask
    last.assignments.update(unit=other_unit)
    return build_ledger_table(ledger=ledger, label="2024-06")


def test_docx_layout(table, tmp_path):
    out = tmp_path / "t.docx"
    export_table(table, fmt="docx", out=out)
    document = docx.Document(out)
    section = document.sections[0]
    assert section.orientation == WD_ORIENT.LANDSCAPE and section.page_width > section.page_height
    paragraphs = document.paragraphs
    assert paragraphs[0].text == "2024年6月民生实事进展情况台账"
    title_fonts = paragraphs[0].runs[0]._element.rPr.find(qn("w:rFonts"))
    assert title_fonts.get(qn("w:eastAsia")) == "方正小标宋简体"
    assert paragraphs[1].text == "一、民生实事（共6项）"
    normal = document.styles["Normal"].element.rPr.find(qn("w:rFonts"))
    assert normal.get(qn("w:eastAsia")) == "仿宋_GB2312"
    body = document.element.body
    tbl = body.find(qn("w:tbl"))
    rows = tbl.findall(qn("w:tr"))
    assert rows[0].find(qn("w:trPr")).find(qn("w:tblHeader")) is not None
    cells = [c for c in rows[1].iter(qn("w:t"))]
    assert cells[0].text == "1"
    fonts = {f.get(qn("w:eastAsia")) for f in tbl.iter(qn("w:rFonts"))}
    assert fonts == {"黑体", "仿宋_GB2312"}
    merges = [(v.get(qn("w:val")) or "continue") for v in tbl.iter(qn("w:vMerge"))]
    # number, title and shared units over tasks 1-2; number and title over task 3
    assert merges.count("restart") == 3 + 3 + 2 and merges.count("continue") == merges.count("restart")
    footer = section.footer._element
    instr = "".join(t.text for t in footer.iter(qn("w:instrText")))
    assert instr.strip() == "PAGE"
    assert footer.xpath("string(.)").startswith("—")
    # Paragraph breaks inside a cell are real paragraphs; text is never a field.
    table_doc = document.tables[0]
    progress_cell = table_doc.rows[1].cells[4]
    assert [p.text for p in progress_cell.paragraphs] == ["=SUM(A1:A9)", "第二段"]
    font_table = next(p for p in document.part.package.iter_parts() if str(p.partname) == "/word/fontTable.xml")
    assert "方正小标宋简体".encode() in font_table.blob and "黑体".encode() in font_table.blob


def test_xlsx_layout(table, tmp_path):
    out = tmp_path / "t.xlsx"
    export_table(table, fmt="xlsx", out=out)
    ws = openpyxl.load_workbook(out).active
    assert ws["A1"].value == "2024年6月民生实事进展情况台账"
    assert ws["A2"].value == "一、民生实事（共6项）"
    assert [c.value for c in ws[3]] == ["序号", "目标任务", "项目内容", "责任单位", "进展情况", "存在问题", "下步打算"]
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A1:G1", "A2:G2", "A4:A5", "B4:B5", "D4:D5", "A8:A9", "B8:B9"} <= merged
    assert "D8:D9" not in merged
    assert ws.freeze_panes == "A4"
    assert ws.print_title_rows == "$3:$3"
    assert ws.page_setup.orientation == "landscape"
    formula = ws["E4"]
    assert formula.value == "=SUM(A1:A9)\n第二段" and formula.data_type == "s" and formula.quotePrefix
    assert ws["F4"].value == "@cmd" and ws["F4"].data_type == "s"
    assert ws["E4"].alignment.wrap_text
    assert ws.column_dimensions["E"].width > ws.column_dimensions["A"].width


def test_formula_text_survives_reimport(table, tmp_path):
    from imports.parsers import parse_file

    for fmt in ("docx", "xlsx"):
        out = tmp_path / f"t.{fmt}"
        export_table(table, fmt=fmt, out=out)
        parsed = parse_file(out)
        sub = parsed.sections[0].tasks[0].subtasks[0]
        assert sub.progress == "=SUM(A1:A9)\n第二段" and sub.problems == "@cmd"


def test_quarter_export_combines_months(unit, tmp_path):
    ledger, june = factories.build_ledger(tasks=1, subtasks_per_task=1, units=[unit])
    april = factories.PeriodFactory(
        ledger=ledger, start=dt.date(2024, 4, 1), end=dt.date(2024, 4, 30), label="2024年4月"
    )
    sub = ProgressEntry.objects.get(period=june).subtask
    ProgressEntry.objects.create(subtask=sub, period=april, progress="四月", problems="四月问题", next_steps="四月打算")
    ProgressEntry.objects.filter(period=june).update(problems="", next_steps="六月打算")
    out = tmp_path / "q.xlsx"
    call_command("export_ledger", ledger=ledger.pk, period="2024年第二季度", format="xlsx", output=str(out))
    ws = openpyxl.load_workbook(out).active
    assert "2024年第二季度" in ws["A1"].value
    assert [c.value for c in ws[4]][4:] == ["进展1-1", "四月问题", "六月打算"]


def test_command_writes_docx(unit, tmp_path, capsys):
    ledger, _ = factories.build_ledger(tasks=2, units=[unit])
    out = tmp_path / "x.docx"
    call_command("export_ledger", ledger=ledger.pk, period="2024-06", output=str(out))
    assert docx.Document(out).tables
    assert "已导出" in capsys.readouterr().out


@pytest.mark.parametrize(
    "args",
    [
        ["--ledger", "999999", "--period", "2024-06", "-o", "/tmp/never.docx"],
        ["--period", "不是期次", "-o", "/tmp/never.docx"],
        ["--period", "2019-01", "-o", "/tmp/never.docx"],
        ["--period", "2024-06", "-o", "/nonexistent-dir/x.docx"],
        ["--period", "2024-06", "-o", "/tmp/x.pdf"],
        [],
    ],
)
def test_command_errors_exit_1(args, unit, capsys):
    ledger, _ = factories.build_ledger(tasks=1, units=[unit])
    if "--ledger" not in args:
        args = ["--ledger", str(ledger.pk), *args]
    with pytest.raises(SystemExit) as exc:
        call_command("export_ledger", *args)
    assert exc.value.code == 1
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("错误：")


def test_command_error_without_database(tmp_path):
    # A separate process: the exit status and stderr are what a shell sees.
    env = {"DEBUG": "1", "DATABASE_URL": f"sqlite:///{tmp_path}/empty.sqlite3", "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "manage.py", "export_ledger", "--ledger", "1", "-o", str(tmp_path / "x.docx")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1
