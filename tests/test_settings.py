"""Settings come from the environment and refuse unsafe production starts."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run_check(**env):
    full_env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "DATABASE_URL"}}
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=120
    )


def test_refuses_to_start_without_secret_key_when_debug_is_off():
    result = _run_check(DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_starts_with_secret_key():
    result = _run_check(DEBUG="0", SECRET_KEY="x" * 60, ALLOWED_HOSTS="example.gov.cn")
    assert result.returncode == 0, result.stderr


def test_debug_runs_without_secret_key_on_sqlite_by_default():
    from config import settings

    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == "Asia/Shanghai"
    result = _run_check(DEBUG="1")
    assert result.returncode == 0, result.stderr


def test_manage_py_defaults_to_debug_but_the_web_server_does_not():
    # A fresh checkout's commands work with nothing set ...
    result = _run_check()
    assert result.returncode == 0, result.stderr
    # ... while the WSGI application refuses to serve without a SECRET_KEY.
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "DATABASE_URL"}}
    served = subprocess.run(
        [sys.executable, "-c", "import config.wsgi"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert served.returncode != 0
    assert "SECRET_KEY must be set" in served.stderr
