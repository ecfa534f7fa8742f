"""Comments, replies, observation notes, score forms and the side-by-side comparison."""

from __future__ import annotations

import io

import pytest

from lianyan import clock
from lianyan.db import count_queries
from lianyan.exchanges import designs, reviews
from lianyan.exchanges import schemas as s
from lianyan.exchanges.tables import Comment, Notification, Score
from tests.builders.files import DESIGN_B, docx_bytes
from tests.exchanges.conftest import AFTER_COMMENT_DEADLINE, AFTER_DESIGN_DEADLINE, World, headers


@pytest.fixture
async def design_ids(world: World, store) -> dict[str, int]:
    """t1 (group 1) and t2 (group 1) and t3 (group 2) each uploaded one document."""
    ids = {}
    for username, content in (("t1", docx_bytes()), ("t2", docx_bytes(DESIGN_B)),
                              ("t3", docx_bytes())):
        actor = await world.actor(username)
        design = await designs.create_design(actor, world.exchange_id, s.DesignIn())
        await designs.add_version(
            actor, store, design.id, kind="document", fileobj=io.BytesIO(content),
            filename=f"{username}.docx", limits=designs.sniff.DEFAULT_LIMITS,
        )
        ids[username] = design.id
    return ids


async def _comment(client, design_id: int, username: str, **body):
    return await client.post(f"/api/v1/designs/{design_id}/comments", json=body,
                             headers=await headers(client, username))


async def test_invited_expert_comments_anchored_to_latest_version_and_teacher_is_told(
    client, world, design_ids
):
    response = await _comment(client, design_ids["t1"], "expert1", body="目标表述清楚，可再具体。")
    assert response.status_code == 201, response.text
    comment = response.json()
    assert (comment["version"], comment["role"], comment["author_name"]) == (1, "expert", "专家一")
    notice = await Notification.select(Notification.title, Notification.link).where(
        (Notification.person == world.people["t1"]) & (Notification.kind == "comment")
    ).first()
    assert notice == {
        "title": "专家一点评了您的教学设计“中班语言《小兔乖乖》”（第1版）",
        "link": f"/designs/{design_ids['t1']}#comments",
    }


async def test_teacher_replies_in_thread_and_expert_is_told(client, world, design_ids):
    top = (await _comment(client, design_ids["t1"], "expert1", body="导入环节较长。")).json()
    reply = await _comment(client, design_ids["t1"], "t1", body="谢谢，已压缩到三分钟。",
                           parent_id=top["id"])
    thread = await client.get(f"/api/v1/designs/{design_ids['t1']}/comments",
                              headers=await headers(client, "t2"))
    assert reply.status_code == 201
    assert (reply.json()["parent_id"], reply.json()["role"]) == (top["id"], "teacher")
    assert [c["body"] for c in thread.json()["items"]] == ["导入环节较长。", "谢谢，已压缩到三分钟。"]
    told = await Notification.select(Notification.title).where(
        (Notification.person == world.people["expert1"]) & (Notification.kind == "comment")
    )
    assert told == [{"title": "教师1回复了您对“中班语言《小兔乖乖》”的点评"}]


async def test_teacher_cannot_start_a_thread_only_reply(client, world, design_ids):
    response = await _comment(client, design_ids["t1"], "t1", body="自评")
    assert response.status_code == 400
    assert response.json()["code"] == "comment.reply_only"
    assert await Comment.count() == 0


async def test_other_participant_cannot_comment_but_may_write_a_note(client, world, design_ids):
    comment = await _comment(client, design_ids["t1"], "t2", body="很好")
    note = await client.post(f"/api/v1/designs/{design_ids['t1']}/notes",
                             json={"body": "幼儿对唱积极，第二遍更投入。"},
                             headers=await headers(client, "t2"))
    notes = await client.get(f"/api/v1/designs/{design_ids['t1']}/notes",
                             headers=await headers(client, "expert1"))
    comments = await client.get(f"/api/v1/designs/{design_ids['t1']}/comments",
                                headers=await headers(client, "expert1"))
    assert comment.status_code == 403
    assert comment.json()["code"] == "comment.forbidden"
    assert "听课记录" in comment.json()["detail"]
    assert note.status_code == 201
    assert notes.json()["items"][0]["author_name"] == "教师2"
    assert comments.json() == {"items": [], "total": 0}


async def test_uninvited_expert_cannot_comment_nor_score(client, world, design_ids):
    comment = await _comment(client, design_ids["t1"], "expert2", body="路过")
    score = await client.put(f"/api/v1/designs/{design_ids['t1']}/scores", json=_score(),
                             headers=await headers(client, "expert2"))
    assert comment.status_code == 404
    assert score.status_code == 404
    assert await Comment.count() == 0 and await Score.count() == 0


