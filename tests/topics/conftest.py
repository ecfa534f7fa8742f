"""Fixtures of the topic tests: a small world of counties and people, and API helpers.

They use the shared ``client`` (the app on the test's own event loop), so requests gathered
with ``asyncio.gather`` really interleave and the concurrency tests mean something.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.builders.files import application_docx


class World:
    """Three counties, their people in every role, and helpers to drive topics by the API."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.ids: dict[str, int] = {}
        self._headers: dict[str, dict[str, str]] = {}

    async def headers(self, username: str) -> dict[str, str]:
        """A bearer header for ``username`` (a token issued directly: no slow password hash)."""
        if username not in self._headers:
            from lianyan.auth import services as auth_services
            from lianyan.auth.tables import Account

            row = await Account.select(Account.id).where(Account.username == username).first()
            token = await auth_services.issue_token(row["id"], kind="bearer")
            self._headers[username] = {"Authorization": f"Bearer {token}"}
        return self._headers[username]

    async def call(
        self, method: str, path: str, username: str, **kwargs: Any
    ) -> httpx.Response:
        """One API request as ``username``."""
        return await self.client.request(
            method, path, headers=await self.headers(username), **kwargs
        )

    def topic_body(self, **overrides: Any) -> dict[str, Any]:
        """A complete topic of 灵宝市 for 2026, hosted by 王芳 with 李静 as member."""
        body = {
            "county_id": self.ids["lingbao"],
            "year": 2026,
            "title": "幼儿园户外自主游戏中教师支持策略的研究",
            "direction": "游戏活动与教师支持",
            "level": "county",
            "lead_unit": "灵宝市实验幼儿园",
            "host_id": self.ids["host"],
            "members": [{"person_id": self.ids["member"], "role": "核心成员"}],
            "abstract": "以户外自主游戏为载体，研究教师观察与支持的策略。",
            "keywords": ["自主游戏", "教师支持"],
            "planned_start": "2026-03-01",
            "planned_end": "2027-06-30",
        }
        body.update(overrides)
        return body

    async def create(self, username: str = "officer", **overrides: Any) -> int:
        """A draft topic; returns its id."""
        response = await self.call(
            "POST", "/api/v1/topics", username, json=self.topic_body(**overrides)
        )
        assert response.status_code == 201, response.text
        return int(response.json()["id"])

    async def upload(
        self, topic_id: int, kind: str, *, username: str = "officer", data: bytes | None = None,
        name: str | None = None,
    ) -> httpx.Response:
        """Upload a document of ``kind`` (a real docx unless ``data`` is given)."""
        content = data if data is not None else application_docx(kind)
        filename = name or f"{kind}.docx"
        return await self.call(
            "POST", f"/api/v1/topics/{topic_id}/files", username,
            data={"kind": kind}, files={"file": (filename, content)},
        )

    async def step(
        self, topic_id: int, action: str, username: str, **body: Any
    ) -> httpx.Response:
        """Take a lifecycle step."""
        return await self.call(
            "POST", f"/api/v1/topics/{topic_id}/{action}", username, json=body
        )

    async def status(self, topic_id: int) -> str:
        """The topic's status as the city reads it."""
        response = await self.call("GET", f"/api/v1/topics/{topic_id}", "city")
        return str(response.json()["status"])

    async def bring_to(self, topic_id: int, target: str, county_side: str = "officer") -> None:
        """Walk a draft topic along legal steps until it is in ``target``."""
        path = {
            "draft": [],
            "submitted": ["submit"],
            "approved": ["submit", "approve"],
            "rejected": ["submit", "reject"],
            "opened": ["submit", "approve", "open"],
            "midterm": ["submit", "approve", "open", "midterm"],
            "concluded": ["submit", "approve", "open", "midterm", "conclude"],
            "withdrawn": ["withdraw"],
        }[target]
        needs = {"submit": "application", "open": "opening", "midterm": "midterm",
                 "conclude": "final"}
        for action in path:
            if action in needs:
                uploaded = await self.upload(topic_id, needs[action], username=county_side)
                assert uploaded.status_code == 201, uploaded.text
            city_steps = ("approve", "reject", "return", "conclude")
            actor = "city" if action in city_steps else county_side
            body = {"grade": "good"} if action == "conclude" else {}
            response = await self.step(topic_id, action, actor, **body)
            assert response.status_code == 200, response.text
        assert await self.status(topic_id) == target


@pytest.fixture
async def world(client: httpx.AsyncClient) -> World:
    """灵宝市 (the topics' county), 卢氏县 and 湖滨区 with people in every role.

    Logins: city; officer (灵宝市); lushi (卢氏县 officer); director, host (王芳), member
    (李静) of 灵宝市实验幼儿园; teacher2 of 灵宝市第二幼儿园; lushi_teacher; expert1 (works in
    湖滨区), expert2 (works in 卢氏县), local_expert (works in 灵宝市); zone (灵宝市 zone
    officer).
    """
    from tests.builders import org as f

    w = World(client)
    ids = w.ids
    ids["lingbao"] = await f.county("411282", "灵宝市", "county_city")
    ids["lushi_county"] = await f.county("411224", "卢氏县", "county")
    ids["hubin"] = await f.county("411202", "湖滨区", "district")
    zone = await f.zone(ids["lingbao"])
    ids["kg"] = await f.kindergarten(ids["lingbao"], zone_id=zone, name="灵宝市实验幼儿园")
    ids["kg2"] = await f.kindergarten(ids["lingbao"], zone_id=zone, name="灵宝市第二幼儿园")
    ids["lushi_kg"] = await f.kindergarten(ids["lushi_county"], name="卢氏县城关幼儿园",
                                           locale="rural")
    ids["city"] = await f.user("city", "city_admin", name="李飞")
    ids["officer"] = await f.user("officer", "county_officer", county_id=ids["lingbao"],
                                  name="赵敏")
    ids["lushi"] = await f.user("lushi", "county_officer", county_id=ids["lushi_county"])
    ids["zone"] = await f.user("zone", "zone_officer", zone_id=zone)
    ids["director"] = await f.user("director", "director", kindergarten_id=ids["kg"])
    ids["host"] = await f.user("host", "teacher", kindergarten_id=ids["kg"], name="王芳")
    ids["member"] = await f.user("member", "teacher", kindergarten_id=ids["kg"], name="李静")
    ids["teacher2"] = await f.user("teacher2", "teacher", kindergarten_id=ids["kg2"],
                                   name="陈洁")
    ids["lushi_teacher"] = await f.user("lushi_teacher", "teacher",
                                        kindergarten_id=ids["lushi_kg"], name="杨雪")
    ids["expert1"] = await f.user("expert1", "expert", county_id=ids["hubin"], name="张教授")
    ids["expert2"] = await f.user("expert2", "expert", county_id=ids["lushi_county"],
                                  name="刘老师")
    ids["local_expert"] = await f.user("local_expert", "expert", county_id=ids["lingbao"],
                                       name="孙专家")
    return w
