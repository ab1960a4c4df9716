"""Browser imports: one ImportJob per uploaded ledger file, from preview to result."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ImportJob(models.Model):
    """An uploaded ledger file on its way into the database.

    The file waits under settings.UPLOAD_DIR (never served) from upload until
    the import ends or the preview is cancelled; then it is deleted.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "待预览"
        PREVIEWED = "previewed", "待确认"
        QUEUED = "queued", "排队中"
        RUNNING = "running", "导入中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"
        CANCELLED = "cancelled", "已取消"

    FINISHED = (Status.DONE, Status.FAILED, Status.CANCELLED)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="上传人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="import_jobs",
    )
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    original_name = models.CharField("原文件名", max_length=255)
    stored_name = models.CharField("存储文件名", max_length=100, blank=True, help_text="UPLOAD_DIR下的随机文件名")
    size = models.PositiveBigIntegerField("文件大小", default=0)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.PENDING)
    ledger = models.ForeignKey(
        "ledger.Ledger",
        verbose_name="台账",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="import_jobs",
    )
    period_code = models.CharField("期次", max_length=20, blank=True)
    options = models.JSONField("选项", default=dict, blank=True, help_text="指定的台账（ledger_id）与期次（period）")
    preview = models.JSONField("预览", null=True, blank=True)
    result = models.JSONField("结果", null=True, blank=True)
    progress_done = models.PositiveIntegerField("已处理", default=0)
    progress_total = models.PositiveIntegerField("总数", default=0)
    message = models.TextField("说明", blank=True)
    task_id = models.CharField("后台任务", max_length=64, blank=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)

    class Meta:
        verbose_name = "导入任务"
        verbose_name_plural = "导入任务"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.original_name}（{self.get_status_display()}）"

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.progress_total:
            return 0
        return min(100, round(100 * self.progress_done / self.progress_total))
