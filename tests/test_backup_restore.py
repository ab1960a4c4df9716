"""Back up, wipe, restore: every table comes back with the same rows.

Runs on whichever database the suite uses (SQLite in `make test`, PostgreSQL
in CI's second pass, where pg_dump/pg_restore run against the test database).
"""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from ledger import roles
from ledger.models import ProgressEntry, Unit, User
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


def _row_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        counts = {}
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


@pytest.fixture
def district():
    if connection.vendor == "postgresql" and not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("pg_dump/pg_restore are not installed")
    unit = factories.UnitFactory(name="区住房和城乡建设局", short_name="区住建局", aliases=["住建局", "区建设局"])
    clerk = factories.UserFactory(username="zhujian", unit=unit, role=roles.CLERK)
    period = factories.PeriodFactory()
    entries = []
    for n in range(5):
        subtask = factories.SubtaskFactory(task__section__ledger=period.ledger, content=f"老旧小区改造第{n}批")
        factories.SubtaskUnitFactory(subtask=subtask, unit=unit)
        entries.append(
            factories.EntryFactory(
                subtask=subtask,
                period=period,
                progress=f"已完成{n * 10}%，涉及居民“{n}”户\n第二行",
                percent=n * 10,
                status=ProgressEntry.Status.IN_PROGRESS,
                submitted_by=clerk,
                submitted_at=dt.datetime(2024, 6, 30, 17, 45, 12, 123456, tzinfo=dt.UTC),
            )
        )
    # A second save leaves a history row and a version bump to compare.
    entries[0].progress = "修改后的进展"
    entries[0].version = 2
    entries[0].save()
    return {"unit": unit, "clerk": clerk, "entries": entries}


def test_backup_wipe_restore_gives_back_every_row(tmp_path, district) -> None:
    backup_file = tmp_path / "ledger.backup"
    call_command("backup_db", output=str(backup_file))
    assert backup_file.stat().st_size > 0
    before = _row_counts()
    first = ProgressEntry.objects.get(pk=district["entries"][0].pk)
    assert before["ledger_progressentry"] == 5
    assert before["ledger_historicalprogressentry"] >= 6

    call_command("flush", interactive=False)
    # Rows added after the backup must disappear again on restore.
    factories.UnitFactory(name="备份之后新建的单位")
    wiped = _row_counts()
    assert wiped["ledger_progressentry"] == 0

    call_command("restore_db", str(backup_file), noinput=True, no_safety_backup=True)

    assert _row_counts() == before
    restored = ProgressEntry.objects.get(pk=first.pk)
    assert restored.progress == "修改后的进展"
    assert restored.version == 2
    assert restored.submitted_at == first.submitted_at
    assert restored.updated_at == first.updated_at
    assert restored.history.count() == first.history.count()
    unit = Unit.objects.get(pk=district["unit"].pk)
    assert unit.aliases == ["住建局", "区建设局"]
    assert not Unit.objects.filter(name="备份之后新建的单位").exists()
    clerk = User.objects.get(pk=district["clerk"].pk)
    assert clerk.check_password("pass12345")
    assert set(clerk.groups.values_list("name", flat=True)) == {roles.CLERK}
    assert sorted(ProgressEntry.objects.values_list("progress", flat=True)) == sorted(
        [e.progress for e in district["entries"][1:]] + ["修改后的进展"]
    )


def test_restore_refuses_a_damaged_file_and_changes_nothing(tmp_path, district) -> None:
    backup_file = tmp_path / "ledger.backup"
    call_command("backup_db", output=str(backup_file))
    data = backup_file.read_bytes()
    damaged = tmp_path / "damaged.backup"
    # Keep the header (so the kind is recognised) but cut the body short.
    damaged.write_bytes(data[: max(len(data) // 3, 100)])
    before = _row_counts()
    with pytest.raises(CommandError, match=r"损坏|失败"):
        call_command("restore_db", str(damaged), noinput=True, no_safety_backup=True)
    assert _row_counts() == before


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path, district) -> None:
    bogus = tmp_path / "notes.txt"
    bogus.write_text("这不是备份", encoding="utf-8")
    with pytest.raises(CommandError, match="不是本系统的备份文件"):
        call_command("restore_db", str(bogus), noinput=True, no_safety_backup=True)


def test_restore_refuses_the_other_databases_format(tmp_path, district) -> None:
    other = tmp_path / "other.backup"
    other.write_bytes(b"PGDMP\x01\x0e\x00" if connection.vendor == "sqlite" else b"SQLite format 3\x00" + bytes(84))
    with pytest.raises(CommandError, match="不能跨数据库类型恢复"):
        call_command("restore_db", str(other), noinput=True, no_safety_backup=True)
