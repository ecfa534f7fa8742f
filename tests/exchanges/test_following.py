"""Zone officers and directors act: they see their exchanges, follow, nudge and nominate.

The world's exchange has groups {A 灵宝, B 卢氏} and {C 灵宝, D 卢氏}; here C moves to a second
zone of 灵宝市, so the officer of the first zone has a kindergarten in group 1 only.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest

from lianyan import clock
from lianyan.org.tables import Kindergarten
from tests.builders import org as f
from tests.exchanges.conftest import AFTER_DESIGN_DEADLINE, World, headers
from tests.exchanges.test_visibility import _design


@pytest.fixture
async def zoned(world: World) -> World:
    """Zone officers: ``zone1`` of A's zone (C moved out), ``zone_hubin`` of 湖滨区."""
    zone_a = (await Kindergarten.select(Kindergarten.zone).where(
        Kindergarten.id == world.kgs["A"]).first())["zone"]
    second = await f.zone(world.counties["lingbao"], "灵宝第二教研责任区")
    await Kindergarten.update({Kindergarten.zone: second}).where(
        Kindergarten.id == world.kgs["C"])
    world.people["zone1"] = await f.user("zone1", "zone_officer", zone_id=zone_a, name="教研员甲")
    hubin_zone = await f.zone(world.counties["hubin"], "湖滨第一教研责任区")
    await f.user("zone_hubin", "zone_officer", zone_id=hubin_zone, name="教研员乙")
    return world


async def test_zone_officer_sees_the_exchange_and_only_their_zone_groups_while_blind(
    client, zoned, store
):
    # Arrange: every participant uploaded.
    ids = {u: await _design(zoned, store, u) for u in ("t1", "t2", "t3", "t4")}
    zone1 = await headers(client, "zone1")
    url = f"/api/v1/exchanges/{zoned.exchange_id}"
    # Act
    page = await client.get(url, headers=zone1)
    listed = await client.get("/api/v1/exchanges", headers=zone1)
    before = await client.get(f"{url}/designs", headers=zone1)
    with clock.pinned(AFTER_DESIGN_DEADLINE):
        after = await client.get(f"{url}/designs", headers=zone1)
    other = await client.get(url, headers=await headers(client, "zone_hubin"))
    # Assert
    assert page.status_code == 200, page.text
    assert [e["id"] for e in listed.json()["items"]] == [zoned.exchange_id]
    assert {d["id"] for d in before.json()["items"]} == {ids["t1"], ids["t2"]}
    assert {d["id"] for d in after.json()["items"]} == set(ids.values())
    assert other.status_code == 404


async def test_zone_officer_follows_the_zone_teachers_and_nudges_once_a_day(client, zoned, store):
    zone1 = await headers(client, "zone1")
    # Act
    listed = await client.get("/api/v1/participations", headers=zone1)
    (row,) = listed.json()["items"]
    first = await client.post(f"/api/v1/participations/{row['participant_id']}/nudge",
                              headers=zone1)
    again = await client.post(f"/api/v1/participations/{row['participant_id']}/nudge",
                              headers=zone1)
    # Assert
    assert (row["kindergarten_name"], row["teacher_name"], row["versions"]) == (
        "灵宝市实验幼儿园", "教师1", 0)
    assert row["may_nudge"] is True and row["may_nominate"] is False
    assert first.status_code == 200, first.text
    assert again.status_code == 409
    assert again.json()["code"] == "nudge.already_sent"
    assert again.json()["detail"] == "今天已经提醒过教师1，请明天再提醒。"
    notices = await client.get("/api/v1/notifications", headers=await headers(client, "t1"))
    notice = notices.json()["items"][0]  # newest first; the pairing notice is older
    assert notice["kind"] == "nudge"
    assert notice["title"] == "教研员甲提醒您提交“中班语言《小兔乖乖》同研异构”教学设计"


