"""The leadership dashboard (领导驾驶舱): where a ledger stands in a period.

Everything is computed from a handful of flat queries (sections, tasks,
sub-items, assignments, this period's entries, per-period status counts), so
the page costs the same number of queries for 5 tasks or 5,000.

The traffic light of a task is decided in ONE place, `subtask_light` /
`task_light` below; the page explains the rule with LIGHT_RULES.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from ledger.models import Ledger, ProgressEntry, ReportingPeriod, Section, Subtask, SubtaskUnit, Task, Unit
from ledger.selectors.ledger_table import latest_period

Status = ProgressEntry.Status
Review = ProgressEntry.ReviewState

GREEN, YELLOW, RED, GREY = "green", "yellow", "red", "grey"
LIGHT_LABELS = {GREEN: "正常", YELLOW: "进度偏慢", RED: "滞后", GREY: "暂无数据"}
LIGHT_ORDER = {GREY: 0, GREEN: 1, YELLOW: 2, RED: 3}
# A sub-item may trail the year's elapsed share by this many points before it
# counts as behind: percents are the units' own estimates.
PERCENT_TOLERANCE = 10
LIGHT_RULES = [
    (RED, "任一项目内容状态为“滞后”，或已过报送截止日期仍未报送（无填报、草稿或被退回）。"),
    (
        YELLOW,
        f"任一项目内容进度偏慢：本期已开始仍为“未启动”；或填报的完成百分比低于本期末全年时间进度"
        f"（本期末已过天数÷全年天数）{PERCENT_TOLERANCE}个百分点以上。",
    ),
    (GREEN, "其余情况：已完成，或推进中且进度不低于时间进度。"),
    (GREY, "截止日期未到且尚无填报，暂不评价。"),
]
REPORTED = (Review.SUBMITTED, Review.APPROVED)
STATUS_ORDER = [Status.DONE, Status.IN_PROGRESS, Status.DELAYED, Status.NOT_STARTED]
UNREPORTED_KEY = "unreported"
CHART_STATUSES = [*STATUS_ORDER, Status.NO_TASK, UNREPORTED_KEY]
STATUS_LABELS = {**{s.value: s.label for s in STATUS_ORDER}, Status.NO_TASK.value: Status.NO_TASK.label}
STATUS_LABELS[UNREPORTED_KEY] = "未填报"

# "No problem" as clerks write it: 无, 暂无, 无。, 没有, 无问题, /, — …
_NO_PROBLEM = re.compile(r"^(?:无|暂无|没有|暂没有|无问题|暂无问题|不存在|未发现|否|none|n/?a|)$", re.I)
_PUNCT = re.compile(r"[\s。．.，,；;、:：!！\-—－_/\\*]+")


def is_real_problem(text: str | None) -> bool:
    return not _NO_PROBLEM.match(_PUNCT.sub("", text or ""))


@functools.lru_cache(maxsize=256)
def elapsed_share(*, period_end: dt.date) -> float:
    """Share of the calendar year elapsed at the end of the period (0–1)."""
    year_start = dt.date(period_end.year, 1, 1)
    days = (dt.date(period_end.year, 12, 31) - year_start).days + 1
    return min(1.0, ((period_end - year_start).days + 1) / days)


def subtask_light(
    *,
    entry: ProgressEntry | EntryFacts | None,
    period: ReportingPeriod,
    today: dt.date,
) -> str:
    """The light of one sub-item in one period. See LIGHT_RULES."""
    reported = entry is not None and entry.review_state in REPORTED
    overdue = period.due_date is not None and today > period.due_date
    if entry is not None and entry.status == Status.DELAYED:
        return RED
    if not reported and overdue:
        return RED
    if entry is None:
        return GREY
    if entry.status in (Status.DONE, Status.NO_TASK):
        return GREEN
    if entry.status == Status.NOT_STARTED:
        return YELLOW if today >= period.start else GREEN
    if entry.percent is not None:
        expected = elapsed_share(period_end=period.end) * 100
        if entry.percent < expected - PERCENT_TOLERANCE:
            return YELLOW
    return GREEN


def task_light(lights: list[str]) -> str:
    """A task is as bad as its worst sub-item."""
    return max(lights, key=LIGHT_ORDER.__getitem__, default=GREY)


@dataclass
class UnitRate:
    unit_id: int
    name: str
    expected: int = 0
    reported: int = 0

    @property
    def missing(self) -> int:
        return self.expected - self.reported

    @property
    def rate(self) -> float:
        return round(100 * self.reported / self.expected, 1) if self.expected else 0.0


@dataclass
class TaskLight:
    task_id: int
    section: str
    number: str
    title: str
    light: str
    counts: Counter = field(default_factory=Counter)

    @property
    def label(self) -> str:
        return LIGHT_LABELS[self.light]


@dataclass
class Problem:
    unit: str
    task: str
    content: str
    text: str
    url: str


@dataclass
class Dashboard:
    ledger: Ledger
    period: ReportingPeriod
    periods: list[ReportingPeriod]
    unit_rates: list[UnitRate]
    status_overall: dict[str, int]
    status_by_section: list[tuple[str, dict[str, int]]]
    tasks: list[TaskLight]
    light_counts: dict[str, int]
    problems: dict[str, list[Problem]]
    trend: list[dict]
    expected_total: int = 0
    reported_total: int = 0

    @property
    def chasing(self) -> list[UnitRate]:
        return [u for u in self.unit_rates if u.missing > 0]

    @property
    def reporting_rate(self) -> float:
        return round(100 * self.reported_total / self.expected_total, 1) if self.expected_total else 0.0

    @property
    def light_summary(self) -> list[dict]:
        return [{"key": k, "label": LIGHT_LABELS[k], "count": n} for k, n in self.light_counts.items()]

    @property
    def section_table(self) -> list[dict]:
        """Per section, the counts in the order of the chart's series."""
        return [
            {"name": name, "counts": [counts.get(str(s), 0) for s in CHART_STATUSES]}
            for name, counts in self.status_by_section
        ]

    def chart_data(self) -> dict:
        """Plain numbers for the charts (passed to the page with json_script)."""
        statuses = CHART_STATUSES
        return {
            "units": {
                "names": [u.name for u in self.unit_rates],
                "reported": [u.reported for u in self.unit_rates],
                "missing": [u.missing for u in self.unit_rates],
            },
            "status": [
                {"name": STATUS_LABELS[str(s)], "value": self.status_overall.get(str(s), 0)}
                for s in statuses
                if self.status_overall.get(str(s), 0)
            ],
            "sections": {
                "names": [name for name, _ in self.status_by_section],
                "series": [
                    {
                        "name": STATUS_LABELS[str(s)],
                        "data": [counts.get(str(s), 0) for _, counts in self.status_by_section],
                    }
                    for s in statuses
                ],
            },
            "lights": [{"key": k, "name": LIGHT_LABELS[k], "value": v} for k, v in self.light_counts.items()],
            "trend": {
                "labels": [t["label"] for t in self.trend],
                "done_share": [t["done_share"] for t in self.trend],
                "reported_share": [t["reported_share"] for t in self.trend],
            },
        }


