"""Notices, the outbox, deadline reminders (idempotent) and the one-click expert reminder."""

from __future__ import annotations

import datetime as dt
import io

from lianyan import clock
from lianyan.db import count_queries
from lianyan.exchanges import designs, notifications, reviews
from lianyan.exchanges import schemas as s
from lianyan.exchanges.notifications import Notice, due_reminders, send
from lianyan.exchanges.tables import Notification, OutboxMessage
from tests.builders.files import docx_bytes
from tests.exchanges.conftest import (
    AFTER_COMMENT_DEADLINE,
    COMMENT_DEADLINE,
    DESIGN_DEADLINE,
    T0,
    World,
    headers,
)


async def _upload(world: World, store, username: str) -> int:
    actor = await world.actor(username)
    design = await designs.create_design(actor, world.exchange_id, s.DesignIn())
    await designs.add_version(
        actor, store, design.id, kind="document", fileobj=io.BytesIO(docx_bytes()),
        filename="设计.docx", limits=designs.sniff.DEFAULT_LIMITS,
    )
    return design.id


async def _kinds(kind: str) -> list[int]:
    rows = await Notification.select(Notification.person).where(
        Notification.kind == kind
    ).order_by(Notification.person)
    return [r["person"] for r in rows]


async def test_design_deadline_reminder_goes_3_days_and_1_day_ahead_to_those_without_a_document(
    world, store
):
    # Arrange: t1 uploaded; t2, t3, t4 did not
    await _upload(world, store, "t1")
    # Act: too early, three days before, again, one day before, again
    early = await due_reminders(DESIGN_DEADLINE - dt.timedelta(days=3, minutes=1))
    three = await due_reminders(DESIGN_DEADLINE - dt.timedelta(days=3))
    again = await due_reminders(DESIGN_DEADLINE - dt.timedelta(days=2))
    one = await due_reminders(DESIGN_DEADLINE - dt.timedelta(hours=23))
    last = await due_reminders(DESIGN_DEADLINE - dt.timedelta(hours=5))
    # Assert
    assert [r["design_deadline"] for r in (early, three, again, one, last)] == [0, 3, 0, 3, 0]
    late = sorted([world.people["t2"], world.people["t3"], world.people["t4"]])
    assert await _kinds("design_deadline") == sorted(late * 2)
    rows = await Notification.select(Notification.title, Notification.body).where(
        Notification.kind == "design_deadline"
    ).order_by(Notification.id)
    assert rows[0]["title"] == "“中班语言《小兔乖乖》同研异构”教学设计将于 2026-03-09 09:00 截止提交"
    assert (rows[0]["body"], rows[-1]["body"]) == (
        "您还没有上传教学设计，3 天后截止，请在截止前上传。",
        "您还没有上传教学设计，明天截止，请在截止前上传。",
    )


async def test_a_scheduler_first_running_inside_a_day_sends_the_one_day_reminder_only(world):
    result = await due_reminders(DESIGN_DEADLINE - dt.timedelta(hours=10))
    keys = [r["dedupe_key"] for r in await Notification.select(Notification.dedupe_key).where(
        Notification.kind == "design_deadline")]
    assert result["design_deadline"] == 4
    assert all(k.startswith("reminder:design_deadline_1d:") for k in keys)


async def test_a_moved_deadline_is_reminded_again(client, world):
    await due_reminders(DESIGN_DEADLINE - dt.timedelta(days=2))
    later = DESIGN_DEADLINE + dt.timedelta(days=3)
    with clock.pinned(DESIGN_DEADLINE - dt.timedelta(days=2, hours=1)):
        await client.patch(f"/api/v1/exchanges/{world.exchange_id}",
                           headers=await headers(client, "lingbao"),
                           json={"design_deadline": later.isoformat()})
    again = await due_reminders(later - dt.timedelta(days=2))
    assert again["design_deadline"] == 4


async def test_no_design_deadline_reminder_after_the_deadline(world):
    result = await due_reminders(DESIGN_DEADLINE + dt.timedelta(minutes=1))
    assert result["design_deadline"] == 0


async def test_expert_late_reminder_2_days_ahead_once_for_an_expert_with_designs_to_review(
    world, store
):
    t1 = await _upload(world, store, "t1")
    await _upload(world, store, "t2")
    expert = await world.actor("expert1")
    await reviews.post_comment(expert, t1, s.CommentIn(body="好"))
    early = await due_reminders(COMMENT_DEADLINE - dt.timedelta(days=2, minutes=1))
    first = await due_reminders(COMMENT_DEADLINE - dt.timedelta(days=2))
    second = await due_reminders(COMMENT_DEADLINE - dt.timedelta(hours=1))
    assert (early["expert_late"], first["expert_late"], second["expert_late"]) == (0, 1, 0)
    row = await Notification.select(Notification.person, Notification.body).where(
        Notification.kind == "expert_late"
    ).first()
    # t1 commented but not scored, t2 neither: both still owed
    assert row == {"person": world.people["expert1"], "body": "还有 2 份教学设计等待您点评或评分。"}


