"""`python manage.py benchmark [--quick] [--json]`: figures for imports, pages and exports.

Everything runs in a throwaway database made with Django's test-database
machinery, so the real data is never touched: on SQLite a temporary file (a
file, not :memory:, to measure what production does), on PostgreSQL a
database `ledger_bench_<pid>` that is dropped at the end.

Measured:
  import  each sample ledger in fixtures/ledgers: our import_file (a real,
          writing import, rolled back afterwards) against the bare library
          reading the same file (pdfplumber tables of every page; python-docx
          every cell; openpyxl read-only every cell), and their ratio;
  pages   我的任务, the whole-month form, the review page, the dashboard, the
          sub-item list and the ledger view on a generated district: median
          and p95 ms over >= 20 requests (Django test Client, in process, so
          server time without the network) and the SQL query count — also on
          a small district, to show the count does not grow with the data;
  export  docx and xlsx seconds for a 100-task period.

The district comes from bench_pages' generator (the same data shape as its
page timings and the load test). With --json only the JSON object is printed
on stdout; progress goes to stderr.
"""

from __future__ import annotations

import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import connection, reset_queries, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from ledger import roles

SAMPLES = Path(settings.BASE_DIR) / "fixtures" / "ledgers"
FULL = {"subtasks": 2000, "periods": 12, "units": 60, "ledgers": 5, "requests": 20, "import_repeats": 3}
QUICK = {"subtasks": 500, "periods": 6, "units": 60, "ledgers": 5, "requests": 8, "import_repeats": 1}
SMALL = {"subtasks": 60, "periods": 2, "units": 6, "ledgers": 1}


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


