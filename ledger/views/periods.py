"""期次管理: the supervision office opens the next period of a ledger, sets
its due date and locks finished periods.

Access: reviewers (审核员) and admins; unlocking a period is for admins only.
Leaders and clerks get 403 (this page changes data; leaders read the
dashboard, the review and the chase lists instead).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from ledger import roles
from ledger.forms import DueDateForm
from ledger.models import Ledger, ReportingPeriod
from ledger.selectors import reporting as sel
from ledger.services import periods as svc
from ledger.services.entries import NotAllowed, ReportingError

# Pages and actions of the supervision office; the services check again.
office_required = roles.role_required(roles.is_reviewer, svc.OFFICE_ONLY)


@office_required
def periods(request):
    """Every ledger with its periods, newest first, and the next period to open."""
    ledgers = []
    for ledger, ledger_periods in sel.ledgers_with_periods():
        nxt = svc.next_period_value(ledger=ledger)
        ledgers.append(
            {
                "ledger": ledger,
                "periods": ledger_periods,
                "next": nxt,
                "open_form": DueDateForm(initial={"due_date": svc.default_due_date(nxt)}, prefix=f"l{ledger.pk}"),
            }
        )
    return render(request, "ledger/periods.html", {"ledgers": ledgers, "today": sel.today()})


def _run(request, action, success: str):
    try:
        action()
    except NotAllowed as exc:
        raise PermissionDenied(exc.message)
    except ReportingError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
    return redirect("periods")


@office_required
@require_POST
def period_open(request, ledger_id: int):
    ledger = get_object_or_404(Ledger, pk=ledger_id)
    form = DueDateForm(request.POST, prefix=f"l{ledger.pk}")
    if not form.is_valid():
        messages.error(request, "请填写正确的截止日期。")
        return redirect("periods")
    nxt = svc.next_period_value(ledger=ledger)
    return _run(
        request,
        lambda: svc.open_next_period(user=request.user, ledger=ledger, due_date=form.cleaned_data["due_date"]),
        f"已开启{ledger.title} {nxt.label}。",
    )


@office_required
@require_POST
def period_due(request, period_id: int):
    period = get_object_or_404(ReportingPeriod, pk=period_id)
    form = DueDateForm(request.POST, prefix=f"p{period.pk}")
    if not form.is_valid():
        messages.error(request, "请填写正确的截止日期。")
        return redirect("periods")
    return _run(
        request,
        lambda: svc.set_due_date(user=request.user, period=period, due_date=form.cleaned_data["due_date"]),
        f"{period.label}的截止日期已改为{form.cleaned_data['due_date']:%Y-%m-%d}。",
    )


@office_required
@require_POST
def period_lock(request, period_id: int):
    period = get_object_or_404(ReportingPeriod, pk=period_id)
    return _run(request, lambda: svc.lock_period(user=request.user, period=period), f"{period.label}已锁定。")


@office_required
@require_POST
def period_unlock(request, period_id: int):
    period = get_object_or_404(ReportingPeriod, pk=period_id)
    return _run(request, lambda: svc.unlock_period(user=request.user, period=period), f"{period.label}已解除锁定。")
