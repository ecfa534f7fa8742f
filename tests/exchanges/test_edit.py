"""Editing an exchange: what changes, who is told, what is refused, what the audit log keeps."""

from __future__ import annotations

import datetime as dt
import json

from lianyan.audit.tables import AuditEntry
from lianyan.exchanges.tables import Exchange, ExchangeExpert, Notification, Score
from tests.exchanges.conftest import (
    COMMENT_DEADLINE,
    DESIGN_DEADLINE,
    T0,
    World,
    headers,
)


async def test_moving_a_deadline_tells_teachers_and_experts_and_is_audited(client, world: World):
    h = await headers(client, "lingbao")
    later = DESIGN_DEADLINE + dt.timedelta(days=2)

    response = await client.patch(f"/api/v1/exchanges/{world.exchange_id}", headers=h,
                                  json={"design_deadline": later.isoformat(),
                                        "place": "灵宝市第二幼儿园"})

    assert response.status_code == 200, response.text
    assert response.json()["design_deadline"] == "2026-03-11T09:00:00+08:00"
    notices = await Notification.select(Notification.person, Notification.title,
                                        Notification.body).where(
        Notification.kind == "exchange_changed")
    told = {n["person"] for n in notices}
    assert told == {world.people[p] for p in ("t1", "t2", "t3", "t4", "expert1")}
    assert notices[0]["title"] == "同研异构活动“中班语言《小兔乖乖》同研异构”的教学设计提交截止有变动"
    assert notices[0]["body"] == "教学设计提交截止时间由 2026-03-09 09:00 改为 2026-03-11 09:00。"
    entry = await AuditEntry.select(AuditEntry.detail).where(
        AuditEntry.action == "exchange.update").first()
    detail = json.loads(entry["detail"])
    assert detail["fields"] == ["design_deadline", "place"]
    assert detail["before"]["design_deadline"] == "2026-03-09T09:00:00+08:00"
    assert detail["after"]["place"] == "灵宝市第二幼儿园"


async def test_a_title_or_place_change_tells_nobody(client, world: World):
    response = await client.patch(f"/api/v1/exchanges/{world.exchange_id}",
                                  headers=await headers(client, "lingbao"),
                                  json={"title": "中班语言《小兔乖乖》第二轮"})
    assert response.status_code == 200
    assert await Notification.count().where(Notification.kind == "exchange_changed") == 0


async def test_a_deadline_cannot_move_before_now(client, world: World):
    past = T0 - dt.timedelta(hours=1)
    response = await client.patch(f"/api/v1/exchanges/{world.exchange_id}",
                                  headers=await headers(client, "lingbao"),
                                  json={"design_deadline": past.isoformat()})
    body = response.json()
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    assert body["code"] == "exchange.deadline_past"
    assert body["field"] == "design_deadline"
    assert "不能改到现在" in body["detail"]
    row = await Exchange.select(Exchange.design_deadline).first()
    assert row["design_deadline"] == DESIGN_DEADLINE
    assert await Notification.count().where(Notification.kind == "exchange_changed") == 0


async def test_comment_deadline_must_stay_after_design_deadline(client, world: World):
    response = await client.patch(
        f"/api/v1/exchanges/{world.exchange_id}", headers=await headers(client, "lingbao"),
        json={"design_deadline": (COMMENT_DEADLINE + dt.timedelta(days=1)).isoformat()})
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == (
        "exchange.deadlines", "comment_deadline")


async def test_experts_invited_and_withdrawn_but_not_one_who_scored(client, world: World):
    h = await headers(client, "lingbao")
    url = f"/api/v1/exchanges/{world.exchange_id}"
    swapped = await client.patch(url, headers=h, json={"expert_ids": [world.people["expert2"]]})
    invited = {r["expert"] for r in await ExchangeExpert.select(ExchangeExpert.expert)}
    told = await Notification.count().where(
        (Notification.kind == "invited") & (Notification.person == world.people["expert2"]))
    not_expert = await client.patch(url, headers=h, json={"expert_ids": [world.people["t1"]]})
    assert swapped.status_code == 200, swapped.text
    assert invited == {world.people["expert2"]}
    assert told == 1
    assert (not_expert.status_code, not_expert.json()["code"]) == (400, "exchange.not_expert")


async def test_expert_who_scored_cannot_be_withdrawn(client, world: World, store):
    import io

    from lianyan.exchanges import designs
    from lianyan.exchanges import schemas as s
    from tests.builders.files import docx_bytes

    actor = await world.actor("t1")
    design = await designs.create_design(actor, world.exchange_id, s.DesignIn())
    await designs.add_version(actor, store, design.id, kind="document",
                              fileobj=io.BytesIO(docx_bytes()), filename="a.docx",
                              limits=designs.sniff.DEFAULT_LIMITS)
    score = {i: {"score": 4, "reason": "好"} for i in s.SCORE_ITEMS}
    await client.put(f"/api/v1/designs/{design.id}/scores", json=score,
                     headers=await headers(client, "expert1"))
    response = await client.patch(f"/api/v1/exchanges/{world.exchange_id}",
                                  headers=await headers(client, "lingbao"),
                                  json={"expert_ids": []})
    assert response.status_code == 409
    assert response.json()["code"] == "exchange.expert_has_reviews"
    assert "专家一" in response.json()["detail"]
    assert await ExchangeExpert.count() == 1 and await Score.count() == 1


async def test_edit_page_shows_the_current_values(client, world: World):
    h = await headers(client, "lingbao")
    page = await client.get(f"/exchanges/{world.exchange_id}/edit", headers=h)
    assert page.status_code == 200
    assert 'value="2026-03-09T09:00"' in page.text
