"""FilterSets of the lists of sub-items and progress entries (django-filter)."""

from __future__ import annotations

import django_filters
from django.db.models import Exists, OuterRef, Q

from ledger.models import Ledger, ProgressEntry, ReportingPeriod, Section, Subtask, SubtaskUnit, Unit
from ledger.params import int_param


def _keyword_q(value: str, *fields: str) -> Q:
    """Every word must appear in one of the fields."""
    q = Q()
    for word in value.split():
        any_field = Q()
        for name in fields:
            any_field |= Q(**{f"{name}__icontains": word})
        q &= any_field
    return q


class _LedgerScoped(django_filters.FilterSet):
    """Section and period choices narrow to the chosen ledger."""

    ledger = django_filters.ModelChoiceFilter(label="台账", queryset=Ledger.objects.all(), method="filter_ledger")
    section = django_filters.ModelChoiceFilter(label="板块", queryset=Section.objects.none(), method="filter_section")
    unit = django_filters.ModelChoiceFilter(
        label="责任单位", queryset=Unit.objects.filter(active=True), method="filter_unit"
    )
    q = django_filters.CharFilter(label="关键词", method="filter_keyword")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        ledger_id = int_param((self.data or {}).get("ledger"))
        sections = Section.objects.select_related("ledger")
        periods = ReportingPeriod.objects.all()
        if ledger_id is not None:
            sections = sections.filter(ledger_id=ledger_id)
            periods = periods.filter(ledger_id=ledger_id)
        self.filters["section"].queryset = sections
        if "period" in self.filters:
            self.filters["period"].queryset = periods.select_related("ledger")


class SubtaskFilter(_LedgerScoped):
    period = django_filters.ModelChoiceFilter(
        label="报送期次", queryset=ReportingPeriod.objects.none(), method="filter_period"
    )
    status = django_filters.ChoiceFilter(label="本期状态", choices=ProgressEntry.Status.choices, method="filter_status")
    review_state = django_filters.ChoiceFilter(
        label="审核状态", choices=ProgressEntry.ReviewState.choices, method="filter_review_state"
    )
    o = django_filters.OrderingFilter(
        fields=(
            ("task__section__ledger__title", "ledger"),
            ("task__section__order", "section"),
            ("task__order", "task"),
            ("content", "content"),
            ("id", "id"),
        ),
        field_labels={"ledger": "台账", "section": "板块", "task": "任务序号", "content": "项目内容"},
        label="排序",
    )

    class Meta:
        model = Subtask
        fields: list[str] = []

    def filter_ledger(self, qs, name, value):
        return qs.filter(task__section__ledger=value)

    def filter_section(self, qs, name, value):
        return qs.filter(task__section=value)

    def filter_unit(self, qs, name, value):
        return qs.filter(Exists(SubtaskUnit.objects.filter(subtask=OuterRef("pk"), unit=value)))

    def filter_keyword(self, qs, name, value):
        return qs.filter(_keyword_q(value, "content", "task__title", "task__number"))

    def _entries(self):
        entries = ProgressEntry.objects.filter(subtask=OuterRef("pk"))
        period = self.form.cleaned_data.get("period")
        return entries.filter(period=period) if period else entries

    def filter_period(self, qs, name, value):
        return qs.filter(Exists(ProgressEntry.objects.filter(subtask=OuterRef("pk"), period=value)))

    def filter_status(self, qs, name, value):
        return qs.filter(Exists(self._entries().filter(status=value)))

    def filter_review_state(self, qs, name, value):
        return qs.filter(Exists(self._entries().filter(review_state=value)))


class EntryFilter(_LedgerScoped):
    period = django_filters.ModelChoiceFilter(label="报送期次", queryset=ReportingPeriod.objects.none())
    status = django_filters.ChoiceFilter(label="状态", choices=ProgressEntry.Status.choices)
    review_state = django_filters.ChoiceFilter(label="审核状态", choices=ProgressEntry.ReviewState.choices)
    o = django_filters.OrderingFilter(
        fields=(
            ("period__start", "period"),
            ("subtask__task__section__order", "section"),
            ("subtask__task__order", "task"),
            ("status", "status"),
            ("review_state", "review_state"),
            ("updated_at", "updated"),
            ("id", "id"),
        ),
        field_labels={
            "period": "期次",
            "section": "板块",
            "task": "任务序号",
            "status": "状态",
            "review_state": "审核状态",
            "updated": "更新时间",
        },
        label="排序",
    )

    class Meta:
        model = ProgressEntry
        fields: list[str] = []

    def filter_ledger(self, qs, name, value):
        return qs.filter(period__ledger=value)

    def filter_section(self, qs, name, value):
        return qs.filter(subtask__task__section=value)

    def filter_unit(self, qs, name, value):
        return qs.filter(Exists(SubtaskUnit.objects.filter(subtask=OuterRef("subtask_id"), unit=value)))

    def filter_keyword(self, qs, name, value):
        return qs.filter(
            _keyword_q(value, "subtask__content", "subtask__task__title", "progress", "problems", "next_steps")
        )
