"""Pairing through the API: suggestions use the history, confirmed groups obey the rules."""

from __future__ import annotations

import asyncio
import contextvars

from lianyan import clock
from lianyan.exchanges import services
from lianyan.exchanges.tables import ExchangeGroup, Notification, OutboxMessage, Participant
from tests.builders import org as f
from tests.exchanges.conftest import (
    AFTER_DESIGN_DEADLINE,
    World,
    build_world,
    exchange_body,
    headers,
)


async def _new_exchange(client, h) -> int:
    response = await client.post("/api/v1/exchanges", json=exchange_body(title="第二次交流"),
                                 headers=h)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def _members(*pairs: tuple[int, int]) -> dict:
    return {"members": [{"kindergarten_id": k, "teacher_id": t} for k, t in pairs]}


async def test_suggest_avoids_pair_that_met_in_earlier_exchange(client, world: World):
    # Arrange: A (灵宝, urban) and B (卢氏, rural) met in the world's exchange; E (湖滨, urban)
    # is the other urban candidate, so {A,D} and {E,B} are as good as {A,B} and {E,D}.
    h = await headers(client, "lingbao")
    second = await _new_exchange(client, h)
    body = {"candidate_ids": [world.kgs["A"], world.kgs["B"], world.kgs["D"], world.kgs["E"]],
            "group_size": 2}
    # Act
    response = await client.post(f"/api/v1/exchanges/{second}/pairing/suggest", json=body,
                                 headers=h)
    # Assert
    assert response.status_code == 200, response.text
    groups = [set(g["kindergarten_ids"]) for g in response.json()["groups"]]
    assert {world.kgs["A"], world.kgs["B"]} not in groups
    assert len(groups) == 2 and response.json()["unpaired"] == []
    assert response.json()["history_pairs"] == 1  # A–B; C–D met too, but C is no candidate
    assert all(g["reason"] for g in response.json()["groups"])


async def test_suggest_without_history_pairs_the_same_candidates_differently(
    client, clean_db, at_t0
):
    # The control for the test above: with no earlier exchange the engine is free to pick A–B,
    # so avoiding it there is the history's doing, not chance.
    world = await build_world(groups=False)
    h = await headers(client, "lingbao")
    body = {"candidate_ids": [world.kgs["A"], world.kgs["B"], world.kgs["D"], world.kgs["E"]],
            "group_size": 2}
    response = await client.post(
        f"/api/v1/exchanges/{world.exchange_id}/pairing/suggest", json=body, headers=h
    )
    groups = [set(g["kindergarten_ids"]) for g in response.json()["groups"]]
    assert response.json()["history_pairs"] == 0
    assert {world.kgs["A"], world.kgs["B"]} in groups


async def test_history_is_one_query_of_pairs_in_other_exchanges(world: World):
    from lianyan.db import count_queries

    with count_queries() as counter:
        history = await services.pairing_history(
            list(world.kgs.values()), exclude_exchange=0
        )
    assert counter[0] == 1
    assert history == {
        frozenset((world.kgs["A"], world.kgs["B"])): 1,
        frozenset((world.kgs["C"], world.kgs["D"])): 1,
    }
    assert await services.pairing_history(
        list(world.kgs.values()), exclude_exchange=world.exchange_id
    ) == {}


async def test_suggest_unknown_kindergarten_is_400(client, world: World):
    response = await client.post(
        f"/api/v1/exchanges/{world.exchange_id}/pairing/suggest",
        json={"candidate_ids": [world.kgs["A"], 99999]}, headers=await headers(client, "lingbao"),
    )
    assert response.status_code == 400
    assert response.json()["code"] == "pairing.unknown_kindergarten"
    assert response.json()["kindergarten_ids"] == [99999]


async def test_suggest_by_teacher_is_403_and_by_other_county_officer_404(client, world: World):
    url = f"/api/v1/exchanges/{world.exchange_id}/pairing/suggest"
    body = {"candidate_ids": [world.kgs["A"], world.kgs["B"]]}
    teacher = await client.post(url, json=body, headers=await headers(client, "t1"))
    outsider = await client.post(url, json=body, headers=await headers(client, "hubin"))
    supervisor = await client.post(url, json=body, headers=await headers(client, "lushi"))
    assert teacher.status_code == 403
    assert outsider.status_code == 404
    assert supervisor.status_code == 403
    assert supervisor.json()["code"] == "exchange.not_organiser"