def entry_url(*, subtask_id: int, period_id: int, entry_id: int) -> str:
    """The reporting page of an entry if that app has one, else the admin."""
    try:
        return reverse("entry_edit", args=[subtask_id, period_id])
    except NoReverseMatch:
        return reverse("admin:ledger_progressentry_change", args=[entry_id])


def default_period(ledger: Ledger, *, today: dt.date | None = None) -> ReportingPeriod | None:
    """The latest period that has started (else the first): what leaders ask about."""
    return latest_period(list(ledger.periods.order_by("start", "kind")), today=today)


def reporting_units(assignments: list[tuple[int, int, str]]) -> dict[int, list[int]]:
    """Sub-item -> the units that must report it: the lead units, else all named.

    assignments: (subtask_id, unit_id, role) rows.
    """
    by_subtask: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
    for row in assignments:
        by_subtask[row[0]].append(row)
    out = {}
    for subtask_id, items in by_subtask.items():
        leads = [unit_id for _, unit_id, role in items if role == SubtaskUnit.Role.LEAD]
        out[subtask_id] = leads or [unit_id for _, unit_id, _ in items]
    return out


@dataclass(slots=True)
class EntryFacts:
    """What the dashboard needs of an entry (plain rows: no model instances)."""

    id: int
    subtask_id: int
    status: str
    percent: int | None
    review_state: str
    problems: str


class _EntryLinks:
    """entry_url for many entries at the cost of one reverse()."""

    _A, _B = 918273645, 564738291

    def __init__(self) -> None:
        try:
            self.pattern = reverse("entry_edit", args=[self._A, self._B])
            self.by_entry = False
        except NoReverseMatch:
            self.pattern = reverse("admin:ledger_progressentry_change", args=[self._A])
            self.by_entry = True

    def url(self, *, subtask_id: int, period_id: int, entry_id: int) -> str:
        if self.by_entry:
            return self.pattern.replace(str(self._A), str(entry_id))
        return self.pattern.replace(str(self._A), str(subtask_id)).replace(str(self._B), str(period_id))


