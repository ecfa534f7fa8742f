"""The design page on a phone: the experts' score table stacks instead of widening the page.

Screenshots at 1366 and 390 px with LIANYAN_SCREENSHOTS."""

from __future__ import annotations

import os
from typing import Any

from lianyan.exchanges.tables import Design, Exchange
from tests.browser.conftest import sign_in

SHOTS = os.environ.get("LIANYAN_SCREENSHOTS")


async def _page(browser: Any, live_server: Any, username: str, width: int) -> Any:
    context = await browser.new_context(
        base_url=live_server.url, locale="zh-CN",
        viewport={"width": width, "height": 844 if width < 500 else 800},
    )
    context.set_default_timeout(15_000)
    page = await context.new_page()
    await sign_in(page, username)
    return page


async def test_the_score_table_fits_a_390_px_phone_and_stays_a_table_at_1366(
    browser, live_server, demo_city
):
    # Arrange: the finished demo exchange, scored by expert1
    exchange = await Exchange.select(Exchange.id).where(Exchange.title.like("%沉与浮%")).first()
    design = await Design.select(Design.id).where(Design.exchange == exchange["id"]).first()
    for width in (390, 1366):
        page = await _page(browser, live_server, "expert1", width)
        # Act
        await page.goto(f"/designs/{design['id']}")
        # Assert: every mark and reason is there, and the page does not scroll sideways
        scores = await page.inner_text("[data-testid=scores]")
        assert "符合大班幼儿发展水平" in scores and "平均" in scores
        assert await page.evaluate("document.documentElement.scrollWidth") <= width
        table = page.locator("[data-testid=scores] table")
        box = await table.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width
        if width == 390:  # stacked: each mark is labelled with its item
            assert await page.locator("[data-testid=scores] thead").is_hidden()
            labels = await page.locator("[data-testid=scores] tbody tr >> nth=0").locator(
                "td").evaluate_all("tds => tds.map(td => getComputedStyle(td, '::before').content)")
            assert labels[0] == '"专家"' and labels[-1] == '"总分"'
            assert all(label not in ("none", '""') for label in labels)
        else:
            assert await page.locator("[data-testid=scores] thead").is_visible()
        if SHOTS:
            await page.screenshot(path=f"{SHOTS}/design-{width}.png", full_page=True)
            await page.locator("[data-testid=scores]").screenshot(
                path=f"{SHOTS}/design-scores-{width}.png")
        await page.context.close()
