"""Reads for the reporting pages: a unit's tasks of the open periods, the
review list, the chase list and an entry's history.

Every page's reads are a fixed number of queries whatever the number of
sub-items (select_related, one query for entries, one for last period's
entries), and the permission checks live here, not in templates.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404
from django.utils import timezone

from ledger import roles
from ledger.models import Ledger, ProgressEntry, ReportingPeriod, Subtask, SubtaskUnit, Unit

State = ProgressEntry.ReviewState
EMPTY = "empty"
STATE_LABELS = {EMPTY: "未填", **dict(State.choices)}
STATE_BADGES = {
    EMPTY: "text-bg-light border",
    State.DRAFT: "text-bg-secondary",
    State.SUBMITTED: "text-bg-primary",
    State.RETURNED: "text-bg-danger",
    State.APPROVED: "text-bg-success",
}
REPORTED = (State.SUBMITTED, State.APPROVED)
HISTORY_FIELDS = ("progress", "problems", "next_steps", "status", "percent", "review_state", "reviewer_comment")


def today() -> dt.date:
    return timezone.localdate()


def is_stale(entry: ProgressEntry | None, previous: ProgressEntry | None) -> bool:
    """A reported entry whose progress is word for word last period's."""
    return bool(
        entry is not None
        and previous is not None
        and entry.review_state in REPORTED
        and entry.progress.strip()
        and entry.progress.strip() == previous.progress.strip()
    )


@dataclass
class ItemRow:
    """One sub-item in one period, with its entry (None until first saved)."""

    subtask: Subtask
    period: ReportingPeriod
    entry: ProgressEntry | None = None
    previous: ProgressEntry | None = None
    role: str = ""
    units: list[str] = field(default_factory=list)

    @property
    def state(self) -> str:
        return self.entry.review_state if self.entry else EMPTY

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def badge(self) -> str:
        return STATE_BADGES[self.state]

    @property
    def version(self) -> int:
        return self.entry.version if self.entry else 0

    @property
    def reported(self) -> bool:
        return self.state in REPORTED

    @property
    def overdue(self) -> bool:
        due = self.period.due_date
        return bool(due and today() > due and not self.reported)

    @property
    def stale(self) -> bool:
        return is_stale(self.entry, self.previous)

    @property
    def clerk_editable(self) -> bool:
        return not self.period.locked and self.state != State.APPROVED

    @property
    def key(self) -> str:
        return f"{self.subtask.pk}-{self.period.pk}"


# --- access ---------------------------------------------------------------------------------------


def require_clerk(user) -> None:
    if not roles.is_clerk(user):
        raise PermissionDenied("只有填报员可以访问该页面。")


def require_office_reader(user) -> None:
    """Review and chase lists: reviewers, admins and (read-only) leaders."""
    if not roles.can_read_all(user):
        raise PermissionDenied("没有权限访问该页面。")


def get_period(period_id: int) -> ReportingPeriod:
    period = ReportingPeriod.objects.select_related("ledger").filter(pk=period_id).first()
    if period is None:
        raise Http404("期次不存在")
    return period


def get_subtask(subtask_id: int) -> Subtask:
    subtask = Subtask.objects.select_related("task__section__ledger").filter(pk=subtask_id).first()
    if subtask is None:
        raise Http404("项目内容不存在")
    return subtask


def unit_has_subtask(*, unit_id: int | None, subtask_id: int) -> bool:
    """The unit is named on the sub-item (leading or cooperating)."""
    return unit_id is not None and SubtaskUnit.objects.filter(unit_id=unit_id, subtask_id=subtask_id).exists()


def unit_in_ledger(*, unit_id: int | None, ledger_id: int) -> bool:
    """The unit is named on at least one sub-item of the ledger."""
    return (
        unit_id is not None
        and SubtaskUnit.objects.filter(unit_id=unit_id, subtask__task__section__ledger_id=ledger_id).exists()
    )


