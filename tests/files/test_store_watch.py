"""The embedded store is watched: a killed rclone comes back, and a dead store is a 503.

Each test runs its own ``rclone serve s3`` in a temporary folder, so killing it does not touch
the session's store.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import subprocess
import sys
import time
import typing
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from lianyan.files.local_s3 import LocalS3Server
from lianyan.files.store import ObjectStore
from tests.builders import org as f


@pytest.fixture
def own_rclone(tmp_path: Path) -> typing.Iterator[LocalS3Server]:
    """An rclone of this test alone, watched."""
    server = LocalS3Server(tmp_path, bucket="watched")
    server.start()
    yield server
    server.stop()


async def until_back(store: ObjectStore, seconds: float = 10.0) -> float:
    """Seconds until the store answers again (fails after ``seconds``)."""
    began = time.monotonic()
    while time.monotonic() - began < seconds:
        try:
            await store.ping(timeout=1.0)
            return time.monotonic() - began
        except Exception:
            await asyncio.sleep(0.05)
    raise AssertionError(f"the store did not come back within {seconds} s")


async def test_embedded_store_killed_is_started_again_with_its_objects(own_rclone, caplog):
    store = ObjectStore(own_rclone.settings())
    await store.ensure_bucket()
    await store.put_bytes("kept/教案.txt", "活动目标".encode())
    first = own_rclone.pid
    caplog.set_level(logging.WARNING, logger="lianyan.files")

    os.kill(first, signal.SIGKILL)
    took = await until_back(store)

    assert took < 10
    assert own_rclone.pid != first
    assert own_rclone.restarts == 1
    assert await store.get("kept/教案.txt") == "活动目标".encode()
    assert any("exited with -9" in r.getMessage() for r in caplog.records)
    assert any("is back on" in r.getMessage() for r in caplog.records)


async def test_embedded_store_stopped_is_not_started_again(tmp_path):
    server = LocalS3Server(tmp_path, bucket="stopped")
    server.start()

    server.stop()
    await asyncio.sleep(0.5)

    assert server.pid is None
    assert server.restarts == 0


def test_embedded_store_credentials_are_not_on_its_command_line(own_rclone):
    command_line = Path(f"/proc/{own_rclone.pid}/cmdline").read_bytes().decode()

    assert own_rclone.secret_key not in command_line
    assert own_rclone.access_key not in command_line
    assert "--auth-key" not in command_line


@pytest.fixture
async def api_on_own_store(
    app: typing.Any, clean_db: None, own_rclone: LocalS3Server
) -> AsyncIterator[httpx.AsyncClient]:
    """The app, using the test's own rclone as its store."""
    store = ObjectStore(own_rclone.settings())
    await store.ensure_bucket()
    app.state.store = store
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as c:
        yield c


async def test_store_down_is_a_503_with_a_chinese_message_and_ready_says_so_fast(
    api_on_own_store, own_rclone
):
    api = api_on_own_store
    await f.user("wang", "teacher", name="王老师")
    headers = await f.bearer(api, "wang")
    created = await api.post(
        "/api/v1/uploads", json={"kind": "video", "filename": "课堂实录.mp4", "size": 6 << 20},
        headers=headers,
    )
    assert created.status_code == 201, created.text
    upload_id = created.json()["id"]

    own_rclone.stop()
    status = await api.get(f"/api/v1/uploads/{upload_id}", headers=headers)
    complete = await api.post(f"/api/v1/uploads/{upload_id}/complete", headers=headers)
    began = time.monotonic()
    ready = await api.get("/health/ready")
    ready_took = time.monotonic() - began
    after = await api.get(f"/api/v1/uploads/{upload_id}", headers=headers)

    for response in (status, complete):
        assert response.status_code == 503, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["code"] == "store.unavailable"
        assert "文件存储暂时不可用" in response.json()["detail"]
    assert ready.status_code == 503
    assert ready.json()["object_store"].startswith("error")
    assert ready_took < 1.0
    assert after.status_code == 503
    own_rclone.start()
    back = await api.get(f"/api/v1/uploads/{upload_id}", headers=headers)
    assert back.status_code == 200
    assert back.json()["status"] == "open"


def test_embedded_store_dies_with_an_app_killed_outright(tmp_path):
    # SIGKILL runs no clean-up: rclone must not outlive the app and keep its port.
    script = (
        "import sys, time; from pathlib import Path;"
        "from lianyan.files.local_s3 import LocalS3Server;"
        f"s = LocalS3Server(Path({str(tmp_path)!r}), bucket='orphan'); s.start();"
        "print(s.pid, flush=True); time.sleep(60)"
    )
    app = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    rclone = int(app.stdout.readline())

    app.kill()
    app.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _alive(rclone):
        time.sleep(0.05)

    assert not _alive(rclone)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"
