"""领导驾驶舱: reporting rate, status, lights, problems and trend of a period."""

from __future__ import annotations

from django.shortcuts import get_object_or_404, render
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator

from ledger.models import Ledger
from ledger.params import int_param
from ledger.selectors import dashboard as selectors
from ledger.views._access import read_all_required


@read_all_required
def dashboard(request):
    ledgers = list(Ledger.objects.order_by("-year", "title"))
    ledger_id = int_param(request.GET.get("ledger"))
    ledger = ledgers[0] if ledgers else None
    if ledger_id is not None:
        ledger = get_object_or_404(Ledger, pk=ledger_id)
    context = {"ledgers": ledgers, "ledger": ledger, "board": None, "light_rules": selectors.LIGHT_RULES}
    if ledger is not None:
        period_id = int_param(request.GET.get("period"))
        period = None
        if period_id is not None:
            period = get_object_or_404(ledger.periods, pk=period_id)
        period = period or selectors.default_period(ledger)
        if period is not None:
            board = selectors.build_dashboard(ledger=ledger, period=period)
            context.update(
                board=board,
                chart_data=board.chart_data(),
                period=period,
                task_rows_html=_task_rows_html(board),
                problems_html=_problems_html(board),
            )
    return render(request, "ledger/dashboard.html", context)


# The two long lists (one row per task, one item per problem) are built with
# format_html_join: on a 2,000-item ledger the template engine needs ~10x longer
# for the same markup, and the dashboard must answer in well under 150 ms.


def _task_rows_html(board):
    return format_html_join(
        "",
        '<tr><td><span class="light light-{}" title="{}"></span><span class="visually-hidden">{}</span></td>'
        '<td class="small">{}</td><td>{}</td><td>{}</td><td class="text-end">{}</td><td class="text-end">{}</td>'
        '<td class="text-end">{}</td><td class="text-end">{}</td><td class="text-end">{}</td></tr>',
        (
            (
                t.light,
                t.label,
                t.label,
                t.section,
                t.number,
                Truncator(t.title).chars(60),
                t.counts.get("done", 0),
                t.counts.get("in_progress", 0),
                t.counts.get("delayed", 0),
                t.counts.get("not_started", 0),
                t.counts.get("unreported", 0),
            )
            for t in board.tasks
        ),
    )


def _problems_html(board):
    parts = []
    for unit, items in board.problems.items():
        parts.append(
            format_html(
                '<h2 class="h6 mt-2">{} <span class="badge text-bg-secondary">{}</span></h2><ul class="small">{}</ul>',
                unit,
                len(items),
                format_html_join(
                    "",
                    '<li><a href="{}">{}</a>：<span class="pre-wrap">{}</span></li>',
                    ((p.url, Truncator(p.task).chars(30), p.text) for p in items),
                ),
            )
        )
    return format_html_join("", "{}", ((p,) for p in parts))
