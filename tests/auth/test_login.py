"""Login, tokens, lockout and the CSRF rule for cookie sessions."""

from __future__ import annotations

from tests.builders import org as f


async def test_login_by_username_returns_token_and_sets_cookie(client):
    # Arrange
    await f.user("wang", "teacher", name="王芳")
    # Act
    response = await client.post(
        "/api/v1/auth/login", json={"username": "wang", "password": f.PASSWORD}
    )
    # Assert
    assert response.status_code == 200
    assert response.json()["token"]
    assert "lianyan_session" in response.cookies
    me = await client.get(
        "/api/v1/me", headers={"Authorization": f"Bearer {response.json()['token']}"}
    )
    assert me.json()["name"] == "王芳"
    assert me.json()["roles"] == [
        {"role": "teacher", "county_id": None, "zone_id": None, "kindergarten_id": None}
    ]


async def test_login_by_phone_works(client):
    await f.user("li", "expert", phone="13912345678")
    response = await client.post(
        "/api/v1/auth/login", json={"username": "13912345678", "password": f.PASSWORD}
    )
    assert response.status_code == 200


async def test_me_without_credentials_is_401_problem(client):
    response = await client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "auth.required"
    assert response.json()["detail"] == "请先登录。"


async def test_wrong_password_ten_times_locks_with_chinese_message_and_changes_nothing(client):
    # Arrange
    await f.user("zhao", "teacher")
    codes = []
    # Act
    for _ in range(10):
        response = await client.post(
            "/api/v1/auth/login", json={"username": "zhao", "password": "wrong-password"}
        )
        codes.append((response.status_code, response.json()["code"]))
        assert "请" in response.json()["detail"] or "不正确" in response.json()["detail"]
    correct = await client.post(
        "/api/v1/auth/login", json={"username": "zhao", "password": f.PASSWORD}
    )
    # Assert
    assert codes[:5] == [(401, "auth.invalid")] * 5
    assert set(codes[5:]) == {(429, "auth.locked")}
    assert correct.status_code == 429
    assert "锁定" in correct.json()["detail"]
    from lianyan.auth.tables import AuthToken

    assert await AuthToken.count() == 0


async def test_logout_revokes_bearer_token(client):
    await f.user("sun", "teacher")
    headers = await f.bearer(client, "sun")
    assert (await client.post("/api/v1/auth/logout", headers=headers)).status_code == 200
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 401


async def test_cookie_session_write_without_csrf_header_is_refused(client):
    # Arrange: a county officer signed in with the session cookie only
    county_id = await f.county()
    await f.user("officer", "county_officer", county_id=county_id)
    login = await client.post(
        "/api/v1/auth/login", json={"username": "officer", "password": f.PASSWORD}
    )
    assert login.status_code == 200
    body = {"county_id": county_id, "name": "新责任区"}
    # Act
    refused = await client.post("/api/v1/zones", json=body)
    page = await client.get("/login")  # sets the csrftoken cookie
    token = page.cookies.get("csrftoken") or client.cookies.get("csrftoken")
    accepted = await client.post("/api/v1/zones", json=body, headers={"x-csrftoken": token})
    # Assert
    assert refused.status_code == 403
    assert refused.json()["code"] == "auth.csrf"
    assert accepted.status_code == 201, accepted.text


async def test_malformed_json_is_400_with_chinese_detail(client):
    response = await client.post(
        "/api/v1/auth/login", content=b'{"username": "x"', headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "request.invalid"
    assert response.json()["detail"] == "请求内容不是有效的 JSON。"


async def test_unknown_field_is_400_naming_the_field(client):
    response = await client.post(
        "/api/v1/auth/login", json={"username": "x", "password": "y", "role": "admin"}
    )
    assert response.status_code == 400
    assert response.json()["fields"][0]["field"] == "role"
    assert "role" in response.json()["detail"]
