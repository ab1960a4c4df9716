"""End to end in Chromium: a clerk files two sub-items on the whole-month form,
the reviewer returns one with a comment, the clerk fixes and resubmits, the
reviewer approves both and locks the period."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from ledger import roles
from ledger.models import ProgressEntry
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "pass12345"
State = ProgressEntry.ReviewState


@pytest.fixture
def data(transactional_db):
    unit = factories.UnitFactory(name="区住建局")
    clerk = factories.UserFactory(username="zjj", first_name="住建局填报员", unit=unit, role=roles.CLERK)
    reviewer = factories.UserFactory(username="dcs", first_name="督查室", role=roles.REVIEWER)
    ledger = factories.LedgerFactory(title="2024年民生实事台账")
    section = factories.SectionFactory(ledger=ledger, order=1, name="一、城市建设")
    task = factories.TaskFactory(section=section, order=1, number="3", title="实施城市品质提升工程")
    items = []
    for i, content in enumerate(["改造2个老旧小区", "新建供热管网3公里"], 1):
        s = factories.SubtaskFactory(task=task, order=i, content=content)
        factories.SubtaskUnitFactory(subtask=s, unit=unit)
        items.append(s)
    prev = factories.PeriodFactory(
        ledger=ledger, start=dt.date(2024, 5, 1), end=dt.date(2024, 5, 31), label="2024年5月", locked=True
    )
    factories.EntryFactory(
        subtask=items[0], period=prev, progress="五月：完成施工招标。", review_state=State.APPROVED, percent=20
    )
    period = factories.PeriodFactory(
        ledger=ledger, start=dt.date(2024, 6, 1), end=dt.date(2024, 6, 30), label="2024年6月"
    )
    return {"clerk": clerk, "reviewer": reviewer, "items": items, "period": period}


def sign_in(page, base, username):
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def sign_out(page):
    page.click("nav form button[type=submit]")
    expect(page).to_have_url(re.compile(r"/login/"))


def row(page, subtask):
    return page.locator(f"#row-{subtask.pk}")


def test_reporting_flow(page, live_server, data, shot):
    base = live_server.url
    first, second = data["items"]
    period = data["period"]

    # The clerk lands on 我的任务 and opens the whole-month form.
    sign_in(page, base, "zjj")
    expect(page).to_have_url(re.compile(r"/tasks/$"))
    expect(page.get_by_test_id("counts")).to_contain_text("本期应报 2，已报 0，退回 0")
    # Bootstrap really loaded (the navbar has the primary colour).
    navbar_bg = page.eval_on_selector("nav.navbar", "el => getComputedStyle(el).backgroundColor")
    assert navbar_bg == "rgb(13, 110, 253)"
    shot(page, "e2e-01-my-tasks")
    page.get_by_test_id("month-link").click()
    expect(page).to_have_url(re.compile(rf"/report/month/{period.pk}/$"))

    # Row 1: copy last period forward, change it, submit in place (htmx).
    row(page, first).get_by_role("button", name="复制上期").click()
    expect(row(page, first).get_by_test_id("row-notice")).to_contain_text("已复制上期内容")
    row(page, first).locator("textarea[data-field=progress]").fill("六月：2个小区已开工，完成投资40%。")
    row(page, first).locator("input[data-field=percent]").fill("40")
    row(page, first).get_by_test_id("row-submit").click()
    expect(row(page, first).get_by_test_id("row-notice")).to_contain_text("已提交")
    expect(row(page, first).get_by_test_id("state")).to_have_text("已提交")

    # Row 2: save a draft, then "submit all filled drafts".
    row(page, second).locator("textarea[data-field=progress]").fill("六月：完成管网设计。")
    row(page, second).get_by_test_id("row-save").click()
    expect(row(page, second).get_by_test_id("state")).to_have_text("草稿")
    shot(page, "e2e-02-month-form")
    page.get_by_test_id("submit-all").click()
    expect(page.locator(".alert-success")).to_contain_text("已提交 1 条草稿")
    expect(row(page, second).get_by_test_id("state")).to_have_text("已提交")
    sign_out(page)

    # The reviewer returns the second with a comment.
    sign_in(page, base, "dcs")
    expect(page).to_have_url(re.compile(r"/review/"))
    entry2 = ProgressEntry.objects.get(subtask=second, period=period)
    review_row = page.locator(f"#review-{entry2.pk}")
    review_row.get_by_test_id("return-toggle").click()
    review_row.get_by_test_id("return-comment").fill("请写明已完成的管网长度。")
    review_row.get_by_test_id("return-submit").click()
    expect(page.locator(f"#review-{entry2.pk}").get_by_test_id("state")).to_have_text("已退回")
    shot(page, "e2e-03-review-returned")
    sign_out(page)

    # The clerk sees it first with the comment, fixes it and resubmits.
    sign_in(page, base, "zjj")
    returned = page.get_by_test_id("returned")
    expect(returned).to_contain_text("请写明已完成的管网长度。")
    expect(page.get_by_test_id("counts")).to_contain_text("退回 1")
    shot(page, "e2e-04-returned-first")
    returned.get_by_role("link", name="去修改").click()
    expect(page.get_by_test_id("reviewer-comment")).to_contain_text("请写明已完成的管网长度。")
    page.fill("#id_progress", "六月：完成管网设计，已铺设1.2公里。")
    page.get_by_role("button", name="提交").click()
    expect(page.locator(".alert-success")).to_contain_text("已提交")
    expect(page.get_by_test_id("history")).to_contain_text("退回后重新提交")
    shot(page, "e2e-05-entry-resubmitted")
    sign_out(page)

    # The reviewer approves both (bulk) and locks the period.
    sign_in(page, base, "dcs")
    page.locator("input[data-check-all]").check()
    page.get_by_test_id("bulk-approve").click()
    expect(page.locator(".alert-success")).to_contain_text("已审核通过 2 条")
    shot(page, "e2e-06-review-approved")
    page.get_by_role("link", name="期次管理").click()
    page.locator("[data-testid=period-row]", has_text="2024年6月").get_by_test_id("lock").click()
    expect(page.locator(".alert-success")).to_contain_text("2024年6月已锁定")
    shot(page, "e2e-07-periods-locked")

    states = set(ProgressEntry.objects.filter(period=period).values_list("review_state", flat=True))
    assert states == {State.APPROVED}
    period.refresh_from_db()
    assert period.locked
    csp_errors = [m for m in page.console_errors if "Content Security Policy" in m or "Refused" in m]
    assert csp_errors == []