async def test_other_group_cannot_comment_or_note_before_deadline(client, world, design_ids):
    note = await client.post(f"/api/v1/designs/{design_ids['t1']}/notes", json={"body": "x"},
                             headers=await headers(client, "t3"))
    assert note.status_code == 404


async def test_nobody_edits_another_persons_comment(client, world, design_ids):
    await world.actor("expert1")
    top = (await _comment(client, design_ids["t1"], "expert1", body="原文")).json()
    by_teacher = await client.patch(f"/api/v1/comments/{top['id']}", json={"body": "改掉"},
                                    headers=await headers(client, "t1"))
    by_organiser = await client.patch(f"/api/v1/comments/{top['id']}", json={"body": "改掉"},
                                      headers=await headers(client, "lingbao"))
    by_outsider = await client.patch(f"/api/v1/comments/{top['id']}", json={"body": "改掉"},
                                     headers=await headers(client, "expert2"))
    by_author = await client.patch(f"/api/v1/comments/{top['id']}", json={"body": "修订后"},
                                   headers=await headers(client, "expert1"))
    assert (by_teacher.status_code, by_organiser.status_code) == (403, 403)
    assert by_teacher.json()["code"] == "comment.not_author"
    assert by_teacher.json()["detail"] == "只能修改自己发表的点评或回复。"
    assert by_outsider.status_code == 404
    assert by_author.status_code == 200
    assert by_author.json()["body"] == "修订后" and by_author.json()["edited_at"]
    assert (await Comment.select(Comment.body))[0]["body"] == "修订后"


async def test_comments_close_at_comment_deadline_with_message(client, world, design_ids):
    top = (await _comment(client, design_ids["t1"], "expert1", body="先点评")).json()
    with clock.pinned(AFTER_COMMENT_DEADLINE):
        late = await _comment(client, design_ids["t1"], "expert1", body="迟到的点评")
        reply = await _comment(client, design_ids["t1"], "t1", body="迟到的回复",
                               parent_id=top["id"])
        edit = await client.patch(f"/api/v1/comments/{top['id']}", json={"body": "改"},
                                  headers=await headers(client, "expert1"))
        score = await client.put(f"/api/v1/designs/{design_ids['t1']}/scores", json=_score(),
                                 headers=await headers(client, "expert1"))
        note = await client.post(f"/api/v1/designs/{design_ids['t1']}/notes",
                                 json={"body": "迟到"}, headers=await headers(client, "t2"))
    assert [r.status_code for r in (late, reply, edit, score, note)] == [409] * 5
    assert late.json()["code"] == "comment.closed"
    assert late.json()["detail"] == (
        "本次活动的点评已于 2026-03-16 09:00 截止，不能再发表点评或回复。"
    )
    assert (score.json()["code"], note.json()["code"]) == ("score.closed", "note.closed")
    assert await Comment.count() == 1


async def test_comment_on_an_older_version_stays_anchored_to_it(client, world, design_ids, store):
    actor = await world.actor("t1")
    await designs.add_version(
        actor, store, design_ids["t1"], kind="document", fileobj=io.BytesIO(docx_bytes()),
        filename="二稿.docx", limits=designs.sniff.DEFAULT_LIMITS,
    )
    old = await _comment(client, design_ids["t1"], "expert1", body="第一版的问题", version=1)
    new = await _comment(client, design_ids["t1"], "expert1", body="第二版好多了")
    missing = await _comment(client, design_ids["t1"], "expert1", body="?", version=9)
    assert (old.json()["version"], new.json()["version"]) == (1, 2)
    assert missing.status_code == 400
    assert missing.json()["code"] == "design.version"


def _score(goal: int = 4, **changes) -> dict:
    body = {item: {"score": 4, "reason": "较好"} for item in s.SCORE_ITEMS}
    body["goal"] = {"score": goal, "reason": "目标具体可测"}
    return {**body, **changes}


async def test_expert_puts_own_score_then_changes_it(client, world, design_ids):
    h = await headers(client, "expert1")
    first = await client.put(f"/api/v1/designs/{design_ids['t1']}/scores", json=_score(5),
                             headers=h)
    second = await client.put(f"/api/v1/designs/{design_ids['t1']}/scores", json=_score(3),
                              headers=h)
    listing = await client.get(f"/api/v1/designs/{design_ids['t1']}/scores",
                               headers=await headers(client, "t1"))
    assert first.status_code == 200, first.text
    assert first.json()["total"] == 21
    assert second.json()["goal"] == {"score": 3, "reason": "目标具体可测"}
    assert listing.json()["total"] == 1
    assert listing.json()["average"]["goal"] == 3.0
    assert listing.json()["average"]["total"] == 19.0


