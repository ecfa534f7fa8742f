"""The exchange's progress ("x of y designs in") and nudging the late teachers and experts."""

from __future__ import annotations

import datetime as dt
import io

from lianyan import clock
from lianyan.db import count_queries
from lianyan.exchanges import chasing, designs, reviews
from lianyan.exchanges import schemas as s
from lianyan.exchanges.tables import Notification
from tests.builders.files import docx_bytes
from tests.exchanges.conftest import AFTER_DESIGN_DEADLINE, World, headers


async def _upload(world: World, store, username: str) -> int:
    actor = await world.actor(username)
    design = await designs.create_design(actor, world.exchange_id, s.DesignIn())
    await designs.add_version(
        actor, store, design.id, kind="document", fileobj=io.BytesIO(docx_bytes()),
        filename="设计.docx", limits=designs.sniff.DEFAULT_LIMITS,
    )
    return design.id


async def test_progress_per_group_and_participant_with_designs_in(client, world, store):
    t1 = await _upload(world, store, "t1")
    await reviews.post_comment(await world.actor("expert1"), t1, s.CommentIn(body="目标清楚"))

    response = await client.get(f"/api/v1/exchanges/{world.exchange_id}/progress",
                                headers=await headers(client, "lingbao"))

    body = response.json()
    assert response.status_code == 200, response.text
    assert (body["designs_in"], body["participants"]) == (1, 4)
    first = {m["teacher_name"]: m for m in body["groups"][0]["members"]}
    assert first["教师1"]["versions"] == 1 and first["教师1"]["comments"] == 1
    assert first["教师1"].get("scores", 0) == 0 and not first["教师1"].get("late", False)
    assert first["教师2"]["late"] is True and first["教师2"]["may_nudge"] is True
    assert body["experts"] == [{"person_id": world.people["expert1"], "name": "专家一",
                                "comments": 1, "scores": 0, "owing": 1, "may_nudge": True}]


async def test_progress_runs_constant_queries(world, store):
    lingbao = await world.actor("lingbao")
    with count_queries() as before:
        await chasing.exchange_progress(lingbao, world.exchange_id)
    for name in ("t1", "t2", "t3"):
        await _upload(world, store, name)
    with count_queries() as after:
        result = await chasing.exchange_progress(lingbao, world.exchange_id)
    assert result.designs_in == 3
    assert len(after) == len(before)


async def test_nudge_late_teachers_once_a_day(client, world, store):
    await _upload(world, store, "t1")
    h = await headers(client, "lingbao")
    url = f"/api/v1/exchanges/{world.exchange_id}/nudge"

    first = await client.post(url, json={"to": "teachers"}, headers=h)
    again = await client.post(url, json={"to": "teachers"}, headers=h)
    with clock.pinned(clock.now() + dt.timedelta(days=1)):
        tomorrow = await client.post(url, json={"to": "teachers",
                                                "person_ids": [world.people["t2"]]}, headers=h)

    assert first.status_code == 200, first.text
    assert sorted(p["name"] for p in first.json()["sent"]) == ["教师2", "教师3", "教师4"]
    assert [p["name"] for p in first.json()["not_late"]] == ["教师1"]
    assert again.status_code == 409 and again.json()["code"] == "nudge.already_sent"
    assert [p["name"] for p in tomorrow.json()["sent"]] == ["教师2"]
    told = await Notification.select(Notification.person).where(Notification.kind == "nudge")
    assert sorted(r["person"] for r in told) == sorted(
        [world.people["t2"], world.people["t2"], world.people["t3"], world.people["t4"]])


async def test_nudge_shares_the_daily_limit_with_the_one_click_nudge(client, world):
    participant = await _participant_of(world, "t2")
    h = await headers(client, "lingbao")
    single = await client.post(f"/api/v1/participations/{participant}/nudge",
                               headers=await headers(client, "lushi"))
    bulk = await client.post(f"/api/v1/exchanges/{world.exchange_id}/nudge",
                             json={"to": "teachers", "person_ids": [world.people["t2"]]},
                             headers=h)
    assert single.status_code == 200
    assert bulk.status_code == 409 and bulk.json()["code"] == "nudge.already_sent"


