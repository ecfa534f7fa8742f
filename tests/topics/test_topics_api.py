"""Creating, editing, deleting, reading and listing topics through ``/api/v1/topics``."""

from __future__ import annotations

import pytest

from lianyan import clock, db
from lianyan.org.tables import Person
from lianyan.topics.tables import Topic, TopicMember
from tests.builders import topics


async def test_officer_creates_draft_with_members_and_roles(world):
    # Act
    response = await world.call("POST", "/api/v1/topics", "officer", json=world.topic_body())
    # Assert
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["status"] == "draft"
    assert (body["county_id"], body["county_name"], body["year"]) == (
        world.ids["lingbao"], "灵宝市", 2026)
    assert (body["host_id"], body["host_name"]) == (world.ids["host"], "王芳")
    assert body["member_ids"] == [world.ids["member"]]
    assert body["members"][0]["role"] == "核心成员"
    assert body["members"][0]["name"] == "李静"
    assert body["keywords"] == ["自主游戏", "教师支持"]
    assert body["planned_start"] == "2026-03-01"
    assert body["kindergarten_id"] == world.ids["kg"]
    assert body["events"][0]["action"] == "create"


async def test_member_ids_short_form_gives_default_role(world):
    body = world.topic_body(member_ids=[world.ids["member"], world.ids["teacher2"]])
    del body["members"]
    response = await world.call("POST", "/api/v1/topics", "officer", json=body)
    assert response.status_code == 201, response.text
    assert [m["role"] for m in response.json()["members"]] == ["成员", "成员"]
    assert response.json()["member_ids"] == [world.ids["member"], world.ids["teacher2"]]


async def test_status_draft_is_accepted_on_create_and_other_status_refused(world):
    ok = await world.call("POST", "/api/v1/topics", "officer",
                          json=world.topic_body(status="draft"))
    refused = await world.call("POST", "/api/v1/topics", "officer",
                               json=world.topic_body(status="approved"))
    assert ok.status_code == 201
    assert refused.status_code == 400


@pytest.mark.parametrize(
    ("username", "overrides", "expected"),
    [
        ("city", {}, 201),
        ("officer", {}, 201),
        ("lushi", {}, 403),  # another county's officer
        ("director", {}, 201),  # host works in the director's kindergarten
        ("director", {"host_id": "teacher2"}, 403),  # host from another kindergarten
        ("host", {}, 201),  # a teacher hosting their own topic
        ("member", {}, 403),  # a teacher creating a topic someone else hosts
        ("teacher2", {"host_id": "teacher2", "members": []}, 201),
        ("zone", {}, 403),
        ("expert1", {}, 403),
    ],
)
async def test_who_may_create_a_topic(world, username, overrides, expected):
    if isinstance(overrides.get("host_id"), str):
        overrides["host_id"] = world.ids[overrides["host_id"]]
    # Act
    response = await world.call("POST", "/api/v1/topics", username,
                                json=world.topic_body(**overrides))
    # Assert
    assert response.status_code == expected, response.text
    if expected == 403:
        assert await Topic.count() == 0


async def test_members_must_be_people_of_the_county(world):
    body = world.topic_body(members=[{"person_id": world.ids["lushi_teacher"], "role": "成员"}])
    # Act
    response = await world.call("POST", "/api/v1/topics", "officer", json=body)
    # Assert
    assert response.status_code == 400
    assert response.json()["code"] == "topic.member_county"
    assert response.json()["detail"] == (
        "杨雪不是灵宝市的人员；课题成员须为本县（市、区）的人员。"
    )
    assert await Topic.count() == 0


async def test_host_must_be_of_the_county(world):
    response = await world.call("POST", "/api/v1/topics", "city",
                                json=world.topic_body(host_id=world.ids["lushi_teacher"]))
    assert response.status_code == 400
    assert response.json()["code"] == "topic.host_county"


