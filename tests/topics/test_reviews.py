"""Application review (立项评审): invitations, conflict of interest, what an expert sees, the
score form, and the city's side-by-side view."""

from __future__ import annotations

import pytest

from lianyan.org.tables import RoleAssignment
from lianyan.topics.tables import TopicReview

SCORES = {"value": 20, "design": 18, "feasibility": 22, "outcomes": 15,
          "comment": "选题贴近一线，研究设计还需细化观察工具。"}


async def _submitted_topic(world) -> int:
    topic_id = await world.create()
    await world.bring_to(topic_id, "submitted")
    return topic_id


async def _invite(world, topic_id, *usernames):
    return await world.call("POST", f"/api/v1/topics/{topic_id}/reviewers", "city",
                            json={"expert_ids": [world.ids[u] for u in usernames]})


async def test_city_invites_experts_from_other_counties(world):
    topic_id = await _submitted_topic(world)
    # Act
    response = await _invite(world, topic_id, "expert1", "expert2")
    # Assert
    assert response.status_code == 201, response.text
    board = response.json()
    assert [r["expert_name"] for r in board["items"]] == ["张教授", "刘老师"]
    assert (board["invited"], board["submitted"]) == (2, 0)
    assert all(r["submitted"] is False and r["total"] is None for r in board["items"])


async def test_expert_working_in_the_topics_county_is_a_conflict_and_nobody_is_invited(world):
    topic_id = await _submitted_topic(world)
    # Act
    response = await _invite(world, topic_id, "expert1", "local_expert")
    # Assert
    assert response.status_code == 409
    assert response.json()["code"] == "review.conflict"
    assert response.json()["detail"] == (
        "孙专家在灵宝市工作或参与该课题，与课题存在利益冲突，不能邀请评审；请改邀其他县（市、区）的专家。"
    )
    assert response.json()["expert_ids"] == [world.ids["local_expert"]]
    assert await TopicReview.count() == 0


async def test_conflict_follows_the_expert_role_scope_too(world):
    # Arrange: expert1's person record says 湖滨区, but an expert role is scoped to 灵宝市
    await RoleAssignment.update({RoleAssignment.county: world.ids["lingbao"]}).where(
        RoleAssignment.person == world.ids["expert1"]
    )
    topic_id = await _submitted_topic(world)
    response = await _invite(world, topic_id, "expert1")
    assert response.status_code == 409
    assert response.json()["code"] == "review.conflict"


async def test_only_experts_can_be_invited_and_only_by_the_city(world):
    topic_id = await _submitted_topic(world)
    not_expert = await world.call("POST", f"/api/v1/topics/{topic_id}/reviewers", "city",
                                  json={"expert_ids": [world.ids["lushi_teacher"]]})
    by_officer = await world.call("POST", f"/api/v1/topics/{topic_id}/reviewers", "officer",
                                  json={"expert_ids": [world.ids["expert1"]]})
    assert not_expert.status_code == 400
    assert not_expert.json()["code"] == "review.not_expert"
    assert by_officer.status_code == 403


async def test_inviting_a_draft_is_refused(world):
    topic_id = await world.create()
    response = await _invite(world, topic_id, "expert1")
    assert response.status_code == 409
    assert response.json()["code"] == "review.closed"


async def test_expert_sees_only_topics_they_are_invited_to(world):
    invited = await _submitted_topic(world)
    other = await world.create(title="未邀请的课题")
    await world.bring_to(other, "submitted")
    await _invite(world, invited, "expert1")
    # Act
    listing = await world.call("GET", "/api/v1/topics", "expert1")
    seen = await world.call("GET", f"/api/v1/topics/{invited}", "expert1")
    hidden = await world.call("GET", f"/api/v1/topics/{other}", "expert1")
    hidden_reviews = await world.call("GET", f"/api/v1/topics/{other}/reviews", "expert1")
    hidden_put = await world.call("PUT", f"/api/v1/topics/{other}/reviews", "expert1",
                                  json=SCORES)
    # Assert
    assert [t["id"] for t in listing.json()["items"]] == [invited]
    assert listing.json()["total"] == 1
    assert seen.status_code == 200
    assert "review" in seen.json()["allowed_actions"]
    assert (hidden.status_code, hidden_reviews.status_code, hidden_put.status_code) == (
        404, 404, 404)


async def test_expert_cannot_see_other_scores_until_own_review_is_submitted(world):
    topic_id = await _submitted_topic(world)
    await _invite(world, topic_id, "expert1", "expert2")
    await world.call("PUT", f"/api/v1/topics/{topic_id}/reviews", "expert2",
                     json={**SCORES, "value": 10, "comment": "选题价值一般。"})
    # Act
    before = await world.call("GET", f"/api/v1/topics/{topic_id}/reviews", "expert1")
    saved = await world.call("PUT", f"/api/v1/topics/{topic_id}/reviews", "expert1", json=SCORES)
    after = await world.call("GET", f"/api/v1/topics/{topic_id}/reviews", "expert1")
    # Assert
    assert before.status_code == 200
    assert [r["expert_name"] for r in before.json()["items"]] == ["张教授"]
    assert before.json()["hidden"] == 1
    assert "选题价值一般。" not in before.text
    assert before.json()["means"]["value"] is None
    assert saved.status_code == 200, saved.text
    assert saved.json()["total"] == 75
    assert [r["expert_name"] for r in after.json()["items"]] == ["张教授", "刘老师"]
    assert after.json()["hidden"] == 0
    assert after.json()["items"][1]["value"] == 10