async def test_expert_who_commented_and_scored_everything_is_not_reminded(world, store):
    t1 = await _upload(world, store, "t1")
    expert = await world.actor("expert1")
    await reviews.post_comment(expert, t1, s.CommentIn(body="好"))
    item = s.ScoreItem(score=4, reason="好")
    await reviews.put_score(expert, t1, s.ScoreIn(goal=item, content=item, process=item,
                                                  children=item, teacher=item))
    result = await due_reminders(COMMENT_DEADLINE - dt.timedelta(days=1))
    assert result["expert_late"] == 0


async def test_send_skips_a_repeated_dedupe_key_in_the_same_batch(world):
    notice = Notice(person_id=world.people["t1"], kind="x", title="一次", dedupe_key="k:1")
    assert await send([notice, notice]) == 1
    assert await send([notice]) == 0
    assert await OutboxMessage.count().where(OutboxMessage.subject == "一次") == 1


async def test_one_click_reminder_once_a_day(client, world, store):
    await _upload(world, store, "t1")
    url = f"/api/v1/exchanges/{world.exchange_id}/experts/{world.people['expert1']}/remind"
    h = await headers(client, "lingbao")
    first = await client.post(url, headers=h)
    second = await client.post(url, headers=h)
    with clock.pinned(T0 + dt.timedelta(days=1)):
        next_day = await client.post(url, headers=h)
    with clock.pinned(AFTER_COMMENT_DEADLINE):
        closed = await client.post(url, headers=h)
    by_teacher = await client.post(url, headers=await headers(client, "t1"))
    assert first.status_code == 200, first.text
    assert first.json() == {"sent": {"expert_reminder": 1}}
    assert (second.status_code, second.json()["code"]) == (409, "reminder.already_sent")
    assert next_day.status_code == 200
    assert (closed.status_code, closed.json()["code"]) == (409, "reminder.closed")
    assert by_teacher.status_code == 403
    rows = await Notification.select(Notification.title, Notification.body).where(
        Notification.kind == "expert_reminder"
    )
    assert len(rows) == 2
    assert rows[0]["title"] == "灵宝专干提醒您点评“中班语言《小兔乖乖》同研异构”"
    assert rows[0]["body"].startswith("还有 1 份教学设计等待您点评")


async def test_remind_expert_not_invited_is_404(client, world):
    url = f"/api/v1/exchanges/{world.exchange_id}/experts/{world.people['expert2']}/remind"
    response = await client.post(url, headers=await headers(client, "lingbao"))
    assert response.status_code == 404
    assert response.json()["code"] == "expert.not_found"


async def test_notifications_list_mark_read_and_unread_count(client, world):
    h = await headers(client, "t1")
    listing = await client.get("/api/v1/notifications", headers=h)
    assert listing.json()["unread"] == 1
    first = listing.json()["items"][0]
    assert first["kind"] == "paired" and first["link"] == f"/exchanges/{world.exchange_id}"
    read = await client.post(f"/api/v1/notifications/{first['id']}/read", headers=h)
    other = await client.post(f"/api/v1/notifications/{first['id']}/read",
                              headers=await headers(client, "t2"))
    after = await client.get("/api/v1/notifications?unread=true", headers=h)
    assert read.status_code == 200 and read.json()["read_at"]
    assert other.status_code == 404
    assert after.json() == {"items": [], "total": 0, "unread": 0}


async def test_mark_all_read(client, world):
    await send([Notice(person_id=world.people["t1"], kind="x", title=f"第{i}条")
                for i in range(3)])
    h = await headers(client, "t1")
    response = await client.post("/api/v1/notifications/read-all", headers=h)
    assert response.json() == {"marked": 4}
    assert (await client.get("/api/v1/notifications", headers=h)).json()["unread"] == 0


async def test_list_notifications_constant_queries_at_1_and_50(world):
    actor = await world.actor("t1")
    with count_queries() as one:
        page = await notifications.list_notifications(actor)
    assert len(page.items) == 1
    await send([Notice(person_id=world.people["t1"], kind="x", title=f"第{i}条")
                for i in range(49)])
    with count_queries() as fifty:
        page = await notifications.list_notifications(actor)
    assert len(page.items) == 50
    assert one[0] == fifty[0]


async def test_remind_cli_command_runs_due_reminders(world, capsys):
    from lianyan import reminders

    with clock.pinned(DESIGN_DEADLINE - dt.timedelta(days=1)):
        sent = await reminders.run_reminders()
    assert sent == {"design_deadline": 4, "expert_late": 0, "filing_deadline": 0}


async def test_lianyan_remind_command_is_registered_and_runs(clean_db):
    import os
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "lianyan.cli", "remind"], env=dict(os.environ),
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "设计提交提醒" in result.stdout and "备案截止提醒" in result.stdout
