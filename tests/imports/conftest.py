"""Fixtures of the import tests: a private upload directory and small ParsedLedgers."""

from __future__ import annotations

import copy

import pytest

from imports.parsers.ledger import ParsedLedger, ParsedSection, ParsedSubtask, ParsedTask, Source
from ledger.periods import parse_period


@pytest.fixture(autouse=True)
def upload_dir(settings, tmp_path):
    """Every test gets its own UPLOAD_DIR, so leftover files are easy to see."""
    path = tmp_path / "uploads"
    settings.UPLOAD_DIR = path
    return path


def make_parsed(
    *,
    title: str | None = "2025年一季度民生实事工作进展情况台账",
    period: str | None = "2025-Q1",
    source_name: str = "minsheng-2025-q1.docx",
    progress_suffix: str = "",
) -> ParsedLedger:
    """A two-task ledger: task 1 has two sub-items, task 2 one."""

    def sub(content, units, progress, row, **kw):
        return ParsedSubtask(
            content=content,
            units=units,
            progress=progress + progress_suffix,
            problems="无",
            next_steps="继续推进",
            source=Source(file=source_name, table=1, row=row, page=None),
            **kw,
        )

    return ParsedLedger(
        title=title,
        period=parse_period(period) if period else None,
        columns=["序号", "目标任务", "项目内容", "责任单位", "进展情况", "存在问题", "下步打算"],
        source_name=source_name,
        sections=[
            ParsedSection(
                name=None,
                declared_count=None,
                tasks=[
                    ParsedTask(
                        number="1",
                        title="基层医疗服务提升工程",
                        subtasks=[
                            sub("新增样板村卫生室30处。", ["区卫健局"], "已开工建设", 2),
                            sub("推进村卫生室一体化管理。", ["区卫健局", "区医保局"], "持续推进", 3),
                        ],
                    ),
                    ParsedTask(
                        number="2",
                        title="城乡供水一体化",
                        subtasks=[sub("完成兆泉水厂建设。", ["区城乡水务局"], "", 4)],
                    ),
                ],
            )
        ],
    )


@pytest.fixture
def parsed():
    return make_parsed()


@pytest.fixture
def clone():
    return copy.deepcopy