async def test_put_groups_same_county_is_refused_and_changes_nothing(client, world: World):
    # Arrange
    before = await Participant.select(Participant.kindergarten, Participant.group).order_by(
        Participant.id
    )
    body = {"groups": [
        _members((world.kgs["A"], world.people["t1"]), (world.kgs["C"], world.people["t3"])),
        _members((world.kgs["B"], world.people["t2"]), (world.kgs["D"], world.people["t4"])),
    ]}
    # Act
    response = await client.put(f"/api/v1/exchanges/{world.exchange_id}/groups", json=body,
                                headers=await headers(client, "lingbao"))
    # Assert
    assert response.status_code == 409
    problem = response.json()
    assert problem["code"] == "pairing.same_county"
    assert "灵宝市" in problem["detail"] and "不能分在一组" in problem["detail"]
    assert [p["group"] for p in problem["problems"]] == [1, 2]
    after = await Participant.select(Participant.kindergarten, Participant.group).order_by(
        Participant.id
    )
    assert after == before


async def test_put_groups_needs_two_counties_and_teachers_of_the_kindergarten(
    client, world: World
):
    url = f"/api/v1/exchanges/{world.exchange_id}/groups"
    h = await headers(client, "lingbao")
    wrong_teacher = await client.put(url, headers=h, json={"groups": [
        _members((world.kgs["A"], world.people["t2"]), (world.kgs["B"], world.people["t1"])),
    ]})
    too_small = await client.put(url, headers=h, json={"groups": [
        _members((world.kgs["A"], world.people["t1"])),
    ]})
    assert wrong_teacher.status_code == 400
    assert wrong_teacher.json()["code"] == "pairing.teacher"
    assert "灵宝市实验幼儿园" in wrong_teacher.json()["detail"]
    assert too_small.status_code == 400
    assert too_small.json()["code"] == "pairing.group_too_small"


async def test_put_groups_reports_every_problem_of_every_group_in_one_answer(
    client, world: World
):
    # Arrange: group 1 inside 灵宝市, group 2 with a wrong teacher, group 3 of one kindergarten
    before = await Participant.select(Participant.kindergarten, Participant.group).order_by(
        Participant.id
    )
    body = {"groups": [
        _members((world.kgs["A"], world.people["t1"]), (world.kgs["C"], world.people["t3"])),
        _members((world.kgs["B"], world.people["t4"]), (world.kgs["E"], world.people["t5"])),
        _members((world.kgs["D"], world.people["t2"])),
    ]}
    # Act
    response = await client.put(f"/api/v1/exchanges/{world.exchange_id}/groups", json=body,
                                headers=await headers(client, "lingbao"))
    # Assert: the first structural problem keeps its code; every group's message is listed
    problem = response.json()
    assert response.status_code == 409
    assert problem["code"] == "pairing.same_county"
    assert [(p["group"], p["code"]) for p in problem["problems"]] == [
        (1, "pairing.same_county"), (2, "pairing.teacher"), (3, "pairing.group_too_small"),
        (3, "pairing.teacher"),
    ]
    assert "卢氏县杜关东村幼儿园" in problem["problems"][1]["message"]
    for p in problem["problems"]:
        assert p["message"] in problem["detail"]
    assert await Participant.select(Participant.kindergarten, Participant.group).order_by(
        Participant.id
    ) == before


async def test_put_groups_with_only_teacher_problems_is_pairing_teacher_naming_each(
    client, world: World
):
    body = {"groups": [
        _members((world.kgs["A"], world.people["t3"]), (world.kgs["B"], world.people["t2"])),
        _members((world.kgs["C"], world.people["t1"]), (world.kgs["D"], world.people["t4"])),
    ]}
    response = await client.put(f"/api/v1/exchanges/{world.exchange_id}/groups", json=body,
                                headers=await headers(client, "lingbao"))
    problem = response.json()
    assert response.status_code == 400
    assert problem["code"] == "pairing.teacher"
    assert problem["kindergarten_id"] == world.kgs["A"]
    assert [p["group"] for p in problem["problems"]] == [1, 2]
    assert "灵宝市实验幼儿园" in problem["detail"] and "灵宝市尹庄镇中心幼儿园" in problem["detail"]


