"""Model constraints and natural keys."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from ledger.models import ProgressEntry, ReportingPeriod, Section, Subtask, SubtaskUnit, Task, Unit
from ledger.periods import parse_period
from tests import factories

pytestmark = pytest.mark.django_db


def _violates(fn) -> bool:
    try:
        with transaction.atomic():
            fn()
    except IntegrityError:
        return True
    return False


def test_unit_name_is_unique():
    factories.UnitFactory(name="区财政局")
    assert _violates(lambda: Unit.objects.create(name="区财政局"))
    assert Unit.objects.get(name="区财政局").natural_key() == ("区财政局",)


def test_section_task_subtask_natural_keys():
    section = factories.SectionFactory(order=1)
    assert _violates(lambda: Section.objects.create(ledger=section.ledger, order=1))
    task = factories.TaskFactory(section=section, number="1", order=1)
    assert _violates(lambda: Task.objects.create(section=section, number="1", order=2))
    # Tasks without a printed number are allowed to repeat the empty number.
    Task.objects.create(section=section, number="", order=3)
    Task.objects.create(section=section, number="", order=4)
    factories.SubtaskFactory(task=task, order=1)
    assert _violates(lambda: Subtask.objects.create(task=task, order=1, content="x"))


def test_unit_appears_once_per_subtask():
    link = factories.SubtaskUnitFactory()
    assert _violates(lambda: SubtaskUnit.objects.create(subtask=link.subtask, unit=link.unit, order=1))


def test_period_unique_per_ledger_start_kind_and_dates_ordered():
    period = factories.PeriodFactory()
    assert _violates(
        lambda: ReportingPeriod.objects.create(
            ledger=period.ledger, kind="month", start=period.start, end=period.end, label="dup"
        )
    )
    assert _violates(
        lambda: ReportingPeriod.objects.create(
            ledger=period.ledger, kind="quarter", start=dt.date(2024, 7, 1), end=dt.date(2024, 6, 1), label="bad"
        )
    )
    # Same start, another kind: a quarter beside the month is a separate period.
    ReportingPeriod.objects.create(
        ledger=period.ledger,
        kind="quarter",
        start=dt.date(2024, 4, 1),
        end=dt.date(2024, 6, 30),
        label="2024年第二季度",
    )
    assert period.code == "2024-06"


def test_entry_unique_per_subtask_and_period_and_percent_range():
    entry = factories.EntryFactory()
    assert _violates(lambda: ProgressEntry.objects.create(subtask=entry.subtask, period=entry.period))
    entry.percent = 101
    assert _violates(entry.save)


def test_entry_history_is_kept():
    entry = factories.EntryFactory(progress="开工")
    entry.progress = "完工"
    entry.save()
    assert [h.progress for h in entry.history.order_by("history_date")] == ["开工", "完工"]


def test_every_model_has_docstring_str_and_ordering():
    from django.apps import apps

    for model in [*apps.get_app_config("ledger").get_models(), *apps.get_app_config("imports").get_models()]:
        if model.__name__.startswith("Historical"):
            continue
        assert model.__doc__ and not model.__doc__.startswith(model.__name__ + "("), model
        assert model._meta.ordering, model
        assert "__str__" in model.__dict__, model


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("2024年6月", "2024-06"),
        ("2025年一季度民生实事工作进展情况台账", "2025-Q1"),
        ("《政府工作报告》2024年上半年任务落实情况表", "2024-H1"),
        ("2023年《政府工作报告》重点任务完成情况台账", "2023"),
        ("2025-Q2", "2025-Q2"),
        ("ledger-2024-06.docx", "2024-06"),
    ],
)
def test_period_parsing(text, code):
    assert parse_period(text).code == code


def test_period_rejects_nonsense():
    from ledger.periods import PeriodError

    with pytest.raises(PeriodError):
        parse_period("下个月")
    with pytest.raises(PeriodError):
        parse_period("2024-13")
