"""Creating and changing exchanges, inviting experts, listing."""

from __future__ import annotations

import datetime as dt

from lianyan.audit.tables import AuditEntry
from lianyan.db import count_queries
from lianyan.exchanges import schemas as s
from lianyan.exchanges import services
from lianyan.exchanges.tables import Exchange, ExchangeExpert, Notification
from tests.builders import org as f
from tests.exchanges.conftest import (
    COMMENT_DEADLINE,
    DESIGN_DEADLINE,
    T0,
    World,
    exchange_body,
    headers,
)


async def test_county_officer_creates_exchange_for_own_county(client, world: World):
    response = await client.post("/api/v1/exchanges", json=exchange_body(),
                                 headers=await headers(client, "lushi"))
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["county_name"], body["blind"], body["phase"]) == ("卢氏县", True, "designing")
    assert body["design_deadline"] == "2026-03-09T09:00:00+08:00"
    assert await AuditEntry.count().where(AuditEntry.action == "exchange.create") == 2


async def test_county_officer_cannot_create_for_another_county(client, world: World):
    response = await client.post(
        "/api/v1/exchanges", json=exchange_body(county_id=world.counties["lingbao"]),
        headers=await headers(client, "lushi"),
    )
    assert response.status_code == 403
    assert response.json()["code"] == "exchange.county"


async def test_city_creates_city_wide_exchange(client, world: World):
    response = await client.post("/api/v1/exchanges", json=exchange_body(),
                                 headers=await headers(client, "city"))
    assert response.status_code == 201
    assert response.json()["county_id"] is None


async def test_teacher_cannot_create_exchange(client, world: World):
    response = await client.post("/api/v1/exchanges", json=exchange_body(),
                                 headers=await headers(client, "t1"))
    assert response.status_code == 403


async def test_create_refuses_deadlines_in_wrong_order_and_bad_links(client, world: World):
    h = await headers(client, "lingbao")
    swapped = await client.post("/api/v1/exchanges", headers=h, json=exchange_body(
        design_deadline=COMMENT_DEADLINE.isoformat(), comment_deadline=DESIGN_DEADLINE.isoformat()
    ))
    script = await client.post("/api/v1/exchanges", headers=h,
                               json=exchange_body(meeting_link="javascript:alert(1)"))
    no_place = await client.post("/api/v1/exchanges", headers=h,
                                 json=exchange_body(mode="onsite", place=""))
    bad_domain = await client.post("/api/v1/exchanges", headers=h,
                                   json=exchange_body(domain="math"))
    assert (swapped.status_code, swapped.json()["code"]) == (400, "exchange.deadlines")
    assert swapped.json()["detail"] == "点评截止时间必须晚于教学设计提交截止时间。"
    assert (script.status_code, script.json()["code"]) == (400, "exchange.meeting_link")
    assert (no_place.status_code, no_place.json()["code"]) == (400, "exchange.place")
    assert bad_domain.status_code == 400
    assert bad_domain.json()["fields"][0]["field"] == "domain"
    assert await Exchange.count() == 1


async def test_time_without_offset_is_taken_as_city_time(client, world: World):
    response = await client.post("/api/v1/exchanges", headers=await headers(client, "lingbao"),
                                 json=exchange_body(design_deadline="2026-03-09T18:00:00"))
    assert response.json()["design_deadline"] == "2026-03-09T18:00:00+08:00"


async def test_patch_by_organiser_checks_merged_values(client, world: World):
    h = await headers(client, "lingbao")
    url = f"/api/v1/exchanges/{world.exchange_id}"
    extended = await client.patch(url, headers=h, json={
        "comment_deadline": (COMMENT_DEADLINE + dt.timedelta(days=3)).isoformat(),
        "blind": False,
    })
    too_early = await client.patch(url, headers=h, json={
        "comment_deadline": (DESIGN_DEADLINE - dt.timedelta(days=1)).isoformat()
    })
    by_supervisor = await client.patch(url, json={"title": "改名"},
                                       headers=await headers(client, "lushi"))
    assert extended.status_code == 200
    assert (extended.json()["blind"], extended.json()["comment_deadline"]) == (
        False, "2026-03-19T09:00:00+08:00"
    )
    assert too_early.status_code == 400
    assert by_supervisor.status_code == 403


