"""A whole 同研异构 exchange in a real browser.

An officer of 灵宝市 creates an exchange, invites an expert and pairs a 灵宝市 kindergarten with
a 卢氏县 one; both teachers upload their designs; the expert comments and scores; a teacher
replies; the comparison view shows both designs' sections side by side.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from lianyan import clock
from lianyan.auth.tables import Account
from lianyan.org.tables import Person
from tests.browser.conftest import sign_in
from tests.builders.files import DESIGN_A, DESIGN_B, docx_bytes


async def _person(username: str) -> dict[str, Any]:
    row = await Account.select(Account.person).where(Account.username == username).first()
    person = await Person.select(Person.id, Person.kindergarten).where(
        Person.id == row["person"]
    ).first()
    return dict(person)


async def _as(browser: Any, live_server: Any, username: str) -> Any:
    context = await browser.new_context(
        base_url=live_server.url, locale="zh-CN", viewport={"width": 390, "height": 844}
    )
    context.set_default_timeout(15_000)
    page = await context.new_page()
    await sign_in(page, username)
    return page


def _local(value: dt.datetime) -> str:
    return value.astimezone(clock.CITY_TZ).strftime("%Y-%m-%dT%H:%M")


async def _upload_design(page: Any, exchange_url: str, path: Any) -> str:
    await page.goto(exchange_url)
    await page.click("[data-testid=my-design]")
    await page.wait_for_selector("[data-testid=upload-form]")
    await page.set_input_files("[data-testid=upload-file]", str(path))
    await page.click("[data-testid=upload-submit]")
    await page.wait_for_selector("[data-testid=done]")
    assert "生成第 1 版" in await page.inner_text("[data-testid=done]")
    return page.url.split("?")[0]


async def test_officer_pairs_teachers_upload_expert_reviews_and_compare(
    browser, live_server, browser_page, demo_city, tmp_path
):
    # Arrange
    teacher1, teacher2 = await _person("teacher1"), await _person("teacher2")
    expert1 = await _person("expert1")
    now = clock.now()
    design_a, design_b = tmp_path / "小兔乖乖-灵宝.docx", tmp_path / "小兔乖乖-卢氏.docx"
    design_a.write_bytes(docx_bytes(DESIGN_A))
    design_b.write_bytes(docx_bytes(DESIGN_B))

    # The officer creates the exchange (phone width is not needed for the long forms)
    officer = browser_page
    await sign_in(officer, "lingbao")
    await officer.click("nav >> text=同研异构")
    await officer.click("[data-testid=new-exchange]")
    await officer.fill("input[name=title]", "中班语言《小兔乖乖》城乡同研")
    await officer.fill("input[name=content]", "中班语言《小兔乖乖》")
    await officer.select_option("select[name=age_group]", "middle")
    await officer.select_option("select[name=domain]", "language")
    await officer.select_option("select[name=mode]", "onsite")
    await officer.fill("input[name=place]", "灵宝市实验幼儿园")
    await officer.fill("input[name=starts_at]", _local(now + dt.timedelta(days=8)))
    await officer.fill("input[name=design_deadline]", _local(now + dt.timedelta(days=5)))
    await officer.fill("input[name=comment_deadline]", _local(now + dt.timedelta(days=12)))
    await officer.click("form[data-testid=exchange-form] button[type=submit]")
    await officer.wait_for_selector("[data-testid=exchange-title]")
    exchange_url = officer.url.split("?")[0]
    assert "交流活动已创建" in await officer.inner_text("[data-testid=done]")

    # ... invites the expert
    await officer.select_option("select[name=person_id]", str(expert1["id"]))
    await officer.click("[data-testid=invite]")
    await officer.wait_for_selector("[data-testid=done]")
    assert "专家" in await officer.inner_text("[data-testid=experts]")

    # ... and pairs a 灵宝市 kindergarten with a 卢氏县 one from the suggestion
    await officer.click("[data-testid=pairing-link]")
    await officer.check("label:has-text('灵宝市') input[name=county_id]")
    await officer.check("label:has-text('卢氏县') input[name=county_id]")
    await officer.click("[data-testid=list-candidates]")
    await officer.check(f"[data-testid=candidate-{teacher1['kindergarten']}]")
    await officer.check(f"[data-testid=candidate-{teacher2['kindergarten']}]")
    await officer.click("[data-testid=suggest]")
    group_one = await officer.inner_text("[data-testid=pair-group-1]")
    assert "第 1 组" in group_one and "结对" in group_one
    assert await officer.input_value(
        f"[data-testid=group-of-{teacher1['kindergarten']}]"
    ) == await officer.input_value(f"[data-testid=group-of-{teacher2['kindergarten']}]") == "1"
    await officer.select_option(f"[data-testid=teacher-of-{teacher1['kindergarten']}]",
                                str(teacher1["id"]))
    await officer.select_option(f"[data-testid=teacher-of-{teacher2['kindergarten']}]",
                                str(teacher2["id"]))
    await officer.click("[data-testid=confirm]")
    await officer.wait_for_selector("[data-testid=group-1]")
    group = await officer.inner_text("[data-testid=group-1]")
    assert "灵宝市" in group and "卢氏县" in group

    # Both teachers upload their designs, on a phone-width screen
    t1 = await _as(browser, live_server, "teacher1")
    t1_design = await _upload_design(t1, exchange_url, design_a)
    assert "知道不给陌生人开门" in await t1.inner_text("[data-testid=versions]")
    t2 = await _as(browser, live_server, "teacher2")
    await _upload_design(t2, exchange_url, design_b)

    # The expert comments and scores teacher1's design
    expert = await _as(browser, live_server, "expert1")
    await expert.goto(t1_design)
    await expert.fill("[data-testid=comment-body]", "目标表述清楚，建议增加幼儿自主表演的时间。")
    await expert.click("[data-testid=comment-submit]")
    await expert.wait_for_selector("text=目标表述清楚")
    for item in ("goal", "content", "process", "children", "teacher"):
        # the form starts empty: every mark is chosen, none is 5 by default
        assert await expert.input_value(f"[data-testid=score-{item}]") == ""
        await expert.fill(f"[data-testid=reason-{item}]", "符合中班幼儿年龄特点")
        await expert.select_option(f"[data-testid=score-{item}]", "5")
    await expert.select_option("[data-testid=score-goal]", "4")
    await expert.click("[data-testid=score-submit]")
    # at 390 px the table stacks: the row is there, its items labelled beside the marks
    await expert.wait_for_selector("[data-testid=scores] [data-testid^=score-row-]")
    assert "24" in await expert.inner_text("[data-testid=scores]")

    # teacher1 replies in the thread
    await t1.goto(t1_design)
    await t1.click("[data-testid=comments] summary:has-text('回复')")
    textarea = t1.locator("[data-testid^=reply-]").first
    await textarea.fill("谢谢专家，表演环节已延长到十分钟。")
    await t1.locator("[data-testid^=reply-submit-]").first.click()
    await t1.wait_for_selector("text=表演环节已延长到十分钟")
    assert "执教教师" in await t1.inner_text("[data-testid=comments]")

    # The comparison view shows both designs' sections side by side
    await expert.goto(exchange_url)
    await expert.click("[data-testid=compare-1]")
    compare = await expert.inner_text("[data-testid=compare]")
    assert "兔妈妈、大灰狼头饰；故事挂图。" in compare
    assert "头饰、小房子布景" in compare
    assert "活动目标" in compare and "活动延伸" in compare
    assert "专家评分" in compare
    for page in (t1, t2, expert):
        await page.context.close()
