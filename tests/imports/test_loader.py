"""The loader: ParsedLedger -> database, idempotent, all or nothing."""

from __future__ import annotations

import copy

import pytest

from imports import loader
from imports.errors import FileTooLargeError, LedgerImportError, PeriodMissingError
from imports.loader import (
    derived_fields,
    import_file,
    infer_status,
    ledger_title_for,
    load_parsed,
    section_columns,
    strip_period,
)
from imports.parsers.ledger import Column, ParsedSubtask
from ledger.models import Ledger, ProgressEntry, ReportingPeriod, Section, Subtask, SubtaskUnit, Task, Unit
from ledger.periods import parse_period
from tests import factories
from tests.imports.conftest import make_parsed

pytestmark = pytest.mark.django_db

MODELS = (Ledger, Section, Task, Subtask, SubtaskUnit, Unit, ReportingPeriod, ProgressEntry)


def row_counts() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in MODELS}


def test_first_import_creates_everything(parsed):
    report = load_parsed(parsed)

    ledger = Ledger.objects.get(pk=report.ledger_id)
    assert ledger.title == "2025年民生实事工作进展情况台账"
    assert ledger.year == 2025
    assert ledger.kind == Ledger.Kind.MINSHENG
    assert ledger.cadence == "quarter"
    assert ledger.columns == parsed.columns
    period = ReportingPeriod.objects.get(ledger=ledger)
    assert (period.code, period.label, period.title) == ("2025-Q1", "2025年第一季度", parsed.title)
    assert report.counts["sections"]["created"] == 1
    assert report.counts["tasks"]["created"] == 2
    assert report.counts["subtasks"]["created"] == 3
    assert report.counts["entries"]["created"] == 3
    assert report.new_units == ["区卫健局", "区医保局", "区城乡水务局"]
    assert report.counts["units"]["created"] == 3
    assert report.ledger_created and report.period_created

    section = Section.objects.get(ledger=ledger)
    assert section.name == ""
    assert [c["field"] for c in section.columns] == [
        "number",
        "title",
        "content",
        "units",
        "progress",
        "problems",
        "next_steps",
    ]
    assert [c["label"] for c in section.columns] == parsed.columns
    tasks = list(Task.objects.filter(section=section))
    assert [(t.number, t.title, t.order) for t in tasks] == [
        ("1", "基层医疗服务提升工程", 1),
        ("2", "城乡供水一体化", 2),
    ]
    sub = Subtask.objects.get(content="推进村卫生室一体化管理。")
    assert [(a.unit.name, a.role, a.printed_name) for a in sub.assignments.select_related("unit")] == [
        ("区卫健局", "lead", "区卫健局"),
        ("区医保局", "cooperating", "区医保局"),
    ]
    entry = ProgressEntry.objects.get(subtask=sub)
    assert (entry.progress, entry.problems, entry.next_steps) == ("持续推进", "无", "继续推进")
    assert entry.review_state == ProgressEntry.ReviewState.APPROVED
    assert entry.status == ProgressEntry.Status.IN_PROGRESS
    assert entry.version == 1
    empty = ProgressEntry.objects.get(subtask__content="完成兆泉水厂建设。")
    assert empty.status == ProgressEntry.Status.NOT_STARTED


def test_source_kept_on_subtask_and_entry(parsed):
    load_parsed(parsed)
    sub = Subtask.objects.get(content="推进村卫生室一体化管理。")
    assert (sub.source_file, sub.source_table, sub.source_row, sub.source_page) == ("minsheng-2025-q1.docx", 1, 3, None)
    entry = sub.entries.get()
    assert (entry.source_file, entry.source_table, entry.source_row) == ("minsheng-2025-q1.docx", 1, 3)


