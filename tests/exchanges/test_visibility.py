"""Who sees an exchange and its designs: participants, other groups, experts, other counties.

Each test looks from one side, before and after the design deadline of a blind exchange.
"""

from __future__ import annotations

import io

import pytest

from lianyan import clock
from lianyan.exchanges import designs
from lianyan.exchanges import schemas as s
from lianyan.exchanges.access import Standing, sees_design
from tests.builders.files import docx_bytes
from tests.exchanges.conftest import (
    AFTER_DESIGN_DEADLINE,
    BEFORE_DEADLINE,
    DESIGN_DEADLINE,
    World,
    build_world,
    headers,
)


async def _design(world: World, store, username: str, content: bytes | None = None) -> int:
    """The user's design with one document version; returns its id."""
    actor = await world.actor(username)
    design = await designs.create_design(actor, world.exchange_id, s.DesignIn())
    await designs.add_version(
        actor, store, design.id, kind="document", fileobj=io.BytesIO(content or docx_bytes()),
        filename="教学设计.docx", limits=designs.sniff.DEFAULT_LIMITS,
    )
    return design.id


@pytest.fixture
async def designed(world: World, store) -> dict[str, int]:
    """All four participants uploaded a design: {teacher username: design id}."""
    return {u: await _design(world, store, u) for u in ("t1", "t2", "t3", "t4")}


async def _seen(client, username: str, world: World) -> set[int]:
    response = await client.get(
        f"/api/v1/exchanges/{world.exchange_id}/designs", headers=await headers(client, username)
    )
    assert response.status_code == 200, response.text
    return {d["id"] for d in response.json()["items"]}


# Pure rules ----------------------------------------------------------------------------------


def test_sees_design_blind_participant_only_own_group_until_deadline():
    participant = Standing(own_groups=frozenset({1}), participations=frozenset({10}))
    rule = {"blind": True, "design_deadline": DESIGN_DEADLINE}
    assert sees_design(participant, group_id=1, now=BEFORE_DEADLINE, **rule)
    assert not sees_design(participant, group_id=2, now=BEFORE_DEADLINE, **rule)
    assert sees_design(participant, group_id=2, now=DESIGN_DEADLINE, **rule)


def test_sees_design_not_blind_participant_sees_all_groups_at_once():
    participant = Standing(own_groups=frozenset({1}), participations=frozenset({10}))
    assert sees_design(participant, group_id=2, blind=False, design_deadline=DESIGN_DEADLINE,
                       now=BEFORE_DEADLINE)


def test_sees_design_outsider_never():
    for now in (BEFORE_DEADLINE, AFTER_DESIGN_DEADLINE):
        assert not sees_design(Standing(), group_id=1, blind=False,
                               design_deadline=DESIGN_DEADLINE, now=now)


# Through the API -----------------------------------------------------------------------------


async def test_participant_before_deadline_sees_only_own_group_designs(client, world, designed):
    seen = await _seen(client, "t1", world)
    assert seen == {designed["t1"], designed["t2"]}
    other = await client.get(f"/api/v1/designs/{designed['t3']}",
                             headers=await headers(client, "t1"))
    assert other.status_code == 404
    assert other.json()["code"] == "design.not_found"


async def test_participant_after_deadline_sees_every_design(client, world, designed):
    with clock.pinned(AFTER_DESIGN_DEADLINE):
        seen = await _seen(client, "t1", world)
        other = await client.get(f"/api/v1/designs/{designed['t3']}",
                                 headers=await headers(client, "t1"))
    assert seen == set(designed.values())
    assert other.status_code == 200
    assert other.json()["kindergarten_name"] == "灵宝市尹庄镇中心幼儿园"


async def test_other_group_before_deadline_cannot_see_or_download_first_group(
    client, world, designed
):
    t3 = await headers(client, "t3")
    versions = await client.get(f"/api/v1/designs/{designed['t1']}/versions", headers=t3)
    compare = await client.get(
        f"/api/v1/exchanges/{world.exchange_id}/compare?group={world.groups[1]}", headers=t3
    )
    own_file = (await designs.list_versions(await world.actor("t1"), designed["t1"]))[0]
    download = await client.get(f"/api/v1/files/{own_file.document.id}/download", headers=t3)
    assert versions.status_code == 404
    assert compare.status_code == 404
    assert download.status_code == 404
    assert await _seen(client, "t3", world) == {designed["t3"], designed["t4"]}


