"""Upload rules of the browser import: size limit, type by content, stored
outside anything served, deleted once the import ends, reviewers only."""

from __future__ import annotations

import io
import shutil
import stat
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import NoReverseMatch, reverse

from tests.conftest import SAMPLES

DOCX_SAMPLE = SAMPLES / "shanting-minsheng-2024-06.docx"
XLSX_SAMPLE = SAMPLES / "linyi-gzbg-2024-q2.xlsx"
PDF_SAMPLE = SAMPLES / "yicheng-gzbg-2024-h1.pdf"


def _url(name: str, **kwargs) -> str:
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        pytest.skip(f"{name} does not exist yet")


@pytest.fixture
def upload_dir(settings, tmp_path) -> Path:
    path = tmp_path / "uploads"
    settings.UPLOAD_DIR = path
    return path


@pytest.fixture
def job_model():
    try:
        from imports.models import ImportJob
    except ImportError:
        pytest.skip("imports.models.ImportJob does not exist yet")
    return ImportJob


def _files(directory: Path) -> list[Path]:
    # Progress files are small JSON side files of a running job, not uploads.
    return [p for p in directory.glob("*") if p.is_file() and not p.name.endswith(".progress.json")]


def _upload(client, *, name: str, content: bytes, period: str = ""):
    data = {"file": SimpleUploadedFile(name, content), "ledger": "", "period": period}
    return client.post(_url("imports:upload"), data)


def _form_error(response) -> str:
    form = response.context["form"]
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


def test_only_reviewers_may_upload(client, clerk, leader, upload_dir) -> None:
    for user in (clerk, leader):
        client.force_login(user)
        response = _upload(client, name=DOCX_SAMPLE.name, content=DOCX_SAMPLE.read_bytes())
        assert response.status_code == 403
    assert not upload_dir.exists() or not _files(upload_dir)


def test_oversized_file_is_refused_before_it_is_kept(client, reviewer, upload_dir, settings, job_model) -> None:
    settings.IMPORT_MAX_BYTES = 10 * 1024
    client.force_login(reviewer)
    response = _upload(client, name="big.docx", content=b"PK\x03\x04" + b"\0" * (20 * 1024))
    assert response.status_code == 200
    assert "文件过大" in _form_error(response)
    assert not upload_dir.exists() or not _files(upload_dir)
    assert not job_model.objects.exists()


def test_request_body_limits_are_set() -> None:
    # Large uploads go to a temporary file, not memory; form fields stay small.
    assert django_settings.FILE_UPLOAD_MAX_MEMORY_SIZE <= 10 * 1024 * 1024
    assert django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= 10 * 1024 * 1024
    assert django_settings.IMPORT_MAX_BYTES <= 100 * 1024 * 1024


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("ledger.docx", PDF_SAMPLE.read_bytes(), "内容是PDF"),
        ("ledger.xlsx", DOCX_SAMPLE.read_bytes(), "内容是Word"),
        ("ledger.pdf", b"<html><script>alert(1)</script></html>", "无法识别"),
        ("ledger.docx", b"MZ\x90\x00" + b"\0" * 512, "无法识别"),
        ("ledger.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, "旧版Office"),
        ("ledger.docx", b"", "空"),
    ],
    ids=["pdf-as-docx", "docx-as-xlsx", "html-as-pdf", "exe-as-docx", "xls-as-xlsx", "empty"],
)
def test_type_is_checked_by_content(client, reviewer, upload_dir, job_model, name, content, expected) -> None:
    client.force_login(reviewer)
    response = _upload(client, name=name, content=content, period="2024-06")
    assert response.status_code == 200
    assert expected in _form_error(response)
    assert not _files(upload_dir) if upload_dir.exists() else True, "a refused upload was kept"
    assert not job_model.objects.exists()