def test_reimport_same_file_changes_nothing(parsed, clone):
    first = load_parsed(clone(parsed))
    entry = ProgressEntry.objects.first()
    before = (entry.updated_at, entry.version, entry.history.count())

    again = load_parsed(clone(parsed))

    assert again.ledger_id == first.ledger_id
    assert again.total_created == 0
    assert again.total_updated == 0
    assert again.counts["subtasks"]["unchanged"] == 3
    assert again.counts["entries"]["unchanged"] == 3
    assert again.new_units == []
    entry.refresh_from_db()
    assert (entry.updated_at, entry.version, entry.history.count()) == before
    assert Ledger.objects.count() == 1


def test_changed_progress_updates_entry_and_bumps_version(parsed):
    load_parsed(parsed)
    changed = make_parsed(progress_suffix="，已完成80%")
    report = load_parsed(changed)
    assert report.counts["entries"]["updated"] == 3
    assert report.counts["subtasks"]["unchanged"] == 3
    entry = ProgressEntry.objects.get(subtask__content="新增样板村卫生室30处。")
    assert entry.progress == "已开工建设，已完成80%"
    assert entry.version == 2
    assert entry.history.count() == 2


def test_next_period_adds_entries_onto_same_subtasks(parsed):
    first = load_parsed(parsed)
    nxt = make_parsed(
        title="2025年二季度民生实事工作进展情况台账", period="2025-Q2", source_name="minsheng-2025-q2.docx"
    )
    # Same sub-items, white space differs; a new one appears at the end.
    nxt.sections[0].tasks[0].subtasks[0].content = "新增样板村卫生室 30处。"
    nxt.sections[0].tasks[1].subtasks.append(ParsedSubtask(content="新建加压泵站。", units=["区城乡水务局"]))

    report = load_parsed(nxt)

    assert report.ledger_id == first.ledger_id
    assert report.period_created and not report.ledger_created
    assert report.counts["tasks"] == {"created": 0, "updated": 0, "unchanged": 2}
    assert report.counts["subtasks"]["created"] == 1
    assert report.counts["entries"]["created"] == 4
    assert Subtask.objects.count() == 4
    sub = Subtask.objects.get(content__startswith="新增样板村卫生室")
    assert sorted(sub.entries.values_list("period__label", flat=True)) == ["2025年第一季度", "2025年第二季度"]
    # The sub-item keeps the file it was first read from; the entry has its own.
    assert sub.source_file == "minsheng-2025-q1.docx"
    assert sub.entries.get(period__label="2025年第二季度").source_file == "minsheng-2025-q2.docx"


def test_next_period_by_ledger_id_reports_missing_items(parsed):
    first = load_parsed(parsed)
    nxt = make_parsed(title=None, period="2025-Q2")
    del nxt.sections[0].tasks[0].subtasks[1]  # 一体化管理 dropped
    report = load_parsed(nxt, ledger_id=first.ledger_id)
    assert report.ledger_id == first.ledger_id
    assert any("推进村卫生室一体化管理" in w and "没有找到" in w for w in report.warnings)
    assert Subtask.objects.count() == 3  # nothing deleted
    missing = Subtask.objects.get(content="推进村卫生室一体化管理。")
    assert missing.order == 2  # moved behind the ones the file has, still there
    assert not missing.entries.filter(period__start__month=4).exists()


def test_changed_content_matches_by_order_with_warning(parsed):
    load_parsed(parsed)
    nxt = make_parsed(period="2025-Q2")
    nxt.sections[0].tasks[1].subtasks[0].content = "完成兆泉水厂二期建设。"
    report = load_parsed(nxt)
    assert report.counts["subtasks"]["updated"] == 1
    assert any("项目内容与台账中已有的不同" in w for w in report.warnings)
    assert Subtask.objects.count() == 3
    assert Subtask.objects.filter(content="完成兆泉水厂二期建设。").exists()


def test_unit_alias_matches_existing_unit_and_keeps_printed_name(parsed):
    unit = factories.UnitFactory(name="区卫生健康局", aliases=["区卫健局"])
    report = load_parsed(parsed)
    assert "区卫健局" not in report.new_units
    assert report.new_units == ["区医保局", "区城乡水务局"]
    assignment = SubtaskUnit.objects.filter(unit=unit).first()
    assert assignment.printed_name == "区卫健局"
    assert not Unit.objects.filter(name="区卫健局").exists()