async def test_director_of_participating_kindergarten_sees_like_its_teacher(
    client, world, designed
):
    assert await _seen(client, "director_a", world) == {designed["t1"], designed["t2"]}


async def test_invited_expert_sees_everything_before_deadline(client, world, designed):
    assert await _seen(client, "expert1", world) == set(designed.values())


@pytest.mark.parametrize("when", [BEFORE_DEADLINE, AFTER_DESIGN_DEADLINE])
async def test_uninvited_expert_sees_nothing(client, world, designed, when):
    with clock.pinned(when):
        h = await headers(client, "expert2")
        exchange = await client.get(f"/api/v1/exchanges/{world.exchange_id}", headers=h)
        listing = await client.get(f"/api/v1/exchanges/{world.exchange_id}/designs", headers=h)
        design = await client.get(f"/api/v1/designs/{designed['t1']}", headers=h)
        mine = await client.get("/api/v1/exchanges", headers=h)
    assert (exchange.status_code, listing.status_code, design.status_code) == (404, 404, 404)
    assert exchange.json()["detail"] == "没有找到该交流活动。"
    assert mine.json() == {"items": [], "total": 0}


@pytest.mark.parametrize("username", ["hubin", "t5"])
@pytest.mark.parametrize("when", [BEFORE_DEADLINE, AFTER_DESIGN_DEADLINE])
async def test_another_county_sees_nothing(client, world, designed, username, when):
    with clock.pinned(when):
        h = await headers(client, username)
        exchange = await client.get(f"/api/v1/exchanges/{world.exchange_id}", headers=h)
        groups = await client.get(f"/api/v1/exchanges/{world.exchange_id}/groups", headers=h)
        design = await client.get(f"/api/v1/designs/{designed['t2']}", headers=h)
        comments = await client.get(f"/api/v1/designs/{designed['t2']}/comments", headers=h)
        mine = await client.get("/api/v1/exchanges", headers=h)
    assert {r.status_code for r in (exchange, groups, design, comments)} == {404}
    assert mine.json()["total"] == 0


async def test_participating_county_officer_supervises_all_designs(client, world, designed):
    assert await _seen(client, "lushi", world) == set(designed.values())


async def test_organiser_and_city_see_all_designs(client, world, designed):
    assert await _seen(client, "lingbao", world) == set(designed.values())
    assert await _seen(client, "city", world) == set(designed.values())


async def test_exchange_not_blind_shows_all_designs_before_deadline(client, clean_db, at_t0,
                                                                    store):
    world = await build_world(blind=False)
    ids = {u: await _design(world, store, u) for u in ("t1", "t3")}
    assert await _seen(client, "t1", world) == set(ids.values())


async def test_list_designs_constant_queries_at_1_and_50(world, store):
    from lianyan.db import count_queries

    await _design(world, store, "t1")
    expert = await world.actor("expert1")
    with count_queries() as one:
        items, _ = await designs.list_designs(expert, world.exchange_id)
    assert len(items) == 1
    await _add_many_designs(world, 49)
    with count_queries() as fifty:
        items, _ = await designs.list_designs(expert, world.exchange_id)
    assert len(items) == 50
    # The same queries whatever the size; the count runs only once the page is full.
    assert fifty[0] == one[0] + 1


async def _add_many_designs(world: World, count: int) -> None:
    """Extra participants with designs, written straight to the tables."""
    from lianyan.exchanges.tables import Design, Participant
    from tests.builders import org as f

    now = clock.now()
    for i in range(count):
        kg = await f.kindergarten(world.counties["lushi"], name=f"卢氏县第{i}幼儿园")
        teacher = await f.user(f"extra{i}", "teacher", kindergarten_id=kg)
        participant = (await Participant.insert(Participant(
            exchange=world.exchange_id, group=world.groups[1], kindergarten=kg,
            county=world.counties["lushi"], teacher=teacher, created_at=now,
        )))[0]["id"]
        await Design.insert(Design(exchange=world.exchange_id, participant=participant,
                                   title="设计", created_at=now, updated_at=now))
