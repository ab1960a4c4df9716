"""Export a period's ledger as the official Word or Excel file.

    python manage.py export_ledger --ledger 3 --period 2024-06 --format docx -o out.docx

--period takes a code (2024-06, 2025-Q1, 2024-H1, 2023) or a Chinese label
(2025年一季度); a quarter of a monthly ledger combines its months. Errors are
one line on stderr and exit status 1.
"""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from ledger.exports import FORMATS, export_table
from ledger.models import Ledger
from ledger.periods import PeriodError
from ledger.selectors.ledger_table import PeriodNotFound, build_ledger_table


class Command(BaseCommand):
    help = "导出某一期台账为Word（.docx）或Excel（.xlsx）"

    def add_arguments(self, parser):
        parser.add_argument("--ledger", type=int, required=True, help="台账ID")
        parser.add_argument(
            "--period", default="", help="期次：2024-06、2025-Q1、2024-H1、2023或“2025年一季度”；默认最近一期"
        )
        parser.add_argument("--format", choices=FORMATS, default=None, help="docx或xlsx；默认按输出文件扩展名")
        parser.add_argument("-o", "--output", required=True, help="输出文件")

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)

        def one_line_error(message):
            sys.stderr.write(f"错误：{message}\n")
            sys.exit(1)

        parser.error = one_line_error
        return parser

    def execute(self, *args, **options):
        # One line on stderr and exit 1, without a traceback, for any failure.
        try:
            return super().execute(*args, **options)
        except CommandError as exc:
            sys.stderr.write(f"错误：{exc}\n")
            sys.exit(1)
        except DatabaseError as exc:
            sys.stderr.write(f"错误：数据库不可用（{str(exc).splitlines()[0] if str(exc) else type(exc).__name__}）\n")
            sys.exit(1)

    def handle(self, *args, ledger: int, period: str, format: str | None, output: str, **options):
        fmt = format or output.rsplit(".", 1)[-1].lower()
        if fmt not in FORMATS:
            raise CommandError("无法确定导出格式，请用 --format docx 或 --format xlsx")
        try:
            ledger_obj = Ledger.objects.get(pk=ledger)
        except Ledger.DoesNotExist:
            raise CommandError(f"台账 {ledger} 不存在")
        try:
            table = build_ledger_table(ledger=ledger_obj, label=period or None)
        except (PeriodNotFound, PeriodError) as exc:
            raise CommandError(str(exc))
        try:
            export_table(table, fmt=fmt, out=output)
        except OSError as exc:
            raise CommandError(f"无法写入 {output}：{exc.strerror or exc}")
        self.stdout.write(f"已导出“{table.title}”（{table.task_count}项任务）到 {output}")