async def test_unknown_person_and_duplicate_member_are_refused(world):
    unknown = await world.call("POST", "/api/v1/topics", "officer",
                               json=world.topic_body(member_ids=[99999], members=[]))
    dup = world.topic_body(members=[{"person_id": world.ids["member"]},
                                    {"person_id": world.ids["member"]}])
    duplicate = await world.call("POST", "/api/v1/topics", "officer", json=dup)
    assert unknown.status_code == 400
    assert duplicate.status_code == 400
    assert duplicate.json()["code"] == "topic.members"


async def test_end_before_start_is_refused_in_chinese(world):
    response = await world.call(
        "POST", "/api/v1/topics", "officer",
        json=world.topic_body(planned_start="2026-09-01", planned_end="2026-03-01"),
    )
    assert response.status_code == 400
    assert response.json()["detail"] == "计划结束日期不能早于计划开始日期。"


async def test_patch_changes_only_sent_fields_and_replaces_members(world):
    topic_id = await world.create()
    # Act
    response = await world.call(
        "PATCH", f"/api/v1/topics/{topic_id}", "host",
        json={"abstract": "新的摘要", "members": [{"person_id": world.ids["teacher2"],
                                                   "role": "资料整理"}]},
    )
    # Assert
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["abstract"] == "新的摘要"
    assert body["title"] == "幼儿园户外自主游戏中教师支持策略的研究"
    assert [(m["name"], m["role"]) for m in body["members"]] == [("陈洁", "资料整理")]
    assert await TopicMember.count() == 1


async def test_patch_status_is_refused_with_the_step_endpoints_named(world):
    topic_id = await world.create()
    response = await world.call("PATCH", f"/api/v1/topics/{topic_id}", "officer",
                                json={"status": "approved"})
    assert response.status_code == 400
    assert response.json()["code"] == "topic.status_readonly"
    assert "submit" in response.json()["detail"]


async def test_patch_after_submission_is_409_not_draft(world):
    topic_id = await world.create()
    await world.bring_to(topic_id, "submitted")
    response = await world.call("PATCH", f"/api/v1/topics/{topic_id}", "officer",
                                json={"title": "改名"})
    assert response.status_code == 409
    assert response.json()["code"] == "topic.not_draft"
    assert "退回修改" in response.json()["detail"]


async def test_member_may_read_but_not_edit(world):
    topic_id = await world.create()
    read = await world.call("GET", f"/api/v1/topics/{topic_id}", "member")
    edit = await world.call("PATCH", f"/api/v1/topics/{topic_id}", "member",
                            json={"title": "改名"})
    assert read.status_code == 200
    assert edit.status_code == 403


async def test_delete_draft_removes_topic_and_its_files(world, store):
    topic_id = await world.create()
    await world.upload(topic_id, "application")
    keys_before = len(await store.keys("topic/"))
    # Act
    response = await world.call("DELETE", f"/api/v1/topics/{topic_id}", "officer")
    # Assert
    assert response.status_code == 204
    assert await Topic.count() == 0
    assert len(await store.keys("topic/")) == keys_before - 1
    assert (await world.call("GET", f"/api/v1/topics/{topic_id}", "officer")).status_code == 404


async def test_delete_non_draft_is_409_and_keeps_it(world):
    topic_id = await world.create()
    await world.bring_to(topic_id, "submitted")
    response = await world.call("DELETE", f"/api/v1/topics/{topic_id}", "officer")
    assert response.status_code == 409
    assert response.json()["code"] == "topic.not_draft"
    assert await world.status(topic_id) == "submitted"


@pytest.mark.parametrize(
    ("username", "sees"),
    [
        ("city", True), ("officer", True), ("zone", True), ("director", True), ("host", True),
        ("member", True), ("teacher2", False), ("lushi", False), ("lushi_teacher", False),
        ("expert1", False),
    ],
)
async def test_who_sees_a_topic_in_detail_and_list(world, username, sees):
    topic_id = await world.create()
    # Act
    detail = await world.call("GET", f"/api/v1/topics/{topic_id}", username)
    listing = await world.call("GET", "/api/v1/topics", username)
    # Assert
    assert detail.status_code == (200 if sees else 404)
    assert [t["id"] for t in listing.json()["items"]] == ([topic_id] if sees else [])
    assert listing.json()["total"] == (1 if sees else 0)


