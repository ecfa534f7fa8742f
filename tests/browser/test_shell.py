"""The web shell in a real browser: login, the dashboard of every role, logout, the import page."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from lianyan.demo import LOGINS
from tests.browser.conftest import sign_in


@pytest.mark.parametrize("username", [u for u, _ in LOGINS])
async def test_dashboard_shows_each_demo_login_its_role(browser_page, demo_city, username):
    # Arrange
    page = browser_page
    # Act
    await sign_in(page, username)
    # Assert
    roles = await page.inner_text("[data-testid=roles]")
    assert roles.strip(), f"{username} sees no role badge"
    assert page.url.endswith("/")
    if username in ("city", "lingbao"):
        assert "覆盖" in await page.inner_text("[data-testid=coverage-card]")
    if username in ("director1", "teacher1"):
        assert "幼儿园" in await page.inner_text("[data-testid=kindergarten-card]")


async def test_login_with_wrong_password_shows_chinese_message(browser_page, demo_city):
    page = browser_page
    await page.goto("/login")
    await page.fill("input[name=username]", "city")
    await page.fill("input[name=password]", "not-the-password")
    await page.click("button[type=submit]")
    alert = await page.inner_text("[role=alert]")
    assert alert == "用户名或密码不正确。"


async def test_logout_returns_to_login_and_protects_pages(browser_page, demo_city):
    page = browser_page
    await sign_in(page, "lingbao")
    await page.click("text=退出")
    await page.wait_for_url("**/login")
    await page.goto("/org/kindergartens")
    assert "/login" in page.url


async def test_phone_width_menu_opens(browser, live_server, demo_city):
    context = await browser.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}, locale="zh-CN"
    )
    page = await context.new_page()
    await sign_in(page, "city")
    assert not await page.is_visible("nav.nav a[href='/org/kindergartens']")
    await page.click("label.nav-button")
    assert await page.is_visible("nav.nav a[href='/org/kindergartens']")
    await context.close()


def _workbook(rows: list[list[str]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["幼儿园名称", "县（市、区）", "教研责任区", "城乡类型", "办园性质", "等级"])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


async def test_import_page_reports_row_errors_then_imports(browser_page, demo_city, tmp_path):
    # Arrange
    page = browser_page
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(_workbook([["灵宝市新星幼儿园", "灵宝市", "", "城市", "公办", ""]]))
    good = tmp_path / "good.xlsx"
    good.write_bytes(_workbook([["灵宝市新星幼儿园", "灵宝市", "", "城区", "公办", "一级"]]))
    await sign_in(page, "lingbao")
    await page.goto("/org/import")
    # Act: a file with an error
    await page.set_input_files("input[name=file]", str(bad))
    await page.click("[data-testid=import-form] button[type=submit]")
    # Assert
    error = await page.inner_text("[data-testid=import-error]")
    assert "未导入任何数据" in error
    table = await page.inner_text("[data-testid=import-errors]")
    assert "第 2 行" in table and "城乡类型" in table and "“城市”不是可选值" in table
    # Act: the corrected file
    await page.set_input_files("input[name=file]", str(good))
    await page.click("[data-testid=import-form] button[type=submit]")
    # Assert
    assert "新增 1 条" in await page.inner_text("[data-testid=import-result]")
    await page.goto("/org/kindergartens?q=新星")
    assert "灵宝市新星幼儿园" in await page.inner_text("[data-testid=kindergartens]")


async def test_import_page_refuses_a_renamed_non_excel_file(browser_page, demo_city, tmp_path):
    page = browser_page
    fake = tmp_path / "名单.xlsx"
    fake.write_bytes(b"%PDF-1.4 not a spreadsheet")
    await sign_in(page, "city")
    await page.goto("/org/import")
    await page.set_input_files("input[name=file]", str(fake))
    await page.click("[data-testid=import-form] button[type=submit]")
    assert "不是 Excel" in await page.inner_text("[data-testid=import-error]")
