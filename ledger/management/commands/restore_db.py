"""Restore the database from a backup_db file: `python manage.py restore_db FILE`.

Everything in the database is replaced by the backup. Stop the web server
and the db_worker first. Before overwriting, the current database is itself
backed up (var/backups/pre-restore-…) unless --no-safety-backup is given.
"""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from ledger.management.commands._backup_common import default_backup_path, file_kind, pg_env, pg_tool, vendor
from ledger.management.commands.backup_db import backup


class Command(BaseCommand):
    help = "从备份文件恢复整个数据库（会覆盖当前全部数据；恢复前请停止网站和后台任务进程）。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="backup_db 生成的备份文件")
        parser.add_argument("--noinput", "--no-input", action="store_true", help="不询问确认")
        parser.add_argument("--no-safety-backup", action="store_true", help="恢复前不先备份当前数据库")
        parser.add_argument("--database", default="default")

    def handle(self, *args, **options):
        alias = options["database"]
        source = Path(options["file"])
        if not source.is_file():
            raise CommandError(f"备份文件不存在：{source}")
        kind = file_kind(path=source)
        current = vendor(alias=alias)
        if kind != current:
            raise CommandError(f"备份文件是 {kind} 格式，而当前数据库是 {current}；不能跨数据库类型恢复")
        _verify(kind=kind, source=source)

        if not options["noinput"]:
            name = connections[alias].settings_dict["NAME"]
            answer = input(f"将用 {source} 覆盖数据库 {name} 的全部数据。输入 yes 继续：")
            if answer.strip().lower() != "yes":
                raise CommandError("已取消，未做任何改动")
        if not options["no_safety_backup"]:
            safety = backup(alias=alias, target=default_backup_path(alias=alias, label="pre-restore"))
            self.stdout.write(f"恢复前的数据已另存为 {safety}")

        restore(alias=alias, source=source)
        self.stdout.write(self.style.SUCCESS(f"已从 {source} 恢复。若备份来自旧版本，请再运行 manage.py migrate。"))


def restore(*, alias: str, source: Path) -> None:
    """Replace database `alias` with the backup in `source` (already verified)."""
    if file_kind(path=source) == "sqlite":
        _restore_sqlite(alias=alias, source=source)
    else:
        _restore_postgresql(alias=alias, source=source)


def _verify(*, kind: str, source: Path) -> None:
    """Refuse a damaged backup before anything in the live database is touched."""
    if kind == "sqlite":
        try:
            with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as check:
                result = check.execute("PRAGMA integrity_check").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            raise CommandError(f"备份文件已损坏：{exc}")
        if result != "ok":
            raise CommandError(f"备份文件已损坏：{result}")
        return
    result = subprocess.run([pg_tool(name="pg_restore"), "--list", str(source)], capture_output=True, text=True)
    if result.returncode != 0:
        raise CommandError(f"备份文件已损坏：{result.stderr.strip()}")


def _restore_sqlite(*, alias: str, source: Path) -> None:
    connection = connections[alias]
    connection.ensure_connection()
    if connection.in_atomic_block:
        raise CommandError("不能在事务中恢复数据库")
    backup_file = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        # The backup API replaces the live database as one write transaction:
        # other connections see either the old or the restored data.
        backup_file.backup(connection.connection)
    finally:
        backup_file.close()


def _restore_postgresql(*, alias: str, source: Path) -> None:
    connection = connections[alias]
    # Our own idle session must not hold locks that DROP TABLE waits for.
    connection.close()
    command = [
        pg_tool(name="pg_restore"),
        "--clean",
        "--if-exists",
        "--no-owner",
        "--no-privileges",
        "--single-transaction",
        "--exit-on-error",
        "--dbname",
        connection.settings_dict["NAME"],
        str(source),
    ]
    result = subprocess.run(command, env=pg_env(alias=alias), capture_output=True, text=True)
    if result.returncode != 0:
        raise CommandError(f"pg_restore 失败（数据库未改动）：{result.stderr.strip()}")