async def test_nudge_refused_once_uploaded_and_outside_the_zone(client, zoned, store):
    await _design(zoned, store, "t1")
    zone1 = await headers(client, "zone1")
    (row,) = (await client.get("/api/v1/participations", headers=zone1)).json()["items"]
    done = await client.post(f"/api/v1/participations/{row['participant_id']}/nudge",
                             headers=zone1)
    director = await client.get("/api/v1/participations", headers=await headers(client, "lushi"))
    outside = [r for r in director.json()["items"] if r["kindergarten_name"] != "灵宝市实验幼儿园"]
    foreign = await client.post(f"/api/v1/participations/{outside[0]['participant_id']}/nudge",
                                headers=zone1)
    assert row["versions"] == 1 and row["may_nudge"] is False
    assert done.status_code == 409 and done.json()["code"] == "nudge.done"
    assert foreign.status_code == 404


async def test_director_nominates_another_teacher_of_the_kindergarten(client, zoned):
    # Arrange: a second teacher at A.
    t6 = await f.user("t6", "teacher", kindergarten_id=zoned.kgs["A"], name="教师6")
    director = await headers(client, "director_a")
    (row,) = (await client.get("/api/v1/participations", headers=director)).json()["items"]
    url = f"/api/v1/participations/{row['participant_id']}/teacher"
    # Act
    wrong = await client.put(url, json={"teacher_id": zoned.people["t3"]}, headers=director)
    by_zone = await client.put(url, json={"teacher_id": t6}, headers=await headers(client, "zone1"))
    nominated = await client.put(url, json={"teacher_id": t6}, headers=director)
    # Assert
    assert row["may_nominate"] is True
    assert wrong.status_code == 400 and wrong.json()["code"] == "nominate.not_teacher"
    assert by_zone.status_code == 403 and by_zone.json()["code"] == "nominate.forbidden"
    assert nominated.status_code == 200, nominated.text
    assert nominated.json()["teacher_name"] == "教师6"
    mine = await client.post(f"/api/v1/exchanges/{zoned.exchange_id}/designs", json={},
                             headers=await headers(client, "t6"))
    assert mine.status_code == 201, mine.text
    notices = await client.get("/api/v1/notifications", headers=await headers(client, "t6"))
    assert notices.json()["items"][0]["kind"] == "nominated"


async def test_progress_page_lets_the_director_nudge_and_refuses_an_empty_choice(client, zoned):
    from tests.exchanges.test_pages import _as

    h = await _as(client, "director_a")
    page = await client.get("/exchanges/progress", headers=h)
    row = (await client.get("/api/v1/participations", headers=h)).json()["items"][0]
    nudged = await client.post(f"/exchanges/progress/{row['participant_id']}/nudge", headers=h)
    empty = await client.post(f"/exchanges/progress/{row['participant_id']}/teacher",
                              data={"teacher_id": ""}, headers=h)
    assert page.status_code == 200
    assert "灵宝市实验幼儿园 · 设计教师 <strong>教师1</strong>" in page.text
    assert "还剩 7 天" in page.text and 'data-testid="nudge"' in page.text
    assert nudged.status_code == 303
    assert empty.status_code == 400
    assert "设计教师" in empty.text and 'data-testid="error-teacher_id"' in empty.text
    assert empty.headers["content-type"].startswith("text/html")


async def test_a_refused_nudge_on_the_progress_page_goes_back_to_it_with_the_message(
    client, zoned
):
    from tests.exchanges.test_pages import _as

    h = await _as(client, "director_a")
    row = (await client.get("/api/v1/participations", headers=h)).json()["items"][0]
    url = f"/exchanges/progress/{row['participant_id']}/nudge"
    first = await client.post(url, headers=h)
    again = await client.post(url, headers=h)

    assert first.status_code == again.status_code == 303
    assert first.headers["location"] == "/exchanges/progress?done=" + quote("已提醒该教师。")
    assert again.headers["location"].startswith("/exchanges/progress?refused=")
    shown = await client.get(again.headers["location"], headers=h)
    assert shown.status_code == 200
    assert 'data-testid="error"' in shown.text and "今天已经提醒过" in shown.text
    # the API answers as before
    api = await client.post(f"/api/v1/participations/{row['participant_id']}/nudge", headers=h)
    assert api.status_code == 409 and api.json()["code"] == "nudge.already_sent"