async def test_score_out_of_range_or_without_reason_is_400(client, world, design_ids):
    h = await headers(client, "expert1")
    high = await client.put(f"/api/v1/designs/{design_ids['t1']}/scores", json=_score(6),
                            headers=h)
    no_reason = _score()
    no_reason["process"] = {"score": 3, "reason": ""}
    empty = await client.put(f"/api/v1/designs/{design_ids['t1']}/scores", json=no_reason,
                             headers=h)
    teacher = await client.put(f"/api/v1/designs/{design_ids['t1']}/scores", json=_score(),
                               headers=await headers(client, "t1"))
    assert (high.status_code, empty.status_code) == (400, 400)
    assert high.json()["fields"][0]["field"] == "goal.score"
    assert teacher.status_code == 403
    assert await Score.count() == 0


async def test_compare_shows_group_sections_side_by_side_with_scores(client, world, design_ids):
    await client.put(f"/api/v1/designs/{design_ids['t2']}/scores", json=_score(5),
                     headers=await headers(client, "expert1"))
    response = await client.get(
        f"/api/v1/exchanges/{world.exchange_id}/compare?group={world.groups[1]}",
        headers=await headers(client, "t1"),
    )
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["section_names"] == {"goals": "活动目标", "preparation": "活动准备",
                                       "process": "活动过程", "extension": "活动延伸"}
    columns = {c["design"]["county_name"]: c for c in result["columns"]}
    assert set(columns) == {"灵宝市", "卢氏县"}
    assert columns["灵宝市"]["sections"]["preparation"] == "兔妈妈、大灰狼头饰；故事挂图。"
    assert columns["卢氏县"]["sections"]["preparation"] == "头饰、小房子布景"
    assert columns["卢氏县"]["scores"][0]["expert_name"] == "专家一"
    assert columns["卢氏县"]["average"]["goal"] == 5.0
    assert columns["灵宝市"]["scores"] == []


async def test_compare_reads_stored_sections_in_constant_queries(world, design_ids, store):
    expert = await world.actor("expert1")
    with count_queries() as two:
        await reviews.compare(expert, world.exchange_id, world.groups[1])
    actor = await world.actor("t4")
    design = await designs.create_design(actor, world.exchange_id, s.DesignIn())
    await designs.add_version(
        actor, store, design.id, kind="document", fileobj=io.BytesIO(docx_bytes()),
        filename="t4.docx", limits=designs.sniff.DEFAULT_LIMITS,
    )
    with count_queries() as also_two:
        result = await reviews.compare(expert, world.exchange_id, world.groups[2])
    assert len(result.columns) == 2
    assert two[0] == also_two[0]


async def test_compare_of_other_group_opens_after_design_deadline(client, world, design_ids):
    url = f"/api/v1/exchanges/{world.exchange_id}/compare?group={world.groups[1]}"
    before = await client.get(url, headers=await headers(client, "t3"))
    with clock.pinned(AFTER_DESIGN_DEADLINE):
        after = await client.get(url, headers=await headers(client, "t3"))
    assert before.status_code == 404
    assert after.status_code == 200


async def test_list_comments_constant_queries_at_1_and_50(world, design_ids):
    expert = await world.actor("expert1")
    await reviews.post_comment(expert, design_ids["t1"], s.CommentIn(body="第1条"))
    with count_queries() as one:
        items, _ = await reviews.list_comments(expert, design_ids["t1"])
    for i in range(49):
        await reviews.post_comment(expert, design_ids["t1"], s.CommentIn(body=f"第{i + 2}条"))
    with count_queries() as fifty:
        items, total = await reviews.list_comments(expert, design_ids["t1"])
    assert (len(items), total) == (50, 50)
    assert one[0] == fifty[0]


async def test_review_queue_lists_invited_designs_with_progress(world, design_ids):
    expert = await world.actor("expert1")
    await reviews.post_comment(expert, design_ids["t1"], s.CommentIn(body="好"))
    queue = await reviews.review_queue(expert)
    assert {q["design"].id for q in queue} == set(design_ids.values())
    done = {q["design"].id: (q["commented"], q["scored"]) for q in queue}
    assert done[design_ids["t1"]] == (True, False)
    assert await reviews.review_queue(await world.actor("expert2")) == []


async def test_list_notes_constant_queries_at_1_and_50(world, design_ids):
    teacher = await world.actor("t2")
    await reviews.post_note(teacher, design_ids["t1"], s.NoteIn(body="第1条"))
    with count_queries() as one:
        items, _ = await reviews.list_notes(teacher, design_ids["t1"])
    for i in range(49):
        await reviews.post_note(teacher, design_ids["t1"], s.NoteIn(body=f"第{i + 2}条"))
    with count_queries() as fifty:
        items, total = await reviews.list_notes(teacher, design_ids["t1"])
    assert (len(items), total) == (50, 50)
    assert items[0].author_unit == "" and items[-1].body == "第50条"
    assert one[0] == fifty[0]
