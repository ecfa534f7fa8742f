"""The app sends due reminders itself, once each, however many instances share the database.

The acceptance test starts two ``lianyan serve`` processes (two schedulers) on the session's
database (PostgreSQL with ``LIANYAN_TEST_ENGINE=postgres``) and checks that every due reminder
went out exactly once.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
from pathlib import Path

from lianyan import clock
from lianyan.exchanges.tables import Exchange, Notification, OutboxMessage
from lianyan.reminders import ReminderScheduler
from tests.exchanges.conftest import T0, build_world
from tests.web.test_serve import Server


async def _world_due_now() -> None:
    """The world, its design deadline two days from the real now (inside the 3-day window)."""
    with clock.pinned(T0):
        await build_world()
    now = clock.now()
    await Exchange.update({
        Exchange.design_deadline: now + dt.timedelta(days=2),
        Exchange.comment_deadline: now + dt.timedelta(days=9),
    }).where(Exchange.id > 0)


async def _reminders() -> list[dict]:
    return await Notification.select(Notification.person, Notification.dedupe_key).where(
        Notification.kind == "design_deadline"
    ).order_by(Notification.person)


async def test_two_schedulers_in_one_process_send_each_reminder_once(clean_db):
    await _world_due_now()
    first, second = ReminderScheduler(1), ReminderScheduler(1)

    results = await asyncio.gather(first.run_once(), second.run_once(), first.run_once())

    assert sum(r["design_deadline"] for r in results) == 4
    rows = await _reminders()
    assert len(rows) == 4 and len({r["person"] for r in rows}) == 4
    assert all(r["dedupe_key"].startswith("reminder:design_deadline_3d:") for r in rows)


async def test_two_app_instances_on_one_database_send_a_scheduled_reminder_once(
    clean_db, settings
):
    await _world_due_now()
    store = settings.store
    env = dict(os.environ)
    env.update({
        "LIANYAN_S3_ENDPOINT": store.endpoint, "LIANYAN_S3_ACCESS_KEY": store.access_key,
        "LIANYAN_S3_SECRET_KEY": store.secret_key, "LIANYAN_S3_BUCKET": store.bucket,
        "LIANYAN_REMINDER_SECONDS": "1",
    })
    servers = [Server(env), Server(env)]
    try:
        # Wait until the reminders are in, then let both schedulers run several more rounds.
        for _ in range(600):
            if len(await _reminders()) >= 4:
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(4)
    finally:
        for server in servers:
            server.stop()
    logs = [Path(s.log).read_text() for s in servers]

    rows = await _reminders()
    assert sorted(r["person"] for r in rows) == sorted({r["person"] for r in rows})
    assert len(rows) == 4, rows
    assert await OutboxMessage.count().where(
        OutboxMessage.subject.like("%教学设计将于%截止提交")) == 4
    assert not any("Traceback" in log for log in logs), logs
