"""审核: the supervision office checks every unit's submissions of a period.

Access: reviewers (审核员) and admins review; leaders (领导) see the list
read-only (no approve/return buttons, and the POST endpoints answer 403 for
them); clerks get 403. A locked period is read-only for everyone but admins.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from ledger import roles
from ledger.forms import ReturnForm
from ledger.models import ProgressEntry
from ledger.params import int_param
from ledger.selectors import reporting as sel
from ledger.services import entries as svc
from ledger.views.reporting import is_htmx, safe_next

STATE_FILTERS = [
    ("", "已提交/退回/已审核"),
    (sel.State.SUBMITTED, "待审核"),
    (sel.State.RETURNED, "已退回"),
    (sel.State.APPROVED, "已审核"),
    (sel.State.DRAFT, "草稿"),
]


def selected_period(request, periods):
    """The period chosen by ?period=, else the most recent unlocked one."""
    wanted = int_param(request.GET.get("period"))
    for p in periods:
        if p.pk == wanted:
            return p
    return sel.default_period(periods)


def can_review(user, period) -> bool:
    return roles.is_reviewer(user) and period is not None and (not period.locked or roles.is_admin(user))


@login_required
def review(request):
    """Per period, every unit's submissions; filter by unit and state; approve, return, bulk approve."""
    sel.require_office_reader(request.user)
    periods = sel.all_periods()
    period = selected_period(request, periods)
    unit_id = int_param(request.GET.get("unit")) or None
    state = request.GET.get("state", "")
    rows, units = [], []
    if period is not None:
        rows = sel.review_rows(period=period, unit_id=unit_id, state=state)
        units = sel.units_of_ledger(period.ledger_id)
    context = {
        "periods": periods,
        "period": period,
        "rows": rows,
        "units": units,
        "unit_id": unit_id,
        "state": state,
        "state_filters": STATE_FILTERS,
        "can_review": can_review(request.user, period),
        "submitted_count": sum(1 for r in rows if r.state == sel.State.SUBMITTED),
        "here": request.get_full_path(),
    }
    return render(request, "ledger/review.html", context)


def _row_response(request, entry_id: int, *, notice: str = "", error: str = "", status: int = 200):
    entry = ProgressEntry.objects.select_related("period__ledger").get(pk=entry_id)
    rows = sel.review_rows(period=entry.period, state=entry.review_state, entry_id=entry_id)
    context = {
        "row": rows[0] if rows else None,
        "can_review": can_review(request.user, entry.period),
        "notice": notice,
        "error": error,
        "here": safe_next(request, reverse("review")),
    }
    return render(request, "ledger/_review_row.html", context, status=status)


def _review_action(request, entry_id: int, action):
    if not roles.is_reviewer(request.user):
        raise PermissionDenied("只有审核员可以审核。")
    try:
        notice = action()
    except svc.NotAllowed as exc:
        raise PermissionDenied(exc.message)
    except svc.ReportingError as exc:
        status = 409 if isinstance(exc, svc.EntryConflict) else 422
        if is_htmx(request) and ProgressEntry.objects.filter(pk=entry_id).exists():
            return _row_response(request, entry_id, error=exc.message, status=status)
        messages.error(request, exc.message)
        return redirect(safe_next(request, reverse("review")))
    if is_htmx(request):
        return _row_response(request, entry_id, notice=notice.split("，")[0].rstrip("。") + "。")
    messages.success(request, notice)
    return redirect(safe_next(request, reverse("review")))


@login_required
@require_POST
def approve(request, entry_id: int):
    """Approve one submitted entry."""

    def action():
        svc.approve_entry(user=request.user, entry_id=entry_id, version=int_param(request.POST.get("version")) or None)
        return "已审核通过。"

    return _review_action(request, entry_id, action)


@login_required
@require_POST
def return_entry(request, entry_id: int):
    """Return one submitted entry to its unit with a comment."""

    def action():
        form = ReturnForm(request.POST)
        comment = request.POST.get("comment", "")
        if not form.is_valid() and not comment.strip():
            raise svc.ReportingError("退回时请填写审核意见。")
        svc.return_entry(
            user=request.user,
            entry_id=entry_id,
            version=int_param(request.POST.get("version")) or None,
            comment=comment,
        )
        return "已退回，填报单位将在“我的任务”中首先看到该条目及审核意见。"

    return _review_action(request, entry_id, action)


@login_required
@require_POST
def approve_bulk(request):
    """Approve the checked entries (values "id:version")."""
    if not roles.is_reviewer(request.user):
        raise PermissionDenied("只有审核员可以审核。")
    versions = svc.parse_versions(request.POST.getlist("entries"))
    if not versions:
        messages.info(request, "请先勾选要审核通过的条目。")
    else:
        try:
            approved, problems = svc.approve_entries(user=request.user, versions=versions)
        except svc.NotAllowed as exc:
            raise PermissionDenied(exc.message)
        if approved:
            messages.success(request, f"已审核通过 {approved} 条。")
        for problem in problems:
            messages.warning(request, problem)
    return redirect(safe_next(request, reverse("review")))