def test_everything_rolls_back_on_error_midway(parsed, monkeypatch):
    factories.UnitFactory(name="区发改局")
    before = row_counts()
    original = loader._Loader._entry
    calls = {"n": 0}

    def boom(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise LedgerImportError("模拟的中途错误")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(loader._Loader, "_entry", boom)
    with pytest.raises(LedgerImportError, match="模拟的中途错误"):
        load_parsed(parsed)
    assert row_counts() == before


def test_database_error_becomes_import_error(parsed, monkeypatch):
    from django.db import IntegrityError

    def broken(*args, **kwargs):
        raise IntegrityError("boom")

    monkeypatch.setattr(loader, "set_subtask_units", broken)
    before = row_counts()
    with pytest.raises(LedgerImportError, match="未导入任何内容"):
        load_parsed(parsed)
    assert row_counts() == before


def test_dry_run_writes_nothing_but_reports(parsed):
    before = row_counts()
    report = load_parsed(parsed, dry_run=True)
    assert row_counts() == before
    assert report.dry_run
    assert report.ledger_id is None
    assert report.counts["subtasks"]["created"] == 3
    assert report.new_units == ["区卫健局", "区医保局", "区城乡水务局"]
    assert "试导入" in report.summary_zh()


def test_progress_callback_reports_each_subtask(parsed):
    seen = []
    load_parsed(parsed, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(0, 3), (1, 3), (2, 3), (3, 3)]


def test_period_override_and_missing_period(parsed, clone):
    report = load_parsed(clone(parsed), period="2025年二季度")
    assert report.period_code == "2025-Q2"
    no_period = make_parsed(title="民生实事台账", period=None)
    with pytest.raises(PeriodMissingError, match="--period"):
        load_parsed(no_period)
    with pytest.raises(LedgerImportError, match="无法识别的期次"):
        load_parsed(clone(parsed), period="明年")


def test_unknown_ledger_id(parsed):
    with pytest.raises(LedgerImportError, match="台账不存在"):
        load_parsed(parsed, ledger_id=999)


def test_locked_period_refuses_import(parsed, clone):
    report = load_parsed(clone(parsed))
    ReportingPeriod.objects.filter(ledger_id=report.ledger_id).update(locked=True)
    # Unchanged data passes; changed data is refused.
    assert load_parsed(clone(parsed)).total_updated == 0
    with pytest.raises(LedgerImportError, match="已锁定"):
        load_parsed(make_parsed(progress_suffix="。"))


def test_overwriting_in_system_entry_is_warned(parsed, clone):
    load_parsed(clone(parsed))
    ProgressEntry.objects.update(source_file="", review_state=ProgressEntry.ReviewState.SUBMITTED)
    report = load_parsed(make_parsed(progress_suffix="！"))
    assert any("系统内填报" in w for w in report.warnings)


def test_declared_count_and_joined_rows_warnings(parsed):
    parsed.sections[0].name = "一、民生实事（共5项）"
    parsed.sections[0].declared_count = 5
    parsed.joined_rows = 2
    report = load_parsed(parsed)
    assert any("共5项" in w and "3项" in w for w in report.warnings)
    assert any("2行" in w and "分页" in w for w in report.warnings)


def test_parser_declared_warning_not_repeated(parsed):
    parsed.sections[0].name = "一、民生实事（共5项）"
    parsed.sections[0].declared_count = 5
    parsed.warnings = ["“一、民生实事（共5项）”标明共5项，实际读到3项，请核对"]
    report = load_parsed(parsed)
    assert sum("共5项" in w for w in report.warnings) == 1


def test_ledger_without_units_column_keeps_units(parsed, clone):
    load_parsed(clone(parsed))
    no_units = make_parsed(period="2025-Q2")
    for task in no_units.sections[0].tasks:
        for sub in task.subtasks:
            sub.units = []
    load_parsed(no_units)
    assert SubtaskUnit.objects.count() == 4


def test_import_file_size_limit(tmp_path):
    path = tmp_path / "big.docx"
    path.write_bytes(b"PK" + b"\0" * 2048)
    with pytest.raises(FileTooLargeError, match="文件过大"):
        import_file(path, max_bytes=1024)


def test_import_file_missing(tmp_path):
    with pytest.raises(LedgerImportError, match="文件不存在"):
        import_file(tmp_path / "nope.docx")


def test_as_dict_is_json_ready(parsed):
    import json

    data = load_parsed(parsed).as_dict(include_parsed=True)
    text = json.dumps(data, ensure_ascii=False)
    assert data["period"] == "2025-Q1"
    assert data["parsed"]["sections"][0]["tasks"][0]["number"] == "1"
    assert "区医保局" in text


# --- pure helpers -------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("2025年一季度民生实事工作进展情况台账", "2025年民生实事工作进展情况台账"),
        ("2025年第一季度民生实事工作进展情况台账", "2025年民生实事工作进展情况台账"),
        ("《政府工作报告》2024年上半年任务落实情况表", "《政府工作报告》2024年任务落实情况表"),
        ("2024年6月份民生实事进展台账", "2024年民生实事进展台账"),
        ("2024年1-6月民生实事进展台账", "2024年民生实事进展台账"),
        ("2023年《政府工作报告》重点任务完成情况台账", "2023年《政府工作报告》重点任务完成情况台账"),
        ("二季度重点任务台账", "重点任务台账"),
    ],
)
def test_strip_period(title, expected):
    assert strip_period(title) == expected