class Command(BaseCommand):
    help = "在临时数据库中测量导入、页面和导出的耗时与查询次数，输出JSON（不触碰现有数据）。"

    def add_arguments(self, parser):
        parser.add_argument("--quick", action="store_true", help="小规模快速运行（一分钟内）")
        parser.add_argument("--json", action="store_true", help="只在标准输出打印JSON")
        parser.add_argument("--subtasks", type=int, help="生成的项目内容总数（默认2000，--quick为500）")
        parser.add_argument("--requests", type=int, help="每个页面的请求次数（默认20）")

    def handle(self, *args, quick: bool, json: bool, subtasks: int | None, requests: int | None, **options):
        self.as_json = json
        size = dict(QUICK if quick else FULL)
        if subtasks:
            size["subtasks"] = subtasks
        if requests:
            size["requests"] = max(requests, 1)
        result: dict = {"quick": quick, "machine": {"cpus": os.cpu_count(), "python": platform.python_version()}}
        with _throwaway_database() as db:
            result["db"] = db
            self.note(f"临时数据库：{db['vendor']} {db['name']}")
            result["import"] = self.bench_imports(repeats=size["import_repeats"])
            district, small = self.build_districts(size)
            result["district"] = district["summary"]
            result["pages"] = self.bench_pages(district, small, requests=size["requests"])
            result["export"] = self.bench_exports(district)
        output = _json_dumps(result)
        if self.as_json:
            sys.stdout.write(output + "\n")
        else:
            self.stdout.write(output)

    def note(self, text: str) -> None:
        # Progress never goes to stdout with --json: that is for the JSON alone.
        (sys.stderr if self.as_json else self.stdout).write(text + "\n")

    # ------------------------------------------------------------------ imports

    def bench_imports(self, *, repeats: int) -> list[dict]:
        from imports.loader import import_file
        from imports.parsers import parse_file

        out = []
        for path in sorted(p for p in SAMPLES.iterdir() if p.suffix in (".docx", ".xlsx", ".pdf")):
            ours = []
            report = None
            for _ in range(repeats):
                with transaction.atomic():
                    started = time.perf_counter()
                    report = import_file(path, original_name=path.name, dry_run=False)
                    ours.append(time.perf_counter() - started)
                    transaction.set_rollback(True)
            library = [_bare_library_read(path) for _ in range(repeats)]
            # Reading alone (file -> ParsedLedger) separates our understanding
            # of the ledger from the database writes that follow it.
            parse = []
            for _ in range(repeats):
                started = time.perf_counter()
                parse_file(path, original_name=path.name)
                parse.append(time.perf_counter() - started)
            bare = statistics.median(library)
            row = {
                "file": path.name,
                "subtasks": sum(report.counts["subtasks"].values()) if report else None,
                "ours_s": round(statistics.median(ours), 3),
                "parse_s": round(statistics.median(parse), 3),
                "library_s": round(bare, 3),
                "ratio": round(statistics.median(ours) / bare, 2),
                "parse_ratio": round(statistics.median(parse) / bare, 2),
            }
            self.note(
                f"导入 {path.name}: {row['ours_s']} s，其中解析 {row['parse_s']} s"
                f"（库本身 {row['library_s']} s；导入 {row['ratio']} 倍，解析 {row['parse_ratio']} 倍）"
            )
            out.append(row)
        return out

    # ------------------------------------------------------------------ data

    def build_districts(self, size: dict) -> tuple[dict, dict]:
        started = time.perf_counter()
        big = _district(random.Random(20240601), tag="区", **{k: size[k] for k in SMALL})
        small = _district(random.Random(7), tag="小区", **SMALL)
        took = time.perf_counter() - started
        from ledger.models import ProgressEntry

        big["summary"] = {
            **{k: size[k] for k in SMALL},
            "entries": ProgressEntry.objects.filter(period__ledger__in=big["ledgers"]).count(),
            "generate_s": round(took, 1),
            "small": dict(SMALL),
        }
        self.note(f"生成数据：{big['summary']}")
        return big, small

    # ------------------------------------------------------------------ pages

    def bench_pages(self, district: dict, small: dict, *, requests: int) -> dict:
        out = {}
        with override_settings(ALLOWED_HOSTS=["testserver", *settings.ALLOWED_HOSTS]):
            for name, (who, url) in _pages(district).items():
                client = Client()
                client.force_login(district["users"][who])
                times, queries = _time_page(client, url, requests=requests)
                small_client = Client()
                small_client.force_login(small["users"][who])
                _, small_queries = _time_page(small_client, _pages(small)[name][1], requests=1)
                out[name] = {
                    "url": url,
                    "as": who,
                    "requests": requests,
                    "median_ms": round(statistics.median(times), 1),
                    "p95_ms": round(_p95(times), 1),
                    "queries": queries,
                    "queries_small": small_queries,
                }
                self.note(f"{name}: {out[name]}")
        return out

    # ------------------------------------------------------------------ exports

    def bench_exports(self, district: dict) -> dict:
        import io

        from ledger.exports import export_table
        from ledger.management.commands.bench_pages import SUBTASKS_PER_TASK
        from ledger.management.commands.bench_pages import Command as BenchPages
        from ledger.models import Ledger
        from ledger.selectors.ledger_table import build_ledger_table

        generator = BenchPages()
        ledger = Ledger.objects.create(title="导出基准台账", year=2024)
        periods = generator._periods(ledger, 1)
        generator._tree(random.Random(3), ledger, district["units"][:20], periods, subtasks=100 * SUBTASKS_PER_TASK)
        out: dict = {"tasks": 100, "subtasks": 100 * SUBTASKS_PER_TASK}
        for fmt in ("docx", "xlsx"):
            times = []
            for _ in range(3):
                started = time.perf_counter()
                export_table(build_ledger_table(ledger=ledger), fmt=fmt, out=io.BytesIO())
                times.append(time.perf_counter() - started)
            out[f"{fmt}_s"] = round(statistics.median(times), 3)
        self.note(f"导出：{out}")
        return out


# --- helpers -------------------------------------------------------------------------------------


