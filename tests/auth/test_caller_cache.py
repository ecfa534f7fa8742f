"""The cache of callers per token: reused while nothing changed, dropped the moment a
logout, password change, deactivation or role change is committed — by any worker."""

from __future__ import annotations

import sqlite3

from piccolo.querystring import QueryString

from lianyan import db
from lianyan.auth import services
from lianyan.auth.tables import Account, AuthToken
from lianyan.db import count_queries
from lianyan.org.tables import RoleAssignment
from tests.builders import org as f


async def _other_worker(sql: str) -> None:
    """Write as another process would: not through this process's services or cache."""
    await db.engine().run_querystring(QueryString(sql))


async def test_cached_caller_second_request_costs_one_query(client):
    # Arrange
    await f.user("wang", "teacher", name="王芳")
    headers = await f.bearer(client, "wang")
    raw = headers["Authorization"].removeprefix("Bearer ")
    await services.principal_for_token(raw)
    # Act
    with count_queries() as counted:
        principal = await services.principal_for_token(raw)
    # Assert
    assert principal is not None and principal.name == "王芳"
    # PostgreSQL: the change counter. SQLite: not even that while nothing was committed.
    assert counted[0] == (0 if db.is_sqlite() else 1)


async def test_cached_caller_revoked_by_another_worker_is_refused_at_once(client):
    # Arrange
    await f.user("wang", "teacher", name="王芳")
    headers = await f.bearer(client, "wang")
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 200
    # Act: the logout lands on another worker
    await _other_worker("UPDATE auth_token SET revoked_at = CURRENT_TIMESTAMP")
    response = await client.get("/api/v1/me", headers=headers)
    # Assert
    assert response.status_code == 401
    assert response.json()["detail"] == "请先登录。"


async def test_cached_caller_deactivated_or_password_changed_is_refused(client):
    # Arrange
    await f.user("wang", "teacher")
    await f.user("li", "teacher")
    wang = await f.bearer(client, "wang")
    li = await f.bearer(client, "li")
    assert (await client.get("/api/v1/me", headers=wang)).status_code == 200
    assert (await client.get("/api/v1/me", headers=li)).status_code == 200
    # Act
    await Account.update({Account.is_active: False}).where(Account.username == "wang")
    li_id = (await Account.select(Account.id).where(Account.username == "li").first())["id"]
    await services.set_password(li_id, "another-good-password", actor=None)
    # Assert
    assert (await client.get("/api/v1/me", headers=wang)).status_code == 401
    assert (await client.get("/api/v1/me", headers=li)).status_code == 401


async def test_cached_caller_role_withdrawn_shows_at_once(client):
    # Arrange
    await f.user("wang", "teacher")
    headers = await f.bearer(client, "wang")
    assert len((await client.get("/api/v1/me", headers=headers)).json()["roles"]) == 1
    # Act
    await RoleAssignment.update({RoleAssignment.active: False}).where(
        RoleAssignment.role == "teacher"
    )
    # Assert
    assert (await client.get("/api/v1/me", headers=headers)).json()["roles"] == []


async def test_cached_caller_counter_bumped_from_a_separate_connection(client, settings):
    # Arrange: a change made by a process using none of our code (an operator's SQL)
    await f.user("wang", "teacher")
    headers = await f.bearer(client, "wang")
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 200
    # Act
    if db.is_sqlite():
        path = db.engine().path  # type: ignore[attr-defined]
        with sqlite3.connect(path, timeout=30) as connection:
            connection.execute("DELETE FROM auth_token")
    else:
        await AuthToken.delete(force=True)
    # Assert
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 401


async def test_health_live_with_any_token_runs_no_query(client):
    # Arrange
    headers = {"Authorization": "Bearer not-a-token"}
    # Act
    with count_queries() as counted:
        response = await client.get("/health/live", headers=headers)
    # Assert
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert counted[0] == 0
