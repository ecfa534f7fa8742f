"""Fault tests with the real rclone (issue 12): the store killed, the app restarted, a full disk.

The first three run ``lianyan serve`` for real (uvicorn, SQLite, its own watched ``rclone serve
s3``, a fresh data dir) and kill or restart parts of it. The last runs the app in-process on an
rclone whose folder lives on a 24 MiB tmpfs mounted by the test; where mounting is not allowed
(an unprivileged CI container) it gives the rclone child a file-size limit instead
(``RLIMIT_FSIZE`` set with ``prlimit`` on the running process: a write past it fails with EFBIG,
as a full disk fails with ENOSPC), and raises it again to "free space".
"""

from __future__ import annotations

import hashlib
import os
import resource
import signal
import subprocess
import time
import typing
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from lianyan.files.local_s3 import LocalS3Server
from lianyan.files.store import ObjectStore

# The fixtures of the upload tests: the app handing out 5 MiB parts, and the browser's side.
from tests.files.test_uploads import (  # noqa: F401
    PART,
    VIDEO,
    mp4_bytes,
    put_part,
    s3,
    small_parts_app,
    start,
    teacher,
)
from tests.web.test_serve import Server, _cli

MiB = 1024 * 1024
PASSWORD = "a-long-password"


@pytest.fixture
def embedded(tmp_path: Path) -> dict[str, str]:
    """A fresh embedded installation handing out 5 MiB parts, with a city administrator."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIANYAN_")}
    env.update(LIANYAN_DATA_DIR=str(tmp_path / "var"), PICCOLO_CONF="lianyan.piccolo_conf",
               LIANYAN_UPLOAD_PART_BYTES=str(PART))
    _cli(env, "migrate")
    _cli(env, "create-user", "--username", "city", "--name", "李飞", "--role", "city_admin",
         stdin=PASSWORD + "\n")
    return env


def sign_in(url: str) -> dict[str, str]:
    login = httpx.post(f"{url}/api/v1/auth/login", json={"username": "city", "password": PASSWORD})
    assert login.status_code == 200, login.text
    return {"Authorization": f"Bearer {login.json()['token']}"}


def rclone_pid(data_dir: Path) -> int:
    out = subprocess.run(["ps", "-eww", "-o", "pid=,args="], capture_output=True, text=True).stdout
    pids = [int(line.split()[0]) for line in out.splitlines()
            if "rclone" in line and " serve s3 " in line and str(data_dir) in line]
    assert len(pids) == 1, out
    return pids[0]


def seconds_until_ready(url: str, limit: float = 10.0) -> float:
    began = time.monotonic()
    while time.monotonic() - began < limit:
        try:
            if httpx.get(f"{url}/health/ready", timeout=2).status_code == 200:
                return time.monotonic() - began
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise AssertionError(f"not ready again within {limit} s")


def start_upload(url: str, headers: dict[str, str], data: bytes) -> dict:
    created = httpx.post(f"{url}/api/v1/uploads", headers=headers, json={
        "kind": "video", "filename": "课堂实录.mp4", "size": len(data)})
    assert created.status_code == 201, created.text
    return created.json()


def send_part(upload: dict, number: int, data: bytes) -> None:
    url = next(p["url"] for p in upload["parts"] if p["number"] == number)
    chunk = data[(number - 1) * upload["part_size"] : number * upload["part_size"]]
    assert httpx.put(url, content=chunk, timeout=60).status_code == 200


def test_fault_app_restarted_between_parts_completes_the_upload(embedded):
    server = Server(embedded, startup_seconds=120)
    try:
        headers = sign_in(server.url)
        upload = start_upload(server.url, headers, VIDEO)
        send_part(upload, 1, VIDEO)
    finally:
        server.stop()
    again = Server(embedded, startup_seconds=120)
    try:
        state = httpx.get(f"{again.url}/api/v1/uploads/{upload['id']}", headers=headers).json()
        for part in state["parts"]:
            send_part(state, part["number"], VIDEO)
        done = httpx.post(f"{again.url}/api/v1/uploads/{upload['id']}/complete",
                          headers=headers, timeout=60)
    finally:
        again.stop()

    assert state["status"] == "open"
    assert state["stored"] == [{"number": 1, "size": PART}]
    assert done.status_code == 200, done.text
    assert done.json()["sha256"] == hashlib.sha256(VIDEO).hexdigest()


def test_fault_rclone_killed_during_an_upload_and_a_report_job_recovers_within_10_s(embedded):
    data_dir = Path(embedded["LIANYAN_DATA_DIR"])
    server = Server(embedded, startup_seconds=120)
    try:
        headers = sign_in(server.url)
        small = mp4_bytes(2 * MiB, seed=3)
        committed = start_upload(server.url, headers, small)
        send_part(committed, 1, small)
        kept = httpx.post(f"{server.url}/api/v1/uploads/{committed['id']}/complete",
                          headers=headers).json()
        upload = start_upload(server.url, headers, VIDEO)
        send_part(upload, 1, VIDEO)

        # Act 1: killed in the middle of an upload.
        os.kill(rclone_pid(data_dir), signal.SIGKILL)
        during = httpx.get(f"{server.url}/api/v1/uploads/{upload['id']}", headers=headers)
        took = seconds_until_ready(server.url)
        state = httpx.get(f"{server.url}/api/v1/uploads/{upload['id']}", headers=headers).json()
        for part in state["parts"]:
            send_part(state, part["number"], VIDEO)
        done = httpx.post(f"{server.url}/api/v1/uploads/{upload['id']}/complete",
                          headers=headers, timeout=60)
        download = httpx.get(f"{server.url}/api/v1/files/{kept['file_id']}/download",
                             headers=headers, follow_redirects=True)

        # Act 2: killed as a report job starts; the job stores its document once it is back.
        os.kill(rclone_pid(data_dir), signal.SIGKILL)
        queued = httpx.post(f"{server.url}/api/v1/reports", headers=headers,
                            json={"kind": "topic_list", "params": {"year": 2026}})
        job: dict[str, typing.Any] = {}
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            job = httpx.get(f"{server.url}/api/v1/reports/{queued.json()['id']}",
                            headers=headers).json()
            if job["status"] in ("done", "failed"):
                break
            time.sleep(0.2)
        report = httpx.get(f"{server.url}/api/v1/reports/{queued.json()['id']}/download",
                           headers=headers, follow_redirects=True)
    finally:
        server.stop()

    assert during.status_code in (200, 503)  # 200 when the connect retries rode it out
    if during.status_code == 503:
        assert during.json()["code"] == "store.unavailable"
    assert took < 10
    assert state["status"] == "open"
    assert state["stored"] == [{"number": 1, "size": PART}]
    assert done.status_code == 200, done.text
    assert done.json()["sha256"] == hashlib.sha256(VIDEO).hexdigest()
    assert download.content == small
    assert queued.status_code == 202, queued.text
    assert job["status"] == "done", job
    assert report.status_code == 200
    assert report.content[:2] == b"PK"
    assert Path(server.log).read_text().count("exited with -9") == 2


# --------------------------------------------------------------------------- a full disk


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[tuple[Path, typing.Callable[[bool], None]]]:
    """A folder on a 24 MiB tmpfs and ``fill(True/False)``; or the RLIMIT_FSIZE stand-in."""
    mount = tmp_path / "disk"
    mount.mkdir()
    mounted = not os.environ.get("LIANYAN_TEST_NO_MOUNT") and subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", str(mount)], capture_output=True
    ).returncode == 0
    filler = mount / "filler"
    state: dict[str, typing.Any] = {}

    def fill(full: bool) -> None:
        if mounted:
            if full:
                free = os.statvfs(mount).f_bavail * os.statvfs(mount).f_frsize
                filler.write_bytes(b"\0" * (free - 3 * MiB))  # 3 MiB left: less than the video
            else:
                filler.unlink()
        else:
            # The soft limit only: raising a hard limit again needs CAP_SYS_RESOURCE.
            limit = 6 * MiB if full else resource.RLIM_INFINITY
            resource.prlimit(state["pid"], resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))

    try:
        yield mount, fill, state  # type: ignore[misc]
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(mount)], check=False)


@pytest.fixture
async def api_on_small_disk(small_parts_app, clean_db, small_disk):  # noqa: F811
    mount, fill, state = small_disk
    server = LocalS3Server(mount, bucket="full")
    server.start()
    state["pid"] = server.pid
    store = ObjectStore(server.settings())
    await store.ensure_bucket()
    small_parts_app.state.store = store
    transport = httpx.ASGITransport(app=small_parts_app, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as api:
        yield api, store, fill
    server.stop()


async def test_fault_disk_full_during_complete_keeps_the_upload_open_for_a_retry(
    api_on_small_disk, s3  # noqa: F811
):
    api, store, fill = api_on_small_disk
    headers = await teacher(api)
    upload = await start(api, headers, VIDEO)
    for number in (1, 2, 3):
        await put_part(s3, upload, number, VIDEO)

    fill(True)
    failed = await api.post(f"/api/v1/uploads/{upload['id']}/complete", headers=headers)
    state = (await api.get(f"/api/v1/uploads/{upload['id']}", headers=headers)).json()
    fill(False)
    retried = await api.post(f"/api/v1/uploads/{upload['id']}/complete", headers=headers)

    assert failed.status_code == 503, failed.text
    assert failed.json()["code"] == "store.unavailable"
    assert state["status"] == "open"
    assert [p["number"] for p in state["stored"]] == [1, 2, 3]
    assert retried.status_code == 200, retried.text
    assert retried.json()["sha256"] == hashlib.sha256(VIDEO).hexdigest()
    assert await store.sha256(f"{(await _key(upload['id']))}") == (
        len(VIDEO), hashlib.sha256(VIDEO).hexdigest()
    )


async def _key(upload_id: int) -> str:
    from lianyan.files.tables import Upload

    row = await Upload.select(Upload.key).where(Upload.id == upload_id).first()
    return str(row["key"])
