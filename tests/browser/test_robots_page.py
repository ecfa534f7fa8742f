"""The 群机器人 page in a real browser: a wrong address refused with the form kept, a right one
against the suite's WeCom receiver, the test message sent; at 1366 px and at 390 px."""

from __future__ import annotations

import os
from pathlib import Path

from tests.browser.conftest import sign_in
from tests.robots import receiver as rx

SHOTS = Path(os.environ.get("LIANYAN_SCREENSHOTS", "/tmp/lianyan-screens"))


async def _add_and_test(page, receiver: rx.Receiver, key: str, width: int) -> None:
    await page.set_viewport_size({"width": width, "height": 844 if width < 500 else 800})
    await page.goto("/robots")
    form = "[data-testid=add-form]"
    # An address on the bureau's network: refused, the form keeps what was typed
    wrong = f"http://10.1.2.3/cgi-bin/webhook/send?key={key}"
    await page.select_option(f"{form} select[name=kind]", "wecom")
    await page.fill(f"{form} input[name=url]", wrong)
    await page.click("[data-testid=add-robot]")
    await page.wait_for_load_state()
    assert "企业微信机器人的地址必须是 https://qyapi.weixin.qq.com" in await page.inner_text(
        "[data-testid=add-error]")
    assert await page.input_value(f"{form} input[name=url]") == wrong
    assert await page.locator("[data-testid=robot]").count() == 0
    SHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SHOTS / f"robots-refused-{width}.png"), full_page=True)
    # The group's robot (the suite's receiver, listed in LIANYAN_ROBOT_HOSTS)
    await page.fill(f"{form} input[name=url]", receiver.wecom_url(key))
    await page.click("[data-testid=add-robot]")
    await page.wait_for_load_state()
    robot = page.locator("[data-testid=robot]")
    assert await robot.count() == 1
    assert await robot.locator("[data-testid=hint]").inner_text() == (
        f"127.0.0.1:{receiver.port} …{key[-4:]}")
    assert key not in await page.content()
    await robot.locator("[data-testid=send-test]").click()
    await page.wait_for_load_state()
    assert "测试消息已发送成功" in await page.inner_text("[data-testid=test-result]")
    assert "/robots?tested=" in page.url  # back on the list by 303: a reload sends nothing
    assert await page.locator("[data-testid=last-status]").inner_text() == "成功"
    width_now = await page.evaluate("document.documentElement.scrollWidth")
    assert width_now <= width  # no sideways scroll
    await page.screenshot(path=str(SHOTS / f"robots-sent-{width}.png"), full_page=True)


async def test_county_officer_adds_a_robot_and_sends_a_test_message(browser_page, demo_city):
    page = browser_page
    receiver, server = rx.start()
    try:
        await sign_in(page, "lingbao")
        await page.click("nav >> text=群机器人")
        await page.wait_for_url("**/robots")
        await _add_and_test(page, receiver, "wide-key-0001", 1366)
        # Remove it, then the same at a phone's width
        page.on("dialog", lambda dialog: dialog.accept())
        await page.locator("[data-testid=robot] button.secondary").click()
        await page.wait_for_load_state()
        await page.locator("[data-testid=no-robots]").wait_for()
        await _add_and_test(page, receiver, "narrow-key-0002", 390)
    finally:
        server.shutdown()
    assert [r.problems for r in receiver.received] == [[], []]
    assert "### 联研群机器人测试消息" in receiver.received[0].body["markdown"]["content"]
