"""``manage.py import_ledger FILE [--ledger ID] [--period LABEL] [--dry-run] [--json]``.

Scripts and hooks depend on the output contract:

* ``--dry-run --json`` prints the canonical ledger JSON and nothing else,
  writes nothing and needs no database (unless ``--ledger`` is given);
* ``--json`` (writing) prints the same JSON plus "ledger_id" and "period";
* every failure is one line "错误：…" on stderr and exit status 1, never a
  traceback.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import warnings

from django.core.management.base import BaseCommand

from imports.errors import ImportFileMissingError, LedgerImportError
from imports.loader import ImportReport, check_file, get_ledger, import_file, resolve_period_arg


class Command(BaseCommand):
    help = "导入一份台账文件（.docx、.xlsx、.pdf）：读取、核对并写入数据库；--dry-run 只读取不写入。"
    # The checks cost time and may print; a script reading stdout wants neither.
    requires_system_checks: list = []

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)

        def one_line_error(message: str):
            # Arguments are parsed before execute() sets up self.stderr.
            sys.stderr.write(f"错误：参数错误：{' '.join(message.split())}\n")
            sys.exit(1)

        parser.error = one_line_error
        return parser

    def add_arguments(self, parser):
        parser.add_argument("file", help="台账文件路径")
        parser.add_argument("--ledger", help="导入到这个台账（ID）；不指定则按标题和年度查找或新建")
        parser.add_argument("--period", help="期次，如 2024-06、2025-Q1、2024-H1、2023；不指定则从标题或文件名识别")
        parser.add_argument("--dry-run", action="store_true", help="只读取和核对，不写入数据库")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出读取到的台账")

    def _fail(self, message: str):
        text = " ".join(str(message).split()) or "导入失败"
        self.stderr.write(f"错误：{text}", style_func=lambda s: s)
        self.stderr.flush()
        sys.exit(1)

    def handle(self, *args, **options):
        # Library chatter (pdfminer font warnings) must not reach the terminal
        # of a script that expects exactly one line on failure.
        logging.getLogger("pdfminer").setLevel(logging.ERROR)
        logging.getLogger("pdfplumber").setLevel(logging.ERROR)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                self._handle(options)
            except LedgerImportError as exc:
                self._fail(str(exc))
            except (KeyboardInterrupt, SystemExit):
                raise
            except Exception as exc:  # a bug must still honour the one-line contract
                self._fail(f"导入失败（{type(exc).__name__}）：{exc}")

    def _handle(self, options) -> None:
        path = options["file"]
        if not os.path.isfile(path):
            raise ImportFileMissingError(f"文件不存在：{path}")
        ledger_id = None
        if options["ledger"] is not None:
            text = str(options["ledger"]).strip()
            if not text.isdigit():
                raise LedgerImportError(f"--ledger 应为台账ID（数字），而不是“{text}”")
            ledger_id = int(text)
        period = options["period"]
        if period is not None:
            period = period.strip()
            resolve_period_arg(period)

        if options["dry_run"] and options["json"]:
            self._dump_parsed(path, ledger_id=ledger_id, period=period)
            return
        report = import_file(
            path,
            original_name=os.path.basename(path),
            ledger_id=ledger_id,
            period=period or None,
            dry_run=options["dry_run"],
        )
        if options["json"]:
            from imports.ledger_json import to_json_dict

            data = to_json_dict(report.parsed)
            data["ledger_id"] = report.ledger_id
            data["period"] = report.period_code
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
        else:
            self._print_summary(report)

    def _dump_parsed(self, path: str, *, ledger_id: int | None, period: str | None) -> None:
        from imports.ledger_json import to_json_dict
        from imports.parsers import parse_file

        if ledger_id is not None:
            get_ledger(ledger_id=ledger_id)
        check_file(path)
        parsed = parse_file(path, original_name=os.path.basename(path))
        if period:
            parsed.period = resolve_period_arg(period)
        self.stdout.write(json.dumps(to_json_dict(parsed), ensure_ascii=False, indent=2))

    def _print_summary(self, report: ImportReport) -> None:
        out = self.stdout
        out.write(report.summary_zh())
        if report.ledger_id is not None:
            out.write(f"台账ID：{report.ledger_id}，期次：{report.period_code}（{report.period_label}）")
        else:
            out.write(f"将新建台账，期次：{report.period_code}（{report.period_label}）")
        if report.new_units:
            out.write(f"新增责任单位（{len(report.new_units)}个）：" + "、".join(report.new_units))
        if report.warnings:
            out.write(f"提示（{len(report.warnings)}条）：")
            for warning in report.warnings:
                out.write(f"  - {warning}")
