"""Every domain's deadline reminders: the app's own scheduler, and ``lianyan remind``.

A composition module above the domains: it gathers the exchanges' and the filings' reminders.
Each app instance runs a ``ReminderScheduler`` (started by the app's lifespan, ``running``,
like the report worker) that sends the due reminders at start and every
``settings.reminder_seconds``: no cron is needed. ``lianyan remind`` runs one round by hand.
The reminders are idempotent and keyed (``notification.dedupe_key`` is unique and checked
under the ``notifications`` lock), so any number of instances on one database send each
reminder once. A round that fails (the database away) is logged and tried at the next tick.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

log = logging.getLogger(__name__)


def add_commands(sub: Any) -> None:
    """Register ``lianyan remind`` on the ``lianyan`` argument parser."""
    remind = sub.add_parser(
        "remind",
        help="send due reminders now (design deadline in 3 days and in 1 day, experts not "
        "done 2 days before the comment deadline, filing deadline in 7 days and in 1 day); "
        "the app sends them itself while it runs; safe to run as often as you like",
    )
    remind.set_defaults(func=cmd_remind)


async def run_reminders() -> dict[str, int]:
    """The reminders due now, sent once each."""
    from lianyan import clock
    from lianyan.exchanges.notifications import due_reminders
    from lianyan.filings import notices

    now = clock.now()
    sent = await due_reminders(now)
    sent["filing_deadline"] = await notices.due_reminders(now)
    return sent


def cmd_remind(args: argparse.Namespace) -> None:
    """Send the reminders due now and say how many of each kind went out."""
    from lianyan.cli_context import load_settings, with_db

    load_settings()
    sent = asyncio.run(with_db(run_reminders))
    print(
        f"设计提交提醒 {sent['design_deadline']} 条，专家点评提醒 {sent['expert_late']} 条，"
        f"备案截止提醒 {sent['filing_deadline']} 条。"
    )


class ReminderScheduler:
    """Sends due reminders every ``interval`` seconds until cancelled."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self.rounds = 0

    async def run_once(self) -> dict[str, int]:
        """One round: the reminders due now, each sent once."""
        sent = await run_reminders()
        self.rounds += 1
        if any(sent.values()):
            log.info("reminders sent: %s", sent)
        return sent

    async def serve(self) -> None:
        """Run rounds until cancelled; the first at once (an app that was down catches up)."""
        while True:
            try:
                await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception:  # the database was away: log it, try again next round
                log.exception("reminder scheduler: a round failed")
            await asyncio.sleep(self.interval)


@contextlib.asynccontextmanager
async def running(interval: float) -> AsyncIterator[ReminderScheduler]:
    """Run a scheduler for the duration of the block (the app's lifespan); stop it cleanly."""
    scheduler = ReminderScheduler(interval)
    task = asyncio.create_task(scheduler.serve(), name="lianyan-reminder-scheduler")
    try:
        yield scheduler
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