def test_title_from_file_name_without_period():
    parsed = make_parsed(title=None, period="2024-06", source_name="shanting-minsheng-2024-06.docx")
    assert ledger_title_for(parsed, period=parse_period("2024-06")) == "shanting-minsheng-2024"
    parsed.source_name = "linyi-2024-q2.xlsx"
    assert ledger_title_for(parsed, period=parse_period("2024-Q2")) == "linyi-2024"


@pytest.mark.parametrize(
    ("progress", "status"),
    [
        ("", "not_started"),
        ("已完成。", "done"),
        ("项目已全部完成。", "done"),
        ("已全面完成年度目标任务", "done"),
        ("已完成方案设计，正在进行招标准备工作。", "in_progress"),
        ("目前已完成80%。", "in_progress"),
        ("确保年底前全面完成。", "in_progress"),
        ("正在推进", "in_progress"),
    ],
)
def test_infer_status(progress, status):
    assert infer_status(progress) == status


def test_columns_derived_when_parser_gives_none(parsed):
    section = parsed.sections[0]
    parsed.columns = []
    section.columns = []
    assert [c["label"] for c in section_columns(section, parsed)] == [
        "序号",
        "目标任务",
        "项目内容",
        "责任单位",
        "进展情况",
        "存在问题",
        "下步打算",
    ]
    # Column objects are used as they are.
    section.columns = [Column(label="编号", field="number"), Column(label="内容", field="content")]
    assert section_columns(section, parsed) == [
        {"label": "编号", "field": "number"},
        {"label": "内容", "field": "content"},
    ]


def test_derived_fields_with_targets(parsed):
    for task in parsed.sections[0].tasks:
        task.title = None
        for sub in task.subtasks:
            sub.target = "目标"
            sub.stretch_target = "奋斗目标"
    assert derived_fields(parsed.sections[0]) == [
        "number",
        "content",
        "stretch_target",
        "target",
        "units",
        "progress",
        "problems",
        "next_steps",
    ]


# --------------------------------------------------------------------------
# Batched writes: statements per import do not grow with the sub-items.


