"""The lifecycle of a topic: every legal path, every illegal step from every state, what each
step needs, who may take it, and the history and audit it leaves."""

from __future__ import annotations

import pytest

from lianyan.topics.rules import STEPS

STATES = ["draft", "submitted", "approved", "rejected", "opened", "midterm", "concluded",
          "withdrawn"]
LEGAL = {
    "draft": {"submit", "withdraw"},
    "submitted": {"approve", "reject", "return", "withdraw"},
    "approved": {"open", "withdraw"},
    "opened": {"midterm", "withdraw"},
    "midterm": {"conclude", "withdraw"},
    "rejected": set(),
    "concluded": set(),
    "withdrawn": set(),
}
LABELS = {"submit": "提交申报", "approve": "批准立项", "reject": "不予立项", "return": "退回修改",
          "open": "开题", "midterm": "中期检查", "conclude": "结题", "withdraw": "撤销"}


async def test_topic_full_path_to_concluded_records_every_step_in_history_and_audit(world):
    # Arrange: a second active topic, so the county never hangs on this one
    topic_id = await world.create()
    # Act
    await world.bring_to(topic_id, "concluded")
    detail = (await world.call("GET", f"/api/v1/topics/{topic_id}", "officer")).json()
    audit = (await world.call("GET", f"/api/v1/audit?object_type=topic&object_id={topic_id}",
                              "city")).json()
    # Assert
    assert detail["status"] == "concluded"
    assert detail["grade"] == "good"
    steps = [(e["action"], e["from_status"], e["to_status"]) for e in detail["events"]]
    assert steps == [
        ("create", "", "draft"),
        ("submit", "draft", "submitted"),
        ("approve", "submitted", "approved"),
        ("open", "approved", "opened"),
        ("midterm", "opened", "midterm"),
        ("conclude", "midterm", "concluded"),
    ]
    assert [e["actor_name"] for e in detail["events"]] == ["赵敏", "赵敏", "李飞", "赵敏", "赵敏",
                                                           "李飞"]
    assert detail["events"][-1]["grade"] == "good"
    assert all(e["at"].endswith("+08:00") for e in detail["events"])
    actions = {e["action"] for e in audit["items"]}
    assert {"topic.create", "topic.submit", "topic.approve", "topic.open", "topic.midterm",
            "topic.conclude", "topic.document"} <= actions


async def test_step_note_is_kept_in_history_with_actor_and_time(world):
    topic_id = await world.create()
    await world.upload(topic_id, "application")
    await world.step(topic_id, "submit", "officer")
    # Act
    response = await world.step(topic_id, "return", "city", note="研究目标过于宽泛，请聚焦后再报。")
    # Assert
    assert response.status_code == 200
    event = response.json()["events"][-1]
    assert (event["action"], event["to_status"], event["actor_name"]) == ("return", "draft", "李飞")
    assert event["note"] == "研究目标过于宽泛，请聚焦后再报。"
    assert response.json()["status"] == "draft"


async def test_returned_topic_is_a_draft_again_and_can_be_edited_and_resubmitted(world):
    topic_id = await world.create()
    await world.bring_to(topic_id, "submitted")
    await world.step(topic_id, "return", "city")
    # Act
    edited = await world.call("PATCH", f"/api/v1/topics/{topic_id}", "officer",
                              json={"title": "户外自主游戏中教师观察与支持策略的研究"})
    reupload = await world.upload(topic_id, "application")
    resubmitted = await world.step(topic_id, "submit", "officer")
    # Assert
    assert edited.status_code == 200
    assert reupload.json()["version"] == 2
    assert resubmitted.json()["status"] == "submitted"
    assert resubmitted.json()["title"] == "户外自主游戏中教师观察与支持策略的研究"


async def test_reject_ends_in_rejected_with_no_step_left(world):
    topic_id = await world.create()
    await world.bring_to(topic_id, "submitted")
    # Act
    response = await world.step(topic_id, "reject", "city", note="与往年课题重复。")
    # Assert
    assert response.json()["status"] == "rejected"
    assert [a for a in response.json()["allowed_actions"] if a in STEPS] == []


@pytest.mark.parametrize("state", ["draft", "submitted", "approved", "opened", "midterm"])
async def test_withdraw_from_every_state_before_concluded(world, state):
    # Arrange: another active topic keeps the county above zero
    keeper = await world.create(title="另一项课题")
    await world.bring_to(keeper, "submitted")
    topic_id = await world.create()
    await world.bring_to(topic_id, state)
    # Act
    response = await world.step(topic_id, "withdraw", "officer", note="研究条件变化")
    # Assert
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "withdrawn"
    assert response.json()["events"][-1]["from_status"] == state


@pytest.mark.parametrize("state", STATES)
async def test_every_illegal_step_from_each_state_is_409_topic_transition(world, state):
    # Arrange
    topic_id = await world.create()
    await world.bring_to(topic_id, state)
    illegal = [a for a in STEPS if a not in LEGAL[state]]
    # Act
    responses = {a: await world.step(topic_id, a, "city") for a in illegal}
    # Assert: refused with the code, a message naming what is possible, nothing changed
    for action, response in responses.items():
        assert response.status_code == 409, (action, response.text)
        body = response.json()
        assert body["code"] == "topic.transition"
        assert body["topic_status"] == state
        assert set(body["allowed"]) == LEGAL[state]
        assert f"不能{LABELS[action]}" in body["detail"]
        for possible in LEGAL[state]:
            assert f"“{LABELS[possible]}”" in body["detail"]
        if not LEGAL[state]:
            assert "不能再进行任何操作" in body["detail"]
    assert await world.status(topic_id) == state