class _throwaway_database:
    """Django's test-database creation, pointed at a file (SQLite) or ledger_bench_<pid> (PostgreSQL)."""

    def __enter__(self) -> dict:
        self.tmp = None
        conf = connection.settings_dict
        self.old_name = conf["NAME"]
        if connection.vendor == "sqlite":
            self.tmp = tempfile.TemporaryDirectory(prefix="ledger-bench-")
            name = str(Path(self.tmp.name) / "bench.sqlite3")
        else:
            name = f"ledger_bench_{os.getpid()}"
        conf.setdefault("TEST", {})
        self.old_test = dict(conf["TEST"])
        conf["TEST"]["NAME"] = name
        stdout = sys.stdout
        sys.stdout = sys.stderr  # migrate's chatter must not reach the JSON
        try:
            connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        finally:
            sys.stdout = stdout
        version = ".".join(map(str, connection.Database.sqlite_version_info)) if connection.vendor == "sqlite" else ""
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SHOW server_version")
                version = cursor.fetchone()[0]
        return {"vendor": connection.vendor, "version": version, "name": name}

    def __exit__(self, *exc) -> None:
        connection.creation.destroy_test_db(self.old_name, verbosity=0)
        connection.settings_dict["TEST"] = self.old_test
        if self.tmp is not None:
            self.tmp.cleanup()


def _district(rng: random.Random, *, tag: str, subtasks: int, periods: int, units: int, ledgers: int) -> dict:
    """`ledgers` ledgers sharing `units` units, `subtasks` sub-items in all, each with `periods` months."""
    from ledger.management.commands.bench_pages import Command as BenchPages
    from ledger.models import Ledger, Unit, User

    generator = BenchPages()
    unit_objs = Unit.objects.bulk_create([Unit(name=f"{tag}单位{i}") for i in range(units)])
    ledger_objs = []
    last_periods = []
    for n in range(ledgers):
        ledger = Ledger.objects.create(title=f"{tag}台账{n + 1}", year=2024, cadence=Ledger.Cadence.MONTH)
        period_objs = generator._periods(ledger, periods)
        generator._tree(rng, ledger, unit_objs, period_objs, subtasks=subtasks // ledgers)
        ledger_objs.append(ledger)
        last_periods.append(period_objs[-1])
    users = {}
    for who, role, unit in (
        ("clerk", roles.CLERK, unit_objs[0]),
        ("reviewer", roles.REVIEWER, None),
        ("leader", roles.LEADER, None),
    ):
        user = User.objects.create(username=f"{tag}-{who}", unit=unit)
        user.groups.add(Group.objects.get(name=role))
        users[who] = user
    return {"ledgers": ledger_objs, "periods": last_periods, "units": unit_objs, "users": users}


def _pages(district: dict) -> dict[str, tuple[str, str]]:
    ledger, period = district["ledgers"][0], district["periods"][0]
    return {
        "my_tasks": ("clerk", reverse("my_tasks")),
        "month_form": ("clerk", reverse("month_form", args=[period.pk])),
        "review": ("reviewer", reverse("review") + f"?period={period.pk}"),
        "dashboard": ("leader", reverse("dashboard") + f"?ledger={ledger.pk}&period={period.pk}"),
        "subtask_list": ("leader", reverse("subtask_list") + f"?ledger={ledger.pk}"),
        "ledger_view": ("leader", reverse("ledger_table", args=[ledger.pk]) + f"?period={period.code}"),
    }


def _time_page(client: Client, url: str, *, requests: int) -> tuple[list[float], int]:
    response = client.get(url, secure=True)  # warm-up: template loading, caches
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}")
    # The query log is a bounded deque: once full (DEBUG after bulk inserts),
    # a capture would count zero. Start from an empty log.
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        client.get(url, secure=True)
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        client.get(url, secure=True)
        times.append((time.perf_counter() - started) * 1000)
    # Session and auth lookups are part of every request; count them too.
    return times, len(queries.captured_queries)


def _bare_library_read(path: Path) -> float:
    """Seconds the library alone needs to read every table cell of the file."""
    started = time.perf_counter()
    if path.suffix == ".pdf":
        import pdfplumber

        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                page.extract_tables()
    elif path.suffix == ".docx":
        from docx import Document

        for table in Document(str(path)).tables:
            for row in table.rows:
                for cell in row.cells:
                    _ = cell.text
    else:
        from openpyxl import load_workbook

        workbook = load_workbook(path, read_only=True)
        for sheet in workbook.worksheets:
            for _row in sheet.iter_rows(values_only=True):
                pass
        workbook.close()
    return time.perf_counter() - started


def _json_dumps(result: dict) -> str:
    return json.dumps(result, ensure_ascii=False, indent=2)
