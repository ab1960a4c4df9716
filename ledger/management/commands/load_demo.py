"""Demo data: the sample ledgers' units, one account per role, the samples.

Idempotent: running it again changes nothing.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from ledger import roles
from ledger.models import Ledger, ReportingPeriod, SubtaskUnit, Unit, User
from ledger.services.entries import EntryInput, approve_entry, return_entry, save_entry
from ledger.services.periods import next_period_value
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
        accounts = self._ensure_accounts()
        opened = self._open_demo_periods()
        self.stdout.write(f"单位：新建 {created_units} 个，共 {Unit.objects.count()} 个。")
        for period in opened:
            self.stdout.write(f"已开启演示期次：{period}（截止 {period.due_date}）")
        self.stdout.write(f"演示账户（密码均为 {DEMO_PASSWORD}）：")
        for username, role, _unit in accounts:
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
        from imports.errors import LedgerImportError
        from imports.loader import import_file

        for path in sorted((FIXTURES / "ledgers").iterdir()):
            if path.suffix.lower() not in {".docx", ".xlsx", ".pdf"}:
                continue
            try:
                report = import_file(path, original_name=path.name)
            except LedgerImportError as exc:
                self.stderr.write(f"{path.name}：{exc}")
                continue
            self.stdout.write(f"{path.name}：{report.summary_zh()}")

    @transaction.atomic
    def _open_demo_periods(self) -> list[ReportingPeriod]:
        """Give every role something to do: the period after each sample's own,
        due in ten days, part-filled by the units' clerks and part-reviewed.

        Only a period this command creates is seeded, so a second run changes
        nothing. Writes go through the same services the pages use.
        """
        opened = []
        today = timezone.localdate()
        for ledger in Ledger.objects.all():
            latest = ledger.periods.order_by("-start").first()
            if latest is None or not latest.entries.exclude(source_file="").exists():
                continue
            value = latest.value.next() if latest.kind == ledger.cadence else next_period_value(ledger=ledger)
            if value.year != ledger.year:
                continue  # a year's ledger ends with its year
            period, created = ReportingPeriod.objects.get_or_create(
                ledger=ledger,
                start=value.start,
                kind=value.kind,
                defaults={
                    "end": value.end,
                    "label": value.label,
                    "title": "",
                    "due_date": today + dt.timedelta(days=10),
                },
            )
            if created:
                self._seed_reports(period=period, previous=latest)
                opened.append(period)
        return opened

    def _seed_reports(self, *, period: ReportingPeriod, previous: ReportingPeriod) -> None:
        reviewer = User.objects.get(username="reviewer")
        clerks = {u.unit_id: u for u in User.objects.filter(groups__name=roles.CLERK, unit__isnull=False)}
        earlier = {e.subtask_id: e for e in previous.entries.all()}
        leads = SubtaskUnit.objects.filter(
            subtask__task__section__ledger=period.ledger, role=SubtaskUnit.Role.LEAD
        ).select_related("subtask")
        submitted = []
        for index, link in enumerate(leads.order_by("subtask__task__section__order", "subtask__task__order")):
            before, clerk = earlier.get(link.subtask_id), clerks.get(link.unit_id)
            # Every third sub-item stays unreported, so 催报 has units to chase.
            if before is None or clerk is None or index % 3 == 0:
                continue
            entry = save_entry(
                user=clerk,
                subtask=link.subtask,
                period=period,
                data=EntryInput.from_entry(before),
                version=0,
                submit=index % 3 == 1,
            )
            if index % 3 == 1:
                submitted.append(entry)
        for index, entry in enumerate(submitted):
            if index == 0:
                return_entry(
                    user=reviewer,
                    entry_id=entry.pk,
                    version=entry.version,
                    comment="进展情况与上期相同，请补充本期新完成的工作量。",
                )
            elif index % 2 == 0:
                approve_entry(user=reviewer, entry_id=entry.pk, version=entry.version)

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
