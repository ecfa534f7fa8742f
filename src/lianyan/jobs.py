"""The one job loop behind every background queue: report jobs, video previews, robot messages.

Each queue is a table its domain claims rows from (``claim_next``: exactly one instance gets a
row, on every engine). A :class:`JobLoop` subclass says how to run one row (``run_once``) and
what to tidy before each round (``tidy``: rows left claimed by an instance that stopped); this
module gives them all the same life:

* ``run_until_idle`` runs rows until none is due (tests and ``lianyan worker --once``);
* ``serve`` runs rounds until cancelled, sleeping ``poll_seconds`` between them unless a
  :class:`Wakeups` of the queue wakes it (a row was just queued in this process); a round that
  fails (the database was away) is logged and tried again next round;
* :func:`running` runs ``serve`` as a named task for the duration of a block (the app's
  lifespan) and stops it cleanly.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import AsyncIterator
from typing import Any, TypeVar

log = logging.getLogger(__name__)

#: Seconds between looks at a queue's table when nothing woke its loop.
POLL_SECONDS = 2.0


class Wakeups:
    """The loops of one queue running in this process, woken when a row is queued here.

    The domain's queueing code calls :meth:`notify`; its loops register themselves while they
    serve. Both sides import the queue's ``Wakeups`` and neither imports the other.
    """

    def __init__(self) -> None:
        self._loops: set[JobLoop] = set()

    def __len__(self) -> int:
        """How many loops of the queue serve in this process."""
        return len(self._loops)

    def notify(self) -> None:
        """Wake this process's loops of the queue: a row was just queued."""
        for loop in list(self._loops):
            loop.wake()


class JobLoop:
    """Claims and runs the rows of one queue, one at a time, until cancelled."""

    #: What the log calls this loop ("report worker", "media worker", "robot sender").
    label = "job loop"
    #: Set by the subclass: the queue's wake-ups.
    wakeups: Wakeups

    def __init__(self, *, poll_seconds: float = POLL_SECONDS, name: str | None = None) -> None:
        self.poll_seconds = poll_seconds
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        self._wake: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def run_once(self) -> int | None:
        """Claim and run the next due row; its id, or None when none was due."""
        raise NotImplementedError

    async def tidy(self) -> Any:
        """Before each round: give back or fail rows an instance that stopped left claimed."""

    def wake(self) -> None:
        """Make a sleeping ``serve`` look at the table now (callable from any thread)."""
        if self._wake is not None and self._loop is not None:
            self._loop.call_soon_threadsafe(self._wake.set)

    async def run_until_idle(self) -> list[int]:
        """Run due rows until none is left; the ids run (tests and the CLI use it)."""
        ran = []
        while (row_id := await self.run_once()) is not None:
            ran.append(row_id)
        return ran

    async def serve(self) -> None:
        """Run rounds as rows come, until cancelled."""
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        self.wakeups._loops.add(self)
        try:
            while True:
                self._wake.clear()
                try:
                    await self.tidy()
                    await self.run_until_idle()
                except asyncio.CancelledError:
                    raise
                except Exception:  # the database or store was away: try again next round
                    log.exception("%s %s: a round failed", self.label, self.name)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.poll_seconds)
        finally:
            self.wakeups._loops.discard(self)


Loop = TypeVar("Loop", bound=JobLoop)


@contextlib.asynccontextmanager
async def running(loop: Loop, task_name: str) -> AsyncIterator[Loop]:
    """Serve ``loop`` as the task ``task_name`` for the duration of the block; stop it cleanly."""
    task = asyncio.create_task(loop.serve(), name=task_name)
    try:
        yield loop
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
