"""Back up the whole database to one file: `python manage.py backup_db`.

SQLite: an online copy via the sqlite3 backup API (a .sqlite3 file that the
sqlite3 tool opens directly). PostgreSQL: pg_dump in custom format (.pgdump).
See _backup_common.py for why these and not dumpdata.
"""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from ledger.management.commands._backup_common import default_backup_path, pg_env, pg_tool, vendor


class Command(BaseCommand):
    help = "备份整个数据库到一个文件（SQLite：在线复制；PostgreSQL：pg_dump自定义格式）。"

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", help="备份文件路径（默认 var/backups/ledger-<类型>-<时间>.*）")
        parser.add_argument("--database", default="default")

    def handle(self, *args, **options):
        alias = options["database"]
        target = Path(options["output"]) if options["output"] else default_backup_path(alias=alias)
        path = backup(alias=alias, target=target)
        size = path.stat().st_size
        self.stdout.write(self.style.SUCCESS(f"已备份到 {path}（{size / 1048576:.2f} MB）"))


def backup(*, alias: str, target: Path) -> Path:
    """Write a backup of database `alias` to `target`; returns the path."""
    kind = vendor(alias=alias)
    target.parent.mkdir(parents=True, exist_ok=True)
    # Write next to the target and rename, so a failed backup never leaves a
    # half-written file that looks like a good one.
    partial = target.with_name(target.name + ".part")
    partial.unlink(missing_ok=True)
    try:
        if kind == "sqlite":
            _backup_sqlite(alias=alias, target=partial)
        else:
            _backup_postgresql(alias=alias, target=partial)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def _backup_sqlite(*, alias: str, target: Path) -> None:
    connection = connections[alias]
    connection.ensure_connection()
    destination = sqlite3.connect(target)
    try:
        # Copies page by page under a read lock; committed data only.
        connection.connection.backup(destination)
        check = destination.execute("PRAGMA integrity_check").fetchone()[0]
        if check != "ok":
            raise CommandError(f"备份文件校验失败：{check}")
    finally:
        destination.close()


def _backup_postgresql(*, alias: str, target: Path) -> None:
    command = [pg_tool(name="pg_dump"), "--format=custom", "--no-owner", "--no-privileges", "--file", str(target)]
    result = subprocess.run(command, env=pg_env(alias=alias), capture_output=True, text=True)
    if result.returncode != 0:
        raise CommandError(f"pg_dump 失败：{result.stderr.strip()}")
