"""催报: per period, the units that have not reported yet, to chase them.

Access: reviewers, admins and leaders (read-only, same list) see it and may
download it; clerks get 403. An entry counts as reported when it is
submitted or approved. Exports write every cell as text: a cell starting
with = + - @ (or a tab / carriage return) gets a leading apostrophe in CSV
and is stored as a string cell in xlsx, so no spreadsheet runs it as a formula.
"""

from __future__ import annotations

import csv
import io

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from openpyxl import Workbook

from ledger.exports import CONTENT_TYPES
from ledger.selectors import reporting as sel
from ledger.spreadsheet import append_row, csv_safe
from ledger.views.review import selected_period

HEADER = ["序号", "责任单位", "应报", "已报", "未报", "逾期天数"]


def _table(rows: list[sel.ChaseRow]) -> list[list]:
    return [[i, r.unit.name, r.due, r.reported, r.missing, r.days_late] for i, r in enumerate(rows, 1)]


@login_required
def chase(request):
    """The units of a period that have not reported everything, with a copyable text and downloads."""
    sel.require_office_reader(request.user)
    periods = sel.all_periods()
    period = selected_period(request, periods)
    rows = sel.chase_rows(period=period) if period else []
    context = {
        "periods": periods,
        "period": period,
        "rows": rows,
        "text": sel.chase_text(period=period, rows=rows) if period else "",
        "totals": {
            "due": sum(r.due for r in rows),
            "reported": sum(r.reported for r in rows),
            "missing": sum(r.missing for r in rows),
        },
    }
    return render(request, "ledger/chase.html", context)


@login_required
def chase_export(request, fmt: str):
    """The chase list as CSV (UTF-8 with BOM, for Excel) or xlsx."""
    sel.require_office_reader(request.user)
    periods = sel.all_periods()
    period = selected_period(request, periods)
    if period is None or fmt not in ("csv", "xlsx"):
        raise Http404("没有可导出的期次")
    rows = sel.chase_rows(period=period)
    title = f"{period.ledger.title}{period.label}未报单位"
    table = _table(rows)
    filename = f"chase-{period.code}.{fmt}"
    if fmt == "csv":
        buffer = io.StringIO()
        buffer.write("\ufeff")
        writer = csv.writer(buffer)
        writer.writerow([csv_safe(title)])
        writer.writerow(HEADER)
        for line in table:
            writer.writerow([csv_safe(v) for v in line])
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    else:
        wb = Workbook()
        ws = wb.active
        ws.title = "未报单位"
        for line in [[title], HEADER, *table]:
            append_row(ws, line)
        ws.column_dimensions["B"].width = 36
        out = io.BytesIO()
        wb.save(out)
        response = HttpResponse(out.getvalue(), content_type=CONTENT_TYPES["xlsx"])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
