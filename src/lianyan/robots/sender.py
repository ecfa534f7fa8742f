"""The robot sender: delivers queued robot messages, in the app process and in ``lianyan worker``.

Each app instance (and each ``lianyan worker``) runs one sender. It claims the next due
message (``pending`` and ``next_at`` passed) with a conditional UPDATE, so instances sharing
one database never send a message twice; ``outbox.post`` in this process wakes it at once,
messages queued elsewhere are found by polling. A message left ``sending`` by a stopped
instance for ``STALE_AFTER`` goes back to the queue with that attempt counted.
"""

from __future__ import annotations

import datetime as dt
import logging
from contextlib import AbstractAsyncContextManager

from lianyan import clock, jobs
from lianyan.jobs import JobLoop
from lianyan.robots import wakeup
from lianyan.robots.delivery import MAX_ATTEMPTS, SenderConfig, deliver
from lianyan.robots.tables import RobotMessage

log = logging.getLogger(__name__)

#: Seconds between looks at the table when nothing woke the sender.
POLL_SECONDS = 5.0
#: A message ``sending`` this long belongs to an instance that stopped.
STALE_AFTER = dt.timedelta(minutes=2)


async def claim_next(worker: str, now: dt.datetime | None = None) -> int | None:
    """Claim the next due message for ``worker``; None when none is due (or others took them)."""
    now = now or clock.now()
    for _ in range(10):
        candidate = await RobotMessage.select(RobotMessage.id).where(
            (RobotMessage.status == "pending") & (RobotMessage.next_at <= now)
        ).order_by(RobotMessage.next_at).order_by(RobotMessage.id).first()
        if candidate is None:
            return None
        claimed = await RobotMessage.update({
            RobotMessage.status: "sending", RobotMessage.claimed_by: worker[:100],
            RobotMessage.claimed_at: clock.now(),
        }).where(
            (RobotMessage.id == candidate["id"]) & (RobotMessage.status == "pending")
        ).returning(RobotMessage.id)
        if claimed:
            return int(candidate["id"])
    return None


async def requeue_stale(older_than: dt.timedelta = STALE_AFTER) -> int:
    """Put back messages left ``sending`` by a stopped instance (their attempt counted; failed
    once out of attempts). Safe from every instance at once. Returns how many."""
    cutoff = clock.now() - older_than
    stale = (RobotMessage.status == "sending") & (RobotMessage.claimed_at < cutoff)
    out = await RobotMessage.update({
        RobotMessage.status: "failed", RobotMessage.error: "发送时服务停止，已放弃。",
    }).where(stale & (RobotMessage.attempts >= MAX_ATTEMPTS - 1)).returning(RobotMessage.id)
    back = await RobotMessage.update({
        RobotMessage.status: "pending", RobotMessage.attempts: RobotMessage.attempts + 1,
        RobotMessage.next_at: clock.now(), RobotMessage.claimed_by: "",
    }).where(stale).returning(RobotMessage.id)
    return len(out) + len(back)


class RobotSender(JobLoop):
    """Claims and delivers robot messages until cancelled."""

    label = "robot sender"
    wakeups = wakeup.WAKEUPS

    def __init__(self, config: SenderConfig, *, poll_seconds: float = POLL_SECONDS,
                 name: str | None = None) -> None:
        super().__init__(poll_seconds=poll_seconds, name=name)
        self.config = config

    async def tidy(self) -> int:
        return await requeue_stale()

    async def run_once(self, now: dt.datetime | None = None) -> int | None:
        """Claim and deliver the next due message; its id, or None when none was due."""
        message_id = await claim_next(self.name, now)
        if message_id is None:
            return None
        await deliver(message_id, self.config)
        return message_id


def running(config: SenderConfig) -> AbstractAsyncContextManager[RobotSender]:
    """Run a sender for the duration of the block (the app's lifespan); stop it cleanly."""
    return jobs.running(RobotSender(config), "lianyan-robot-sender")
