"""Time the dashboard, the entry list, the ledger view and the exports on a
large generated ledger.

    python manage.py bench_pages [--subtasks 2000 --periods 12 --units 60 --requests 20]

The data is generated in the current database inside a transaction that is
rolled back at the end, so nothing is left behind; still, it refuses to run
unless DEBUG is on or --force is given. Prints median and p95 server time
(Django test Client, as an admin) and the export times of a 100-task period.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import statistics
import time

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse

from ledger import periods as period_values
from ledger import roles
from ledger.exports import export_table
from ledger.models import Ledger, ProgressEntry, ReportingPeriod, Section, Subtask, SubtaskUnit, Task, Unit, User
from ledger.selectors.ledger_table import build_ledger_table

SUBTASKS_PER_TASK = 3
SECTIONS = 6


class _Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "生成大型台账并测量驾驶舱、清单、台账页面和导出的耗时（结束后回滚，不留数据）"

    def add_arguments(self, parser):
        parser.add_argument("--subtasks", type=int, default=2000)
        parser.add_argument("--periods", type=int, default=12)
        parser.add_argument("--units", type=int, default=60)
        parser.add_argument("--requests", type=int, default=20, help="每个页面的请求次数（至少20）")
        parser.add_argument("--force", action="store_true", help="DEBUG关闭时也运行")

    def handle(self, *args, subtasks: int, periods: int, units: int, requests: int, force: bool, **options):
        if not (settings.DEBUG or force):
            raise CommandError("会在当前数据库中生成数据（结束后回滚）；请在DEBUG=1下运行，或加 --force")
        requests = max(20, requests)
        rng = random.Random(20240601)
        try:
            with transaction.atomic():
                started = time.perf_counter()
                ledger, last_period = self._generate(rng, subtasks=subtasks, periods=periods, units=units)
                small = self._generate_small(rng)
                took = time.perf_counter() - started
                self.stdout.write(f"生成数据：{subtasks}个项目内容 × {periods}期、{units}个单位，用时{took:.1f}s")
                self._bench_pages(ledger, last_period, requests=requests)
                self._bench_exports(small)
                raise _Rollback
        except _Rollback:
            self.stdout.write("已回滚生成的数据。")

    # ------------------------------------------------------------------ data

    def _generate(self, rng, *, subtasks: int, periods: int, units: int):
        tag = f"bench-{time.time_ns()}"
        unit_objs = Unit.objects.bulk_create([Unit(name=f"{tag}-单位{i}") for i in range(units)])
        ledger = Ledger.objects.create(title=f"{tag} 基准台账", year=2024, cadence=Ledger.Cadence.MONTH)
        period_objs = self._periods(ledger, periods)
        self._tree(rng, ledger, unit_objs, period_objs, subtasks=subtasks)
        return ledger, period_objs[-1]

    def _generate_small(self, rng):
        unit_objs = list(Unit.objects.order_by("-id")[:20])
        ledger = Ledger.objects.create(title=f"bench-{time.time_ns()} 导出台账", year=2024)
        period_objs = self._periods(ledger, 1)
        self._tree(rng, ledger, unit_objs, period_objs, subtasks=100 * SUBTASKS_PER_TASK)
        return ledger

    def _periods(self, ledger, count: int) -> list[ReportingPeriod]:
        value = period_values.Period(2024, period_values.MONTH, 1)
        out = []
        for _ in range(count):
            out.append(
                ReportingPeriod(
                    ledger=ledger,
                    kind=value.kind,
                    start=value.start,
                    end=value.end,
                    label=value.label,
                    due_date=value.end + dt.timedelta(days=5),
                )
            )
            value = value.next()
        return ReportingPeriod.objects.bulk_create(out)

    def _tree(self, rng, ledger, unit_objs, period_objs, *, subtasks: int) -> None:
        task_count = max(1, -(-subtasks // SUBTASKS_PER_TASK))
        sections = Section.objects.bulk_create(
            [
                Section(ledger=ledger, order=i + 1, name=f"{'一二三四五六'[i % 6]}、板块{i + 1}（共{task_count}项）")
                for i in range(SECTIONS)
            ]
        )
        tasks = Task.objects.bulk_create(
            [
                Task(section=sections[i % SECTIONS], order=i + 1, number=str(i + 1), title=f"目标任务{i + 1}")
                for i in range(task_count)
            ]
        )
        subs = Subtask.objects.bulk_create(
            [
                Subtask(task=tasks[i // SUBTASKS_PER_TASK], order=i % SUBTASKS_PER_TASK + 1, content=f"项目内容{i}" * 4)
                for i in range(subtasks)
            ]
        )
        SubtaskUnit.objects.bulk_create(
            [SubtaskUnit(subtask=s, unit=unit_objs[i % len(unit_objs)], order=0) for i, s in enumerate(subs)]
        )
        statuses = [s for s, _ in ProgressEntry.Status.choices if s != ProgressEntry.Status.NO_TASK]
        reviews = [ProgressEntry.ReviewState.APPROVED] * 3 + [ProgressEntry.ReviewState.SUBMITTED, "draft"]
        entries = [
            ProgressEntry(
                subtask=s,
                period=p,
                progress="本月推进情况说明。" * 6,
                problems=rng.choice(["无", "", "资金缺口较大，需协调解决。"]),
                next_steps="下步继续推进。" * 3,
                status=rng.choice(statuses),
                percent=rng.randrange(0, 101),
                review_state=rng.choice(reviews),
            )
            for p in period_objs
            for s in subs
        ]
        ProgressEntry.objects.bulk_create(entries, batch_size=2000)

    # ------------------------------------------------------------- timings

    def _bench_pages(self, ledger, period, *, requests: int) -> None:
        admin = User.objects.create(username=f"bench-admin-{time.time_ns()}", is_staff=True, is_superuser=True)
        group = Group.objects.filter(name=roles.ADMIN).first()
        if group:
            admin.groups.add(group)
        client = Client()
        client.force_login(admin)
        pages = [
            ("驾驶舱", reverse("dashboard"), {"ledger": ledger.pk, "period": period.pk}),
            ("填报清单", reverse("entry_list"), {"ledger": ledger.pk, "period": period.pk}),
            ("项目清单", reverse("subtask_list"), {"ledger": ledger.pk}),
            ("台账页面", reverse("ledger_table", args=[ledger.pk]), {"period": period.code}),
        ]
        # Static files and hosts as in a request to the real site.
        with override_settings(ALLOWED_HOSTS=["testserver", *settings.ALLOWED_HOSTS]):
            for name, url, params in pages:
                client.get(url, params)  # warm up caches and template loading
                times = []
                for _ in range(requests):
                    started = time.perf_counter()
                    response = client.get(url, params)
                    times.append((time.perf_counter() - started) * 1000)
                    if response.status_code != 200:
                        raise CommandError(f"{name} 返回 {response.status_code}")
                times.sort()
                p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
                self.stdout.write(
                    f"{name:<6} 中位数 {statistics.median(times):7.1f} ms  p95 {p95:7.1f} ms  （{requests}次）"
                )

    def _bench_exports(self, ledger) -> None:
        for fmt in ("docx", "xlsx"):
            times = []
            for _ in range(5):
                started = time.perf_counter()
                table = build_ledger_table(ledger=ledger)
                export_table(table, fmt=fmt, out=io.BytesIO())
                times.append(time.perf_counter() - started)
            self.stdout.write(
                f"导出{fmt}（{table.task_count}项任务）中位数 {statistics.median(times):.2f} s  最长 {max(times):.2f} s"
            )