def check_can_view_item(user, subtask: Subtask, period: ReportingPeriod) -> None:
    """Clerks see only their unit's sub-items; leaders, reviewers and admins see all."""
    if subtask.task.section.ledger_id != period.ledger_id:
        raise Http404("该项目内容不属于此期次")
    if roles.can_read_all(user):
        return
    if roles.is_clerk(user) and unit_has_subtask(unit_id=user.unit_id, subtask_id=subtask.pk):
        return
    raise PermissionDenied("只能查看本单位负责的项目内容。")


def check_unit_in_period(user, period: ReportingPeriod) -> None:
    """The clerk's unit has sub-items in the period's ledger (else 404)."""
    if not unit_in_ledger(unit_id=user.unit_id, ledger_id=period.ledger_id):
        raise Http404("本单位在该台账中没有项目内容")


# --- periods --------------------------------------------------------------------------------------


def open_periods_for_unit(unit_id: int) -> list[ReportingPeriod]:
    """The latest unlocked period of each ledger the unit has sub-items in."""
    ledger_ids = SubtaskUnit.objects.filter(unit_id=unit_id).values("subtask__task__section__ledger_id")
    latest: dict[int, ReportingPeriod] = {}
    for period in (
        ReportingPeriod.objects.filter(ledger_id__in=ledger_ids, locked=False)
        .select_related("ledger")
        .order_by("ledger__title", "-start")
    ):
        latest.setdefault(period.ledger_id, period)
    return list(latest.values())


def previous_periods(periods: list[ReportingPeriod]) -> dict[int, ReportingPeriod]:
    """{period id: the ledger's period before it}, in one query."""
    if not periods:
        return {}
    by_ledger: dict[int, list[ReportingPeriod]] = {}
    for p in ReportingPeriod.objects.filter(ledger_id__in={p.ledger_id for p in periods}).order_by("start"):
        by_ledger.setdefault(p.ledger_id, []).append(p)
    out = {}
    for period in periods:
        earlier = [p for p in by_ledger.get(period.ledger_id, []) if p.start < period.start]
        if earlier:
            out[period.pk] = earlier[-1]
    return out


def all_periods() -> list[ReportingPeriod]:
    return list(ReportingPeriod.objects.select_related("ledger").order_by("-start", "ledger__title"))


def default_period(periods: list[ReportingPeriod]) -> ReportingPeriod | None:
    """The most recent unlocked period, else the most recent one."""
    for p in periods:
        if not p.locked:
            return p
    return periods[0] if periods else None


# --- a unit's items -------------------------------------------------------------------------------


def unit_item_rows(*, unit_id: int, periods: list[ReportingPeriod]) -> list[ItemRow]:
    """The unit's sub-items (lead or cooperating) in these periods, in ledger order."""
    if not periods:
        return []
    by_ledger = {p.ledger_id: p for p in periods}
    prev = previous_periods(periods)
    assignments = (
        SubtaskUnit.objects.filter(unit_id=unit_id, subtask__task__section__ledger_id__in=by_ledger)
        .select_related("subtask__task__section__ledger")
        .order_by("subtask__task__section__order", "subtask__task__order", "subtask__order")
    )
    rows = [
        ItemRow(subtask=a.subtask, period=by_ledger[a.subtask.task.section.ledger_id], role=a.get_role_display())
        for a in assignments
    ]
    period_ids = [p.pk for p in periods] + [p.pk for p in prev.values()]
    entries = {
        (e.subtask_id, e.period_id): e
        for e in ProgressEntry.objects.filter(
            period_id__in=period_ids, subtask__assignments__unit_id=unit_id
        ).select_related("submitted_by")
    }
    for row in rows:
        row.entry = entries.get((row.subtask.pk, row.period.pk))
        p = prev.get(row.period.pk)
        row.previous = entries.get((row.subtask.pk, p.pk)) if p else None
    ledger_order = {p.ledger_id: i for i, p in enumerate(periods)}
    rows.sort(key=lambda r: ledger_order[r.period.ledger_id])  # stable: keeps the section/task order
    return rows


