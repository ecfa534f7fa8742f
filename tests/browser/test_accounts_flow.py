"""The admin's main job in a real browser: import teachers, open their logins, hand out the
one-time passwords; then a teacher's first sign-in, forced to change the password."""

from __future__ import annotations

import io
import os
from pathlib import Path
from urllib.parse import unquote

import openpyxl
import pytest

from lianyan.org.tables import Kindergarten
from tests.browser.conftest import sign_in

#: Screenshots for a person to look at (never committed): LIANYAN_SCREENSHOTS=/some/dir.
SHOTS = os.environ.get("LIANYAN_SCREENSHOTS")


async def _shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def _people_sheet(county: str, kindergarten: str, width: int) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["姓名", "手机号", "县（市、区）", "工作单位（幼儿园）", "角色", "职务", "职称"])
    sheet.append(["陈晨", f"1370000{width:04d}", county, kindergarten, "教师", "", ""])
    sheet.append(["林琳", "", county, kindergarten, "教师", "", "二级教师"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("width", [1366, 390])
async def test_admin_opens_logins_after_import_and_teacher_must_change_password(
    browser, live_server, demo_city, width
):
    # Arrange: the demo city, the admin signed in at this width
    kg = await Kindergarten.select(Kindergarten.name, Kindergarten.county.name).first()
    viewport = {"width": width, "height": 900 if width > 500 else 844}
    admin_context = await browser.new_context(base_url=live_server.url, viewport=viewport,
                                              locale="zh-CN", accept_downloads=True)
    admin = await admin_context.new_page()
    await sign_in(admin, "admin")
    accounts_card = await admin.inner_text("[data-testid=accounts-card]")
    await _shot(admin, f"admin-home-{width}")

    # Act 1: import two teachers, open both logins from the import's result
    await admin.goto("/org/import")
    await admin.select_option("select[name=kind]", "people")
    await admin.set_input_files("input[name=file]", files=[{
        "name": "教师名单.xlsx",
        "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "buffer": _people_sheet(kg["county.name"], kg["name"], width),
    }])
    await admin.click("[data-testid=import-form] button[type=submit]")
    imported = await admin.inner_text("[data-testid=import-result]")
    await admin.click("[data-testid=open-imported] button")
    await admin.wait_for_selector("[data-testid=one-time]")
    await _shot(admin, f"one-time-{width}")
    usernames = await admin.locator("[data-testid=username]").all_inner_texts()
    passwords = await admin.locator("[data-testid=password]").all_inner_texts()
    notice = await admin.inner_text("[data-testid=one-time-notice]")
    async with admin.expect_download() as download_info:
        await admin.click("[data-testid=download-sheet]")
    download = await download_info.value
    sheet = openpyxl.load_workbook(io.BytesIO(Path(await download.path()).read_bytes())).active
    await admin.goto("/org/people?q=陈晨")
    state = await admin.inner_text("[data-testid=people] tbody tr [data-testid=login-state]")
    await _shot(admin, f"people-{width}")
    await admin_context.close()

    # Act 2: the teacher signs in with the one-time password on their own device
    context = await browser.new_context(base_url=live_server.url, viewport=viewport,
                                        locale="zh-CN")
    teacher = await context.new_page()
    await teacher.goto("/login")
    await teacher.fill("input[name=username]", usernames[0])
    await teacher.fill("input[name=password]", passwords[0])
    await teacher.click("button[type=submit]")
    await teacher.wait_for_selector("[data-testid=password-form]")
    forced_url = teacher.url
    menu_shown = await teacher.locator("nav.nav a").count()
    await _shot(teacher, f"forced-change-{width}")
    # a bad new password first: the demo password
    await teacher.fill("input[name=current]", passwords[0])
    await teacher.fill("input[name=new]", "lianyan2026")
    await teacher.fill("input[name=confirm]", "lianyan2026")
    async with teacher.expect_response(
        lambda r: r.url.endswith("/account/password") and r.request.method == "POST"
    ) as refused_info:
        await teacher.click("[data-testid=password-form] button[type=submit]")
    refused = await refused_info.value
    await teacher.wait_for_selector("[data-testid=password-error]")
    error = await teacher.inner_text("[data-testid=password-error]")
    kept = [await teacher.input_value(f"input[name={n}]") for n in ("current", "new", "confirm")]
    await _shot(teacher, f"bad-password-{width}")
    # then a good one: the page kept no password, so all three are typed again
    await teacher.fill("input[name=current]", passwords[0])
    await teacher.fill("input[name=new]", "chenchen-2026-mima")
    await teacher.fill("input[name=confirm]", "chenchen-2026-mima")
    await teacher.click("[data-testid=password-form] button[type=submit]")
    await teacher.wait_for_selector("[data-testid=roles]")
    landed = teacher.url
    await _shot(teacher, f"home-{width}")
    await context.close()

    # Assert
    assert "没有开通账号" in accounts_card
    assert "新增 2 条记录" in imported
    assert usernames == [f"1370000{width:04d}", usernames[1]]
    assert usernames[1].startswith("ly")
    assert all(len(p) == 10 for p in passwords)
    assert "只显示这一次" in notice
    assert unquote(download.suggested_filename).startswith("账号与初始密码-")
    assert [row[2:4] for row in sheet.iter_rows(min_row=2, values_only=True)] == [
        (usernames[0], passwords[0]), (usernames[1], passwords[1])]
    assert "待首次登录改密" in state
    assert "/account/password" in forced_url
    assert menu_shown == 0
    assert refused.status == 400
    assert refused.headers["content-type"].startswith("text/html")
    assert "演示系统" in error
    assert kept == ["", "", ""]  # a refused page never carries a password back
    assert landed == f"{live_server.url}/"
