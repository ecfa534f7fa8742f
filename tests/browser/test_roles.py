"""Each role does its main job in the browser, from the home page, at 1366 px and at 390 px.

Every walk starts on the home page, follows what “下一步要做” says, does the job once wrong (the
same page comes back in Chinese, with a 4xx) and once right. Screenshots go to
``$LIANYAN_SHOTS`` when it is set (to look at them).
"""

from __future__ import annotations

import datetime as dt
import io
import os
from typing import Any

import pytest

from lianyan import clock
from lianyan.exchanges import designs
from lianyan.exchanges import schemas as s
from lianyan.exchanges.tables import Participant
from lianyan.filings import rules
from tests.browser.conftest import sign_in
from tests.builders import org as f
from tests.builders.files import DESIGN_A, docx_bytes, zip_bytes

WIDTHS = pytest.mark.parametrize("width", [1366, 390])


async def _walker(browser: Any, live_server: Any, username: str, width: int) -> Any:
    context = await browser.new_context(
        base_url=live_server.url, locale="zh-CN",
        viewport={"width": width, "height": 800 if width > 500 else 844},
    )
    context.set_default_timeout(15_000)
    page = await context.new_page()
    await sign_in(page, username)
    return page


async def _shot(page: Any, name: str) -> None:
    folder = os.environ.get("LIANYAN_SHOTS")
    if folder:
        width = page.viewport_size["width"]
        await page.screenshot(path=f"{folder}/{name}-{width}.png", full_page=True)


async def _no_sideways_scroll(page: Any) -> None:
    """The page fits the screen: nothing forces the reader to scroll sideways."""
    overflow = await page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 1, f"{page.url} is {overflow}px wider than the screen"


async def _todo(page: Any) -> str:
    await page.goto("/")
    return str(await page.inner_text("[data-testid=todo-card]"))


@WIDTHS
async def test_teacher_uploads_the_design_the_home_page_asks_for(
    browser, live_server, demo_city, tmp_path, width
):
    wrong, right = tmp_path / "教学设计.docx", tmp_path / "小兔乖乖.docx"
    wrong.write_bytes(zip_bytes())
    right.write_bytes(docx_bytes(DESIGN_A))
    page = await _walker(browser, live_server, "teacher1", width)
    assert "上传“中班语言《小兔乖乖》同研异构”的教学设计" in await _todo(page)
    await _shot(page, "teacher-home")
    await page.click("[data-testid=todo] >> text=教学设计")
    await page.click("[data-testid=my-design]")
    # A zip named .docx: the same page, in Chinese.
    await page.set_input_files("[data-testid=upload-file]", str(wrong))
    async with page.expect_response(lambda r: "/upload" in r.url) as answer:
        await page.click("[data-testid=upload-submit]")
    assert 400 <= (await answer.value).status < 500
    assert "Word" in await page.inner_text("[data-testid=error]")
    await page.set_input_files("[data-testid=upload-file]", str(right))
    await page.click("[data-testid=upload-submit]")
    assert "生成第 1 版" in await page.inner_text("[data-testid=done]")
    await _shot(page, "teacher-design")
    await _no_sideways_scroll(page)
    assert "上传“中班语言" not in await _todo(page)
    await page.context.close()


@WIDTHS
async def test_zone_officer_opens_the_zone_exchange_and_nudges_the_late_teacher(
    browser, live_server, demo_city, width
):
    page = await _walker(browser, live_server, "zone1", width)
    todo = await _todo(page)
    assert "还有 1 位教师未提交教学设计" in todo and "本责任区近期备案活动" in todo
    await _shot(page, "zone-home")
    await page.click("[data-testid=todo] >> text=未提交教学设计")
    await page.click("[data-testid=nudge]")
    assert "已提醒该教师。" in await page.inner_text("[data-testid=done]")
    async with page.expect_response(lambda r: r.url.endswith("/nudge")) as answer:
        await page.click("[data-testid=nudge]")
    assert (await answer.value).status == 303  # refused, and back on the list's own address
    assert "今天已经提醒过" in await page.inner_text("[data-testid=error]")
    assert page.url.split("?")[0].rstrip("/").endswith("/exchanges/progress")
    await _shot(page, "zone-progress")
    await _no_sideways_scroll(page)
    await page.click("[data-testid=progress-row] a")
    assert "小兔乖乖" in await page.inner_text("[data-testid=exchange-title]")
    # Propose a teacher of the zone: first without choosing one, then right.
    await page.fill("[data-testid=propose-form] input[name=note]", "乡村园，游戏化教学有特色")
    async with page.expect_response(lambda r: r.url.endswith("/proposals")) as answer:
        await page.click("[data-testid=propose]")
    assert (await answer.value).status == 400
    assert await page.input_value("[data-testid=propose-form] input[name=note]") == (
        "乡村园，游戏化教学有特色")
    taking_part = await page.inner_text("[data-testid=groups]")
    choices = [(await o.get_attribute("value"), await o.inner_text())
               for o in await page.locator("[data-testid=propose-teacher] option").all()]
    value = next(v for v, text in choices if v and text.split(" · ")[0] not in taking_part)
    await page.select_option("[data-testid=propose-teacher]", value)
    await page.click("[data-testid=propose]")
    assert "并已通知组织者" in await page.inner_text("[data-testid=done]")
    assert "待组织者配对" in await page.inner_text("[data-testid=proposals]")
    await _shot(page, "zone-exchange")
    await _no_sideways_scroll(page)
    await page.context.close()