def group_rows(rows: list[ItemRow]) -> list[dict]:
    """Nest rows as ledger/period → section → task for the templates."""
    periods: OrderedDict = OrderedDict()
    for row in rows:
        task = row.subtask.task
        section = task.section
        p = periods.setdefault(row.period.pk, {"period": row.period, "sections": OrderedDict()})
        s = p["sections"].setdefault(section.pk, {"section": section, "tasks": OrderedDict()})
        t = s["tasks"].setdefault(task.pk, {"task": task, "rows": []})
        t["rows"].append(row)
    return [
        {
            "period": p["period"],
            "sections": [{"section": s["section"], "tasks": list(s["tasks"].values())} for s in p["sections"].values()],
        }
        for p in periods.values()
    ]


def counts(rows: list[ItemRow]) -> dict[str, int]:
    return {
        "due": len(rows),
        "reported": sum(r.reported for r in rows),
        "returned": sum(r.state == State.RETURNED for r in rows),
        "draft": sum(r.state == State.DRAFT for r in rows),
        "empty": sum(r.state == EMPTY for r in rows),
        "overdue": sum(r.overdue for r in rows),
    }


def item_row(*, subtask: Subtask, period: ReportingPeriod, unit_id: int | None = None) -> ItemRow:
    """One sub-item's row (for the entry page and a re-rendered month row)."""
    prev = previous_periods([period]).get(period.pk)
    entries = {
        e.period_id: e
        for e in ProgressEntry.objects.filter(
            subtask=subtask, period_id__in=[period.pk] + ([prev.pk] if prev else [])
        ).select_related("submitted_by")
    }
    role = ""
    if unit_id:
        a = SubtaskUnit.objects.filter(subtask=subtask, unit_id=unit_id).first()
        role = a.get_role_display() if a else ""
    return ItemRow(
        subtask=subtask,
        period=period,
        entry=entries.get(period.pk),
        previous=entries.get(prev.pk) if prev else None,
        role=role,
    )


def subtask_units(subtask: Subtask) -> list[SubtaskUnit]:
    return list(subtask.assignments.select_related("unit").order_by("order"))


# --- review ---------------------------------------------------------------------------------------


def units_of_ledger(ledger_id: int) -> list[Unit]:
    return list(
        Unit.objects.filter(assignments__subtask__task__section__ledger_id=ledger_id).distinct().order_by("name")
    )


def review_rows(
    *, period: ReportingPeriod, unit_id: int | None = None, state: str = "", entry_id: int | None = None
) -> list[ItemRow]:
    """The period's entries, submitted ones first; drafts only when asked for."""
    qs = (
        ProgressEntry.objects.filter(period=period)
        .select_related("subtask__task__section", "submitted_by")
        .prefetch_related(
            Prefetch("subtask__assignments", queryset=SubtaskUnit.objects.select_related("unit").order_by("order"))
        )
        .order_by("subtask__task__section__order", "subtask__task__order", "subtask__order")
    )
    if unit_id:
        qs = qs.filter(subtask__assignments__unit_id=unit_id)
    if entry_id is not None:
        qs = qs.filter(pk=entry_id)
    elif state in State.values:
        qs = qs.filter(review_state=state)
    else:
        qs = qs.exclude(review_state=State.DRAFT)
    entries = list(qs)
    prev = previous_periods([period]).get(period.pk)
    previous = {}
    if prev is not None and entries:
        previous = {
            e.subtask_id: e
            for e in ProgressEntry.objects.filter(period=prev, subtask_id__in=[e.subtask_id for e in entries])
        }
    order = {State.SUBMITTED: 0, State.RETURNED: 1, State.APPROVED: 2, State.DRAFT: 3}
    rows = []
    for e in entries:
        assignments = list(e.subtask.assignments.all())
        rows.append(
            ItemRow(
                subtask=e.subtask,
                period=period,
                entry=e,
                previous=previous.get(e.subtask_id),
                units=[
                    f"{a.unit.display_name}" + ("" if a.role == SubtaskUnit.Role.LEAD else "（配合）")
                    for a in assignments
                ],
            )
        )
    rows.sort(key=lambda r: order[r.state])
    return rows


# --- chase ----------------------------------------------------------------------------------------


@dataclass
class ChaseRow:
    unit: Unit
    due: int
    reported: int
    days_late: int

    @property
    def missing(self) -> int:
        return self.due - self.reported


