"""Browser import: roles, bad uploads, preview -> confirm -> done, file clean-up, progress."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from imports import services
from imports.models import ImportJob
from ledger.models import Ledger, ProgressEntry, Subtask
from tests.conftest import SAMPLES

pytestmark = pytest.mark.django_db

DOCX = "shanting-minsheng-2025-q1.docx"


def sample(name: str = DOCX, *, as_name: str | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(as_name or name, (SAMPLES / name).read_bytes())


def upload(client, file, **data):
    return client.post(reverse("imports:upload"), {"file": file, **data})


def leftover_files(upload_dir) -> list[str]:
    return sorted(p.name for p in upload_dir.iterdir()) if upload_dir.exists() else []


@pytest.fixture
def reviewer_client(client, reviewer):
    client.force_login(reviewer)
    return client


@pytest.fixture
def previewed(reviewer_client):
    response = upload(reviewer_client, sample())
    assert response.status_code == 302, response.content.decode()[:2000]
    return ImportJob.objects.get()


def assert_csp_clean(html: str) -> None:
    assert 'style="' not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)


# --- roles -------------------------------------------------------------------


@pytest.mark.parametrize("name", ["upload"])
def test_anonymous_is_sent_to_login(client, name):
    response = client.get(reverse(f"imports:{name}"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_anonymous_job_pages_redirect(client, previewed):
    client.logout()
    for name in ("preview", "job", "job_status"):
        response = client.get(reverse(f"imports:{name}", args=[previewed.pk]))
        assert response.status_code == 302 and reverse("login") in response["Location"]
    response = client.post(reverse("imports:confirm", args=[previewed.pk]))
    assert response.status_code == 302
    previewed.refresh_from_db()
    assert previewed.status == ImportJob.Status.PREVIEWED


@pytest.mark.parametrize(("who", "status"), [("clerk", 403), ("leader", 403), ("reviewer", 200), ("admin_user", 200)])
def test_upload_page_by_role(client, request, who, status):
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("imports:upload"))
    assert response.status_code == status
    if status == 200:
        html = response.content.decode()
        assert "导入台账" in html
        assert_csp_clean(html)


@pytest.mark.parametrize("who", ["clerk", "leader"])
def test_others_cannot_post_or_see_jobs(client, request, who, previewed):
    client.force_login(request.getfixturevalue(who))
    assert upload(client, sample()).status_code == 403
    for name in ("preview", "job", "job_status"):
        assert client.get(reverse(f"imports:{name}", args=[previewed.pk])).status_code == 403
    assert client.post(reverse("imports:confirm", args=[previewed.pk])).status_code == 403
    assert client.post(reverse("imports:cancel", args=[previewed.pk])).status_code == 403
    previewed.refresh_from_db()
    assert previewed.status == ImportJob.Status.PREVIEWED


def test_nav_link_for_reviewers_only(rf, reviewer, clerk, leader):
    from django.template.loader import render_to_string

    from ledger.context_processors import roles as role_context

    for user, shown in ((reviewer, True), (clerk, False), (leader, False)):
        request = rf.get("/")
        request.user = user
        html = render_to_string("_nav.html", {"user": user, **role_context(request)})
        assert (reverse("imports:upload") in html) is shown


def test_another_reviewer_cannot_confirm_but_admin_can(client, previewed, admin_user):
    from tests import factories

    other = factories.UserFactory(username="reviewer2", role="审核员")
    client.force_login(other)
    assert client.get(reverse("imports:preview", args=[previewed.pk])).status_code == 200
    assert client.post(reverse("imports:confirm", args=[previewed.pk])).status_code == 403
    client.force_login(admin_user)
    response = client.post(reverse("imports:confirm", args=[previewed.pk]))
    assert response.status_code == 302
    previewed.refresh_from_db()
    assert previewed.status == ImportJob.Status.DONE


# --- preview -> confirm -> done ------------------------------------------------


def test_preview_lists_changes_and_writes_nothing(reviewer_client, previewed, upload_dir):
    assert previewed.status == ImportJob.Status.PREVIEWED
    assert previewed.period_code == "2025-Q1"
    assert previewed.original_name == DOCX
    assert Ledger.objects.count() == 0 and ProgressEntry.objects.count() == 0
    assert leftover_files(upload_dir) == [previewed.stored_name]
    assert previewed.stored_name != DOCX and previewed.stored_name.endswith(".docx")

    response = reviewer_client.get(reverse("imports:preview", args=[previewed.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "2025年民生实事工作进展情况台账" in html
    assert "尚未写入" in html
    assert "新增责任单位" in html and "区医保局" in html
    assert "基层医疗服务" in html and "新增样板村卫生室30处" in html  # the parsed table
    assert 'data-testid="confirm"' in html
    assert_csp_clean(html)


def test_confirm_runs_import_and_deletes_file(reviewer_client, previewed, upload_dir):
    response = reviewer_client.post(reverse("imports:confirm", args=[previewed.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("imports:job", args=[previewed.pk])
    job = ImportJob.objects.get(pk=previewed.pk)
    assert job.status == ImportJob.Status.DONE, job.message
    assert job.ledger is not None and job.ledger.title == "2025年民生实事工作进展情况台账"
    assert job.result["counts"]["subtasks"]["created"] == 33
    assert (job.progress_done, job.progress_total) == (33, 33)
    assert job.task_id
    assert Subtask.objects.count() == 33
    assert leftover_files(upload_dir) == []

    html = reviewer_client.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert "导入完成" in html and "hx-trigger" not in html
    assert reverse("ledger_table", args=[job.ledger_id]) in html
    assert_csp_clean(html)
    partial = reviewer_client.get(reverse("imports:job_status", args=[job.pk])).content.decode()
    assert "hx-trigger" not in partial and 'data-status="done"' in partial

    # Confirming twice does not import twice.
    reviewer_client.post(reverse("imports:confirm", args=[job.pk]))
    assert Subtask.objects.count() == 33


def test_reimport_through_browser_changes_nothing(reviewer_client, previewed):
    reviewer_client.post(reverse("imports:confirm", args=[previewed.pk]))
    upload(reviewer_client, sample())
    job = ImportJob.objects.filter(status=ImportJob.Status.PREVIEWED).get()
    counts = job.preview["counts"]
    assert sum(c["created"] + c["updated"] for c in counts.values()) == 0


def test_cancel_deletes_file(reviewer_client, previewed, upload_dir):
    response = reviewer_client.post(reverse("imports:cancel", args=[previewed.pk]))
    assert response.status_code == 302
    previewed.refresh_from_db()
    assert previewed.status == ImportJob.Status.CANCELLED
    assert leftover_files(upload_dir) == []
    assert Ledger.objects.count() == 0


def test_abandoned_preview_is_cancelled_and_file_deleted(reviewer_client, previewed, upload_dir):
    ImportJob.objects.filter(pk=previewed.pk).update(created_at=timezone.now() - dt.timedelta(days=2))
    reviewer_client.get(reverse("imports:upload"))
    previewed.refresh_from_db()
    assert previewed.status == ImportJob.Status.CANCELLED
    assert leftover_files(upload_dir) == []


def test_failed_import_records_message_and_deletes_file(reviewer_client, previewed, upload_dir, monkeypatch):
    from imports.errors import LedgerImportError

    def fail(*args, **kwargs):
        raise LedgerImportError("模拟失败")

    monkeypatch.setattr(services, "import_file", fail)
    reviewer_client.post(reverse("imports:confirm", args=[previewed.pk]))
    previewed.refresh_from_db()
    assert previewed.status == ImportJob.Status.FAILED
    assert "模拟失败" in previewed.message
    assert leftover_files(upload_dir) == []
    html = reviewer_client.get(reverse("imports:job", args=[previewed.pk])).content.decode()
    assert "模拟失败" in html and "hx-trigger" not in html


def test_period_override_and_ledger_choice(reviewer_client):
    response = upload(reviewer_client, sample(), period="2025-Q2")
    assert response.status_code == 302
    assert ImportJob.objects.get().period_code == "2025-Q2"
    response = upload(reviewer_client, sample(), period="明年某时")
    assert response.status_code == 200
    assert "无法识别的期次" in response.content.decode()


def test_missing_period_asks_for_it(reviewer_client, upload_dir):
    # The 2024-06 sample has no title: its period comes from the file name only.
    response = upload(reviewer_client, sample("shanting-minsheng-2024-06.docx", as_name="民生实事台账.docx"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "期次" in html and "2024-06" in html
    assert leftover_files(upload_dir) == []


# --- bad uploads ----------------------------------------------------------------


def _docx_without_table() -> bytes:
    from docx import Document

    doc = Document()
    doc.add_paragraph("这份文件只有一段文字，没有台账表格。")
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _plain_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("readme.txt", "hello")
    return buf.getvalue()


def _zip_bomb() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", b"\0" * (5 * 1024 * 1024))  # ratio ~1000:1
    return buf.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("notes.txt", b"hello", "只能导入"),
        ("ledger.docx", b"this is not a zip file", "无法识别"),
        ("ledger.docx", (SAMPLES / DOCX).read_bytes()[:4000], "损坏"),
        ("ledger.docx", (SAMPLES / "yicheng-gzbg-2024-h1.pdf").read_bytes(), "PDF"),
        ("ledger.xlsx", (SAMPLES / DOCX).read_bytes(), "Word"),
        ("ledger.docx", _plain_zip(), "压缩包"),
        ("ledger.docx", _docx_without_table(), "台账"),
        ("empty.pdf", b"%PDF-1.4\n%%EOF\n", ""),
        ("ledger.docx", b"", "空"),
    ],
)
def test_bad_upload_shows_chinese_error(reviewer_client, upload_dir, name, content, message):
    response = upload(reviewer_client, SimpleUploadedFile(name, content))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="error-' in html
    error = re.search(r'data-testid="error-\w+">([^<]+)<', html).group(1)
    assert message in error
    assert re.search(r"[\u4e00-\u9fff]", error)
    assert "Traceback" not in html
    assert ImportJob.objects.count() == 0
    assert Ledger.objects.count() == 0
    assert leftover_files(upload_dir) == []


def test_zip_bomb_is_refused(reviewer_client, upload_dir):
    response = upload(reviewer_client, SimpleUploadedFile("bomb.docx", _zip_bomb()))
    html = response.content.decode()
    assert response.status_code == 200 and "压缩炸弹" in html
    assert leftover_files(upload_dir) == []


def test_oversized_upload_is_refused(reviewer_client, upload_dir):
    with override_settings(IMPORT_MAX_BYTES=1000):
        response = upload(reviewer_client, sample())
    html = response.content.decode()
    assert response.status_code == 200
    assert "文件过大" in html and "上限" in html
    assert ImportJob.objects.count() == 0
    assert leftover_files(upload_dir) == []


def test_no_file_chosen(reviewer_client):
    response = reviewer_client.post(reverse("imports:upload"), {})
    assert "请选择要导入的台账文件" in response.content.decode()


# --- progress ------------------------------------------------------------------


def test_progress_writer_is_read_while_running(reviewer_client, previewed):
    ImportJob.objects.filter(pk=previewed.pk).update(status=ImportJob.Status.RUNNING)
    job = ImportJob.objects.get(pk=previewed.pk)
    writer = services.ProgressWriter(job.pk, interval=0)
    writer(5, 20)
    assert services.read_progress(job) == (5, 20)
    partial = reviewer_client.get(reverse("imports:job_status", args=[job.pk])).content.decode()
    assert "5 / 20" in partial and 'hx-trigger="every 1s"' in partial
    assert '<progress id="job-progress" class="imports-progress" max="100" value="25">' in partial
    writer.clear()
    assert services.read_progress(job) == (job.progress_done, job.progress_total)


def test_progress_visible_during_import(reviewer_client, previewed, monkeypatch):
    seen = []
    original = services.ProgressWriter.__call__

    def spy(self, done, total):
        original(self, done, total)
        job = ImportJob.objects.get(pk=previewed.pk)
        seen.append((job.status, services.read_progress(job)))

    monkeypatch.setattr(services.ProgressWriter, "__call__", spy)
    monkeypatch.setattr(services.ProgressWriter, "INTERVAL", 0)
    reviewer_client.post(reverse("imports:confirm", args=[previewed.pk]))
    assert seen, "the loader reported no progress"
    assert all(status == ImportJob.Status.RUNNING for status, _ in seen)
    assert seen[-1][1] == (33, 33)
    assert any(0 < done < 33 for _, (done, _total) in seen)
