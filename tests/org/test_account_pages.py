"""The 账号与人员 page: login state and buttons within scope, one-time passwords shown once,
refused actions shown again on the same page in Chinese."""

from __future__ import annotations

from lianyan.auth.tables import Account
from tests.builders import org as f


async def _signed_in(client, username):
    """Sign in through the login page; returns the CSRF token for forms."""
    await client.get("/login")
    csrf = client.cookies.get("csrftoken")
    response = await client.post("/login", data={"username": username, "password": f.PASSWORD,
                                                 "_csrf_token": csrf, "next": "/"})
    assert response.status_code in (302, 303), response.text
    return csrf


async def test_people_page_shows_logins_and_only_the_buttons_the_director_may_use(client):
    # Arrange
    county = await f.county()
    kg = await f.kindergarten(county, name="灵宝实验幼儿园")
    await f.user("director", "director", kindergarten_id=kg)
    teacher = await f.person("周静", "teacher", kindergarten_id=kg)
    deputy = await f.person("吴敏", "director", kindergarten_id=kg)
    await _signed_in(client, "director")
    # Act
    response = await client.get("/org/people")
    # Assert
    assert response.status_code == 200
    assert "账号与人员" in response.text
    assert f'data-testid="open-{teacher}"' in response.text
    assert f'data-testid="open-{deputy}"' not in response.text
    assert "未开通" in response.text


async def test_open_login_page_shows_the_one_time_password_once_and_refuses_twice(client):
    # Arrange
    county = await f.county()
    kg = await f.kindergarten(county, name="灵宝实验幼儿园")
    await f.user("officer", "county_officer", county_id=county)
    teacher = await f.person("周静", "teacher", kindergarten_id=kg)
    csrf = await _signed_in(client, "officer")
    # Act
    opened = await client.post(f"/org/people/{teacher}/account", data={"_csrf_token": csrf})
    again = await client.post(f"/org/people/{teacher}/account", data={"_csrf_token": csrf})
    empty = await client.post("/org/accounts/open", data={"_csrf_token": csrf})
    # Assert
    assert opened.status_code == 200, opened.text
    assert "初始密码只显示这一次" in opened.text
    assert f"ly{teacher}" in opened.text
    assert again.status_code == 409
    assert again.headers["content-type"].startswith("text/html")
    assert "已经开通了账号" in again.text and "账号与人员" in again.text
    assert empty.status_code == 400
    assert "请勾选要开通账号的人员" in empty.text
    assert await Account.count().where(Account.person == teacher) == 1


async def test_deactivate_button_ends_sessions_and_shows_the_state(client):
    # Arrange
    county = await f.county()
    kg = await f.kindergarten(county, name="灵宝实验幼儿园")
    await f.user("officer", "county_officer", county_id=county)
    teacher = await f.user("teacher", "teacher", kindergarten_id=kg)
    teacher_token = await f.bearer(client, "teacher")
    csrf = await _signed_in(client, "officer")
    # Act
    off = await client.post(f"/org/people/{teacher}/account/active",
                            data={"_csrf_token": csrf, "active": "false",
                                  "back": "https://evil.example/"})
    listed = await client.get("/org/people")
    # Assert
    assert off.status_code == 303 and off.headers["location"] == "/org/people"
    assert "已停用" in listed.text
    assert (await client.get("/api/v1/me", headers=teacher_token)).status_code == 401


async def test_home_counts_people_without_login_and_the_filter_lists_them(client):
    # Arrange
    county = await f.county()
    other = await f.county("411224", "卢氏县", "county")
    kg = await f.kindergarten(county, name="灵宝实验幼儿园")
    await f.user("officer", "county_officer", county_id=county)
    await f.user("teacher", "teacher", kindergarten_id=kg)
    await f.person("周静", "teacher", kindergarten_id=kg)
    await f.person("吴敏", "teacher", kindergarten_id=kg)
    await f.person("外县教师", "teacher", kindergarten_id=await f.kindergarten(other))
    await _signed_in(client, "officer")
    # Act
    home = await client.get("/")
    waiting = await client.get("/org/people?without_login=true")
    # Assert
    assert "还有 <strong>2</strong> 人没有开通账号" in home.text
    assert "周静" in waiting.text and "吴敏" in waiting.text
    assert "teacher" not in waiting.text.split("<tbody>")[1]
    assert "外县教师" not in waiting.text
