"""Browser imports: store an upload, preview it, run it, clean up after it.

Progress of a running import is written to a small JSON file beside the
upload, not to the ImportJob row. The import itself runs in one database
transaction, and on SQLite (the development and small-office setup) a second
connection cannot write while that transaction holds the write lock; a row
update would wait for the import to end, which defeats a progress bar. The
worker must read the uploaded file anyway, so UPLOAD_DIR is already shared
between web and worker processes: a file there is visible to the web process
at once, whatever the database. The row gets the final counts afterwards.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import secrets
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from imports.errors import LedgerImportError, PeriodMissingError
from imports.loader import check_file, import_file
from imports.models import ImportJob
from ledger import roles

logger = logging.getLogger(__name__)

ALLOWED_EXTENSIONS = (".docx", ".xlsx", ".pdf")
# A preview nobody confirms within this time is cancelled and its file deleted.
PREVIEW_TTL = dt.timedelta(hours=24)
PERIOD_HINT = "无法从标题或文件名识别期次，请在“期次”一栏填写，如 2024-06、2025-Q1"


class ImportNotAllowed(LedgerImportError):
    """The user may not act on this import job."""


def upload_dir() -> Path:
    path = Path(settings.UPLOAD_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def job_path(job: ImportJob) -> Path | None:
    # The stored name is ours (random hex + extension), never the user's.
    if not job.stored_name or "/" in job.stored_name or "\\" in job.stored_name:
        return None
    return upload_dir() / job.stored_name


def _progress_path(job_id: int) -> Path:
    return upload_dir() / f"job-{job_id}.progress.json"


def check_can_import(user) -> None:
    if not roles.is_reviewer(user):
        raise ImportNotAllowed("只有审核员和管理员可以导入台账")


def check_can_manage(*, user, job: ImportJob) -> None:
    """Only the uploader (or an admin) confirms or cancels an import."""
    check_can_import(user)
    if job.created_by_id != user.pk and not roles.is_admin(user):
        raise ImportNotAllowed("只有上传人或管理员可以确认或取消这次导入")


# --------------------------------------------------------------------------
# Upload and preview


def store_upload(*, uploaded) -> tuple[str, int]:
    """Save an uploaded file under UPLOAD_DIR with a random name; (name, size)."""
    ext = os.path.splitext(uploaded.name or "")[1].lower()
    if ext not in ALLOWED_EXTENSIONS:
        raise LedgerImportError("只能导入.docx、.xlsx或.pdf格式的台账")
    name = f"{secrets.token_hex(16)}{ext}"
    path = upload_dir() / name
    size = 0
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        for chunk in uploaded.chunks():
            size += len(chunk)
            out.write(chunk)
    return name, size


def _delete_file(path: Path | None) -> None:
    if path is None:
        return
    try:
        path.unlink(missing_ok=True)
    except OSError:  # the job still ends; a stray file is logged, not fatal
        logger.warning("could not delete uploaded ledger %s", path)


def create_preview(*, user, uploaded, ledger_id: int | None = None, period: str = "") -> ImportJob:
    """Store the upload, dry-run its import and keep the report for the preview page.

    Raises LedgerImportError (Chinese message) and leaves nothing behind when
    the file cannot be imported.
    """
    check_can_import(user)
    from imports.parsers import sniff_kind

    name, size = store_upload(uploaded=uploaded)
    path = upload_dir() / name
    try:
        check_file(str(path))
        sniff_kind(str(path))  # type by content, before any parser runs
        report = import_file(
            path, original_name=uploaded.name, ledger_id=ledger_id, period=period or None, dry_run=True, user=user
        )
    except PeriodMissingError:
        _delete_file(path)
        raise PeriodMissingError(PERIOD_HINT)
    except LedgerImportError:
        _delete_file(path)
        raise
    except Exception as exc:
        _delete_file(path)
        logger.exception("preview of %s failed", uploaded.name)
        raise LedgerImportError("文件无法读取或导入，请检查文件后重新上传") from exc
    return ImportJob.objects.create(
        created_by=user,
        original_name=(uploaded.name or "")[:255],
        stored_name=name,
        size=size,
        status=ImportJob.Status.PREVIEWED,
        ledger_id=report.ledger_id,
        period_code=report.period_code,
        options={"ledger_id": ledger_id, "period": period or ""},
        preview=report.as_dict(include_parsed=True),
        progress_total=sum(report.counts["subtasks"].values()),
        message=report.summary_zh(),
    )


def confirm_job(*, user, job: ImportJob) -> ImportJob:
    """Queue a previewed import for the background worker."""
    check_can_manage(user=user, job=job)
    from imports.tasks import run_import

    # A conditional update: two clicks on "confirm" queue the import once.
    updated = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.PREVIEWED).update(
        status=ImportJob.Status.QUEUED, message="已排队，等待后台导入", updated_at=timezone.now()
    )
    job.refresh_from_db()
    if not updated:
        raise LedgerImportError(f"这次导入当前状态为“{job.get_status_display()}”，不能再确认")
    try:
        result = run_import.enqueue(job.pk)
    except Exception as exc:
        logger.exception("could not queue import job %s", job.pk)
        _delete_file(job_path(job))
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.FAILED, message="无法提交后台导入任务，请稍后重新上传", finished_at=timezone.now()
        )
        raise LedgerImportError("无法提交后台导入任务，请稍后重新上传") from exc
    # The immediate backend has already run the import: don't overwrite its outcome.
    ImportJob.objects.filter(pk=job.pk).update(task_id=str(result.id)[:64])
    job.refresh_from_db()
    return job


def cancel_job(*, user, job: ImportJob) -> ImportJob:
    check_can_manage(user=user, job=job)
    if job.status not in (ImportJob.Status.PENDING, ImportJob.Status.PREVIEWED):
        raise LedgerImportError(f"这次导入当前状态为“{job.get_status_display()}”，不能取消")
    _delete_file(job_path(job))
    job.status = ImportJob.Status.CANCELLED
    job.message = "已取消，上传的文件已删除"
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "message", "finished_at", "updated_at"])
    return job


def cancel_abandoned_previews(*, now: dt.datetime | None = None) -> int:
    """Cancel previews nobody confirmed in time and delete their files."""
    cutoff = (now or timezone.now()) - PREVIEW_TTL
    stale = list(ImportJob.objects.filter(status=ImportJob.Status.PREVIEWED, created_at__lt=cutoff))
    for job in stale:
        _delete_file(job_path(job))
    if stale:
        ImportJob.objects.filter(pk__in=[j.pk for j in stale]).update(
            status=ImportJob.Status.CANCELLED,
            message="预览后超过24小时未确认，已自动取消，上传的文件已删除",
            finished_at=timezone.now(),
        )
    return len(stale)


# --------------------------------------------------------------------------
# Progress


class ProgressWriter:
    """Writes (done, total) for a job to its progress file, at most every `interval` s."""

    INTERVAL = 0.2  # the page polls every second; more writes would be wasted

    def __init__(self, job_id: int, *, interval: float | None = None):
        self.path = _progress_path(job_id)
        self.interval = self.INTERVAL if interval is None else interval
        self._last = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - self._last < self.interval:
            return
        self._last = now
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"done": done, "total": total}), encoding="utf-8")
        os.replace(tmp, self.path)  # readers never see a half-written file

    def clear(self) -> None:
        _delete_file(self.path)


def read_progress(job: ImportJob) -> tuple[int, int]:
    """(done, total) of a job: the live progress file while it runs, else the row."""
    if job.status == ImportJob.Status.RUNNING:
        try:
            data = json.loads(_progress_path(job.pk).read_text(encoding="utf-8"))
            return int(data["done"]), int(data["total"])
        except (OSError, ValueError, KeyError, TypeError):
            pass
    return job.progress_done, job.progress_total


# --------------------------------------------------------------------------
# The import itself (run by the background task)


def run_job(*, job_id: int) -> dict[str, Any]:
    """Run a queued import; the job row records the outcome, never raises."""
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.RUNNING, started_at=timezone.now(), message="正在导入", updated_at=timezone.now()
    )
    if not claimed:  # run twice, cancelled, or gone
        return {"job_id": job_id, "status": "skipped"}
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    writer = ProgressWriter(job.pk)
    path = job_path(job)
    options = job.options or {}
    try:
        if path is None or not path.exists():
            raise LedgerImportError("上传的文件已不存在，请重新上传")
        report = import_file(
            path,
            original_name=job.original_name,
            ledger_id=options.get("ledger_id"),
            period=options.get("period") or None,
            user=job.created_by,
            progress=writer,
        )
    except LedgerImportError as exc:
        job.status = ImportJob.Status.FAILED
        job.message = f"导入失败，未写入任何内容：{exc}"
    except Exception:
        logger.exception("import job %s failed", job_id)
        job.status = ImportJob.Status.FAILED
        job.message = "导入失败，未写入任何内容：系统错误，请联系管理员"
    else:
        job.status = ImportJob.Status.DONE
        job.result = report.as_dict()
        job.ledger_id = report.ledger_id
        job.period_code = report.period_code
        job.progress_total = job.progress_done = sum(report.counts["subtasks"].values())
        job.message = report.summary_zh()
    finally:
        _delete_file(path)
        writer.clear()
    job.finished_at = timezone.now()
    job.save()
    return {"job_id": job.pk, "status": job.status}
