"""Browser import pages: upload, preview, confirm, progress. Reviewers and admins only."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from imports import services
from imports.errors import LedgerImportError
from imports.forms import UploadForm
from imports.models import ImportJob
from imports.services import ImportNotAllowed
from ledger import roles

# Signed-in reviewers and admins; anyone else signed in gets 403.
reviewer_required = roles.role_required(roles.is_reviewer, "只有审核员和管理员可以导入台账")


@reviewer_required
@require_http_methods(["GET", "POST"])
def upload(request):
    services.cancel_abandoned_previews()
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            ledger = form.cleaned_data["ledger"]
            try:
                job = services.create_preview(
                    user=request.user,
                    uploaded=form.cleaned_data["file"],
                    ledger_id=ledger.pk if ledger else None,
                    period=form.cleaned_data["period"],
                )
            except LedgerImportError as exc:
                form.add_error("period" if "期次" in str(exc) else "file", str(exc))
            else:
                return redirect("imports:preview", pk=job.pk)
    else:
        form = UploadForm()
    jobs = ImportJob.objects.select_related("created_by", "ledger")[:10]
    return render(request, "imports/upload.html", {"form": form, "jobs": jobs})


@reviewer_required
def preview(request, pk: int):
    job = get_object_or_404(ImportJob, pk=pk)
    if job.status != ImportJob.Status.PREVIEWED:
        return redirect("imports:job", pk=job.pk)
    data = job.preview or {}
    context = {
        "job": job,
        "report": data,
        "counts": count_rows(data),
        "sections": preview_sections(data),
        "can_manage": _can_manage(request.user, job),
    }
    return render(request, "imports/preview.html", context)


@reviewer_required
@require_POST
def confirm(request, pk: int):
    job = get_object_or_404(ImportJob, pk=pk)
    try:
        services.confirm_job(user=request.user, job=job)
    except ImportNotAllowed as exc:
        raise PermissionDenied(str(exc))
    except LedgerImportError as exc:
        messages.error(request, str(exc))
    return redirect("imports:job", pk=job.pk)


@reviewer_required
@require_POST
def cancel(request, pk: int):
    job = get_object_or_404(ImportJob, pk=pk)
    try:
        services.cancel_job(user=request.user, job=job)
    except ImportNotAllowed as exc:
        raise PermissionDenied(str(exc))
    except LedgerImportError as exc:
        messages.error(request, str(exc))
        return redirect("imports:job", pk=job.pk)
    messages.info(request, f"已取消导入“{job.original_name}”，上传的文件已删除。")
    return redirect("imports:upload")


@reviewer_required
def job_detail(request, pk: int):
    job = get_object_or_404(ImportJob.objects.select_related("ledger", "created_by"), pk=pk)
    if job.status == ImportJob.Status.PREVIEWED:
        return redirect("imports:preview", pk=job.pk)
    return render(request, "imports/job.html", _job_context(job))


@reviewer_required
def job_status(request, pk: int):
    """The htmx-polled part of the job page; stops polling once the job has ended."""
    job = get_object_or_404(ImportJob.objects.select_related("ledger"), pk=pk)
    return render(request, "imports/_job_status.html", _job_context(job))


# --------------------------------------------------------------------------
# Presentation helpers (no database writes)


def _can_manage(user, job: ImportJob) -> bool:
    return job.created_by_id == user.pk or roles.is_admin(user)


def _job_context(job: ImportJob) -> dict:
    done, total = services.read_progress(job)
    if job.status == ImportJob.Status.DONE:
        done = total
    percent = 100 if job.status == ImportJob.Status.DONE else (round(100 * done / total) if total else 0)
    return {
        "job": job,
        "done": done,
        "total": total,
        "percent": min(percent, 100),
        "report": job.result or {},
        "counts": count_rows(job.result or {}),
    }


_KIND_ROWS = [("sections", "板块"), ("tasks", "目标任务"), ("subtasks", "项目内容"), ("entries", "进展填报")]


def count_rows(data: dict) -> list[dict]:
    counts = data.get("counts") or {}
    rows = []
    for key, label in _KIND_ROWS:
        c = counts.get(key) or {}
        rows.append(
            {
                "label": label,
                "created": c.get("created", 0),
                "updated": c.get("updated", 0),
                "unchanged": c.get("unchanged", 0),
            }
        )
    return rows


def preview_sections(data: dict) -> list[dict]:
    """The parsed ledger as table rows for the preview page, task cells spanning their sub-items."""
    parsed = data.get("parsed") or {}
    out = []
    has_target = any(
        "target" in s for sec in parsed.get("sections") or [] for t in sec.get("tasks") or [] for s in t["subtasks"]
    )
    has_stretch = any(
        "stretch_target" in s
        for sec in parsed.get("sections") or []
        for t in sec.get("tasks") or []
        for s in t["subtasks"]
    )
    for sec in parsed.get("sections") or []:
        rows = []
        for task in sec.get("tasks") or []:
            subs = task.get("subtasks") or []
            for i, sub in enumerate(subs):
                rows.append(
                    {
                        "first": i == 0,
                        "span": len(subs),
                        "number": task.get("number") or "",
                        "title": task.get("title") or "",
                        "content": sub.get("content") or "",
                        "stretch_target": sub.get("stretch_target") or "",
                        "target": sub.get("target") or "",
                        "units": "、".join(sub.get("units") or []),
                        "progress": sub.get("progress") or "",
                        "problems": sub.get("problems") or "",
                        "next_steps": sub.get("next_steps") or "",
                    }
                )
        out.append(
            {
                "name": sec.get("name") or "",
                "declared_count": sec.get("declared_count"),
                "task_count": len(sec.get("tasks") or []),
                "subtask_count": len(rows),
                "rows": rows,
                "has_target": has_target,
                "has_stretch": has_stretch,
            }
        )
    return out