async def test_put_groups_rewrites_groups_and_notifies_only_changed_teachers(
    client, world: World
):
    # Arrange: swap partners: {A, D} and {C, B}
    outbox_before = await OutboxMessage.count()
    body = {"groups": [
        _members((world.kgs["A"], world.people["t1"]), (world.kgs["D"], world.people["t4"])),
        _members((world.kgs["C"], world.people["t3"]), (world.kgs["B"], world.people["t2"])),
    ]}
    # Act
    response = await client.put(f"/api/v1/exchanges/{world.exchange_id}/groups", json=body,
                                headers=await headers(client, "lingbao"))
    again = await client.put(f"/api/v1/exchanges/{world.exchange_id}/groups", json=body,
                             headers=await headers(client, "lingbao"))
    # Assert
    assert response.status_code == 200, response.text
    groups = response.json()["groups"]
    assert [{m["kindergarten_name"] for m in g["members"]} for g in groups] == [
        {"灵宝市实验幼儿园", "卢氏县范里西村幼儿园"},
        {"灵宝市尹庄镇中心幼儿园", "卢氏县杜关东村幼儿园"},
    ]
    assert [g["id"] for g in groups] == [world.groups[1], world.groups[2]]
    assert again.status_code == 200
    paired = await Notification.select(Notification.person, Notification.title).where(
        Notification.kind == "paired"
    ).order_by(Notification.id)
    # four from the world's first grouping, four more for the swap, none for the repeat
    assert len(paired) == 8
    assert await OutboxMessage.count() == outbox_before + 4
    t1_titles = [n["title"] for n in paired if n["person"] == world.people["t1"]]
    assert t1_titles[-1] == "您已分组参加同研异构活动“中班语言《小兔乖乖》同研异构”（第1组）"


async def test_paired_notice_names_partner_and_goes_to_outbox_with_phone(world: World):
    row = await Notification.select(Notification.id, Notification.body).where(
        (Notification.person == world.people["t1"]) & (Notification.kind == "paired")
    ).first()
    outbox = await OutboxMessage.select(OutboxMessage.address, OutboxMessage.channel).where(
        OutboxMessage.notification == row["id"]
    ).first()
    assert "卢氏县杜关东村幼儿园（卢氏县）" in row["body"]
    assert outbox == {"address": "13900000001", "channel": "sms"}


async def test_put_groups_cannot_drop_participant_with_design(client, world: World, store):
    from lianyan.exchanges import designs
    from lianyan.exchanges import schemas as s

    await designs.create_design(await world.actor("t2"), world.exchange_id, s.DesignIn())
    body = {"groups": [
        _members((world.kgs["C"], world.people["t3"]), (world.kgs["D"], world.people["t4"])),
    ]}
    response = await client.put(f"/api/v1/exchanges/{world.exchange_id}/groups", json=body,
                                headers=await headers(client, "lingbao"))
    assert response.status_code == 409
    assert response.json()["code"] == "pairing.has_design"
    assert "卢氏县杜关东村幼儿园" in response.json()["detail"]
    assert await Participant.count().where(Participant.exchange == world.exchange_id) == 4


async def test_put_groups_after_design_deadline_is_409(client, world: World):
    body = {"groups": [
        _members((world.kgs["A"], world.people["t1"]), (world.kgs["B"], world.people["t2"])),
    ]}
    with clock.pinned(AFTER_DESIGN_DEADLINE):
        response = await client.put(f"/api/v1/exchanges/{world.exchange_id}/groups", json=body,
                                    headers=await headers(client, "lingbao"))
    assert response.status_code == 409
    assert response.json()["code"] == "pairing.closed"
    assert await ExchangeGroup.count() == 2


async def test_put_groups_dropping_a_group_removes_its_participants(client, world: World):
    body = {"groups": [
        _members((world.kgs["A"], world.people["t1"]), (world.kgs["B"], world.people["t2"])),
    ]}
    response = await client.put(f"/api/v1/exchanges/{world.exchange_id}/groups", json=body,
                                headers=await headers(client, "lingbao"))
    assert response.status_code == 200
    assert len(response.json()["groups"]) == 1
    assert await ExchangeGroup.count() == 1
    assert await Participant.count() == 2


async def test_get_groups_shows_members_to_a_participant(client, world: World):
    response = await client.get(f"/api/v1/exchanges/{world.exchange_id}/groups",
                                headers=await headers(client, "t4"))
    assert response.status_code == 200
    group = response.json()["groups"][1]
    assert group["number"] == 2
    assert {m["teacher_name"] for m in group["members"]} == {"教师3", "教师4"}
    assert {m["locale"] for m in group["members"]} == {"town", "rural"}


