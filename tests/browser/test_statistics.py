"""The city's 统计 page in a real browser: its charts at 1366 px and at 390 px without sideways
scroll, each chart saved as SVG, PNG and xlsx, and a wrong year refused with the form kept."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from pathlib import Path

import openpyxl

from lianyan import clock
from tests.browser.conftest import sign_in

CHARTS = ("counties", "counties-designs", "months", "months-designs", "pairings")


async def test_city_sees_every_chart_at_desktop_and_phone_width(browser_page, demo_city):
    page = browser_page
    await sign_in(page, "city")
    await page.set_viewport_size({"width": 1366, "height": 800})
    await page.click("nav >> text=统计")
    await page.wait_for_selector("[data-testid=charts]")
    year = clock.today().year
    assert f"统计 · 三门峡市 {year} 年" in await page.inner_text("h1")

    for width in (1366, 390):
        await page.set_viewport_size({"width": width, "height": 844})
        for key in CHARTS:
            chart = page.locator(f"figure[data-chart={key}] svg")
            box = await chart.bounding_box()
            assert box is not None and 200 < box["width"] <= width, (key, width, box)
            assert box["height"] > 100
            # the table under the chart says the same
            assert await page.locator(f"figure[data-chart={key}] table tbody tr").count() >= 2
        scroll = await page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= width, f"sideways scroll at {width}px: {scroll}"
    assert await page.locator("[data-testid=idle] tbody tr").count() > 0


async def test_charts_download_as_svg_png_and_xlsx(browser_page, demo_city, tmp_path: Path):
    page = browser_page
    year = clock.today().year
    await sign_in(page, "city")
    await page.goto("/statistics")

    async with page.expect_download() as svg_download:
        await page.click("[data-testid=svg-counties]")
    svg = await svg_download.value
    assert svg.suggested_filename == f"三门峡市-{year}年各县（市、区）教研活动.svg"
    svg_path = tmp_path / "chart.svg"
    await svg.save_as(svg_path)
    root = ET.parse(svg_path).getroot()
    assert root.find("{http://www.w3.org/2000/svg}title").text == f"{year}年各县（市、区）教研活动"

    async with page.expect_download() as png_download:
        await page.click("[data-testid=png-months]")
    png = await png_download.value
    assert png.suggested_filename == f"三门峡市-{year}年各月教研活动.png"
    png_path = tmp_path / "chart.png"
    await png.save_as(png_path)
    assert png_path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert png_path.stat().st_size > 5000  # drawn, not an empty canvas

    async with page.expect_download() as xlsx_download:
        await page.click("[data-testid=xlsx-not-participating]")
    xlsx = await xlsx_download.value
    assert xlsx.suggested_filename == f"三门峡市-{year}年尚未参与同研异构活动的幼儿园.xlsx"
    xlsx_path = tmp_path / "idle.xlsx"
    await xlsx.save_as(xlsx_path)
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_path.read_bytes())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[2] == ("序号", "幼儿园", "城乡", "县（市、区）", "责任区")
    assert rows[3][2] == "乡村"  # rural first


async def test_a_wrong_year_is_refused_with_the_message_and_the_form_kept(browser_page,
                                                                           demo_city):
    page = browser_page
    await sign_in(page, "city")
    await page.goto("/statistics")
    first, last = clock.today().year - 10, clock.today().year + 1

    await page.fill("[data-testid=stats-form] input[name=year]", "1999")
    await page.click("[data-testid=stats-form] button[type=submit]")
    await page.wait_for_load_state()

    assert await page.inner_text("[data-testid=error]") == f"年度应为{first}至{last}年之间的整数。"
    assert await page.input_value("[data-testid=stats-form] input[name=year]") == "1999"
    assert await page.locator("[data-testid=charts]").count() == 0


async def test_a_county_officer_sees_their_county_and_the_nav_entry(browser_page, demo_city):
    page = browser_page
    await sign_in(page, "lingbao")
    await page.click("nav >> text=统计")
    await page.wait_for_selector("[data-testid=charts]")
    assert "灵宝市" in await page.inner_text("h1")
    # one county: its zones side by side
    chart = page.locator("figure[data-chart=counties]")
    assert await chart.locator("thead th").first.inner_text() == "责任区"
    rows = await chart.locator("tbody th").all_inner_texts()
    assert len(rows) >= 3 and rows[-1] == "合计"
    assert all("责任区" in name for name in rows[:-1])
