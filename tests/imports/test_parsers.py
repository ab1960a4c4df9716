"""Ledger parsers: the five samples against their truth, each rule on a
document built here, and bad input. No Django: parsers only read files."""

from __future__ import annotations

import io
import json
import os
import re
import zipfile
from pathlib import Path

import docx
import openpyxl
import pytest
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from imports.errors import (
    CorruptFileError,
    LedgerImportError,
    NoLedgerError,
    NoTextLayerError,
    UnsupportedFileError,
)
from imports.ledger_json import from_json_dict, to_json_dict
from imports.parsers import parse_file
from imports.parsers.common import clean_text, html_to_text, split_units

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = sorted(p for p in (ROOT / "fixtures" / "ledgers").iterdir() if p.suffix in {".docx", ".pdf", ".xlsx"})
SUBTASK_TEXT = ("content", "progress", "problems", "next_steps", "target", "stretch_target")


def flat(text: str | None) -> str | None:
    return None if text is None else re.sub(r"\s+", "", text)


# ---------------------------------------------------------------- samples


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_sample_matches_truth(path: Path) -> None:
    truth = json.loads(Path(f"{path}.truth.json").read_text(encoding="utf-8"))
    got = to_json_dict(parse_file(path))
    assert flat(got["title"]) == flat(truth["title"])
    assert got["period"] == truth["period"]
    assert len(got["sections"]) == len(truth["sections"])
    for tsec, gsec in zip(truth["sections"], got["sections"], strict=True):
        assert flat(gsec["name"]) == flat(tsec.get("name"))
        assert gsec["declared_count"] == tsec.get("declared_count")
        assert [t["number"] for t in gsec["tasks"]] == [t["number"] for t in tsec["tasks"]]
        for ttask, gtask in zip(tsec["tasks"], gsec["tasks"], strict=True):
            where = f"{path.name} task {ttask['number']}"
            assert flat(gtask["title"]) == flat(ttask["title"]), where
            assert len(gtask["subtasks"]) == len(ttask["subtasks"]), where
            for tsub, gsub in zip(ttask["subtasks"], gtask["subtasks"], strict=True):
                for key in SUBTASK_TEXT:
                    # A target key only where the ledger has that column.
                    assert (key in gsub) == (key in tsub), (where, key)
                    if key in tsub:
                        assert flat(gsub[key]) == flat(tsub[key]), (where, key)
                assert [flat(u) for u in gsub["units"]] == [flat(u) for u in tsub["units"]], where


def test_json_round_trip() -> None:
    parsed = parse_file(ROOT / "fixtures/ledgers/shanting-gzbg-2023-annual.docx")
    d = to_json_dict(parsed)
    assert to_json_dict(from_json_dict(d)) == d


def test_pdf_page_breaks_and_sources() -> None:
    parsed = parse_file(ROOT / "fixtures/ledgers/yicheng-gzbg-2024-h1.pdf")
    assert parsed.joined_rows > 0
    subs = [s for sec in parsed.sections for t in sec.tasks for s in t.subtasks]
    assert all(s.source is not None and s.source.page for s in subs)
    assert subs[-1].source.page > 20
    # Header rows repeated on every page are not tasks.
    assert not any(t.number == "序号" for sec in parsed.sections for t in sec.tasks)
    # The mismatch between 共14项 and the rows found is reported, not fixed.
    assert any("14" in w for w in parsed.warnings)


# ---------------------------------------------------------------- helpers

HEADER = ["序号", "目标任务", "项目内容", "责任单位", "进展情况", "存在问题", "下步打算"]


def _set_vmerge(cell, val: str | None) -> None:
    tc_pr = cell._tc.get_or_add_tcPr()
    vm = OxmlElement("w:vMerge")
    if val is not None:
        vm.set(qn("w:val"), val)
    tc_pr.append(vm)


def _add_table(document, rows: list[list[str]]):
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            cell = table.rows[r].cells[c]
            lines = value.split("\n")
            cell.paragraphs[0].text = lines[0]
            for line in lines[1:]:
                cell.add_paragraph(line)
    return table


def _save_docx(document, tmp_path: Path, name: str = "台账2024年6月.docx") -> Path:
    path = tmp_path / name
    document.save(path)
    return path


