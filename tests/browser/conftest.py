"""Browser tests: a real ``lianyan serve`` process and Debian's Chromium through Playwright.

The server runs in a subprocess against the session's database and ``rclone serve s3``; tests
arrange data in-process (the demo city, factories) and drive the pages like a person would.
They never skip: a missing Chromium fails the run (``.ci/run`` installs it).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every test in this folder is a browser test."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LiveServer:
    """A running ``lianyan serve``."""

    def __init__(self, url: str, process: subprocess.Popen[bytes], log: Path) -> None:
        self.url = url
        self.process = process
        self.log = log


@pytest.fixture(scope="session")
def live_server(settings: object, migrated: None) -> Iterator[LiveServer]:
    """``lianyan serve`` on a free port, sharing the session's database and object store."""
    store = settings.store  # type: ignore[attr-defined]
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = dict(os.environ)
    env.update(
        {
            "LIANYAN_S3_ENDPOINT": store.endpoint,
            "LIANYAN_S3_ACCESS_KEY": store.access_key,
            "LIANYAN_S3_SECRET_KEY": store.secret_key,
            "LIANYAN_S3_BUCKET": store.bucket,
            "LIANYAN_PUBLIC_ORIGIN": url,
            # The server only serves pages: its job loops would outlive the browser tests and
            # take jobs the in-process tests of this xdist worker run themselves. Each browser
            # test runs the job loops it needs in the test process (``browser_page``), as a
            # ``lianyan worker`` beside web servers would.
            "LIANYAN_MEDIA_WORKER": "0",
            "LIANYAN_REPORT_WORKER": "0",
            "LIANYAN_ROBOT_SENDER": "0",
            "LIANYAN_REMINDER_SECONDS": str(7 * 24 * 3600),
            # The group robots' test receiver (tests/robots/receiver.py) listens here.
            "LIANYAN_ROBOT_HOSTS": "127.0.0.1",
        }
    )
    log = Path(env["LIANYAN_DATA_DIR"]) / f"live-server-{port}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "lianyan.cli", "serve", "--port", str(port)],
            env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )
    deadline = time.monotonic() + 90  # a loaded machine starts slowly
    while True:
        try:
            urllib.request.urlopen(f"{url}/health/ready", timeout=1)
            break
        except OSError as exc:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(
                    f"live server did not start:\n{log.read_text()[-3000:]}"
                ) from exc
            time.sleep(0.1)
    yield LiveServer(url, process, log)
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[object]:
    """Debian's Chromium, headless, for the whole session."""
    from playwright.async_api import async_playwright

    if not (Path(CHROMIUM).exists() or shutil.which("chromium")):
        pytest.fail(
            "Chromium is not installed: run `apt-get install chromium fonts-noto-cjk` "
            "(.ci/run does this); browser tests never skip."
        )
    async with async_playwright() as playwright:
        instance = await playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield instance
        await instance.close()


@pytest.fixture
async def browser_page(
    browser: object, live_server: LiveServer, store: object, settings: object
) -> AsyncIterator[object]:
    """A fresh browser context and page, with ``page.base_url`` set to the live server.

    The report and video-preview job loops run in this process for the test's duration only.
    """
    from lianyan.files.media_jobs import running as media_worker
    from lianyan.reports.worker import running as report_worker

    async with contextlib.AsyncExitStack() as jobs:
        await jobs.enter_async_context(report_worker(store, settings))  # type: ignore[arg-type]
        await jobs.enter_async_context(media_worker(
            store, large_bytes=settings.video_preview_bytes  # type: ignore[attr-defined,arg-type]
        ))
        context = await browser.new_context(  # type: ignore[attr-defined]
            base_url=live_server.url, locale="zh-CN", viewport={"width": 1280, "height": 900}
        )
        context.set_default_timeout(15_000)
        page = await context.new_page()
        # Anything the Content-Security-Policy blocks shows on the console: fail the test on it.
        blocked: list[str] = []
        page.on(
            "console",
            lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None,
        )
        yield page
        await context.close()
    assert blocked == [], f"blocked by the Content-Security-Policy: {blocked}"


@pytest.fixture
async def demo_city(clean_db: None) -> None:
    """Empty tables, then the demo city (the logins of ``lianyan.demo.LOGINS``)."""
    from lianyan import demo

    await demo.load()


async def sign_in(page: object, username: str, password: str | None = None) -> None:
    """Log in through the login form and wait for the dashboard."""
    from lianyan.demo import DEMO_PASSWORD

    await page.goto("/login")  # type: ignore[attr-defined]
    await page.fill("input[name=username]", username)  # type: ignore[attr-defined]
    await page.fill("input[name=password]", password or DEMO_PASSWORD)  # type: ignore[attr-defined]
    await page.click("button[type=submit]")  # type: ignore[attr-defined]
    await page.wait_for_selector("[data-testid=whoami]")  # type: ignore[attr-defined]