async def test_home_page_says_what_each_role_must_do_next(client, zoned):
    # Act
    pages = {u: (await client.get("/", headers=await headers(client, u))).text
             for u in ("t1", "director_a", "zone1", "lingbao", "expert1", "expert2")}
    # Assert: each sees the task with its deadline, not only counts.
    assert "上传“中班语言《小兔乖乖》同研异构”的教学设计" in pages["t1"]
    assert "还剩 7 天" in pages["t1"]
    assert "“中班语言《小兔乖乖》同研异构”还有 1 位教师未提交教学设计" in pages["director_a"]
    assert "灵宝市实验幼儿园 教师1" in pages["zone1"]
    assert "还有 2 位教师未提交教学设计" in pages["lingbao"]
    assert "建立并报送 2026 年度教研工作备案" in pages["lingbao"]
    assert "目前没有等您处理的事项。" in pages["expert1"]
    assert "目前没有等您处理的事项。" in pages["expert2"]  # invited nowhere


async def test_zone_officer_proposes_a_zone_teacher_and_the_organiser_sees_it(client, zoned):
    # Arrange: a kindergarten of zone1's zone that does not take part yet, with a teacher.
    zone_a = (await Kindergarten.select(Kindergarten.zone).where(
        Kindergarten.id == zoned.kgs["A"]).first())["zone"]
    kg = await f.kindergarten(zoned.counties["lingbao"], zone_id=zone_a, name="灵宝市阳平镇柳林村幼儿园",
                              locale="rural")
    t7 = await f.user("t7", "teacher", kindergarten_id=kg, name="教师7")
    zone1 = await headers(client, "zone1")
    url = f"/api/v1/exchanges/{zoned.exchange_id}/proposals"
    # Act
    outside = await client.post(url, json={"teacher_id": zoned.people["t3"]}, headers=zone1)
    taking_part = await client.post(url, json={"teacher_id": zoned.people["t1"]}, headers=zone1)
    proposed = await client.post(url, json={"teacher_id": t7, "note": "乡村园，游戏化教学有特色"},
                                 headers=zone1)
    again = await client.post(url, json={"teacher_id": t7}, headers=zone1)
    by_teacher = await client.post(url, json={"teacher_id": t7},
                                   headers=await headers(client, "t1"))
    listed = await client.get(url, headers=await headers(client, "lingbao"))
    # Assert
    assert outside.status_code == 400 and outside.json()["code"] == "proposal.teacher"
    assert taking_part.status_code == 409 and taking_part.json()["code"] == "proposal.exists"
    assert proposed.status_code == 201, proposed.text
    assert again.status_code == 409
    assert again.json()["detail"] == "灵宝市阳平镇柳林村幼儿园已被推荐参加本次活动。"
    assert by_teacher.status_code == 403
    (row,) = listed.json()["items"]
    assert (row["kindergarten_name"], row["teacher_name"], row["proposed_by_name"]) == (
        "灵宝市阳平镇柳林村幼儿园", "教师7", "教研员甲")
    notices = await client.get("/api/v1/notifications", headers=await headers(client, "lingbao"))
    assert notices.json()["items"][0]["title"] == (
        "教研员甲推荐灵宝市阳平镇柳林村幼儿园参加“中班语言《小兔乖乖》同研异构”")


async def test_proposal_form_without_a_teacher_comes_back_with_the_message(client, zoned):
    from tests.exchanges.test_pages import _as

    h = await _as(client, "zone1")
    page = await client.get(f"/exchanges/{zoned.exchange_id}", headers=h)
    refused = await client.post(f"/exchanges/{zoned.exchange_id}/proposals",
                                data={"teacher_id": "", "note": "乡村园"}, headers=h)
    assert 'data-testid="propose-form"' in page.text
    assert refused.status_code == 400
    assert refused.headers["content-type"].startswith("text/html")
    assert 'data-testid="error-teacher_id"' in refused.text
    assert 'value="乡村园"' in refused.text