def _subtasks(parsed):
    return [(t, s) for sec in parsed.sections for t in sec.tasks for s in t.subtasks]


# ---------------------------------------------------------------- Word rules


@pytest.mark.parametrize("flavour", [None, "continue"])
def test_docx_vmerge_both_flavours(tmp_path: Path, flavour: str | None) -> None:
    d = docx.Document()
    d.add_paragraph("2024年6月民生实事进展台账")
    t = _add_table(
        d,
        [
            HEADER,
            ["1", "供水工程", "建水厂", "区水务局", "已开工", "无", "加快"],
            ["", "", "铺管网", "", "完成80%", "无", "继续"],
        ],
    )
    for c in (0, 1, 3):
        _set_vmerge(t.rows[1].cells[c], "restart")
        _set_vmerge(t.rows[2].cells[c], flavour)
    parsed = parse_file(_save_docx(d, tmp_path))
    assert parsed.title == "2024年6月民生实事进展台账"
    assert parsed.period.code == "2024-06"
    [section] = parsed.sections
    [task] = section.tasks
    assert (task.number, task.title) == ("1", "供水工程")
    assert [s.content for s in task.subtasks] == ["建水厂", "铺管网"]
    assert [s.units for s in task.subtasks] == [["区水务局"], ["区水务局"]]


def test_docx_gridspan_synonyms_extra_columns(tmp_path: Path) -> None:
    d = docx.Document()
    header = ["备注", "编号", "牵头单位", "重点任务", "工作内容", "推进情况", "下一步工作计划", "存在的问题"]
    t = _add_table(
        d,
        [
            header,
            ["甲", "1", "区发改局", "项目建设", "开工10个", "开工8个", "加快", "无"],
            ["乙", "2", "区财政局", "收入", "增长6%", "增长5%", "", ""],
        ],
    )
    # 推进情况 and 下一步工作计划 merged across on row 2: the text is progress only.
    t.rows[2].cells[5].merge(t.rows[2].cells[6])
    parsed = parse_file(_save_docx(d, tmp_path, "ledger-2024-Q2.docx"))
    assert parsed.period.code == "2024-Q2"
    rows = _subtasks(parsed)
    assert [(t.number, t.title) for t, _ in rows] == [("1", "项目建设"), ("2", "收入")]
    first, second = rows[0][1], rows[1][1]
    assert (first.content, first.units, first.progress, first.next_steps, first.problems) == (
        "开工10个",
        ["区发改局"],
        "开工8个",
        "加快",
        "无",
    )
    assert (second.progress, second.next_steps) == ("增长5%", "")
    assert second.target is None and second.stretch_target is None


def test_docx_html_units_paragraphs(tmp_path: Path) -> None:
    d = docx.Document()
    _add_table(
        d,
        [
            HEADER,
            [
                "1",
                "城市管理",
                "<p>新建口袋公园</p><p>5处&nbsp;以上</p>",
                "区综合行政\n执法局\n区政府办公室\n（区大数据中心）\n区住建局",
                "第一段。\n第二段。",
                "无",
                "继续",
            ],
        ],
    )
    parsed = parse_file(_save_docx(d, tmp_path))
    [(_, sub)] = _subtasks(parsed)
    assert sub.content == "新建口袋公园\n5处 以上"
    assert sub.units == ["区综合行政执法局", "区政府办公室（区大数据中心）", "区住建局"]
    assert sub.progress == "第一段。\n第二段。"


def test_docx_sections_declared_counts(tmp_path: Path) -> None:
    d = docx.Document()
    d.add_paragraph("2023年重点任务完成情况台账")
    d.add_paragraph("一、主要经济指标（共2项）")
    _add_table(d, [HEADER, ["1", "甲", "a", "区发改局", "p", "", ""], ["2", "乙", "b", "区财政局", "p", "", ""]])
    d.add_paragraph("（二）项目建设（共 3项）")
    _add_table(d, [HEADER, ["3", "丙", "c", "区商投局", "p", "", ""]])
    parsed = parse_file(_save_docx(d, tmp_path, "x.docx"))
    assert parsed.period.code == "2023"
    assert [(s.name, s.declared_count, len(s.tasks)) for s in parsed.sections] == [
        ("一、主要经济指标（共2项）", 2, 2),
        ("（二）项目建设（共 3项）", 3, 1),
    ]
    [warning] = parsed.warnings
    assert "3" in warning and "1" in warning


