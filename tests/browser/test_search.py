"""The site-wide search in a real browser: from the top bar to a result, and a wrong query."""

from __future__ import annotations

import os

from lianyan.search import index
from tests.browser.conftest import sign_in

SHOTS = os.environ.get("LIANYAN_SHOTS_DIR")


async def test_search_from_the_top_bar_and_open_a_result(browser_page, demo_city):
    page = browser_page
    await index.reindex_all()  # the demo city is written as rows
    await sign_in(page, "teacher1")

    await page.fill("[data-testid=topbar-search]", "沉与浮")
    await page.press("[data-testid=topbar-search]", "Enter")
    await page.wait_for_selector("[data-testid=search-results]")

    assert "/search?q=" in page.url
    results = page.locator("[data-testid=search-results] .search-hit")
    assert await results.count() >= 1
    assert await page.locator("[data-testid=search-results] mark").first.inner_text() == "沉与浮"
    assert await page.input_value("[data-testid=search-q]") == "沉与浮"
    if SHOTS:
        await page.screenshot(path=f"{SHOTS}/search-1366.png", full_page=True)
    first = results.first.locator(".search-title a")
    title = await first.inner_text()
    await first.click()
    await page.wait_for_load_state()
    assert "/search" not in page.url
    assert "沉与浮" in title and "沉与浮" in await page.inner_text("h1")


async def test_wrong_query_shows_the_message_and_keeps_the_form(browser_page, demo_city):
    page = browser_page
    await sign_in(page, "lingbao")
    await page.goto("/search")

    await page.fill("[data-testid=search-q]", "游戏")
    await page.fill("input[name=year]", "二〇二六")
    await page.select_option("select[name=domain]", "science")
    await page.click("[data-testid=search-form] button[type=submit]")

    alert = await page.inner_text("[data-testid=search-error]")
    assert alert == "年份应为 2000–2100 之间的数字。"
    assert await page.input_value("[data-testid=search-q]") == "游戏"
    assert await page.input_value("input[name=year]") == "二〇二六"
    assert await page.input_value("select[name=domain]") == "science"
    assert await page.locator("[data-testid=search-results]").count() == 0


async def test_search_page_fits_a_phone(browser, live_server, demo_city):
    await index.reindex_all()
    context = await browser.new_context(base_url=live_server.url, locale="zh-CN",
                                        viewport={"width": 390, "height": 844})
    page = await context.new_page()
    try:
        await sign_in(page, "city")
        await page.goto("/search?q=幼儿园")
        await page.wait_for_selector("[data-testid=search-results]")
        if SHOTS:
            await page.screenshot(path=f"{SHOTS}/search-390.png", full_page=True)
        scroll = await page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= 390
    finally:
        await context.close()


async def test_top_bar_search_fits_every_page_at_phone_width(browser, live_server, demo_city):
    context = await browser.new_context(base_url=live_server.url, locale="zh-CN",
                                        viewport={"width": 390, "height": 844})
    page = await context.new_page()
    try:
        await sign_in(page, "teacher1")
        for path in ("/", "/exchanges", "/topics"):
            await page.goto(path)
            assert await page.is_visible("[data-testid=topbar-search]")
            assert await page.evaluate("document.documentElement.scrollWidth") <= 390, path
        if SHOTS:
            await page.goto("/")
            await page.screenshot(path=f"{SHOTS}/home-390.png")
    finally:
        await context.close()
