"""``lianyan serve`` as an operator runs it: rows and files survive a restart, and the app runs
against a database and an S3 endpoint it did not start itself."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import ENGINE


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _cli(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lianyan.cli", *args], env=env, input=stdin, text=True,
        capture_output=True, timeout=120, check=True,
    )


class Server:
    """A ``lianyan serve`` subprocess."""

    def __init__(self, env: dict[str, str], *extra: str, startup_seconds: float = 90) -> None:
        self.port = _port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = Path(env["LIANYAN_DATA_DIR"]) / f"serve-{self.port}.log"
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "lianyan.cli", "serve", "--port", str(self.port), *extra],
                env=env, stdout=out, stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + startup_seconds
        while True:
            try:
                if httpx.get(f"{self.url}/health/ready", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.process.kill()
                raise AssertionError(f"serve did not start:\n{self.log.read_text()[-3000:]}")
            time.sleep(0.2)

    def stop(self) -> None:
        self.process.send_signal(signal.SIGINT)
        self.process.wait(timeout=30)


PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def _upload(url: str, headers: dict[str, str], filename: str, content: bytes) -> int:
    """Send a file through the resumable direct-upload path; return its file id."""
    created = httpx.post(f"{url}/api/v1/uploads", headers=headers,
                         json={"kind": "design_document", "filename": filename,
                               "size": len(content)})
    assert created.status_code == 201, created.text
    upload = created.json()
    assert httpx.put(upload["parts"][0]["url"], content=content).status_code == 200
    done = httpx.post(f"{url}/api/v1/uploads/{upload['id']}/complete", headers=headers)
    assert done.status_code == 200, done.text
    return int(done.json()["file_id"])


def _rclone_processes(data_dir: Path) -> list[str]:
    out = subprocess.run(["ps", "-eww", "-o", "args"], capture_output=True, text=True).stdout
    return [line for line in out.splitlines() if "rclone" in line and str(data_dir) in line]


@pytest.fixture
def embedded_env(tmp_path):
    """A fresh embedded installation: SQLite and the app's own rclone under a new data dir."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIANYAN_")}
    env["LIANYAN_DATA_DIR"] = str(tmp_path / "var")
    env["PICCOLO_CONF"] = "lianyan.piccolo_conf"
    _cli(env, "migrate")
    _cli(env, "create-user", "--username", "city", "--name", "李飞", "--role", "city_admin",
         stdin="a-long-password\n")
    return env


def test_restart_keeps_rows_and_stops_its_s3_server(embedded_env):
    # Arrange
    data_dir = Path(embedded_env["LIANYAN_DATA_DIR"])
    server = Server(embedded_env)
    try:
        login = httpx.post(f"{server.url}/api/v1/auth/login",
                           json={"username": "city", "password": "a-long-password"})
        headers = {"Authorization": f"Bearer {login.json()['token']}"}
        created = httpx.post(f"{server.url}/api/v1/counties", headers=headers,
                             json={"code": "411282", "name": "灵宝市", "kind": "county_city"})
        file_id = _upload(server.url, headers, "教学设计.pdf", PDF)
        own_rclones = _rclone_processes(data_dir)
    finally:
        # Act
        server.stop()
    assert created.status_code == 201, created.text
    assert own_rclones, "the app should run its own rclone serve s3"
    stopped_rclones = _rclone_processes(data_dir)
    again = Server(embedded_env)
    try:
        listed = httpx.get(f"{again.url}/api/v1/counties", headers=headers)
        download = httpx.get(f"{again.url}/api/v1/files/{file_id}/download", headers=headers,
                             follow_redirects=True)
    finally:
        again.stop()
    # Assert
    assert stopped_rclones == []
    assert [c["name"] for c in listed.json()["items"]] == ["灵宝市"]
    assert download.status_code == 200
    assert download.content == PDF
    assert (data_dir / "objects").is_dir()


def test_two_workers_share_one_embedded_store_and_database(embedded_env):
    # Arrange
    data_dir = Path(embedded_env["LIANYAN_DATA_DIR"])
    server = Server(embedded_env, "--workers", "2", startup_seconds=150)
    try:
        login = httpx.post(f"{server.url}/api/v1/auth/login",
                           json={"username": "city", "password": "a-long-password"})
        headers = {"Authorization": f"Bearer {login.json()['token']}"}
        # Act: requests land on either worker
        created = [httpx.post(f"{server.url}/api/v1/counties", headers=headers,
                              json={"code": code, "name": name, "kind": "county"})
                   for code, name in (("411221", "渑池县"), ("411224", "卢氏县"))]
        file_id = _upload(server.url, headers, "教学设计.pdf", PDF)
        downloads = [httpx.get(f"{server.url}/api/v1/files/{file_id}/download",
                               headers=headers, follow_redirects=True) for _ in range(4)]
        listed = [httpx.get(f"{server.url}/api/v1/counties", headers=headers) for _ in range(4)]
        rclones = _rclone_processes(data_dir)
    finally:
        server.stop()
    # Assert
    assert [r.status_code for r in created] == [201, 201]
    assert all(d.status_code == 200 and d.content == PDF for d in downloads)
    assert all(len(r.json()["items"]) == 2 for r in listed)
    assert len(rclones) == 1, rclones
    assert _rclone_processes(data_dir) == []


async def test_local_s3_keeps_objects_across_restarts(tmp_path):
    from lianyan.files.local_s3 import LocalS3Server
    from lianyan.files.store import ObjectStore

    first = LocalS3Server(tmp_path, bucket="keep")
    first.start()
    store = ObjectStore(first.settings())
    await store.ensure_bucket()
    written = await store.put_bytes("a/教案.docx", b"lesson plan bytes")
    first.stop()

    second = LocalS3Server(tmp_path, bucket="keep")
    second.start()
    try:
        again = ObjectStore(second.settings())
        assert await again.get("a/教案.docx") == b"lesson plan bytes"
        assert written.sha256 == (await again.sha256("a/教案.docx"))[1]
    finally:
        second.stop()


def test_app_runs_against_database_and_s3_it_did_not_start(s3_server, migrated, tmp_path):
    # Arrange: the session's database (PostgreSQL in the PostgreSQL run) and rclone
    store = s3_server.settings()
    env = dict(os.environ)
    env.update({
        "LIANYAN_DATA_DIR": str(tmp_path / "var"),
        "LIANYAN_S3_ENDPOINT": store.endpoint,
        "LIANYAN_S3_ACCESS_KEY": store.access_key,
        "LIANYAN_S3_SECRET_KEY": store.secret_key,
        "LIANYAN_S3_BUCKET": "external-bucket",
    })
    # Act
    server = Server(env)
    try:
        ready = httpx.get(f"{server.url}/health/ready").json()
        started_own = _rclone_processes(tmp_path)
    finally:
        server.stop()
    # Assert
    assert ready == {"status": "ok", "database": "ok", "object_store": "ok"}
    assert started_own == []
    assert ENGINE in ("sqlite", "postgres")