def chase_rows(*, period: ReportingPeriod, on: dt.date | None = None) -> list[ChaseRow]:
    """Per unit: sub-items to report (lead or cooperating), reported, days past due.

    An entry counts as reported when submitted or approved. Units that have
    reported everything are left out. Sorted by most missing first.
    """
    on = on or today()
    pairs = list(
        SubtaskUnit.objects.filter(subtask__task__section__ledger_id=period.ledger_id).values_list(
            "unit_id", "subtask_id"
        )
    )
    reported = set(
        ProgressEntry.objects.filter(period=period, review_state__in=REPORTED).values_list("subtask_id", flat=True)
    )
    per_unit: dict[int, list[int]] = {}
    for unit_id, subtask_id in pairs:
        c = per_unit.setdefault(unit_id, [0, 0])
        c[0] += 1
        c[1] += subtask_id in reported
    units = Unit.objects.in_bulk(list(per_unit))
    late = max(0, (on - period.due_date).days) if period.due_date else 0
    rows = [
        ChaseRow(unit=units[uid], due=due, reported=rep, days_late=late)
        for uid, (due, rep) in per_unit.items()
        if rep < due
    ]
    rows.sort(key=lambda r: (-r.missing, r.unit.name))
    return rows


def chase_text(*, period: ReportingPeriod, rows: list[ChaseRow], on: dt.date | None = None) -> str:
    """The plain-text list for the office's reminder notice."""
    on = on or today()
    due = f"报送截止日期{period.due_date:%Y年%m月%d日}，" if period.due_date else ""
    head = f"{period.ledger.title} {period.label} 未按时报送单位（{due}截至{on:%Y年%m月%d日}）："
    if not rows:
        return f"{head}\n全部单位均已报送。"
    lines = [head]
    for i, r in enumerate(rows, 1):
        late = f"，已逾期{r.days_late}天" if r.days_late else ""
        lines.append(f"{i}. {r.unit.name}：应报{r.due}项，已报{r.reported}项，未报{r.missing}项{late}")
    return "\n".join(lines)


# --- periods page ---------------------------------------------------------------------------------


def ledgers_with_periods() -> list[tuple[Ledger, list[ReportingPeriod]]]:
    ledgers = Ledger.objects.prefetch_related(
        Prefetch("periods", queryset=ReportingPeriod.objects.order_by("-start"))
    ).order_by("-year", "title")
    reported_counts: dict[int, int] = {}
    for period_id in ProgressEntry.objects.filter(review_state__in=REPORTED).values_list("period_id", flat=True):
        reported_counts[period_id] = reported_counts.get(period_id, 0) + 1
    out = []
    for ledger in ledgers:
        periods = list(ledger.periods.all())
        for p in periods:
            p.reported_count = reported_counts.get(p.pk, 0)
        out.append((ledger, periods))
    return out


# --- history --------------------------------------------------------------------------------------


def _display(entry_record, name: str):
    value = getattr(entry_record, name)
    if name == "status":
        return ProgressEntry.Status(value).label if value in ProgressEntry.Status.values else value
    if name == "review_state":
        return State(value).label if value in State.values else value
    if value is None or value == "":
        return "（空）"
    return value


def entry_history(entry: ProgressEntry | None) -> list[dict]:
    """Every change to the entry, newest first: who, when, and before → after per field."""
    if entry is None:
        return []
    records = list(entry.history.select_related("history_user").order_by("history_date", "history_id"))
    labels = {f: ProgressEntry._meta.get_field(f).verbose_name for f in HISTORY_FIELDS}
    out = []
    before = None
    for record in records:
        changes = []
        for f in HISTORY_FIELDS:
            new = getattr(record, f)
            old = getattr(before, f) if before is not None else None
            if before is None and (new in ("", None) or f == "review_state"):
                continue
            if before is not None and old == new:
                continue
            changes.append(
                {
                    "label": labels[f],
                    "before": _display(before, f) if before is not None else "（空）",
                    "after": _display(record, f),
                }
            )
        out.append(
            {
                "user": record.history_user,
                "date": record.history_date,
                "reason": record.history_change_reason or ("新建" if record.history_type == "+" else "修改"),
                "version": record.version,
                "changes": changes,
            }
        )
        before = record
    out.reverse()
    return out
