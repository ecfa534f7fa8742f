"""Logins of existing people: one-time passwords, changes and resets that end sessions,
deactivation, scope of who may open a login, logout, password rules, bulk opening."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from urllib.parse import unquote

import openpyxl
import pytest

from lianyan.auth.tables import Account, AuthToken
from tests.builders import org as f


@pytest.fixture
async def county_a(client):
    """County A (a zone, two kindergartens, an officer, a director) and county B."""
    a = await f.county("411282", "灵宝市", "county_city")
    b = await f.county("411224", "卢氏县", "county")
    za = await f.zone(a, "灵宝第一责任区")
    ka = await f.kindergarten(a, zone_id=za, name="灵宝实验幼儿园")
    ka2 = await f.kindergarten(a, zone_id=za, name="灵宝阳平幼儿园")
    kb = await f.kindergarten(b, name="卢氏城关幼儿园")
    await f.user("officer", "county_officer", county_id=a)
    await f.user("director", "director", kindergarten_id=ka)
    return {"a": a, "b": b, "ka": ka, "ka2": ka2, "kb": kb}


async def _open(client, headers, person_id):
    response = await client.post(f"/api/v1/people/{person_id}/account", json={},
                                 headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def _login(client, username, password):
    response = await client.post("/api/v1/auth/login",
                                 json={"username": username, "password": password})
    client.cookies.clear()
    return response


def _bearer(token):
    return {"Authorization": f"Bearer {token}"}


async def test_one_time_password_must_be_changed_before_anything_else(client, county_a):
    # Arrange: the county officer opens a login for an imported teacher
    officer = await f.bearer(client, "officer")
    teacher = await f.person("王芳", "teacher", kindergarten_id=county_a["ka"],
                             phone="13912345678")
    opened = await _open(client, officer, teacher)
    login = await _login(client, opened["username"], opened["password"])
    headers = _bearer(login.json()["token"])
    # Act
    refused = await client.get("/api/v1/people", headers=headers)
    me = await client.get("/api/v1/me", headers=headers)
    weak = await client.post("/api/v1/me/password", headers=headers,
                             json={"current": opened["password"], "new": "lianyan2026"})
    changed = await client.post("/api/v1/me/password", headers=headers,
                                json={"current": opened["password"], "new": "my-own-secret-9"})
    fresh = _bearer(changed.json()["token"])
    # Assert
    assert opened["username"] == "13912345678"
    assert opened["must_change_password"] is True and len(opened["password"]) == 10
    assert login.status_code == 200
    assert refused.status_code == 403
    assert refused.json()["code"] == "auth.password_change_required"
    assert "修改初始密码" in refused.json()["detail"]
    assert me.json()["must_change_password"] is True
    assert weak.status_code == 400 and weak.json()["code"] == "password.is_demo"
    assert changed.status_code == 200, changed.text
    assert (await client.get("/api/v1/people", headers=headers)).status_code == 401
    assert (await client.get("/api/v1/people", headers=fresh)).status_code == 200
    assert (await client.get("/api/v1/me", headers=fresh)).json()["must_change_password"] is False


async def test_one_time_password_sends_pages_to_the_change_password_page(client, county_a):
    # Arrange
    officer = await f.bearer(client, "officer")
    teacher = await f.person("李娜", "teacher", kindergarten_id=county_a["ka"])
    opened = await _open(client, officer, teacher)
    await client.post("/api/v1/auth/login",
                      json={"username": opened["username"], "password": opened["password"]})
    # Act
    home = await client.get("/topics")
    form = await client.get("/account/password")
    # Assert
    assert home.status_code in (302, 303)
    assert home.headers["location"] == "/account/password?next=/topics"
    assert form.status_code == 200
    assert "初始密码只能使用一次" in form.text


async def test_changed_password_ends_other_sessions_and_tokens(client, county_a):
    # Arrange: the same person signed in three times (two scripts, one browser)
    first = (await _login(client, "director", f.PASSWORD)).json()["token"]
    second = (await _login(client, "director", f.PASSWORD)).json()["token"]
    await client.post("/api/v1/auth/login",
                      json={"username": "director", "password": f.PASSWORD})
    cookie = dict(client.cookies)
    client.cookies.clear()
    # Act
    changed = await client.post("/api/v1/me/password", headers=_bearer(first),
                                json={"current": f.PASSWORD, "new": "another-secret-7"})
    # Assert
    assert changed.status_code == 200, changed.text
    assert (await client.get("/api/v1/me", headers=_bearer(first))).status_code == 401
    assert (await client.get("/api/v1/me", headers=_bearer(second))).status_code == 401
    client.cookies.update(cookie)
    assert (await client.get("/api/v1/me")).status_code == 401
    client.cookies.clear()
    assert (await client.get("/api/v1/me", headers=_bearer(changed.json()["token"]))).json()[
        "username"] == "director"
    assert (await _login(client, "director", f.PASSWORD)).status_code == 401
    assert (await _login(client, "director", "another-secret-7")).status_code == 200


async def test_reset_password_ends_sessions_and_issues_a_new_one_time_password(
    client, county_a
):
    # Arrange
    teacher = await f.user("teacher", "teacher", kindergarten_id=county_a["ka"])
    teacher_token = await f.bearer(client, "teacher")
    director = await f.bearer(client, "director")
    # Act
    reset = await client.patch(f"/api/v1/people/{teacher}/account", headers=director,
                               json={"reset_password": True})
    # Assert
    assert reset.status_code == 200, reset.text
    assert reset.json()["must_change_password"] is True
    assert (await client.get("/api/v1/me", headers=teacher_token)).status_code == 401
    assert (await _login(client, "teacher", f.PASSWORD)).status_code == 401
    again = await _login(client, "teacher", reset.json()["password"])
    assert again.status_code == 200
    assert (await client.get("/api/v1/topics", headers=_bearer(again.json()["token"]))
            ).json()["code"] == "auth.password_change_required"


async def test_deactivated_account_cannot_sign_in(client, county_a):
    # Arrange
    teacher = await f.user("teacher", "teacher", kindergarten_id=county_a["ka"])
    teacher_token = await f.bearer(client, "teacher")
    officer = await f.bearer(client, "officer")
    # Act
    off = await client.patch(f"/api/v1/people/{teacher}/account", headers=officer,
                             json={"active": False})
    refused = await _login(client, "teacher", f.PASSWORD)
    on = await client.patch(f"/api/v1/people/{teacher}/account", headers=officer,
                            json={"active": True})
    # Assert
    assert off.status_code == 200 and off.json()["active"] is False
    assert (await client.get("/api/v1/me", headers=teacher_token)).status_code == 401
    assert refused.status_code == 403
    assert refused.json()["code"] == "auth.inactive"
    assert "停用" in refused.json()["detail"]
    assert on.json()["active"] is True
    assert (await _login(client, "teacher", f.PASSWORD)).status_code == 200


async def test_county_officer_cannot_open_logins_in_another_county(client, county_a):
    # Arrange
    officer = await f.bearer(client, "officer")
    outsider = await f.person("赵敏", "teacher", kindergarten_id=county_a["kb"])
    # Act
    single = await client.post(f"/api/v1/people/{outsider}/account", json={}, headers=officer)
    bulk = await client.post("/api/v1/people/accounts", headers=officer,
                             json={"person_ids": [outsider]})
    # Assert
    assert single.status_code == 404 and single.json()["code"] == "person.not_found"
    assert bulk.status_code == 404
    assert await Account.count().where(Account.person == outsider) == 0


async def test_director_opens_logins_only_for_own_teachers(client, county_a):
    # Arrange
    director = await f.bearer(client, "director")
    own = await f.person("周静", "teacher", kindergarten_id=county_a["ka"])
    deputy = await f.person("吴敏", "director", kindergarten_id=county_a["ka"])
    elsewhere = await f.person("郑丽", "teacher", kindergarten_id=county_a["ka2"])
    # Act
    opened = await client.post(f"/api/v1/people/{own}/account", headers=director)  # no body
    colleague = await client.post(f"/api/v1/people/{deputy}/account", json={},
                                  headers=director)
    other = await client.post(f"/api/v1/people/{elsewhere}/account", json={},
                              headers=director)
    twice = await client.post(f"/api/v1/people/{own}/account", json={}, headers=director)
    # Assert
    assert opened.status_code == 201 and opened.json()["username"] == f"ly{own}"
    assert colleague.status_code == 403 and colleague.json()["code"] == "account.forbidden"
    assert other.status_code == 404
    assert twice.status_code == 409 and twice.json()["code"] == "account.exists"
    assert await Account.count() == 3  # officer, director, and the one opened


async def test_logout_ends_the_cookie_session_and_the_bearer_token_together(client, county_a):
    # Arrange: one API login gives a bearer token and a session cookie
    login = await client.post("/api/v1/auth/login",
                              json={"username": "officer", "password": f.PASSWORD})
    cookie = dict(client.cookies)
    client.cookies.clear()
    bearer = _bearer(login.json()["token"])
    # Act: the script logs out with its bearer token only
    out = await client.post("/api/v1/auth/logout", headers=bearer)
    client.cookies.update(cookie)
    cookie_after = await client.get("/api/v1/me")
    # Assert
    assert out.status_code == 200
    assert cookie_after.status_code == 401
    assert await AuthToken.count().where(AuthToken.revoked_at.is_null()) == 0


async def test_page_logout_ends_the_bearer_token_of_the_same_login(client, county_a):
    # Arrange
    login = await client.post("/api/v1/auth/login",
                              json={"username": "officer", "password": f.PASSWORD})
    bearer = _bearer(login.json()["token"])
    page = await client.get("/")
    csrf = client.cookies.get("csrftoken")
    # Act
    out = await client.post("/logout", data={"_csrf_token": csrf})
    client.cookies.clear()
    # Assert
    assert page.status_code == 200
    assert out.status_code in (302, 303)
    assert (await client.get("/api/v1/me", headers=bearer)).status_code == 401


@pytest.mark.parametrize(
    ("new", "code", "words"),
    [
        ("short1", "password.too_short", "至少需要 8 个字符"),
        ("Director", "password.is_username", "不能与用户名相同"),
        ("lianyan2026", "password.is_demo", "演示系统"),
        ("aaaaaaaaaa", "password.repeated", "同一个字符"),
    ],
)
async def test_password_rules_answer_in_chinese(client, county_a, new, code, words):
    headers = await f.bearer(client, "director")
    response = await client.post("/api/v1/me/password", headers=headers,
                                 json={"current": f.PASSWORD, "new": new})
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert words in response.json()["detail"]
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 200


async def test_wrong_current_password_changes_nothing(client, county_a):
    headers = await f.bearer(client, "director")
    response = await client.post("/api/v1/me/password", headers=headers,
                                 json={"current": "not-my-password", "new": "brand-new-pass-1"})
    assert response.status_code == 400
    assert response.json()["code"] == "password.current_wrong"
    assert (await _login(client, "director", f.PASSWORD)).status_code == 200


async def test_guessing_the_current_password_locks_the_account_like_failed_logins(
    client, county_a
):
    headers = await f.bearer(client, "director")
    wrong = {"current": "not-my-password", "new": "brand-new-pass-1"}

    guesses = [await client.post("/api/v1/me/password", headers=headers, json=wrong)
               for _ in range(5)]
    right = await client.post("/api/v1/me/password", headers=headers,
                              json={"current": f.PASSWORD, "new": "brand-new-pass-1"})
    login = await _login(client, "director", f.PASSWORD)

    assert [g.json()["code"] for g in guesses] == ["password.current_wrong"] * 5
    assert right.status_code == 429 and right.json()["code"] == "auth.locked"
    assert "当前密码输错次数过多" in right.json()["detail"]
    assert int(right.headers["retry-after"]) > 0
    assert login.status_code == 429  # the account is locked, not only this form


async def test_a_right_current_password_forgets_earlier_wrong_ones(client, county_a):
    headers = await f.bearer(client, "director")
    for _ in range(4):
        await client.post("/api/v1/me/password", headers=headers,
                          json={"current": "not-my-password", "new": "brand-new-pass-1"})

    changed = await client.post("/api/v1/me/password", headers=headers,
                                json={"current": f.PASSWORD, "new": "brand-new-pass-1"})

    assert changed.status_code == 200
    assert (await _login(client, "director", "brand-new-pass-1")).status_code == 200


async def test_admin_imports_people_and_opens_their_logins_in_one_sheet(client, county_a):
    # Arrange: the admin imports two teachers (admin used to get 403 here)
    await f.user("admin", "admin")
    admin = await f.bearer(client, "admin")
    already = await f.user("old", "teacher", kindergarten_id=county_a["ka"])
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["姓名", "手机号", "县（市、区）", "工作单位（幼儿园）", "角色", "职务", "职称"])
    sheet.append(["陈晨", "13700000001", "灵宝市", "灵宝实验幼儿园", "教师", "", ""])
    sheet.append(["林琳", "", "灵宝市", "灵宝阳平幼儿园", "教师", "", ""])
    content = io.BytesIO()
    book.save(content)
    imported = await client.post("/api/v1/imports/people", headers=admin,
                                 files={"file": ("人员.xlsx", content.getvalue())})
    ids = imported.json()["person_ids"]
    # Act
    sheet_response = await client.post(
        "/api/v1/people/accounts", headers=admin,
        json={"person_ids": [*ids, already], "format": "xlsx"},
    )
    again = await client.post("/api/v1/people/accounts", headers=admin,
                              json={"person_ids": ids})
    # Assert
    assert imported.status_code == 201, imported.text
    assert sheet_response.status_code == 200, sheet_response.text
    disposition = unquote(sheet_response.headers["content-disposition"])
    assert "filename*=UTF-8''账号与初始密码-" in disposition
    rows = list(openpyxl.load_workbook(io.BytesIO(sheet_response.content)).active.values)
    assert rows[0][:3] == ("姓名", "单位", "用户名")
    assert [(r[0], r[2]) for r in rows[1:]] == [("陈晨", "13700000001"), ("林琳", f"ly{ids[1]}")]
    assert all(len(r[3]) == 10 for r in rows[1:])
    assert again.json()["items"] == []
    assert {p["name"] for p in again.json()["skipped"]} == {"陈晨", "林琳"}
    password = rows[1][3]
    assert (await _login(client, "13700000001", password)).status_code == 200


async def test_create_user_gives_an_existing_person_a_login(client):
    # Arrange: a person without a login
    import anyio.to_thread

    person_id = await f.person("孙丽", "expert")
    command = [sys.executable, "-m", "lianyan.cli", "create-user", "--person", str(person_id)]
    # Act
    done = await anyio.to_thread.run_sync(
        lambda: subprocess.run(command, env=dict(os.environ), capture_output=True, text=True,
                               timeout=120)
    )
    twice = await anyio.to_thread.run_sync(
        lambda: subprocess.run(command, env=dict(os.environ), capture_output=True, text=True,
                               timeout=120)
    )
    # Assert
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == f"用户名 ly{person_id}"
    password = lines[1].split()[1].split("（")[0]
    assert (await _login(client, f"ly{person_id}", password)).status_code == 200
    assert twice.returncode != 0 and "已经开通了账号" in twice.stderr
