"""The report worker: runs queued report jobs inside the app process, off the event loop.

Each app instance runs one worker (started by the app's lifespan, ``running``). It claims the
oldest queued job with a conditional UPDATE (``services.claim``), so instances sharing one
database never run a job twice; it loads the data on the event loop and builds the document
in a thread (``anyio.to_thread``), one job at a time. A request in this process wakes it at
once (``notify``); jobs queued through another instance are found by polling. At start and on
every poll, jobs left running by a stopped instance for longer than ``STALE_AFTER`` are failed
with a reason. At shutdown the worker is cancelled: a build under way finishes its thread, its
job goes back to the queue, and nothing is stored.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import os
import socket
from collections.abc import AsyncIterator

from lianyan.files.store import ObjectStore
from lianyan.reports import content, services
from lianyan.reports.docx import ReportFonts
from lianyan.reports.wakeup import WORKERS as _WORKERS
from lianyan.reports.wakeup import notify as notify
from lianyan.settings import Settings

log = logging.getLogger(__name__)

#: Seconds between looks at the table when nothing woke the worker.
POLL_SECONDS = 2.0
#: A job running this long belongs to an instance that stopped.
STALE_AFTER = dt.timedelta(minutes=30)

class ReportWorker:
    """Claims and runs report jobs until cancelled."""

    def __init__(self, store: ObjectStore, settings: Settings, *,
                 poll_seconds: float = POLL_SECONDS, name: str | None = None) -> None:
        self.store = store
        self.settings = settings
        self.poll_seconds = poll_seconds
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        self.fonts = ReportFonts.from_attributes(settings.fonts)
        self._wake: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def wake(self) -> None:
        """Make a sleeping ``serve`` look at the table now (callable from any thread)."""
        if self._wake is not None and self._loop is not None:
            self._loop.call_soon_threadsafe(self._wake.set)

    async def run_once(self) -> int | None:
        """Claim and run the oldest queued job; return its id, or None when none was queued."""
        job_id = await services.claim_next(self.name)
        if job_id is None:
            return None
        status = await services.run_job(job_id, store=self.store, context=content.Context.from_settings(self.settings),
                                        fonts=self.fonts)
        log.info("report job %s %s (%s)", job_id, status, self.name)
        return job_id

    async def run_until_idle(self) -> list[int]:
        """Run queued jobs until none is left; return the ids run (tests and the CLI use it)."""
        ran = []
        while (job_id := await self.run_once()) is not None:
            ran.append(job_id)
        return ran

    async def serve(self) -> None:
        """Run jobs as they come, until cancelled."""
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        _WORKERS.add(self)
        try:
            while True:
                self._wake.clear()
                try:
                    await services.fail_stale(STALE_AFTER)
                    await self.run_until_idle()
                except asyncio.CancelledError:
                    raise
                except Exception:  # the database was away: log it, try again next round
                    log.exception("report worker %s: a round failed", self.name)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.poll_seconds)
        finally:
            _WORKERS.discard(self)


@contextlib.asynccontextmanager
async def running(store: ObjectStore, settings: Settings) -> AsyncIterator[ReportWorker]:
    """Run a worker for the duration of the block (the app's lifespan); stop it cleanly."""
    worker = ReportWorker(store, settings)
    task = asyncio.create_task(worker.serve(), name="lianyan-report-worker")
    try:
        yield worker
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