async def _participant_of(world: World, username: str) -> int:
    from lianyan.exchanges.tables import Participant

    row = await Participant.select(Participant.id).where(
        Participant.teacher == world.people[username]).first()
    return row["id"]


async def test_nudge_late_experts(client, world, store):
    await _upload(world, store, "t1")
    response = await client.post(f"/api/v1/exchanges/{world.exchange_id}/nudge",
                                 json={"to": "experts"}, headers=await headers(client, "lingbao"))
    assert response.status_code == 200, response.text
    assert [p["name"] for p in response.json()["sent"]] == ["专家一"]
    notice = await Notification.select(Notification.body).where(
        Notification.kind == "expert_reminder").first()
    assert notice["body"].startswith("还有 1 份教学设计等待您点评或评分")


async def test_nudge_refusals(client, world, store):
    h = await headers(client, "lingbao")
    url = f"/api/v1/exchanges/{world.exchange_id}/nudge"
    stranger = await client.post(url, json={"to": "teachers",
                                            "person_ids": [world.people["t5"]]}, headers=h)
    wrong_to = await client.post(url, json={"to": "parents"}, headers=h)
    empty = await client.post(url, json={"to": "teachers", "person_ids": []}, headers=h)
    nobody = await client.post(url, json={"to": "experts"}, headers=h)
    by_supervisor = await client.post(url, json={"to": "teachers"},
                                      headers=await headers(client, "lushi"))
    with clock.pinned(AFTER_DESIGN_DEADLINE):
        closed = await client.post(url, json={"to": "teachers"}, headers=h)
    assert (stranger.status_code, stranger.json()["code"]) == (400, "nudge.unknown_person")
    assert stranger.json()["field"] == "person_ids"
    assert wrong_to.status_code == 400 and wrong_to.json()["fields"][0]["field"] == "to"
    assert (empty.status_code, empty.json()["code"]) == (400, "nudge.unknown_person")
    assert (nobody.status_code, nobody.json()["code"]) == (409, "nudge.nobody_late")
    assert by_supervisor.status_code == 403
    assert (closed.status_code, closed.json()["code"]) == (409, "nudge.closed")
    assert await Notification.count().where(Notification.kind == "nudge") == 0


async def _as(client, username: str) -> dict[str, str]:
    h = await headers(client, username)
    await client.get("/login")
    return {**h, "x-csrftoken": client.cookies.get("csrftoken", "")}


async def test_exchange_page_shows_progress_and_nudges_the_ticked_teachers(client, world, store):
    await _upload(world, store, "t1")
    h = await _as(client, "lingbao")
    page = await client.get(f"/exchanges/{world.exchange_id}", headers=h)
    nobody = await client.post(f"/exchanges/{world.exchange_id}/nudge", headers=h,
                               data={"to": "teachers"})
    sent = await client.post(f"/exchanges/{world.exchange_id}/nudge", headers=h,
                             data={"to": "teachers", "person_ids": [str(world.people["t2"])]})
    assert "1 / 4 份教学设计已提交" in page.text
    assert f'data-testid="nudge-teacher-{world.people["t2"]}"' in page.text
    assert f'data-testid="nudge-teacher-{world.people["t1"]}"' not in page.text
    assert nobody.status_code == 400 and "请至少选择一位要提醒的人员" in nobody.text
    assert nobody.headers["content-type"].startswith("text/html")
    assert sent.status_code == 303
    assert sent.headers["location"].startswith(f"/exchanges/{world.exchange_id}?done=")
    assert await Notification.count().where(Notification.kind == "nudge") == 1


async def test_a_refused_nudge_on_the_exchange_page_goes_back_to_it_with_the_message(
    client, world, store
):
    h = await _as(client, "lingbao")
    body = {"to": "teachers", "person_ids": [str(world.people["t2"])]}
    await client.post(f"/exchanges/{world.exchange_id}/nudge", headers=h, data=body)

    again = await client.post(f"/exchanges/{world.exchange_id}/nudge", headers=h, data=body)

    assert again.status_code == 303
    assert again.headers["location"].startswith(f"/exchanges/{world.exchange_id}?refused=")
    shown = await client.get(again.headers["location"], headers=h)
    assert shown.status_code == 200 and "今天已经提醒过" in shown.text
    assert 'data-testid="error"' in shown.text
    assert await Notification.count().where(Notification.kind == "nudge") == 1
