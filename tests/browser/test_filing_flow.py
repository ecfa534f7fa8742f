"""A county's annual filing in a real browser, at phone width.

卢氏县's officer opens the year's filing, fills the leadership roster, uploads the regional plan,
adds activities, tries a large activity that starts in two days and reads the one-week message
with the earliest acceptable date, adds a direction, explains the kindergartens still outside
every zone and submits; the city returns it with a reason, the officer resubmits, the city
accepts it, and another county reads the published plan.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from lianyan import clock
from lianyan.filings import rules
from tests.browser.conftest import sign_in
from tests.builders.files import plan_docx


async def _as(browser: Any, live_server: Any, username: str) -> Any:
    context = await browser.new_context(
        base_url=live_server.url, locale="zh-CN", viewport={"width": 390, "height": 844}
    )
    context.set_default_timeout(15_000)
    page = await context.new_page()
    await sign_in(page, username)
    return page


async def _add_activity(page: Any, title: str, starts_on: dt.date, *, large: bool) -> None:
    form = "form[data-testid=activity-form]"
    await page.fill(f"{form} input[name=title]", title)
    await page.select_option(f"{form} select[name=form]", "seminar")
    await page.fill(f"{form} input[name=starts_on]", starts_on.isoformat())
    await page.fill(f"{form} input[name=place]", "卢氏县实验幼儿园")
    await page.fill(f"{form} input[name=participants]", "120" if large else "40")
    if large:
        await page.check(f"{form} input[name=is_large]")
    await page.click("[data-testid=add-activity]")
    await page.wait_for_load_state()


async def test_county_files_city_returns_then_accepts(browser, live_server, demo_city, tmp_path):
    # Arrange: the real clock runs in the server; dates are chosen from today, in the year.
    today = clock.today()
    year_end = dt.date(today.year, 12, 31)
    too_soon = min(today + dt.timedelta(days=2), year_end)
    ordinary = min(today + dt.timedelta(days=30), year_end)
    plan = tmp_path / "卢氏县学前教育区域联盟教研工作方案.docx"
    plan.write_bytes(plan_docx())
    officer = await _as(browser, live_server, "lushi")

    # The officer opens the filing of the year from the navigation
    await officer.click("label.nav-button")
    await officer.click("nav >> text=备案")
    await officer.click("[data-testid=create-filing]")
    checklist = await officer.inner_text("[data-testid=checklist]")
    assert "✗ 待完成 区域教研领导小组名单（附件1）" in checklist

    # 附件1: the roster, first with a mistake (two 组长), then right
    for i, (position, name, unit) in enumerate([
        ("leader", "张建设", "卢氏县教育局"), ("leader", "王红梅", "卢氏县教研室"),
        ("member", "李静", "卢氏县实验幼儿园"),
    ]):
        await officer.select_option(f"select[name=position_{i}]", position)
        await officer.fill(f"input[name=name_{i}]", name)
        await officer.fill(f"input[name=unit_{i}]", unit)
    await officer.click("[data-testid=save-roster]")
    error = await officer.inner_text("#roster [data-testid=error]")
    assert "须有且只有 1 名组长（现有 2 名）" in error
    await officer.select_option("select[name=position_1]", "deputy")
    await officer.click("[data-testid=save-roster]")
    await officer.wait_for_selector("[data-testid=checklist]")
    assert await officer.locator("#roster [data-testid=error]").count() == 0

    # The regional plan
    await officer.set_input_files("#plan input[name=file]", str(plan))
    await officer.click("[data-testid=upload-plan]")
    assert plan.name in await officer.inner_text("[data-testid=plan-document]")

    # 附件2: an ordinary activity, then a large one that starts too soon
    await _add_activity(officer, "户外自主游戏专题研讨", ordinary, large=False)
    assert "户外自主游戏专题研讨" in await officer.inner_text("[data-testid=activities]")
    await _add_activity(officer, "全县幼儿园半日活动观摩", too_soon, large=True)
    message = await officer.inner_text("#activities [data-testid=error]")
    earliest = rules.earliest_start(clock.now())
    assert "大型专题活动须至少提前 7 天（一周）报市教育局备案" in message
    assert f"最早可定为 {rules.chinese_date(earliest)}" in message
    assert "全县幼儿园半日活动观摩" not in await officer.inner_text("[data-testid=activities]")
    assert await officer.input_value("form[data-testid=activity-form] input[name=title]") == (
        "全县幼儿园半日活动观摩"
    )

    # 附件3 and the reasons for the kindergartens outside every zone
    await officer.fill("input[name=direction]", "乡村幼儿园户外游戏材料开发")
    await officer.fill("textarea[name=problem]", "乡村园户外材料单一，幼儿游戏水平不高。")
    await officer.fill("textarea[name=expected_results]", "形成乡土材料游戏案例 20 个。")
    await officer.click("[data-testid=add-direction]")
    await officer.wait_for_selector("[data-testid=directions]")
    for field in await officer.locator("#coverage input[name^=reason_]").all():
        await field.fill("2026年秋季新开办，正在办理划入第三责任区手续")
    await officer.click("[data-testid=save-reasons]")

    # Submit
    await officer.click("[data-testid=submit-filing]")
    assert await officer.inner_text("[data-testid=filing-status]") == "已报送"

    # The city returns it with a reason
    city = await _as(browser, live_server, "city")
    await city.goto("/filings/inbox")
    assert "卢氏县" in await city.inner_text("[data-testid=waiting]")
    await city.click("[data-testid=waiting] tr:has-text(\"卢氏县\") [data-testid=review]")
    await city.fill("[data-testid=return-reason]", "附件2 请补充各责任区的活动安排")
    await city.click("[data-testid=return]")
    assert await city.inner_text("[data-testid=filing-status]") == "已退回"

    # The officer reads the reason, completes the table and resubmits
    await officer.goto("/filings/workspace")
    assert "附件2 请补充各责任区的活动安排" in await officer.inner_text(
        "[data-testid=returned-reason]"
    )
    await _add_activity(officer, "责任区网络教研：区域活动材料", ordinary, large=False)
    await officer.click("[data-testid=submit-filing]")
    assert await officer.inner_text("[data-testid=filing-status]") == "已报送"

    # The city accepts it; the history keeps every step
    await city.reload()
    await city.click("[data-testid=accept]")
    assert await city.inner_text("[data-testid=filing-status]") == "已备案"
    history = await city.inner_text("[data-testid=history]")
    assert history.count("报送") == 2 and "退回：附件2 请补充各责任区的活动安排" in history

    # Another county reads the published plan
    other = await _as(browser, live_server, "lingbao")
    await other.goto("/filings/plans")
    await other.click("[data-testid=plans] >> text=卢氏县")
    assert "户外自主游戏专题研讨" in await other.inner_text("[data-testid=activities]")
    for page in (officer, city, other):
        await page.context.close()
