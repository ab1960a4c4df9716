"""`manage.py check --deploy` on production settings, in a fresh process.

Settings are read from the environment once at import, so each mode gets its
own interpreter rather than override_settings (which would miss anything
computed at import, such as the HSTS flags that follow SECURE_SSL).
"""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# What check --deploy says when TLS is knowingly off (SECURE_SSL=0): exactly
# the HTTPS-only settings, nothing else.
TLS_ONLY_WARNINGS = {"security.W004", "security.W008", "security.W012", "security.W016"}


def _check_deploy(*, secure_ssl: str) -> subprocess.CompletedProcess[str]:
    env = {
        key: value
        for key, value in os.environ.items()
        # A developer's or CI's own settings must not leak into the check.
        if not key.startswith(("DJANGO_", "SECURE_", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"))
    }
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS="example.gov.cn",
        SECURE_SSL=secure_ssl,
    )
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _issue_ids(output: str) -> set[str]:
    return set(re.findall(r"\(([a-z_]+\.[EWI]\d{3})\)", output))


def test_production_with_tls_has_no_deploy_warnings() -> None:
    result = _check_deploy(secure_ssl="1")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "no issues" in output, output
    assert _issue_ids(output) == set(), output


def test_intranet_without_tls_warns_only_about_tls() -> None:
    """SECURE_SSL=0 is the documented intranet trade-off: only TLS warnings."""
    result = _check_deploy(secure_ssl="0")
    output = result.stdout + result.stderr
    assert result.returncode != 0, "expected the TLS warnings to fail --fail-level WARNING"
    assert _issue_ids(output) == TLS_ONLY_WARNINGS, output


@pytest.mark.parametrize("secret", ["", "short"])
def test_production_refuses_missing_or_weak_secret(secret: str) -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    env.update(DEBUG="0", SECRET_KEY=secret, ALLOWED_HOSTS="example.gov.cn", SECURE_SSL="1")
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    output = result.stdout + result.stderr
    # An empty key stops the settings import; a short one is W009.
    assert "SECRET_KEY" in output or "security.W009" in output, output