async def test_list_filters_by_year_county_and_status(world):
    a = await world.create(title="甲")
    b = await world.create(title="乙", year=2025)
    c = await world.create("city", title="丙", county_id=world.ids["lushi_county"], host_id=None,
                           members=[])
    await world.bring_to(a, "submitted")
    # Act
    by_year = await world.call("GET", "/api/v1/topics?year=2026", "city")
    by_county = await world.call("GET", f"/api/v1/topics?county_id={world.ids['lushi_county']}",
                                 "city")
    by_status = await world.call("GET", "/api/v1/topics?status=submitted&year=2026", "city")
    bad_status = await world.call("GET", "/api/v1/topics?status=done", "city")
    # Assert
    assert {t["title"] for t in by_year.json()["items"]} == {"甲", "丙"}
    assert [t["id"] for t in by_county.json()["items"]] == [c]
    assert [t["id"] for t in by_status.json()["items"]] == [a]
    assert b not in [t["id"] for t in by_year.json()["items"]]
    assert bad_status.status_code == 400


async def test_list_pages_with_limit_and_offset(world):
    ids = [await world.create(title=f"课题{i}") for i in range(3)]
    first = await world.call("GET", "/api/v1/topics?limit=2", "officer")
    second = await world.call("GET", "/api/v1/topics?limit=2&offset=2", "officer")
    assert first.json()["total"] == 3
    assert [t["id"] for t in first.json()["items"]] == [ids[2], ids[1]]
    assert [t["id"] for t in second.json()["items"]] == [ids[0]]


async def _bulk_topics(world, n: int) -> None:
    """``n`` topics with two members each, written straight to the tables."""
    people = [world.ids["member"], world.ids["teacher2"]]
    now = clock.now()
    for i in range(n):
        topic_id = await topics.topic(
            world.ids["lingbao"], year=2026, title=f"批量课题{i}", direction="方向",
            host=world.ids["host"], kindergarten=world.ids["kg"], created_at=now, updated_at=now,
        )
        for j, p in enumerate(people):
            await topics.member(topic_id, p, position=j)


@pytest.mark.parametrize("username", ["city", "officer", "member"])
async def test_list_runs_the_same_number_of_queries_at_1_and_50_topics(world, username):
    # Arrange
    await world.headers(username)  # issue the token outside the counted block
    await _bulk_topics(world, 1)
    with db.count_queries() as one:
        small = await world.call("GET", "/api/v1/topics?limit=50", username)
    await _bulk_topics(world, 49)
    # Act
    with db.count_queries() as fifty:
        large = await world.call("GET", "/api/v1/topics?limit=50", username)
    # Assert
    assert len(small.json()["items"]) == 1
    assert len(large.json()["items"]) == 50
    assert all(len(t["members"]) == 2 for t in large.json()["items"])
    # The same queries whatever the size; the count runs only once the page is full.
    assert fifty[0] == one[0] + 1
    assert one[0] > 0


async def test_person_names_in_members_follow_the_person(world):
    topic_id = await world.create()
    await Person.update({Person.name: "李静怡"}).where(Person.id == world.ids["member"])
    body = (await world.call("GET", f"/api/v1/topics/{topic_id}", "officer")).json()
    assert body["members"][0]["name"] == "李静怡"


async def test_unknown_county_and_blank_title_are_400(world):
    unknown = await world.call("POST", "/api/v1/topics", "city",
                               json=world.topic_body(county_id=9999, host_id=None, members=[]))
    blank = await world.call("POST", "/api/v1/topics", "officer",
                             json=world.topic_body(title="   "))
    assert (unknown.status_code, unknown.json()["code"]) == (400, "topic.county")
    assert (blank.status_code, blank.json()["code"]) == (400, "topic.title")
    assert await Topic.count() == 0
