"""The reminder scheduler: the app sends the due deadline reminders itself, no cron needed.

Each app instance runs one scheduler (started by the app's lifespan, ``running``, like the
report worker). Every ``settings.reminder_seconds`` it runs ``exchanges.cli.run_reminders``:
the exchanges' design and comment deadline reminders and the filings' deadline reminders.
Those are idempotent and keyed (``notification.dedupe_key`` is unique and checked under the
``notifications`` lock), so any number of instances on one database send each reminder once.
A round that fails (the database away) is logged and tried again at the next tick.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

log = logging.getLogger(__name__)


class ReminderScheduler:
    """Sends due reminders every ``interval`` seconds until cancelled."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self.rounds = 0

    async def run_once(self) -> dict[str, int]:
        """One round: the reminders due now, each sent once."""
        from lianyan.exchanges.cli import run_reminders

        sent = await run_reminders()
        self.rounds += 1
        if any(sent.values()):
            log.info("reminders sent: %s", sent)
        return sent

    async def serve(self) -> None:
        """Run rounds until cancelled; the first one at once (an app that was down catches up)."""
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