def build_dashboard(*, ledger: Ledger, period: ReportingPeriod, today: dt.date | None = None) -> Dashboard:
    today = today or timezone.localdate()
    periods = list(ledger.periods.order_by("start", "kind"))
    sections = {s.id: s for s in Section.objects.filter(ledger=ledger)}
    tasks = list(
        Task.objects.filter(section__ledger=ledger)
        .order_by("section__order", "order")
        .values_list("id", "section_id", "number", "title")
    )
    # Flat rows rather than model instances: a big ledger has thousands.
    subtasks = list(
        Subtask.objects.filter(task__section__ledger=ledger).order_by("order").values_list("id", "task_id", "content")
    )
    assignments = list(
        SubtaskUnit.objects.filter(subtask__task__section__ledger=ledger)
        .order_by("subtask_id", "order")
        .values_list("subtask_id", "unit_id", "role")
    )
    entries = {
        row[1]: EntryFacts(*row)
        for row in ProgressEntry.objects.filter(period=period).values_list(
            "id", "subtask_id", "status", "percent", "review_state", "problems"
        )
    }
    reporters = reporting_units(assignments)
    unit_ids = {u for ids in reporters.values() for u in ids}
    unit_names = dict(Unit.objects.filter(id__in=unit_ids).values_list("id", "name"))
    links = _EntryLinks()

    rates: dict[int, UnitRate] = {}
    status_overall: Counter = Counter()
    by_section: dict[int, Counter] = defaultdict(Counter)
    subs_by_task: dict[int, list[tuple]] = defaultdict(list)
    for sub in subtasks:
        subs_by_task[sub[1]].append(sub)
    task_rows: list[TaskLight] = []
    problems: dict[str, list[Problem]] = defaultdict(list)
    expected_total = reported_total = 0
    for task_id, section_id, number, title in tasks:
        lights = []
        counts: Counter = Counter()
        first_line = title.splitlines()[0] if title else ""
        label = f"{number}. {first_line}".strip(". ") if first_line else f"任务{number}"
        for sub_id, _task_id, content in subs_by_task[task_id]:
            entry = entries.get(sub_id)
            reported = entry is not None and entry.review_state in REPORTED
            counts[entry.status if entry is not None else UNREPORTED_KEY] += 1
            lights.append(subtask_light(entry=entry, period=period, today=today))
            expected_total += 1
            reported_total += reported
            for unit_id in reporters.get(sub_id, []):
                rate = rates.get(unit_id)
                if rate is None:
                    rate = rates[unit_id] = UnitRate(unit_id=unit_id, name=unit_names.get(unit_id, ""))
                rate.expected += 1
                rate.reported += reported
            if entry is not None and is_real_problem(entry.problems):
                names = [unit_names[u] for u in reporters.get(sub_id, []) if u in unit_names] or ["（未分配单位）"]
                problems[names[0]].append(
                    Problem(
                        unit=names[0],
                        task=label,
                        content=content,
                        text=entry.problems,
                        url=links.url(subtask_id=sub_id, period_id=period.id, entry_id=entry.id),
                    )
                )
        status_overall.update(counts)
        by_section[section_id].update(counts)
        first = subs_by_task[task_id][0][2] if subs_by_task[task_id] else ""
        task_rows.append(
            TaskLight(
                task_id=task_id,
                section=sections[section_id].name or "",
                number=number,
                title=title or first,
                light=task_light(lights),
                counts=counts,
            )
        )
    light_counts = {k: 0 for k in (GREEN, YELLOW, RED, GREY)}
    for t in task_rows:
        light_counts[t.light] += 1
    ordered_sections = sorted(sections.values(), key=lambda s: s.order)
    return Dashboard(
        ledger=ledger,
        period=period,
        periods=periods,
        unit_rates=sorted(rates.values(), key=lambda r: (r.rate, -r.expected, r.name)),
        status_overall=dict(status_overall),
        status_by_section=[(s.name or "全部", dict(by_section[s.id])) for s in ordered_sections],
        tasks=task_rows,
        light_counts=light_counts,
        problems=dict(sorted(problems.items())),
        trend=trend(periods=periods, subtask_count=len(subtasks)),
        expected_total=expected_total,
        reported_total=reported_total,
    )


def trend(*, periods: list[ReportingPeriod], subtask_count: int) -> list[dict]:
    """Completed and reported share of all sub-items, period by period (one query)."""
    rows = (
        ProgressEntry.objects.filter(period_id__in=[p.id for p in periods])
        .values("period_id")
        .annotate(
            done=Count("id", filter=Q(status=Status.DONE)),
            reported=Count("id", filter=Q(review_state__in=REPORTED)),
        )
        .order_by()
        .values_list("period_id", "done", "reported")
    )
    done: Counter = Counter()
    reported: Counter = Counter()
    for period_id, n_done, n_reported in rows:
        done[period_id] = n_done
        reported[period_id] = n_reported
    total = subtask_count or 1
    return [
        {
            "label": p.label,
            "done": done[p.id],
            "reported": reported[p.id],
            "done_share": round(100 * done[p.id] / total, 1),
            "reported_share": round(100 * reported[p.id] / total, 1),
        }
        for p in periods
    ]
