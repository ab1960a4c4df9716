"""Clerks' pages: 我的任务, one sub-item's entry, and the whole-month form.

Access (enforced in selectors and services, not only in templates):
- 我的任务 and the whole-month form: clerks (填报员 with a unit) only; anyone
  else gets 403. A period of a ledger the clerk's unit has no sub-item in is 404.
- The entry page: the clerk of a unit named on the sub-item edits; a clerk of
  another unit gets 403; reviewers, leaders and admins read it (with its
  history). Admins may also edit, even in a locked period (recorded in history).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from ledger import roles
from ledger.forms import EntryForm, ReturnForm
from ledger.params import int_param
from ledger.selectors import reporting as sel
from ledger.services import entries as svc


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def safe_next(request, default: str) -> str:
    """The ?next= path on this site, else default.

    Only absolute paths: redirect() would take a bare word such as "abc" for a
    URL pattern name and fail with NoReverseMatch.
    """
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


def can_edit(user, row: sel.ItemRow) -> bool:
    try:
        svc.check_can_edit(user=user, subtask=row.subtask, period=row.period, entry=row.entry)
    except svc.NotAllowed:
        return False
    return True


@login_required
def my_tasks(request):
    """我的任务: the clerk's unit's sub-items of the open periods, returned first."""
    sel.require_clerk(request.user)
    periods = sel.open_periods_for_unit(request.user.unit_id)
    rows = sel.unit_item_rows(unit_id=request.user.unit_id, periods=periods)
    context = {
        "periods": periods,
        "groups": sel.group_rows(rows),
        "returned": [r for r in rows if r.state == sel.State.RETURNED],
        "counts": sel.counts(rows),
        "today": sel.today(),
    }
    return render(request, "ledger/my_tasks.html", context)


def _entry_context(request, row, form, *, editable, conflict=None):
    user = request.user
    reviewable = (
        row.entry is not None
        and row.state == sel.State.SUBMITTED
        and roles.is_reviewer(user)
        and (not row.period.locked or roles.is_admin(user))
    )
    return {
        "row": row,
        "form": form,
        "editable": editable,
        "conflict": conflict,
        "units": sel.subtask_units(row.subtask),
        "history": sel.entry_history(row.entry),
        "reviewable": reviewable,
        "return_form": ReturnForm(initial={"version": row.version}) if reviewable else None,
        "back_url": reverse("my_tasks") if roles.is_clerk(user) else reverse("review") + f"?period={row.period.pk}",
    }


@login_required
@require_http_methods(["GET", "POST"])
def entry_edit(request, subtask_id: int, period_id: int):
    """One sub-item's entry for a period, with last period's beside it and the history."""
    user = request.user
    subtask = sel.get_subtask(subtask_id)
    period = sel.get_period(period_id)
    sel.check_can_view_item(user, subtask, period)
    row = sel.item_row(subtask=subtask, period=period, unit_id=user.unit_id)
    editable = can_edit(user, row)
    if request.method == "GET":
        form = EntryForm.for_entry(row.entry, disabled=not editable)
        return render(request, "ledger/entry_form.html", _entry_context(request, row, form, editable=editable))

    if not editable:
        raise PermissionDenied("不能修改该条目。")
    action = request.POST.get("action", "save")
    here = reverse("entry_edit", args=[subtask.pk, period.pk])
    if action == "copy":
        try:
            svc.copy_forward(
                user=user, subtask=subtask, period=period, version=int_param(request.POST.get("version"), -1)
            )
        except svc.EntryConflict as exc:
            messages.error(request, exc.message)
        except svc.ReportingError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "已复制上期填报内容，请修改后提交。")
        return redirect(here)

    submit = action == "submit"
    form = EntryForm(request.POST, submit=submit)
    status = 200
    conflict = None
    if form.is_valid():
        try:
            svc.save_entry(
                user=user,
                subtask=subtask,
                period=period,
                data=form.to_input(),
                version=form.cleaned_data["version"],
                submit=submit,
            )
        except svc.EntryConflict as exc:
            conflict = exc
            status = 409
            data = request.POST.copy()
            data["version"] = exc.current.version if exc.current else 0
            form = EntryForm(data, submit=submit)
            form.is_valid()
            row = sel.item_row(subtask=subtask, period=period, unit_id=user.unit_id)
        except svc.ReportingError as exc:
            form.add_error(None, exc.message)
            status = 422
        else:
            messages.success(request, "已提交。" if submit else "草稿已保存。")
            row = sel.item_row(subtask=subtask, period=period, unit_id=user.unit_id)
            if submit and row.stale:
                messages.warning(request, "注意：本期进展与上期完全相同，请确认是否为最新进展。")
            return redirect(here)
    else:
        status = 422
    context = _entry_context(request, row, form, editable=True, conflict=conflict)
    return render(request, "ledger/entry_form.html", context, status=status)


# --- the whole-month form -------------------------------------------------------------------------


def _row_form(row: sel.ItemRow, data=None, *, submit=False) -> EntryForm:
    prefix = f"s{row.subtask.pk}"
    if data is not None:
        return EntryForm(data, prefix=prefix, submit=submit)
    return EntryForm.for_entry(row.entry, prefix=prefix, disabled=not row.clerk_editable)


@login_required
def month_form(request, period_id: int):
    """All of the clerk's unit's sub-items of one period, each row saving in place (htmx)."""
    sel.require_clerk(request.user)
    period = sel.get_period(period_id)
    sel.check_unit_in_period(request.user, period)
    rows = sel.unit_item_rows(unit_id=request.user.unit_id, periods=[period])
    for row in rows:
        row.form = _row_form(row)
    context = {
        "period": period,
        "groups": sel.group_rows(rows),
        "counts": sel.counts(rows),
        "fillable_drafts": sum(1 for r in rows if r.state == sel.State.DRAFT and r.entry.progress.strip()),
    }
    return render(request, "ledger/month_form.html", context)


@login_required
@require_POST
def month_row(request, period_id: int, subtask_id: int):
    """Save, submit or copy forward one row of the whole-month form; answers the row partial."""
    user = request.user
    sel.require_clerk(user)
    period = sel.get_period(period_id)
    subtask = sel.get_subtask(subtask_id)
    sel.check_can_view_item(user, subtask, period)
    row = sel.item_row(subtask=subtask, period=period, unit_id=user.unit_id)
    if not can_edit(user, row):
        raise PermissionDenied("不能修改该条目。")
    action = request.POST.get("action", "save")
    submit = action == "submit"
    prefix = f"s{subtask.pk}"
    status, notice, conflict = 200, "", None
    form = None
    try:
        if action == "copy":
            svc.copy_forward(
                user=user, subtask=subtask, period=period, version=int_param(request.POST.get(f"{prefix}-version"), -1)
            )
            notice = "已复制上期内容"
        else:
            form = _row_form(row, request.POST, submit=submit)
            if not form.is_valid():
                status = 422
            else:
                svc.save_entry(
                    user=user,
                    subtask=subtask,
                    period=period,
                    data=form.to_input(),
                    version=form.cleaned_data["version"],
                    submit=submit,
                )
                notice = "已提交" if submit else "已保存"
                form = None
    except svc.EntryConflict as exc:
        status, conflict = 409, exc
        if form is not None:
            data = request.POST.copy()
            data[f"{prefix}-version"] = exc.current.version if exc.current else 0
            form = _row_form(row, data, submit=submit)
            form.is_valid()
    except svc.ReportingError as exc:
        status = 422
        if form is None:
            form = _row_form(row)
        form.add_error(None, exc.message)

    if not is_htmx(request):
        month_url = reverse("month_form", args=[period.pk]) + f"#row-{subtask.pk}"
        if status == 200:
            messages.success(request, notice)
        else:
            messages.error(request, conflict.message if conflict else "保存失败，请检查填写内容。")
        return redirect(month_url)

    row = sel.item_row(subtask=subtask, period=period, unit_id=user.unit_id)
    row.form = form if form is not None else _row_form(row)
    context = {
        "row": row,
        "period": period,
        "notice": notice,
        "saved_at": timezone.localtime(),
        "conflict": conflict,
    }
    return render(request, "ledger/_month_row.html", context, status=status)


@login_required
@require_POST
def month_submit_all(request, period_id: int):
    """Submit every filled draft of the clerk's unit in the period."""
    sel.require_clerk(request.user)
    period = sel.get_period(period_id)
    sel.check_unit_in_period(request.user, period)
    try:
        submitted, skipped = svc.submit_all_drafts(user=request.user, period=period)
    except svc.NotAllowed as exc:
        raise PermissionDenied(exc.message)
    if submitted:
        messages.success(request, f"已提交 {submitted} 条草稿。")
    else:
        messages.info(request, "没有可提交的草稿。")
    if skipped:
        messages.warning(request, f"{skipped} 条草稿未填写进展情况，未提交。")
    return redirect("month_form", period_id=period.pk)
