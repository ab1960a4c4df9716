"""Demo data: the sample ledgers' units, one account per role, the samples.

Idempotent: running it again changes nothing.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from ledger import roles
from ledger.models import Unit, User
from ledger.services.setup import ensure_role_groups

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
DEMO_PASSWORD = "demo12345"
ROLE_ACCOUNTS = [
    ("admin", "系统管理员", roles.ADMIN),
    ("reviewer", "督查室审核员", roles.REVIEWER),
    ("leader", "区领导", roles.LEADER),
]


class Command(BaseCommand):
    help = "载入演示数据：单位、各角色账户和样例台账（可重复运行）。"

    def add_arguments(self, parser):
        parser.add_argument("--no-ledgers", action="store_true", help="只建单位和账户，不导入样例台账")

    def handle(self, *args, **options):
        ensure_role_groups()
        created_units = self._load_units()
        if not options["no_ledgers"]:
            self._import_samples()
        self._open_demo_periods()
        accounts = self._ensure_accounts()
        self.stdout.write(f"单位：新建 {created_units} 个，共 {Unit.objects.count()} 个。")
        self.stdout.write(f"演示账户（密码均为 {DEMO_PASSWORD}）：")
        for username, role, unit in accounts:
            # Clerks sign in with their unit's name, so the unit needs no second mention.
            self.stdout.write(f"  {role}\t{username}")

    @transaction.atomic
    def _load_units(self) -> int:
        created = 0
        for row in json.loads((FIXTURES / "demo_units.json").read_text(encoding="utf-8")):
            unit, was_created = Unit.objects.get_or_create(
                name=row["name"], defaults={"kind": row["kind"], "aliases": row["aliases"]}
            )
            created += was_created
            if not was_created and (unit.kind, unit.aliases) != (row["kind"], row["aliases"]):
                unit.kind, unit.aliases = row["kind"], row["aliases"]
                unit.save(update_fields=["kind", "aliases"])
        return created

    def _import_samples(self) -> None:
        from imports.loader import import_file

        from imports.errors import LedgerImportError

        for path in sorted((FIXTURES / "ledgers").iterdir()):
            if path.suffix.lower() not in {".docx", ".xlsx", ".pdf"}:
                continue
            try:
                report = import_file(path, original_name=path.name)
            except LedgerImportError as exc:
                self.stderr.write(f"{path.name}：{exc}")
                continue
            self.stdout.write(f"{path.name}：{report.summary_zh()}")

    def _open_demo_periods(self) -> None:
        """Give clerks something to fill: the period after each sample's latest one."""
        try:
            from ledger.services.periods import ensure_demo_open_periods
        except ImportError:
            return
        ensure_demo_open_periods()

    @transaction.atomic
    def _ensure_accounts(self) -> list[tuple[str, str, str]]:
        groups = {g.name: g for g in Group.objects.all()}
        accounts = []
        for username, full_name, role in ROLE_ACCOUNTS:
            user = self._account(username, full_name, groups[role], unit=None)
            if role == roles.ADMIN and not (user.is_staff and user.is_superuser):
                user.is_staff = user.is_superuser = True
                user.save(update_fields=["is_staff", "is_superuser"])
            accounts.append((username, role, ""))
        # One clerk per unit that has sub-items, signing in with the unit's name.
        for unit in Unit.objects.filter(assignments__isnull=False).distinct().order_by("name"):
            self._account(unit.name, f"{unit.name}填报员", groups[roles.CLERK], unit=unit)
            accounts.append((unit.name, roles.CLERK, unit.name))
        return accounts

    def _account(self, username: str, full_name: str, group: Group, *, unit: Unit | None) -> User:
        user, created = User.objects.get_or_create(username=username, defaults={"first_name": full_name, "unit": unit})
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        if user.unit_id != (unit.pk if unit else None):
            user.unit = unit
            user.save(update_fields=["unit"])
        user.groups.add(group)
        return user