def test_docx_target_and_stretch_columns(tmp_path: Path) -> None:
    d = docx.Document()
    _add_table(
        d,
        [
            ["序号", "年度奋斗目标", "工作任务", "工作目标", "责任单位", "完成情况"],
            ["1", "增长8%", "抓投资", "增长6%", "区发改局", "增长7%"],
        ],
    )
    parsed = parse_file(_save_docx(d, tmp_path))
    [(task, sub)] = _subtasks(parsed)
    assert task.title == "抓投资"  # a task column names the task
    assert (sub.content, sub.target, sub.stretch_target) == ("抓投资", "增长6%", "增长8%")
    out = to_json_dict(parsed)["sections"][0]["tasks"][0]["subtasks"][0]
    assert out["target"] == "增长6%" and out["stretch_target"] == "增长8%"


def test_repeated_task_on_new_page_stays_one_task(tmp_path: Path) -> None:
    d = docx.Document()
    _add_table(
        d,
        [
            HEADER,
            ["1", "供水", "a", "区水务局", "p1", "", ""],
            ["1", "供水", "b", "", "p2", "", ""],
            ["2", "供电", "c", "区供电中心", "p3", "", ""],
        ],
    )
    parsed = parse_file(_save_docx(d, tmp_path))
    tasks = parsed.sections[0].tasks
    assert [(t.number, len(t.subtasks)) for t in tasks] == [("1", 2), ("2", 1)]
    assert tasks[0].subtasks[1].units == ["区水务局"]  # inherited within the task


# ---------------------------------------------------------------- Excel rules


def test_xlsx_merged_ranges_title_and_junk(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["2025年一季度重点任务推进情况", None, None, None, None])
    ws.merge_cells("A1:E1")
    ws.append([])
    ws.append(["任务编号", "事项", "具体项目内容", "责任部门", "一季度推进情况"])
    ws.append([7, "<p>教育提升</p>", "扩增学位", "区教体局", "<p>已上报</p><br>计划&amp;方案"])
    ws.append([None, None, "建幼儿园", None, "完成80%"])
    ws.merge_cells("A4:A5")
    ws.merge_cells("B4:B5")
    ws.append([])
    ws.append(["----", "--", "---", "--", "-"])
    path = tmp_path / "q1.xlsx"
    wb.save(path)
    parsed = parse_file(path)
    assert parsed.title == "2025年一季度重点任务推进情况"
    assert parsed.period.code == "2025-Q1"
    [task] = parsed.sections[0].tasks
    assert (task.number, task.title) == ("7", "教育提升")
    assert [s.content for s in task.subtasks] == ["扩增学位", "建幼儿园"]
    assert task.subtasks[0].progress == "已上报\n计划&方案"
    assert task.subtasks[1].units == ["区教体局"]


def test_xlsx_several_sheets(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    for i, name in enumerate(["一", "二"]):
        ws = wb.active if i == 0 else wb.create_sheet(name)
        ws.append(["序号", "目标任务", "项目内容", "责任单位", "进展情况"])
        ws.append([i + 1, f"任务{i}", f"内容{i}", "区发改局", "进展"])
    path = tmp_path / "two.xlsx"
    wb.save(path)
    parsed = parse_file(path)
    subs = _subtasks(parsed)
    assert [s.content for _, s in subs] == ["内容0", "内容1"]
    assert [s.source.table for _, s in subs] == [1, 2]


# ---------------------------------------------------------------- text rules


def test_text_rules() -> None:
    assert clean_text("地区生产总值增长\n6%左右。", soft_wraps=True) == "地区生产总值增长6%左右。"
    assert clean_text("version\n2 ready", soft_wraps=True) == "version 2 ready"
    assert clean_text("第一段\n\n第二段", soft_wraps=False) == "第一段\n第二段"
    assert html_to_text("<p>a&nbsp;b</p><p>c</p>").split() == ["a", "b", "c"]
    assert html_to_text("a < b") == "a < b"
    assert split_units("区发改局、区财政局") == ["区发改局", "区财政局"]
    assert split_units("区政府办公室\n（区大数据中\n心）\n峨山镇") == ["区政府办公室（区大数据中心）", "峨山镇"]
    assert split_units("") == []


# ---------------------------------------------------------------- bad input


def _docx_bytes() -> bytes:
    d = docx.Document()
    _add_table(d, [HEADER, ["1", "甲", "a", "区发改局", "p", "", ""]])
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def _xlsx_bytes() -> bytes:
    wb = openpyxl.Workbook()
    wb.active.append(HEADER)
    wb.active.append(["1", "甲", "a", "区发改局", "p", "", ""])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _pdf(objects: list[bytes], trailer_extra: bytes = b"") -> bytes:
    """A minimal PDF with a correct cross-reference table."""
    out = b"%PDF-1.4\n"
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, trailer_extra, xref)
    return out