async def test_suggest_is_fast_path_constant_queries(world: World):
    """Suggesting for many candidates runs a fixed number of queries."""
    from lianyan.db import count_queries
    from lianyan.exchanges import schemas as s

    lingbao = await world.actor("lingbao")
    ids = [world.kgs["A"], world.kgs["B"]]
    with count_queries() as few:
        await services.suggest_pairing(lingbao, world.exchange_id, s.SuggestIn(candidate_ids=ids))
    for i in range(20):
        ids.append(await f.kindergarten(world.counties["lushi" if i % 2 else "hubin"],
                                        name=f"候选园{i}", locale="rural" if i % 2 else "urban"))
    with count_queries() as many:
        result = await services.suggest_pairing(
            lingbao, world.exchange_id, s.SuggestIn(candidate_ids=ids)
        )
    assert few[0] == many[0]
    assert len(result.groups) == 11


async def _start_design_elsewhere(world: World) -> asyncio.Task:
    """t2 starts a design in a request of its own (its own transaction), as a concurrent
    request would."""
    from lianyan.exchanges import designs
    from lianyan.exchanges import schemas as s

    actor = await world.actor("t2")
    return asyncio.create_task(
        designs.create_design(actor, world.exchange_id, s.DesignIn()),
        context=contextvars.Context(),
    )


async def _designs_are_intact(world: World) -> None:
    """Every design of the exchange still has its participant and the same teacher."""
    from lianyan.exchanges.tables import Design

    rows = await Design.select(Design.id, Design.participant.teacher.as_alias("teacher")).where(
        Design.exchange == world.exchange_id
    )
    assert all(r["teacher"] == world.people["t2"] for r in rows)


async def test_design_started_while_groups_are_being_checked_is_never_lost(
    client, world: World, store, monkeypatch
):
    # Arrange: t2's design is started right after put_groups has read who has a design
    # (before the fix those reads ran outside the lock create_design now shares).
    original = services._groups
    started: list[asyncio.Task] = []

    async def groups_then_design_elsewhere(*args, **kwargs):
        result = await original(*args, **kwargs)
        if not started:
            started.append(await _start_design_elsewhere(world))
            await asyncio.wait(started, timeout=1)
        return result

    monkeypatch.setattr(services, "_groups", groups_then_design_elsewhere)
    body = {"groups": [
        _members((world.kgs["C"], world.people["t3"]), (world.kgs["D"], world.people["t4"])),
    ]}
    # Act: the organiser drops t2's kindergarten (B).
    response = await client.put(f"/api/v1/exchanges/{world.exchange_id}/groups", json=body,
                                headers=await headers(client, "lingbao"))
    created = await asyncio.gather(*started, return_exceptions=True)
    # Assert: either the design exists and B is still in, or B is out and no design was made.
    from lianyan.exchanges.tables import Design

    designs = await Design.count().where(Design.exchange == world.exchange_id)
    if response.status_code == 200:
        assert designs == 0
        assert isinstance(created[0], Exception)
        assert getattr(created[0], "code", None) == "design.not_participant"
    else:
        assert response.json()["code"] == "pairing.has_design"
        assert designs == 1
    await _designs_are_intact(world)


async def test_concurrent_design_and_regrouping_never_lose_a_design(client, world: World, store):
    from lianyan.exchanges import designs
    from lianyan.exchanges import schemas as s
    from lianyan.exchanges.tables import Design

    body = {"groups": [
        _members((world.kgs["C"], world.people["t3"]), (world.kgs["D"], world.people["t4"])),
    ]}
    h = await headers(client, "lingbao")
    actor = await world.actor("t2")
    # Act
    created, regrouped = await asyncio.gather(
        designs.create_design(actor, world.exchange_id, s.DesignIn()),
        client.put(f"/api/v1/exchanges/{world.exchange_id}/groups", json=body, headers=h),
        return_exceptions=True,
    )
    # Assert
    count = await Design.count().where(Design.exchange == world.exchange_id)
    if isinstance(created, Exception):
        assert regrouped.status_code == 200 and count == 0
    else:
        assert regrouped.status_code == 409
        assert regrouped.json()["code"] == "pairing.has_design"
        assert count == 1
    await _designs_are_intact(world)
