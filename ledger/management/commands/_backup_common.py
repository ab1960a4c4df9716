"""What backup_db and restore_db share: the database in use and how to reach it.

SQLite is copied with the sqlite3 online-backup API rather than dumpdata:
the copy is the database itself, page for page — every table (history,
sessions, login throttling, task queue, migration state), primary keys and
sqlite_sequence, exact timestamps and JSON as stored — taken consistently
while the site keeps running (WAL readers are not blocked), and it restores
in one step with no content-type or permission clashes. dumpdata/loaddata
would rebuild rows through the ORM, miss nothing only if every app's
natural keys are right, and hold the whole database in memory as JSON.

PostgreSQL uses pg_dump/pg_restore in custom format: compressed, restorable
object by object, and checked with `pg_restore --list` before anything is
dropped.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError
from django.db import connections

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"
SUFFIX = {"sqlite": ".sqlite3", "postgresql": ".pgdump"}


def vendor(*, alias: str = "default") -> str:
    vendor_name = connections[alias].vendor
    if vendor_name not in SUFFIX:
        raise CommandError(f"不支持的数据库类型：{vendor_name}（仅支持SQLite与PostgreSQL）")
    return vendor_name


def default_backup_dir() -> Path:
    return Path(os.environ.get("BACKUP_DIR") or Path(settings.BASE_DIR) / "var" / "backups")


def default_backup_path(*, alias: str = "default", label: str = "ledger") -> Path:
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    return default_backup_dir() / f"{label}-{vendor(alias=alias)}-{stamp}{SUFFIX[vendor(alias=alias)]}"


def file_kind(*, path: Path) -> str:
    """ "sqlite" or "postgresql" by the backup file's content."""
    with open(path, "rb") as fh:
        head = fh.read(16)
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PGDUMP_MAGIC):
        return "postgresql"
    raise CommandError(f"{path} 不是本系统的备份文件（既不是SQLite数据库，也不是pg_dump自定义格式）")


def pg_tool(*, name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise CommandError(f"找不到 {name}；请安装 postgresql-client（版本不低于数据库服务器）")
    return found


def pg_env(*, alias: str = "default") -> dict[str, str]:
    """libpq environment for the Django connection, so no password is on argv."""
    conf = connections[alias].settings_dict
    env = dict(os.environ)
    for key, value in (
        ("PGHOST", conf.get("HOST")),
        ("PGPORT", conf.get("PORT")),
        ("PGUSER", conf.get("USER")),
        ("PGPASSWORD", conf.get("PASSWORD")),
        ("PGDATABASE", conf.get("NAME")),
    ):
        if value:
            env[key] = str(value)
    return env