async def test_city_sees_scores_side_by_side_with_totals_and_means(world):
    topic_id = await _submitted_topic(world)
    await _invite(world, topic_id, "expert1", "expert2")
    await world.call("PUT", f"/api/v1/topics/{topic_id}/reviews", "expert1", json=SCORES)
    await world.call("PUT", f"/api/v1/topics/{topic_id}/reviews", "expert2",
                     json={"value": 25, "design": 20, "feasibility": 20, "outcomes": 20,
                           "comment": "很好。"})
    # Act
    board = (await world.call("GET", f"/api/v1/topics/{topic_id}/reviews", "city")).json()
    # Assert
    assert [(r["expert_name"], r["total"]) for r in board["items"]] == [("张教授", 75),
                                                                        ("刘老师", 85)]
    assert board["mean_total"] == 80.0
    assert board["means"] == {"value": 22.5, "design": 19.0, "feasibility": 21.0,
                              "outcomes": 17.5}
    assert (board["invited"], board["submitted"], board["hidden"]) == (2, 2, 0)


async def test_review_changes_until_the_city_decides_then_is_closed(world):
    topic_id = await _submitted_topic(world)
    await _invite(world, topic_id, "expert1")
    first = await world.call("PUT", f"/api/v1/topics/{topic_id}/reviews", "expert1", json=SCORES)
    changed = await world.call("PUT", f"/api/v1/topics/{topic_id}/reviews", "expert1",
                               json={**SCORES, "outcomes": 25})
    # Act
    await world.step(topic_id, "approve", "city")
    closed = await world.call("PUT", f"/api/v1/topics/{topic_id}/reviews", "expert1",
                              json={**SCORES, "outcomes": 0})
    # Assert
    assert first.json()["submitted_at"] == changed.json()["submitted_at"]
    assert changed.json()["outcomes"] == 25
    assert closed.status_code == 409
    assert closed.json()["code"] == "review.closed"
    row = await TopicReview.select(TopicReview.outcomes).first()
    assert row["outcomes"] == 25


@pytest.mark.parametrize("bad", [{"value": 26}, {"design": -1}, {"comment": ""}])
async def test_score_out_of_range_or_empty_comment_is_400(world, bad):
    topic_id = await _submitted_topic(world)
    await _invite(world, topic_id, "expert1")
    response = await world.call("PUT", f"/api/v1/topics/{topic_id}/reviews", "expert1",
                                json={**SCORES, **bad})
    assert response.status_code == 400
    assert await TopicReview.count().where(TopicReview.submitted_at.is_not_null()) == 0


async def test_expert_moved_into_the_county_after_invitation_cannot_score(world):
    from lianyan.org.tables import Person

    topic_id = await _submitted_topic(world)
    await _invite(world, topic_id, "expert1")
    await Person.update({Person.county: world.ids["lingbao"]}).where(
        Person.id == world.ids["expert1"])
    response = await world.call("PUT", f"/api/v1/topics/{topic_id}/reviews", "expert1",
                                json=SCORES)
    assert response.status_code == 409
    assert response.json()["code"] == "review.conflict"


async def test_county_side_cannot_read_reviews(world):
    topic_id = await _submitted_topic(world)
    await _invite(world, topic_id, "expert1")
    response = await world.call("GET", f"/api/v1/topics/{topic_id}/reviews", "officer")
    assert response.status_code == 403


async def test_uninvited_expert_with_a_topic_in_view_cannot_score(world):
    topic_id = await _submitted_topic(world)
    await _invite(world, topic_id, "expert1")
    response = await world.call("PUT", f"/api/v1/topics/{topic_id}/reviews", "expert2",
                                json=SCORES)
    assert response.status_code == 404


async def test_inviting_nobody_is_review_no_experts_for_api_and_page(world):
    from tests.topics.test_pages import csrf, signed_in

    topic_id = await _submitted_topic(world)
    # Act
    api = await _invite(world, topic_id)
    async with signed_in(world, "city") as browser:
        await browser.get(f"/topics/{topic_id}/reviews")
        page = await browser.post(f"/topics/{topic_id}/reviewers",
                                  data={"_csrf_token": csrf(browser)})
    # Assert: the same code and message, as problem+json and as the HTML page
    assert api.status_code == 400 and api.json()["code"] == "review.no_experts"
    assert page.status_code == 400
    assert page.headers["content-type"].startswith("text/html")
    assert api.json()["detail"] in page.text
    assert await TopicReview.count() == 0