@WIDTHS
async def test_director_hands_the_design_over_to_another_teacher(
    browser, live_server, demo_city, width
):
    page = await _walker(browser, live_server, "director1", width)
    assert "还有 1 位教师未提交教学设计" in await _todo(page)
    await page.click("[data-testid=todo] >> text=未提交教学设计")
    async with page.expect_response(lambda r: r.url.endswith("/teacher")) as answer:
        await page.click("[data-testid=nominate]")
    assert (await answer.value).status == 400
    assert "设计教师" in await page.inner_text("[data-testid=error-teacher_id]")
    options = page.locator("[data-testid=teacher-choice] option")
    other = [await o.get_attribute("value") for o in await options.all()
             if "（当前）" not in await o.inner_text()][-1]
    await page.select_option("[data-testid=teacher-choice]", other)
    await page.click("[data-testid=nominate]")
    assert "的设计教师改为" in await page.inner_text("[data-testid=done]")
    await _shot(page, "director-progress")
    await _no_sideways_scroll(page)
    await page.context.close()


@WIDTHS
async def test_county_officer_files_a_large_activity_by_the_calendar_day_rule(
    browser, live_server, demo_city, width
):
    today = clock.today()
    if (today + dt.timedelta(days=7)).year != today.year:
        pytest.fail("in the last week of December D + 7 falls in next year's filing")
    page = await _walker(browser, live_server, "lingbao", width)
    assert "报送 " in await _todo(page)
    await _shot(page, "county-home")
    await page.click("[data-testid=todo] >> text=年度教研工作备案")
    form = "form[data-testid=activity-form]"
    for days in (6, 7):
        await page.fill(f"{form} input[name=title]", "全市户外游戏观摩")
        await page.select_option(f"{form} select[name=form]", "seminar")
        await page.fill(f"{form} input[name=starts_on]",
                        (today + dt.timedelta(days=days)).isoformat())
        await page.fill(f"{form} input[name=place]", "灵宝市实验幼儿园")
        await page.fill(f"{form} input[name=participants]", "200")
        await page.check(f"{form} input[name=is_large]")
        await page.click("[data-testid=add-activity]")
        await page.wait_for_load_state()
        if days == 6:
            message = await page.inner_text("#activities [data-testid=error]")
            assert f"最早可定为 {rules.chinese_date(today + dt.timedelta(days=7))}" in message
    assert "全市户外游戏观摩" in await page.inner_text("[data-testid=activities]")
    await _shot(page, "county-workspace")
    await page.context.close()


@WIDTHS
async def test_city_returns_a_submitted_filing_with_its_reason(
    browser, live_server, demo_city, width
):
    page = await _walker(browser, live_server, "city", width)
    assert "审核 1 份已报送的" in await _todo(page)
    await _shot(page, "city-home")
    await page.click("[data-testid=todo] >> text=已报送的")
    await page.click("[data-testid=waiting] [data-testid=review]")
    async with page.expect_response(lambda r: r.url.endswith("/return")) as answer:
        await page.click("[data-testid=return]")
    assert (await answer.value).status == 400
    await page.fill("[data-testid=return-reason]", "附件2 请补充活动地点。")
    await page.click("[data-testid=return]")
    assert await page.inner_text("[data-testid=filing-status]") == "已退回"
    await _shot(page, "city-filing")
    await _no_sideways_scroll(page)
    await page.context.close()


@WIDTHS
async def test_expert_comments_on_the_design_waiting_on_the_home_page(
    browser, live_server, demo_city, store, width
):
    # Arrange: teacher1 has uploaded a design to the current exchange.
    teacher = await f.principal("teacher1")
    mine = await Participant.select(Participant.exchange).where(
        Participant.teacher == teacher.person_id
    ).first()
    assert mine is not None
    exchange_id = mine["exchange"]
    design = await designs.create_design(teacher, exchange_id, s.DesignIn())
    await designs.add_version(teacher, store, design.id, kind="document",
                              fileobj=io.BytesIO(docx_bytes(DESIGN_A)), filename="小兔乖乖.docx",
                              limits=designs.sniff.DEFAULT_LIMITS)
    page = await _walker(browser, live_server, "expert1", width)
    assert "点评“中班语言《小兔乖乖》同研异构”的 1 份教学设计" in await _todo(page)
    await _shot(page, "expert-home")
    await page.click("[data-testid=todo] >> text=点评")
    await page.click(f"a[href='/designs/{design.id}']")
    await page.fill("[data-testid=comment-body]", "   ")
    async with page.expect_response(lambda r: r.url.endswith("/comment")) as answer:
        await page.click("[data-testid=comment-submit]")
    assert (await answer.value).status == 400
    assert "点评" in await page.inner_text("[data-testid=error-body]")
    await page.fill("[data-testid=comment-body]", "目标清楚，建议增加幼儿自主表演的时间。")
    await page.click("[data-testid=comment-submit]")
    await page.wait_for_selector("text=建议增加幼儿自主表演的时间")
    await _shot(page, "expert-design")
    await _no_sideways_scroll(page)
    await page.context.close()