BLANK_PAGES = [
    b"<< /Type /Catalog /Pages 2 0 R >>",
    b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
]
ENCRYPT = b"<< /Filter /Standard /V 1 /R 2 /O <" + b"11" * 32 + b"> /U <" + b"22" * 32 + b"> /P -4 >>"


def _zip_bomb() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", b" " * (20 * 1024 * 1024))
    return buf.getvalue()


BAD_INPUTS = {
    "pdf-named-docx": ("x.docx", lambda: _pdf(BLANK_PAGES), UnsupportedFileError),
    "docx-named-xlsx": ("x.xlsx", _docx_bytes, UnsupportedFileError),
    "xlsx-named-pdf": ("x.pdf", _xlsx_bytes, UnsupportedFileError),
    "old-doc-extension": ("x.doc", _docx_bytes, UnsupportedFileError),
    "ole-container": ("x.docx", lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), UnsupportedFileError),
    "truncated-docx": ("x.docx", lambda: _docx_bytes()[: len(_docx_bytes()) // 2], CorruptFileError),
    "truncated-xlsx": ("x.xlsx", lambda: _xlsx_bytes()[: len(_xlsx_bytes()) // 2], CorruptFileError),
    "random-bytes": ("x.docx", lambda: os.urandom(4096), UnsupportedFileError),
    "random-zip-named-docx": ("x.docx", lambda: b"PK\x03\x04" + os.urandom(2000), CorruptFileError),
    "empty-file": ("x.pdf", lambda: b"", CorruptFileError),
    "garbage-pdf": ("x.pdf", lambda: b"%PDF-1.7\n" + os.urandom(3000), CorruptFileError),
    "truncated-pdf": ("x.pdf", lambda: _pdf(BLANK_PAGES)[:120], CorruptFileError),
    "blank-pdf": ("x.pdf", lambda: _pdf(BLANK_PAGES), NoTextLayerError),
    "encrypted-pdf": (
        "x.pdf",
        lambda: _pdf([*BLANK_PAGES, ENCRYPT], b"/Encrypt 4 0 R /ID [<01020304> <01020304>] "),
        CorruptFileError,
    ),
    "zip-bomb": ("x.docx", _zip_bomb, CorruptFileError),
}


@pytest.mark.parametrize("case", BAD_INPUTS, ids=str)
def test_bad_input_raises_ledger_error(tmp_path: Path, case: str) -> None:
    name, make, expected = BAD_INPUTS[case]
    path = tmp_path / name
    path.write_bytes(make())
    with pytest.raises(LedgerImportError) as info:
        parse_file(path)
    assert isinstance(info.value, expected), (type(info.value), info.value)
    assert re.search(r"[\u4e00-\u9fff]", str(info.value))
    if case == "encrypted-pdf":
        assert "加密" in str(info.value)


def test_docx_without_ledger_table(tmp_path: Path) -> None:
    d = docx.Document()
    d.add_paragraph("会议纪要")
    _add_table(d, [["姓名", "电话"], ["张三", "123"]])
    with pytest.raises(NoLedgerError):
        parse_file(_save_docx(d, tmp_path, "memo.docx"))


def test_original_name_decides_extension_check(tmp_path: Path) -> None:
    path = tmp_path / "upload.tmp"
    path.write_bytes(_docx_bytes())
    assert parse_file(path, original_name="台账2024-06.docx").period.code == "2024-06"
    with pytest.raises(UnsupportedFileError):
        parse_file(path, original_name="台账.pdf")