async def test_invite_expert_once_and_notify(client, world: World):
    h = await headers(client, "lingbao")
    url = f"/api/v1/exchanges/{world.exchange_id}/experts"
    first = await client.post(url, json={"person_id": world.people["expert2"]}, headers=h)
    again = await client.post(url, json={"person_id": world.people["expert2"]}, headers=h)
    teacher = await client.post(url, json={"person_id": world.people["t1"]}, headers=h)
    listing = await client.get(url, headers=await headers(client, "t2"))
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json()["name"] == "专家二"
    assert teacher.status_code == 400
    assert teacher.json()["code"] == "exchange.not_expert"
    assert [e["name"] for e in listing.json()["items"]] == ["专家一", "专家二"]
    assert await ExchangeExpert.count() == 2
    invited = await Notification.select(Notification.title).where(
        (Notification.person == world.people["expert2"]) & (Notification.kind == "invited")
    )
    assert invited == [{"title": "您受邀点评同研异构活动“中班语言《小兔乖乖》同研异构”"}]


async def test_list_exchanges_shows_only_involved_ones(client, world: World):
    lushi = await f.principal("lushi")
    await services.create_exchange(lushi, s.ExchangeIn(
        title="卢氏县内部活动", content="小班健康《洗手》", age_group="small", domain="health",
        mode="online", meeting_link="https://m.example.cn/1", starts_at=T0,
        design_deadline=DESIGN_DEADLINE, comment_deadline=COMMENT_DEADLINE,
    ))
    for username, titles in (
        ("lingbao", ["中班语言《小兔乖乖》同研异构"]),
        ("lushi", ["中班语言《小兔乖乖》同研异构", "卢氏县内部活动"]),
        ("t2", ["中班语言《小兔乖乖》同研异构"]),
        ("expert1", ["中班语言《小兔乖乖》同研异构"]),
        ("hubin", []),
    ):
        response = await client.get("/api/v1/exchanges", headers=await headers(client, username))
        assert sorted(e["title"] for e in response.json()["items"]) == sorted(titles), username


async def test_list_exchanges_constant_queries_at_1_and_50(world: World):
    officer = await f.principal("lingbao")
    with count_queries() as one:
        items, _ = await services.list_exchanges(officer)
    assert len(items) == 1
    for i in range(49):
        await services.create_exchange(officer, s.ExchangeIn(
            title=f"活动{i}", content="中班科学《沉与浮》", age_group="middle", domain="science",
            mode="onsite", place="实验幼儿园", starts_at=T0, design_deadline=DESIGN_DEADLINE,
            comment_deadline=COMMENT_DEADLINE,
        ))
    with count_queries() as fifty:
        items, total = await services.list_exchanges(officer)
    assert (len(items), total) == (50, 50)
    assert one[0] == fifty[0]


async def test_list_experts_constant_queries(world: World):
    officer = await f.principal("lingbao")
    with count_queries() as one:
        await services.list_experts(officer, world.exchange_id)
    for i in range(10):
        person = await f.user(f"e{i}", "expert", name=f"专家{i}")
        await services.invite_expert(officer, world.exchange_id, s.ExpertIn(person_id=person))
    with count_queries() as eleven:
        experts = await services.list_experts(officer, world.exchange_id)
    assert len(experts) == 11
    assert one[0] == eleven[0]


async def test_openapi_schema_documents_the_exchange_contract(client, clean_db):
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/api/v1/exchanges", "/api/v1/exchanges/{exchange_id}/pairing/suggest",
        "/api/v1/exchanges/{exchange_id}/groups", "/api/v1/designs/{design_id}/versions",
        "/api/v1/designs/{design_id}/scores", "/api/v1/exchanges/{exchange_id}/compare",
        "/api/v1/library", "/api/v1/notifications",
    ):
        assert path in paths, path
    assert "file_id" in paths["/api/v1/designs/{design_id}/versions"]["post"]["description"]
