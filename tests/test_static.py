"""Front-end assets are vendored and collect cleanly for production."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_collectstatic_with_manifest_storage(tmp_path):
    # whitenoise's manifest storage fails on a sourceMappingURL whose .map is
    # missing: this is the check that the vendored files are complete.
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(DEBUG="0", SECRET_KEY="x" * 60, STATIC_MANIFEST="1", STATIC_ROOT=str(tmp_path))
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    manifest = (tmp_path / "staticfiles.json").read_text()
    for name in ("vendor/htmx/htmx.min.js", "vendor/bootstrap/css/bootstrap.min.css", "vendor/echarts/echarts.min.js"):
        assert name in manifest


def test_htmx_is_pinned_to_2x():
    versions = (ROOT / "static" / "vendor" / "VERSIONS").read_text()
    assert "htmx.org 2." in versions
    assert (ROOT / "static" / "vendor" / "htmx" / "htmx.min.js").stat().st_size > 10_000