@pytest.mark.parametrize("name", ["ledger.html", "ledger.exe", "ledger.docx.php", "ledger"])
def test_other_extensions_are_refused(client, reviewer, upload_dir, name) -> None:
    client.force_login(reviewer)
    response = _upload(client, name=name, content=DOCX_SAMPLE.read_bytes(), period="2024-06")
    assert response.status_code == 200
    assert ".docx" in _form_error(response)
    assert not upload_dir.exists() or not _files(upload_dir)


def test_upload_dir_is_not_served() -> None:
    upload = Path(django_settings.UPLOAD_DIR).resolve()
    served = [Path(django_settings.STATIC_ROOT), *map(Path, django_settings.STATICFILES_DIRS)]
    if getattr(django_settings, "MEDIA_ROOT", ""):
        served.append(Path(django_settings.MEDIA_ROOT))
    for root in served:
        root = root.resolve()
        assert not upload.is_relative_to(root) and not root.is_relative_to(upload), f"{upload} overlaps {root}"
    assert not getattr(django_settings, "MEDIA_URL", "").strip("/"), "nothing should be served as media"


def test_stored_file_has_a_random_private_name_and_is_deleted_after_import(
    client, reviewer, upload_dir, job_model
) -> None:
    client.force_login(reviewer)
    hostile_name = "../../static/" + DOCX_SAMPLE.name
    response = _upload(client, name=hostile_name, content=DOCX_SAMPLE.read_bytes())
    assert response.status_code == 302, _form_error(response) if response.context else response
    job = job_model.objects.get()
    stored = _files(upload_dir)
    assert len(stored) == 1
    path = stored[0]
    assert path.parent.resolve() == upload_dir.resolve(), "the upload escaped UPLOAD_DIR"
    assert "static" not in path.name and DOCX_SAMPLE.stem not in path.name, "the user's name was used"
    assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, "the stored upload is readable by others"
    assert not any(Path(django_settings.BASE_DIR, "static").rglob(DOCX_SAMPLE.name))

    # The test settings run tasks immediately: confirm imports and cleans up.
    client.post(_url("imports:confirm", pk=job.pk))
    job.refresh_from_db()
    assert job.status == job_model.Status.DONE, job.message
    assert not _files(upload_dir), "the upload was kept after the import"


def test_cancelled_upload_is_deleted(client, reviewer, upload_dir, job_model) -> None:
    client.force_login(reviewer)
    _upload(client, name=XLSX_SAMPLE.name, content=XLSX_SAMPLE.read_bytes())
    job = job_model.objects.get()
    assert _files(upload_dir)
    client.post(_url("imports:cancel", pk=job.pk))
    assert not _files(upload_dir)


def test_broken_upload_is_deleted(client, reviewer, upload_dir, job_model) -> None:
    client.force_login(reviewer)
    data = DOCX_SAMPLE.read_bytes()
    response = _upload(client, name="broken.docx", content=data[: len(data) // 2], period="2024-06")
    assert response.status_code == 200
    assert _form_error(response)
    assert not _files(upload_dir)
    assert not job_model.objects.exists()


def test_preview_shows_file_content_escaped(client, reviewer, upload_dir, tmp_path) -> None:
    """A ledger file is user input too: its cells are escaped on the preview page."""
    from docx import Document

    document = Document(str(DOCX_SAMPLE))
    table = document.tables[0]
    header = [c.text.strip() for c in table.rows[0].cells]
    row = table.rows[1]
    # The parser turns pasted web markup into text: tags go, entities are
    # decoded — so the entity form is what reaches the page as "<script>".
    row.cells[header.index("项目内容")].text = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    row.cells[header.index("进展情况")].text = "&lt;script&gt;alert(1)&lt;/script&gt;"
    buffer = io.BytesIO()
    document.save(buffer)
    client.force_login(reviewer)
    response = _upload(client, name=DOCX_SAMPLE.name, content=buffer.getvalue())
    assert response.status_code == 302, _form_error(response) if response.context else response
    page = client.get(response["Location"]).content.decode()
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    shutil.rmtree(upload_dir, ignore_errors=True)