def _big_parsed(n_tasks: int = 12, per_task: int = 3, units=("区卫健局", "区医保局")):
    parsed = make_parsed()
    template = parsed.sections[0].tasks[0]
    tasks = []
    for t in range(1, n_tasks + 1):
        task = copy.deepcopy(template)
        task.number, task.title = str(t), f"任务{t}"
        subs = []
        for s in range(1, per_task + 1):
            sub = copy.deepcopy(template.subtasks[0])
            sub.content, sub.units, sub.progress = f"任务{t}第{s}项。", list(units), f"进展{t}-{s}"
            subs.append(sub)
        task.subtasks = subs
        tasks.append(task)
    parsed.sections[0].tasks = tasks
    return parsed


def _writes(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]


def test_statements_do_not_grow_with_subtasks(clone):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    big = _big_parsed()
    with CaptureQueriesContext(connection) as first:
        report = load_parsed(clone(big))
    assert report.counts["subtasks"]["created"] == 36
    assert report.counts["entries"]["created"] == 36
    # ledger, period, section, 2 units, then one insert each for tasks,
    # sub-items, their units, entries and the entries' history.
    assert len(_writes(first.captured_queries)) <= 12
    assert len(first.captured_queries) <= 25
    assert SubtaskUnit.objects.count() == 72
    assert ProgressEntry.history.count() == 36

    with CaptureQueriesContext(connection) as again:
        report = load_parsed(clone(big))
    assert report.total_created == report.total_updated == 0
    assert _writes(again.captured_queries) == []
    assert len(again.captured_queries) <= 12


def test_batched_entries_keep_history_user_reason_and_units(parsed, admin_user):
    load_parsed(parsed, user=admin_user)
    for entry in ProgressEntry.objects.all():
        (record,) = entry.history.all()
        assert record.history_type == "+"
        assert record.history_user == admin_user
        assert record.history_change_reason == "导入：minsheng-2025-q1.docx"
        assert (record.progress, record.version, record.source_row) == (entry.progress, 1, entry.source_row)
    sub = Subtask.objects.get(content="推进村卫生室一体化管理。")
    assert [(a.unit.name, a.role, a.order, a.printed_name) for a in sub.assignments.select_related("unit")] == [
        ("区卫健局", "lead", 0, "区卫健局"),
        ("区医保局", "cooperating", 1, "区医保局"),
    ]


def test_reimport_with_changed_units_rewrites_only_that_subtask(parsed, clone):
    load_parsed(clone(parsed))
    changed = clone(parsed)
    changed.sections[0].tasks[0].subtasks[1].units = ["区医保局", "区卫健局", "区财政局"]
    report = load_parsed(changed)
    assert report.counts["subtasks"]["updated"] == 1
    assert report.counts["subtasks"]["unchanged"] == 2
    assert report.counts["entries"]["unchanged"] == 3
    assert report.new_units == ["区财政局"]
    sub = Subtask.objects.get(content="推进村卫生室一体化管理。")
    assert [(a.unit.name, a.role, a.order) for a in sub.assignments.select_related("unit")] == [
        ("区医保局", "lead", 0),
        ("区卫健局", "cooperating", 1),
        ("区财政局", "cooperating", 2),
    ]
    assert load_parsed(clone(changed)).changed is False


def test_new_subtask_on_existing_task_is_batched_with_its_entry(parsed, clone):
    first = load_parsed(clone(parsed))
    more = clone(parsed)
    extra = copy.deepcopy(more.sections[0].tasks[1].subtasks[0])
    extra.content, extra.units = "新建加压泵站1处。", ["区城乡水务局", "区住建局"]
    more.sections[0].tasks[1].subtasks.insert(0, extra)
    report = load_parsed(more)
    assert report.ledger_id == first.ledger_id
    assert report.counts["subtasks"]["created"] == 1
    assert report.counts["subtasks"]["unchanged"] == 3
    assert report.counts["entries"]["created"] == 1
    task = Task.objects.get(number="2")
    assert [s.content for s in task.subtasks.order_by("order")] == ["新建加压泵站1处。", "完成兆泉水厂建设。"]
    new = task.subtasks.get(order=1)
    assert [a.unit.name for a in new.assignments.select_related("unit")] == ["区城乡水务局", "区住建局"]
    assert new.entries.get().history.count() == 1
