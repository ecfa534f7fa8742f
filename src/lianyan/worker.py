"""``lianyan worker``: run the background jobs (video previews, reports, group-robot messages)
as their own process.

Each app process already runs both workers; this command runs the same job queues on a
machine of its own, so a province adds transcoding machines without adding web servers (set
``LIANYAN_MEDIA_WORKER=0`` on the web servers then). ``--once`` runs what is queued and stops.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from typing import Any


def add_commands(sub: Any) -> None:
    """Register ``lianyan worker`` on the ``lianyan`` argument parser."""
    worker = sub.add_parser(
        "worker",
        help="run video previews, report jobs and group-robot messages (the app's queues) here"
    )
    worker.add_argument("--once", action="store_true", help="run what is queued, then stop")
    worker.add_argument("--no-reports", action="store_true", help="video previews only")
    worker.set_defaults(func=cmd_worker)


async def run_worker(settings: Any, *, once: bool, reports: bool = True) -> list[int]:
    """Start the store (the embedded one if no endpoint is set) and run the workers."""
    from lianyan.files import media_jobs
    from lianyan.files.local_s3 import LocalS3Server
    from lianyan.files.store import ObjectStore
    from lianyan.reports.worker import ReportWorker
    from lianyan.robots.delivery import SenderConfig
    from lianyan.robots.sender import RobotSender

    local = None
    store_settings = settings.store
    if store_settings.embedded:
        local = LocalS3Server.from_settings(settings.data_dir, store_settings)
        local.start(watch=False)
        store_settings = local.settings()
    try:
        store = ObjectStore(store_settings)
        await store.ensure_bucket()
        media = media_jobs.MediaWorker(store, large_bytes=settings.video_preview_bytes)
        report = ReportWorker(store, settings) if reports else None
        robots = RobotSender(SenderConfig.from_settings(settings))
        if once:
            ran = await media.run_until_idle()
            if report is not None:
                ran += await report.run_until_idle()
            ran += await robots.run_until_idle()
            return ran
        async with asyncio.TaskGroup() as group:
            group.create_task(media.serve())
            group.create_task(robots.serve())
            if report is not None:
                group.create_task(report.serve())
        return []
    finally:
        if local is not None:
            local.stop()


def cmd_worker(args: argparse.Namespace) -> None:
    """Run the job queues until stopped (Ctrl-C), or once with ``--once``."""
    from lianyan.cli_context import load_settings, with_db

    settings = load_settings()
    with contextlib.suppress(KeyboardInterrupt):
        ran = asyncio.run(with_db(
            lambda: run_worker(settings, once=args.once, reports=not args.no_reports)
        ))
        if args.once:
            print(f"ran {len(ran)} jobs")
