"""Which job loops an app process runs: the settings turn the report and video loops off, so web
servers can leave the jobs to ``lianyan worker`` machines (and the browser tests' server to the
test process)."""

from __future__ import annotations

import asyncio

import msgspec
import pytest

from lianyan.settings import Settings
from lianyan.web.app import create_app

LOOPS = {"lianyan-report-worker", "lianyan-media-worker", "lianyan-reminder-scheduler"}


def _running() -> set[str]:
    return {t.get_name() for t in asyncio.all_tasks()} & LOOPS


@pytest.mark.parametrize(
    ("media", "reports", "expected"),
    [
        (True, True, LOOPS),
        (False, False, {"lianyan-reminder-scheduler"}),
        (True, False, {"lianyan-media-worker", "lianyan-reminder-scheduler"}),
    ],
)
async def test_the_settings_choose_the_job_loops_of_an_app_process(
    settings: Settings, clean_db: None, media: bool, reports: bool, expected: set[str]
) -> None:
    chosen = msgspec.structs.replace(settings, media_worker=media, report_worker=reports)

    async with create_app(chosen).lifespan():  # the start-up and shutdown a server runs
        during = _running()

    assert during == expected
    assert _running() == set()


def test_report_worker_setting_is_read_from_the_environment() -> None:
    assert Settings.from_env({"LIANYAN_REPORT_WORKER": "0"}).report_worker is False
    assert Settings.from_env({}).report_worker is True
