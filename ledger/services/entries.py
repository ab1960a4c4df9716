"""Writes to progress entries: clerks save and submit, reviewers approve or
return, admins correct locked periods.

Every function is keyword-only, checks the user's right on the server and
raises a ``ReportingError`` (Chinese message) when a write is refused.

Concurrency: entries are created lazily (no row until someone writes), and
each write carries the version the user's form was rendered from. The row is
locked with ``select_for_update`` (PostgreSQL; SQLite runs write transactions
IMMEDIATE, see settings) and compared against that version before ``save()``,
so a stale form is refused with ``EntryConflict`` and nothing is overwritten
silently. ``save()`` keeps django-simple-history recording every change with
its author.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from ledger import roles
from ledger.models import ProgressEntry, ReportingPeriod, Subtask
from ledger.selectors.reporting import unit_has_subtask

State = ProgressEntry.ReviewState
CONTENT_FIELDS = ("progress", "problems", "next_steps", "status", "percent")


class ReportingError(Exception):
    """A write refused for a reason the user can act on; the message is Chinese."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotAllowed(ReportingError):
    """The user may not do this (views answer 403)."""


class EntryConflict(ReportingError):
    """The entry changed since the user's form was rendered."""

    def __init__(self, message: str, *, current: ProgressEntry | None, changed_by=None, changed_at=None):
        super().__init__(message)
        self.current = current
        self.changed_by = changed_by
        self.changed_at = changed_at


@dataclass(frozen=True)
class EntryInput:
    """What a clerk fills in for one sub-item and period."""

    progress: str = ""
    problems: str = ""
    next_steps: str = ""
    status: str = ProgressEntry.Status.NOT_STARTED
    percent: int | None = None

    @classmethod
    def from_entry(cls, entry: ProgressEntry) -> EntryInput:
        return cls(**{f: getattr(entry, f) for f in CONTENT_FIELDS})


# --- permission checks ----------------------------------------------------------------------------


def _check_period_matches(subtask: Subtask, period: ReportingPeriod) -> None:
    if subtask.task.section.ledger_id != period.ledger_id:
        raise NotAllowed("该项目内容不属于此期次的台账。")


def check_can_edit(*, user, subtask: Subtask, period: ReportingPeriod, entry: ProgressEntry | None) -> None:
    """Raise unless the user may change this sub-item's entry for the period."""
    _check_period_matches(subtask, period)
    if roles.is_admin(user):
        return  # admins may correct anything; history records the change
    if period.locked:
        raise NotAllowed(f"{period.label}已锁定，不能再修改。")
    if not roles.is_clerk(user) or not unit_has_subtask(unit_id=user.unit_id, subtask_id=subtask.pk):
        raise NotAllowed("只能填报本单位负责的项目内容。")
    if entry is not None and entry.review_state == State.APPROVED:
        raise NotAllowed("该条目已审核通过，不能再修改。")


def check_can_review(*, user, period: ReportingPeriod) -> None:
    if not roles.is_reviewer(user):
        raise NotAllowed("只有审核员可以审核。")
    if period.locked and not roles.is_admin(user):
        raise NotAllowed(f"{period.label}已锁定，不能再审核。")


# --- helpers --------------------------------------------------------------------------------------


def _last_change(entry: ProgressEntry):
    record = entry.history.select_related("history_user").order_by("-history_date", "-history_id").first()
    if record is None:
        return None, None
    return record.history_user, record.history_date


def _conflict(current: ProgressEntry | None) -> EntryConflict:
    if current is None:
        return EntryConflict("该条目已被删除，请刷新页面。", current=None)
    who, when = _last_change(current)
    who_text = str(who) if who else "他人"
    when_text = timezone.localtime(when).strftime("%m-%d %H:%M") if when else ""
    progress = current.progress.strip() or "（空）"
    if len(progress) > 80:
        progress = progress[:80] + "…"
    return EntryConflict(
        f"保存失败：{who_text}已于{when_text}修改了该条目（当前为第{current.version}版），"
        f"对方填写的进展为：「{progress}」。您的内容尚未保存，请核对后再保存。",
        current=current,
        changed_by=who,
        changed_at=when,
    )


def _validate(data: EntryInput, *, submit: bool) -> None:
    if data.percent is not None and not 0 <= data.percent <= 100:
        raise ReportingError("完成百分比须在 0 到 100 之间。")
    if data.status not in ProgressEntry.Status.values:
        raise ReportingError("状态不正确。")
    if submit and not data.progress.strip():
        raise ReportingError("提交前请填写进展情况。")


def _locked_entry(*, subtask_id: int, period_id: int) -> ProgressEntry | None:
    return ProgressEntry.objects.select_for_update().filter(subtask_id=subtask_id, period_id=period_id).first()


def _record(entry: ProgressEntry, *, user, reason: str) -> None:
    entry._history_user = user
    entry._change_reason = reason
    entry.save()


def _mark_submitted(entry: ProgressEntry, *, user, now: dt.datetime) -> None:
    entry.review_state = State.SUBMITTED
    entry.submitted_by = user
    entry.submitted_at = now


# --- clerks ---------------------------------------------------------------------------------------


