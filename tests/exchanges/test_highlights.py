"""Highlights: a county pushes a finished exchange, the city accepts, every county browses."""

from __future__ import annotations

import io

from lianyan import clock
from lianyan.db import count_queries
from lianyan.exchanges import designs, highlights
from lianyan.exchanges import schemas as s
from lianyan.exchanges.tables import Highlight
from tests.builders.files import docx_bytes
from tests.exchanges.conftest import AFTER_COMMENT_DEADLINE, World, headers


async def _push_and_accept(client, world: World) -> dict:
    with clock.pinned(AFTER_COMMENT_DEADLINE):
        pushed = await client.post(f"/api/v1/exchanges/{world.exchange_id}/highlight",
                                   json={"summary": "城乡结对，角色游戏贯穿全程。"},
                                   headers=await headers(client, "lingbao"))
        assert pushed.status_code == 201, pushed.text
        accepted = await client.post(f"/api/v1/highlights/{pushed.json()['id']}/accept",
                                     headers=await headers(client, "city"))
    assert accepted.status_code == 200, accepted.text
    return accepted.json()


async def test_push_before_the_exchange_finished_is_409(client, world):
    response = await client.post(f"/api/v1/exchanges/{world.exchange_id}/highlight", json={},
                                 headers=await headers(client, "lingbao"))
    assert response.status_code == 409
    assert response.json()["code"] == "highlight.not_finished"
    assert "2026-03-16 09:00" in response.json()["detail"]
    assert await Highlight.count() == 0


async def test_only_the_organising_county_pushes_once(client, world):
    with clock.pinned(AFTER_COMMENT_DEADLINE):
        url = f"/api/v1/exchanges/{world.exchange_id}/highlight"
        by_supervisor = await client.post(url, json={}, headers=await headers(client, "lushi"))
        first = await client.post(url, json={}, headers=await headers(client, "lingbao"))
        twice = await client.post(url, json={}, headers=await headers(client, "lingbao"))
    assert by_supervisor.status_code == 403
    assert first.status_code == 201 and first.json()["status"] == "pushed"
    assert (twice.status_code, twice.json()["code"]) == (409, "highlight.exists")


async def test_city_accepts_and_every_county_finds_it_in_the_library(client, world, store):
    # Arrange: one design uploaded, so the library shows it and its file is readable
    actor = await world.actor("t1")
    design = await designs.create_design(actor, world.exchange_id, s.DesignIn())
    version = await designs.add_version(
        actor, store, design.id, kind="document", fileobj=io.BytesIO(docx_bytes()),
        filename="设计.docx", limits=designs.sniff.DEFAULT_LIMITS,
    )
    # Act
    accepted = await _push_and_accept(client, world)
    h = await headers(client, "t5")  # a teacher of 湖滨区, outside the exchange
    found = await client.get("/api/v1/library?q=小兔", headers=h)
    by_summary = await client.get("/api/v1/library?q=城乡结对", headers=h)
    other_domain = await client.get("/api/v1/library?domain=science", headers=h)
    exchange = await client.get(f"/api/v1/exchanges/{world.exchange_id}", headers=h)
    download = await client.get(f"/api/v1/files/{version.document.id}/download", headers=h)
    # Assert
    assert accepted["status"] == "accepted" and accepted["accepted_at"]
    assert [i["title"] for i in found.json()["items"]] == ["中班语言《小兔乖乖》同研异构"]
    assert found.json()["items"][0]["designs"] == 1
    assert by_summary.json()["total"] == 1
    assert other_domain.json()["total"] == 0
    assert exchange.status_code == 200 and exchange.json()["highlight_status"] == "accepted"
    assert download.status_code == 302


async def test_pushed_but_not_accepted_is_not_in_library_nor_readable(client, world):
    with clock.pinned(AFTER_COMMENT_DEADLINE):
        await client.post(f"/api/v1/exchanges/{world.exchange_id}/highlight", json={},
                          headers=await headers(client, "lingbao"))
    h = await headers(client, "t5")
    library = await client.get("/api/v1/library", headers=h)
    exchange = await client.get(f"/api/v1/exchanges/{world.exchange_id}", headers=h)
    assert library.json()["total"] == 0
    assert exchange.status_code == 404


async def test_accept_by_county_officer_is_403_and_twice_is_409(client, world):
    with clock.pinned(AFTER_COMMENT_DEADLINE):
        pushed = await client.post(f"/api/v1/exchanges/{world.exchange_id}/highlight", json={},
                                   headers=await headers(client, "lingbao"))
    url = f"/api/v1/highlights/{pushed.json()['id']}/accept"
    by_county = await client.post(url, headers=await headers(client, "lingbao"))
    first = await client.post(url, headers=await headers(client, "city"))
    second = await client.post(url, headers=await headers(client, "city"))
    assert by_county.status_code == 403
    assert first.status_code == 200
    assert (second.status_code, second.json()["code"]) == (409, "highlight.accepted")


async def test_highlights_list_city_all_county_own(client, world):
    with clock.pinned(AFTER_COMMENT_DEADLINE):
        await client.post(f"/api/v1/exchanges/{world.exchange_id}/highlight", json={},
                          headers=await headers(client, "lingbao"))
    city = await client.get("/api/v1/highlights?status=pushed",
                            headers=await headers(client, "city"))
    lushi = await client.get("/api/v1/highlights", headers=await headers(client, "lushi"))
    assert city.json()["total"] == 1
    assert lushi.json()["total"] == 0


async def test_library_constant_queries_at_1_and_50(client, world):
    from lianyan.exchanges import services
    from tests.exchanges.conftest import COMMENT_DEADLINE, DESIGN_DEADLINE, T0

    await _push_and_accept(client, world)
    reader = await world.actor("t5")
    with count_queries() as one:
        items, _ = await highlights.library(reader)
    assert len(items) == 1
    officer = await world.actor("lingbao")
    city = await world.actor("city")
    for i in range(49):
        created = await services.create_exchange(officer, s.ExchangeIn(
            title=f"往期活动{i}", content="大班科学《沉与浮》", age_group="large",
            domain="science", mode="onsite", place="实验幼儿园", starts_at=T0,
            design_deadline=DESIGN_DEADLINE, comment_deadline=COMMENT_DEADLINE,
        ))
        with clock.pinned(AFTER_COMMENT_DEADLINE):
            pushed = await highlights.push(officer, created.id, s.HighlightIn())
            await highlights.accept(city, pushed.id)
    with count_queries() as fifty:
        items, total = await highlights.library(reader)
    assert (len(items), total) == (50, 50)
    assert one[0] == fifty[0]
