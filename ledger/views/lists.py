"""Filtered, paginated, sortable lists of sub-items and entries, with xlsx export."""

from __future__ import annotations

import io
from urllib.parse import quote

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from ledger.exports import CONTENT_TYPES
from ledger.exports.excel import write_list_xlsx
from ledger.filters import EntryFilter, SubtaskFilter
from ledger.selectors import lists as selectors
from ledger.selectors.dashboard import entry_url
from ledger.views._access import read_all_required

PAGE_SIZE = 50
EXPORT_LIMIT = 20000


def _xlsx_response(*, name: str, headers: list[str], rows) -> HttpResponse:
    buffer = io.BytesIO()
    write_list_xlsx(title=name, headers=headers, rows=rows, out=buffer)
    response = HttpResponse(buffer.getvalue(), content_type=CONTENT_TYPES["xlsx"])
    filename = f"{name}{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = f"attachment; filename=\"list.xlsx\"; filename*=UTF-8''{quote(filename)}"
    return response


def _query_without(request, *names: str) -> str:
    params = request.GET.copy()
    for name in names:
        params.pop(name, None)
    return params.urlencode()


@read_all_required
def subtask_list(request):
    filterset = SubtaskFilter(request.GET or None, queryset=selectors.subtask_rows())
    qs = filterset.qs
    if request.GET.get("export") == "xlsx":
        headers = ["台账", "板块", "序号", "目标任务", "项目内容", "责任单位"]
        rows = (
            [
                s.task.section.ledger.title,
                s.task.section.name,
                s.task.number,
                s.task.title,
                s.content,
                selectors.unit_names(s),
            ]
            for s in qs[:EXPORT_LIMIT]
        )
        return _xlsx_response(name="项目内容清单", headers=headers, rows=rows)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"subtask": s, "units": selectors.unit_names(s)} for s in page]
    return render(
        request,
        "ledger/lists/subtasks.html",
        {
            "filter": filterset,
            "page": page,
            "rows": rows,
            "query": _query_without(request, "page", "export"),
            "sort_query": _query_without(request, "page", "export", "o"),
        },
    )


@read_all_required
def entry_list(request):
    filterset = EntryFilter(request.GET or None, queryset=selectors.entry_rows())
    qs = filterset.qs
    if request.GET.get("export") == "xlsx":
        headers = ["台账", "期次", "板块", "序号", "项目内容", "责任单位", "状态", "完成百分比", "审核状态"]
        headers += ["进展情况", "存在问题", "下步打算", "更新时间"]
        rows = (
            [
                e.period.ledger.title,
                e.period.label,
                e.subtask.task.section.name,
                e.subtask.task.number,
                e.subtask.content,
                selectors.unit_names(e.subtask),
                e.get_status_display(),
                e.percent,
                e.get_review_state_display(),
                e.progress,
                e.problems,
                e.next_steps,
                timezone.localtime(e.updated_at).strftime("%Y-%m-%d %H:%M"),
            ]
            for e in qs[:EXPORT_LIMIT]
        )
        return _xlsx_response(name="进展填报清单", headers=headers, rows=rows)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "entry": e,
            "units": selectors.unit_names(e.subtask),
            "url": entry_url(subtask_id=e.subtask_id, period_id=e.period_id, entry_id=e.id),
        }
        for e in page
    ]
    return render(
        request,
        "ledger/lists/entries.html",
        {
            "filter": filterset,
            "page": page,
            "rows": rows,
            "query": _query_without(request, "page", "export"),
            "sort_query": _query_without(request, "page", "export", "o"),
        },
    )
