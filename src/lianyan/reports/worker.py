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

import datetime as dt
import logging
from contextlib import AbstractAsyncContextManager

from lianyan import jobs
from lianyan.files.store import ObjectStore
from lianyan.jobs import JobLoop
from lianyan.reports import content, services, wakeup
from lianyan.reports.docx import ReportFonts
from lianyan.settings import Settings

log = logging.getLogger(__name__)

#: Seconds between looks at the table when nothing woke the worker.
POLL_SECONDS = 2.0
#: A job running this long belongs to an instance that stopped.
STALE_AFTER = dt.timedelta(minutes=30)

class ReportWorker(JobLoop):
    """Claims and runs report jobs until cancelled."""

    label = "report worker"
    wakeups = wakeup.WAKEUPS

    def __init__(self, store: ObjectStore, settings: Settings, *,
                 poll_seconds: float = POLL_SECONDS, name: str | None = None) -> None:
        super().__init__(poll_seconds=poll_seconds, name=name)
        self.store = store
        self.settings = settings
        self.fonts = ReportFonts.from_attributes(settings.fonts)

    async def tidy(self) -> int:
        return await services.fail_stale(STALE_AFTER)

    async def run_once(self) -> int | None:
        """Claim and run the oldest queued job; return its id, or None when none was queued."""
        job_id = await services.claim_next(self.name)
        if job_id is None:
            return None
        status = await services.run_job(
            job_id, store=self.store, context=content.Context.from_settings(self.settings),
            fonts=self.fonts,
        )
        log.info("report job %s %s (%s)", job_id, status, self.name)
        return job_id


def running(store: ObjectStore, settings: Settings) -> AbstractAsyncContextManager[ReportWorker]:
    """Run a worker for the duration of the block (the app's lifespan); stop it cleanly."""
    return jobs.running(ReportWorker(store, settings), "lianyan-report-worker")