def save_entry(
    *,
    user,
    subtask: Subtask,
    period: ReportingPeriod,
    data: EntryInput,
    version: int,
    submit: bool = False,
) -> ProgressEntry:
    """Save the clerk's entry for this sub-item and period, as a draft or submitted.

    ``version`` is the entry's version the form was rendered from (0 when there
    was no entry yet). A different current version raises ``EntryConflict``.
    Saving a submitted entry without submitting withdraws it to a draft; a
    returned entry stays returned (with its comment) until it is resubmitted.
    """
    _validate(data, submit=submit)
    try:
        with transaction.atomic():
            entry = _locked_entry(subtask_id=subtask.pk, period_id=period.pk)
            check_can_edit(user=user, subtask=subtask, period=period, entry=entry)
            current_version = entry.version if entry else 0
            if current_version != version:
                raise _conflict(entry)
            if entry is None:
                entry = ProgressEntry(subtask=subtask, period=period, version=0)
            was_returned = entry.review_state == State.RETURNED
            for field in CONTENT_FIELDS:
                setattr(entry, field, getattr(data, field))
            if submit:
                _mark_submitted(entry, user=user, now=timezone.now())
                reason = "退回后重新提交" if was_returned else "提交"
            else:
                if entry.review_state == State.SUBMITTED and not roles.is_admin(user):
                    entry.review_state = State.DRAFT
                reason = "保存草稿"
            if period.locked:
                reason = f"管理员修改已锁定期次（{reason}）"
            entry.version += 1
            with transaction.atomic():
                _record(entry, user=user, reason=reason)
    except IntegrityError:
        # Someone created the entry between our read and our insert.
        raise _conflict(ProgressEntry.objects.filter(subtask=subtask, period=period).first())
    return entry


def previous_entry(*, subtask: Subtask, period: ReportingPeriod) -> ProgressEntry | None:
    """The sub-item's entry of the ledger's period before this one."""
    prev = ReportingPeriod.objects.filter(ledger_id=period.ledger_id, start__lt=period.start).order_by("-start").first()
    if prev is None:
        return None
    return ProgressEntry.objects.filter(subtask=subtask, period=prev).first()


def copy_forward(*, user, subtask: Subtask, period: ReportingPeriod, version: int) -> ProgressEntry:
    """Copy last period's entry into this period's entry, saved as a draft."""
    prev = previous_entry(subtask=subtask, period=period)
    if prev is None:
        raise ReportingError("上期没有填报内容，无法复制。")
    return save_entry(
        user=user, subtask=subtask, period=period, data=EntryInput.from_entry(prev), version=version, submit=False
    )


def submit_all_drafts(*, user, period: ReportingPeriod) -> tuple[int, int]:
    """Submit every draft of the user's unit in the period that has progress filled.

    Returns (submitted, skipped): skipped drafts have no progress yet.
    """
    if not roles.is_clerk(user):
        raise NotAllowed("只有填报员可以提交本单位的填报。")
    if period.locked:
        raise NotAllowed(f"{period.label}已锁定，不能再修改。")
    submitted = skipped = 0
    now = timezone.now()
    with transaction.atomic():
        drafts = (
            ProgressEntry.objects.select_for_update()
            .filter(period=period, review_state=State.DRAFT, subtask__assignments__unit_id=user.unit_id)
            .order_by("pk")
        )
        for entry in drafts:
            if not entry.progress.strip():
                skipped += 1
                continue
            _mark_submitted(entry, user=user, now=now)
            entry.version += 1
            _record(entry, user=user, reason="批量提交")
            submitted += 1
    return submitted, skipped


# --- reviewers ------------------------------------------------------------------------------------


def _reviewable(*, user, entry_id: int, version: int | None) -> ProgressEntry:
    entry = ProgressEntry.objects.select_for_update().select_related("period").filter(pk=entry_id).first()
    if entry is None:
        raise ReportingError("该条目不存在。")
    check_can_review(user=user, period=entry.period)
    if version is not None and entry.version != version:
        raise _conflict(entry)
    if entry.review_state != State.SUBMITTED:
        raise ReportingError(f"只能审核已提交的条目（当前：{entry.get_review_state_display()}）。")
    return entry


def approve_entry(*, user, entry_id: int, version: int | None) -> ProgressEntry:
    """Approve a submitted entry (reviewers; the version guards against a stale page)."""
    with transaction.atomic():
        entry = _reviewable(user=user, entry_id=entry_id, version=version)
        entry.review_state = State.APPROVED
        entry.version += 1
        _record(entry, user=user, reason="审核通过")
    return entry


def approve_entries(*, user, versions: dict[int, int]) -> tuple[int, list[str]]:
    """Approve several entries ({entry id: version}); returns (approved, problems)."""
    approved, problems = 0, []
    for entry_id, version in versions.items():
        try:
            approve_entry(user=user, entry_id=entry_id, version=version)
            approved += 1
        except NotAllowed:
            raise
        except ReportingError as exc:
            problems.append(exc.message)
    return approved, problems


def return_entry(*, user, entry_id: int, version: int | None, comment: str) -> ProgressEntry:
    """Return a submitted entry to its unit with the reviewer's comment."""
    comment = (comment or "").strip()
    if not comment:
        raise ReportingError("退回时请填写审核意见。")
    with transaction.atomic():
        entry = _reviewable(user=user, entry_id=entry_id, version=version)
        entry.review_state = State.RETURNED
        entry.reviewer_comment = comment
        entry.version += 1
        _record(entry, user=user, reason="退回")
    return entry


def parse_versions(values: Iterable[str]) -> dict[int, int]:
    """Parse checkbox values "id:version" into {id: version}; ignores junk."""
    out: dict[int, int] = {}
    for value in values:
        entry_id, _, version = str(value).partition(":")
        # isdecimal, not isdigit: int() rejects digits such as "²".
        if entry_id.isdecimal() and version.isdecimal():
            out[int(entry_id)] = int(version)
    return out