async def test_illegal_step_message_reads_in_chinese(world):
    topic_id = await world.create()
    response = await world.step(topic_id, "open", "officer")
    assert response.json()["detail"] == (
        "课题当前状态为“草稿”，不能开题。当前可以进行的操作：“提交申报”、“撤销”。"
    )


async def test_submit_without_host_members_and_application_lists_everything_missing(world):
    topic_id = await world.create(host_id=None, members=[])
    # Act
    response = await world.step(topic_id, "submit", "officer")
    # Assert
    assert response.status_code == 409
    assert response.json()["code"] == "topic.incomplete"
    assert response.json()["detail"] == (
        "提交申报前还需要：指定课题主持人；添加至少1名课题成员；上传申报书。"
    )
    assert await world.status(topic_id) == "draft"


@pytest.mark.parametrize(
    ("state", "action", "document", "actor"),
    [
        ("approved", "open", "开题报告", "officer"),
        ("opened", "midterm", "中期报告", "officer"),
        ("midterm", "conclude", "结题报告", "city"),
    ],
)
async def test_stage_step_without_its_report_is_refused(world, state, action, document, actor):
    topic_id = await world.create()
    await world.bring_to(topic_id, state)
    body = {"grade": "pass"} if action == "conclude" else {}
    # Act
    response = await world.step(topic_id, action, actor, **body)
    # Assert
    assert response.status_code == 409
    assert response.json()["code"] == "topic.incomplete"
    assert f"上传{document}" in response.json()["detail"]
    assert await world.status(topic_id) == state


async def test_conclude_without_grade_is_400_naming_the_grades(world):
    topic_id = await world.create()
    await world.bring_to(topic_id, "midterm")
    await world.upload(topic_id, "final")
    # Act
    response = await world.step(topic_id, "conclude", "city", note="")
    bad_grade = await world.step(topic_id, "conclude", "city", grade="top")
    # Assert
    assert response.status_code == 400
    assert response.json()["code"] == "topic.grade_required"
    assert "优秀、良好、合格、不合格" in response.json()["detail"]
    assert bad_grade.status_code == 400
    assert await world.status(topic_id) == "midterm"


async def test_grade_on_another_step_is_refused(world):
    topic_id = await world.create()
    await world.upload(topic_id, "application")
    response = await world.step(topic_id, "submit", "officer", grade="excellent")
    assert response.status_code == 400
    assert response.json()["code"] == "topic.grade_unexpected"


@pytest.mark.parametrize("username", ["officer", "host", "director"])
async def test_county_side_cannot_take_city_decisions(world, username):
    topic_id = await world.create()
    await world.bring_to(topic_id, "submitted")
    # Act
    responses = [await world.step(topic_id, a, username) for a in ("approve", "reject", "return")]
    # Assert
    assert [r.status_code for r in responses] == [403, 403, 403]
    assert await world.status(topic_id) == "submitted"


async def test_host_submits_own_topic_and_director_opens_it(world):
    topic_id = await world.create()
    await world.upload(topic_id, "application", username="host")
    submitted = await world.step(topic_id, "submit", "host")
    await world.step(topic_id, "approve", "city")
    await world.upload(topic_id, "opening", username="director")
    opened = await world.step(topic_id, "open", "director")
    assert (submitted.status_code, opened.status_code) == (200, 200)
    assert opened.json()["status"] == "opened"


async def test_member_and_other_county_cannot_take_county_steps(world):
    topic_id = await world.create()
    await world.upload(topic_id, "application")
    # Act
    by_member = await world.step(topic_id, "submit", "member")
    by_other_county = await world.step(topic_id, "submit", "lushi")
    # Assert: the member sees the topic but may not act; 卢氏县 does not see it at all
    assert by_member.status_code == 403
    assert by_other_county.status_code == 404
    assert by_other_county.json()["code"] == "topic.not_found"


async def test_host_may_withdraw_a_draft_but_not_a_submitted_topic(world):
    draft = await world.create()
    submitted = await world.create(title="第二项")
    await world.bring_to(submitted, "submitted")
    keeper = await world.create(title="第三项")
    await world.bring_to(keeper, "submitted")
    # Act
    own_draft = await world.step(draft, "withdraw", "host")
    after_submission = await world.step(submitted, "withdraw", "host")
    # Assert
    assert own_draft.status_code == 200
    assert after_submission.status_code == 403
    assert "只有本县（市、区）教研负责人或市教育局可以撤销" in after_submission.json()["detail"]


async def test_allowed_actions_follow_role_and_state(world):
    topic_id = await world.create()
    await world.upload(topic_id, "application")
    # Act
    as_officer = (await world.call("GET", f"/api/v1/topics/{topic_id}", "officer")).json()
    as_member = (await world.call("GET", f"/api/v1/topics/{topic_id}", "member")).json()
    await world.step(topic_id, "submit", "officer")
    as_city = (await world.call("GET", f"/api/v1/topics/{topic_id}", "city")).json()
    as_host = (await world.call("GET", f"/api/v1/topics/{topic_id}", "host")).json()
    # Assert
    assert as_officer["allowed_actions"] == ["submit", "withdraw", "edit", "delete", "upload"]
    assert as_member["allowed_actions"] == []
    assert as_city["allowed_actions"] == ["approve", "reject", "return", "withdraw", "invite",
                                          "read_reviews"]
    assert as_host["allowed_actions"] == []


async def test_unknown_step_is_404(world):
    topic_id = await world.create()
    response = await world.step(topic_id, "publish", "officer")
    assert response.status_code in (404, 405)
