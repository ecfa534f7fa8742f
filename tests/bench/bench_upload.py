"""Benchmark: a 1 GiB resumable upload through the real app, against a plain single PUT.

Starts ``lianyan serve`` for real (uvicorn in a subprocess, its embedded ``rclone serve s3``, a
temporary data dir and SQLite database), signs in, and uploads a 1 GiB MP4 through the resumable
path with 8 MiB parts: after 40 parts the 41st breaks off half-way (the connection "drops"),
the client asks ``GET /api/v1/uploads/{id}`` which parts the store holds, sends the rest, and
completes (the app checks size and content and streams the object once for its SHA-256).

The file comes from a seeded deterministic generator (SHAKE-128 of the seed and the chunk
number), written once, streamed, to a temporary file that both paths read, so that generating
the bytes does not limit either. The baseline, measured in the same run, is one plain PUT of
the same bytes straight to the same rclone (a presigned URL, no app in the way).

While the upload and the completion run, a thread samples the app process's resident memory
(``VmRSS`` of ``/proc/<pid>/status``) every 20 ms: parts go browser → store and the SHA-256 is
computed streaming, so the app's memory must stay flat whatever the file size.

Run: ``.venv/bin/python tests/bench/bench_upload.py [--size-mib 1024] [--part-mib 8]``.
Prints absolute figures and the ratios that matter; asserts only that the stored SHA-256 is the
local one (a benchmark that uploads the wrong bytes measures nothing). Takes about a minute.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx

MiB = 1024 * 1024
CHUNK = MiB
SEED = b"lianyan-bench-upload-1"
PASSWORD = "bench-password-0123"
BREAK_AFTER_PARTS = 40


# --------------------------------------------------------------------------- the file


def _box_header(kind: bytes, size: int) -> bytes:
    return struct.pack(">I", size) + kind


def chunks(size: int) -> Iterator[bytes]:
    """The bytes of a valid MP4 of ``size`` bytes (ftyp, one mdat of noise, moov), 1 MiB at a time."""
    ftyp = _box_header(b"ftyp", 32) + b"isom" + struct.pack(">I", 512) + b"isomiso2avc1mp41"
    moov = _box_header(b"moov", 116) + _box_header(b"mvhd", 108) + bytes(100)
    head = ftyp + _box_header(b"mdat", size - len(ftyp) - len(moov))
    count = -(-size // CHUNK)
    for index in range(count):
        length = min(CHUNK, size - index * CHUNK)
        data = bytearray(hashlib.shake_128(SEED + index.to_bytes(8, "little")).digest(length))
        if index == 0:
            data[: len(head)] = head
        if index == count - 1:
            data[length - len(moov) :] = moov
        yield bytes(data)


def write_file(path: Path, size: int) -> str:
    """Write the file, streaming; return its SHA-256."""
    digest = hashlib.sha256()
    with path.open("wb") as out:
        for chunk in chunks(size):
            digest.update(chunk)
            out.write(chunk)
    return digest.hexdigest()


def read_range(path: Path, offset: int, length: int) -> bytes:
    with path.open("rb") as source:
        source.seek(offset)
        return source.read(length)


def stream_file(path: Path, block: int = MiB) -> Iterator[bytes]:
    with path.open("rb") as source:
        while chunk := source.read(block):
            yield chunk


# --------------------------------------------------------------------------- the app


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rss_kib(pid: int) -> int:
    """Resident memory of a process in KiB, from /proc (psutil is not installed)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")


class RssSampler:
    """Samples a process's RSS every ``interval`` seconds in a thread; keeps the peak per phase."""

    def __init__(self, pid: int, interval: float = 0.02) -> None:
        self.pid = pid
        self.interval = interval
        self.phase = "idle"
        self.peaks: dict[str, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            value = rss_kib(self.pid)
            self.peaks[self.phase] = max(self.peaks.get(self.phase, 0), value)
            time.sleep(self.interval)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def run(command: list[str], env: dict[str, str], stdin: str = "") -> None:
    result = subprocess.run(command, env=env, input=stdin.encode(), capture_output=True)
    if result.returncode:
        raise RuntimeError(f"{' '.join(command)} failed:\n{result.stdout.decode()}"
                           f"{result.stderr.decode()}")


def start_app(data_dir: Path, part_bytes: int) -> tuple[subprocess.Popen[bytes], str, Path]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIANYAN_")}
    env.update(
        LIANYAN_DATA_DIR=str(data_dir),
        LIANYAN_SECRET_KEY="bench-secret-key-0123456789",
        LIANYAN_UPLOAD_PART_BYTES=str(part_bytes),
        PICCOLO_CONF="lianyan.piccolo_conf",
    )
    cli = [sys.executable, "-m", "lianyan.cli"]
    run([*cli, "migrate"], env)
    run([*cli, "create-user", "--username", "bench", "--name", "基准测试", "--role", "expert"],
        env, PASSWORD + "\n")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = data_dir / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen([*cli, "serve", "--port", str(port)], env=env, stdout=out,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{url}/health/ready", timeout=1).status_code == 200:
                return process, url, log
        except httpx.HTTPError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"lianyan serve did not start:\n{log.read_text()[-3000:]}")
        time.sleep(0.1)


def stop_app(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# --------------------------------------------------------------------------- the two paths


def single_put(data_dir: Path, store_origin: str, path: Path, size: int) -> float:
    """The baseline: one presigned PUT of the whole file straight to rclone; seconds."""
    from minio import Minio

    access, secret = (data_dir / "s3_credentials").read_text().split()
    client = Minio(urlsplit(store_origin).netloc, access_key=access, secret_key=secret,
                   secure=False, region="us-east-1")
    url = client.presigned_put_object("lianyan", "bench/single-put.mp4")
    started = time.perf_counter()
    response = httpx.put(url, content=stream_file(path), headers={"Content-Length": str(size)},
                         timeout=600)
    elapsed = time.perf_counter() - started
    response.raise_for_status()
    client.remove_object("lianyan", "bench/single-put.mp4")
    return elapsed


def put_part(s3: httpx.Client, url: str, path: Path, upload: dict, number: int) -> None:
    offset = (number - 1) * upload["part_size"]
    data = read_range(path, offset, min(upload["part_size"], upload["size"] - offset))
    response = s3.put(url, content=data)
    response.raise_for_status()


def resumable(
    app: httpx.Client, s3: httpx.Client, path: Path, size: int, sampler: RssSampler
) -> dict[str, float | int | str]:
    """Create, send 40 parts, break, ask, resume, complete; timings and the stored SHA-256."""
    sampler.phase = "upload"
    started = time.perf_counter()
    created = app.post("/api/v1/uploads", json={"kind": "video", "filename": "基准课堂实录.mp4",
                                                "size": size})
    created.raise_for_status()
    upload = created.json()
    urls = {p["number"]: p["url"] for p in upload["parts"]}
    cut = min(BREAK_AFTER_PARTS, upload["part_count"] // 3)
    for number in range(1, cut + 1):
        put_part(s3, urls[number], path, upload, number)

    def cut_off() -> Iterator[bytes]:
        yield read_range(path, cut * upload["part_size"], upload["part_size"] // 2)
        raise ConnectionResetError("the connection dropped")

    with contextlib.suppress(ConnectionResetError):
        s3.put(urls[cut + 1], content=cut_off(),
               headers={"Content-Length": str(upload["part_size"])})
    state = app.get(f"/api/v1/uploads/{upload['id']}").json()
    stored_after_break = len(state["stored"])
    for part in state["parts"]:
        put_part(s3, part["url"], path, upload, part["number"])
    uploaded = time.perf_counter()
    sampler.phase = "complete"
    done = app.post(f"/api/v1/uploads/{upload['id']}/complete", timeout=600)
    done.raise_for_status()
    completed = time.perf_counter()
    sampler.phase = "after"
    return {
        "upload_s": uploaded - started,
        "complete_s": completed - uploaded,
        "sha256": done.json()["sha256"],
        "size": done.json()["size"],
        "parts": upload["part_count"],
        "stored_after_break": stored_after_break,
    }


# --------------------------------------------------------------------------- report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--part-mib", type=int, default=8)
    args = parser.parse_args()
    size = args.size_mib * MiB
    work = Path(tempfile.mkdtemp(prefix="lianyan-bench-upload-"))
    process = None
    try:
        path = work / "video.mp4"
        t0 = time.perf_counter()
        local_sha = write_file(path, size)
        print(f"generated {args.size_mib} MiB in {time.perf_counter() - t0:.1f} s, "
              f"sha256 {local_sha[:16]}…")
        process, url, _log = start_app(work / "data", args.part_mib * MiB)
        token = httpx.post(f"{url}/api/v1/auth/login",
                           json={"username": "bench", "password": PASSWORD}).json()["token"]
        app = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=60)
        app.get("/api/v1/me").raise_for_status()
        with RssSampler(process.pid) as sampler, httpx.Client(timeout=600) as s3:
            time.sleep(1.0)  # idle: after start-up and a sign-in
            probe = app.post("/api/v1/uploads", json={"kind": "video", "filename": "probe.mp4",
                                                      "size": MiB}).json()
            app.delete(f"/api/v1/uploads/{probe['id']}").raise_for_status()
            store_origin = "{0.scheme}://{0.netloc}".format(urlsplit(probe["parts"][0]["url"]))
            sampler.phase = "baseline"
            baseline_s = single_put(work / "data", store_origin, path, size)
            result = resumable(app, s3, path, size, sampler)
            time.sleep(0.5)
        if result["sha256"] != local_sha or result["size"] != size:
            raise SystemExit(f"stored file differs: {result['sha256']} != {local_sha}")
        idle = sampler.peaks["idle"]
        peak_upload = sampler.peaks.get("upload", 0)
        peak_complete = sampler.peaks.get("complete", 0)
        peak = max(peak_upload, peak_complete)
        upload_s = float(result["upload_s"])
        complete_s = float(result["complete_s"])
        mb = size / MiB
        print(f"parts: {result['parts']} × {args.part_mib} MiB; after the break the store held "
              f"{result['stored_after_break']}; stored SHA-256 = local SHA-256 ✓")
        print(f"baseline single PUT to rclone   {baseline_s:6.1f} s  {mb / baseline_s:6.0f} MiB/s")
        print(f"resumable parts (with a break)  {upload_s:6.1f} s  {mb / upload_s:6.0f} MiB/s"
              f"   ratio to baseline {baseline_s / upload_s:.2f}")
        print(f"complete (size, sniff, SHA-256) {complete_s:6.1f} s  {mb / complete_s:6.0f} MiB/s"
              f"   ratio to baseline time {complete_s / baseline_s:.2f}")
        print(f"end to end (parts + complete)   {upload_s + complete_s:6.1f} s"
              f"   ratio to baseline time {(upload_s + complete_s) / baseline_s:.2f}")
        print(f"app RSS idle {idle / 1024:.1f} MiB; peak while parts arrive "
              f"{peak_upload / 1024:.1f} MiB, while completing {peak_complete / 1024:.1f} MiB; "
              f"peak/idle {peak / idle:.3f} (+{(peak - idle) / 1024:.1f} MiB for a "
              f"{args.size_mib} MiB file)")
    finally:
        if process is not None:
            stop_app(process)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
