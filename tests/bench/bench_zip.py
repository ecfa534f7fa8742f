"""Benchmark: the zip of an exchange's designs is streamed with flat app memory.

Builds an exchange with ``--designs`` (200) designs on a throw-away SQLite database and a real
``rclone serve s3``, each design's newest version holding a document (``--doc-kib``, 256 KiB)
and a classroom video (``--video-mib``, 2 MiB) of random bytes, then runs what
``GET /api/v1/exchanges/{id}/export/designs`` runs (``export.zip_entries`` and
``export.stream_zip``), handing every chunk on and dropping it like the HTTP response does.
A thread samples this process's resident memory (``VmRSS``) every 5 ms. It does this for the
first quarter of the designs and then for all of them: the zip grows four times, the memory
used while streaming should not grow at all. The zip is checked (CRCs, names) at the end.

Run: ``.venv/bin/python tests/bench/bench_zip.py [--designs 200] [--video-mib 2]``. Prints the
figures; asserts only that the zip is valid. Figures in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import io
import os
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
MiB = 1024 * 1024


def _environment(data_dir: Path) -> None:
    os.environ["LIANYAN_DATA_DIR"] = str(data_dir)
    os.environ["LIANYAN_DATABASE_URL"] = f"sqlite:///{data_dir / 'bench.db'}"
    os.environ["PICCOLO_CONF"] = "lianyan.piccolo_conf"
    os.environ.setdefault("LIANYAN_SECRET_KEY", "bench-zip-0123456789abcdef")
    for path in (ROOT, ROOT / "src"):
        if str(path) not in sys.path:
            sys.path.insert(0, str(path))


def rss_kib() -> int:
    """Resident memory of this process in KiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


class Peak:
    """Samples VmRSS in a thread; ``peak`` is the highest value seen."""

    def __init__(self) -> None:
        self.start = rss_kib()
        self.peak = self.start
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.005):
            self.peak = max(self.peak, rss_kib())

    def __enter__(self) -> Peak:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


async def _designs(world: Any, store: Any, count: int, doc: int, video: int) -> None:
    """``count`` participants in groups of two, each with one version (document + video)."""
    from lianyan import clock
    from lianyan.exchanges.tables import Design, DesignVersion, ExchangeGroup, Participant
    from lianyan.files.tables import StoredFile
    from lianyan.org.tables import Kindergarten, Person

    now = clock.now()
    counties = [world.counties["lingbao"], world.counties["lushi"]]
    kgs = await Kindergarten.insert(*[
        Kindergarten(county=counties[i % 2], name=f"测试幼儿园{i:03d}", locale="rural",
                     ownership="public", level="grade1", created_at=now) for i in range(count)])
    people = await Person.insert(*[
        Person(name=f"教师{i:03d}", kindergarten=k["id"], created_at=now)
        for i, k in enumerate(kgs)])
    groups = await ExchangeGroup.insert(*[
        ExchangeGroup(exchange=world.exchange_id, number=100 + n, reason="")
        for n in range(count // 2)])
    for i, (kg, person) in enumerate(zip(kgs, people, strict=True)):
        participant = (await Participant.insert(Participant(
            exchange=world.exchange_id, group=groups[i // 2]["id"], kindergarten=kg["id"],
            county=counties[i % 2], teacher=person["id"], created_at=now)))[0]["id"]
        design = (await Design.insert(Design(
            exchange=world.exchange_id, participant=participant, title="大班科学《影子》",
            latest_version=1, created_at=now, updated_at=now)))[0]["id"]
        ids = []
        for part, size, name in (("document", doc, "教学设计.docx"), ("video", video, "课堂实录.mp4")):
            key = f"bench/{design}/{part}"
            await store.put(key, io.BytesIO(os.urandom(size)), length=size)
            ids.append((await StoredFile.insert(StoredFile(
                key=key, original_name=name, size=size, content_type="application/octet-stream",
                sha256="0" * 64, kind=part, owner_type="design", owner_id=design,
                created_at=now)))[0]["id"])
        await DesignVersion.insert(DesignVersion(
            design=design, number=1, change="video", document_file_id=ids[0],
            video_file_id=ids[1], created_at=now))


async def _stream(actor: Any, store: Any, exchange_id: int, limit: int) -> dict[str, float]:
    """Stream the zip of the first ``limit`` designs; memory, bytes and time."""
    from lianyan.exchanges import export

    _, entries = await export.zip_entries(actor, exchange_id)
    entries = entries[: 2 * limit]
    sink = io.BytesIO() if limit <= 4 else None
    size = chunks = 0
    started = time.perf_counter()
    with Peak() as peak:
        async for chunk in export.stream_zip(store, entries):
            size += len(chunk)
            chunks += 1
            if sink is not None:
                sink.write(chunk)
    seconds = time.perf_counter() - started
    if sink is not None:
        archive = zipfile.ZipFile(io.BytesIO(sink.getvalue()))
        assert archive.testzip() is None
        assert all(i.flag_bits & 0x800 for i in archive.infolist())
    return {"designs": limit, "entries": len(entries), "zip_mib": size / MiB,
            "seconds": seconds, "rss_before_mib": peak.start / 1024,
            "rss_growth_mib": (peak.peak - peak.start) / 1024, "chunks": chunks}


async def run(args: argparse.Namespace, data_dir: Path) -> list[dict[str, float]]:
    from tests.exchanges.conftest import T0, build_world

    from lianyan import clock, db
    from lianyan.files.local_s3 import LocalS3Server
    from lianyan.files.store import ObjectStore
    from lianyan.settings import Settings

    settings = Settings.from_env()
    server = LocalS3Server.from_settings(data_dir, settings.store)
    server.start()
    store = ObjectStore(server.settings())
    await store.ensure_bucket()
    await db.start()
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            await db.migrate()
        with clock.pinned(T0):
            world = await build_world()
        print(f"storing {args.designs} designs × ({args.doc_kib} KiB + {args.video_mib} MiB) …")
        await _designs(world, store, args.designs, args.doc_kib * 1024, args.video_mib * MiB)
        actor = await world.actor("lingbao")
        with clock.pinned(T0 + dt.timedelta(days=1)):
            results = [await _stream(actor, store, world.exchange_id, 2)]  # warm-up, checked
            for limit in (args.designs // 4, args.designs):
                results.append(await _stream(actor, store, world.exchange_id, limit))
        return results
    finally:
        await db.stop()
        server.stop()


def main(argv: list[str] | None = None) -> list[dict[str, float]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--designs", type=int, default=200)
    parser.add_argument("--doc-kib", type=int, default=256)
    parser.add_argument("--video-mib", type=int, default=2)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="lianyan-bench-zip-") as tmp:
        data_dir = Path(tmp)
        _environment(data_dir)
        results = asyncio.run(run(args, data_dir))
    print(f"{'designs':>8} {'entries':>8} {'zip MiB':>9} {'seconds':>8} {'MiB/s':>7} "
          f"{'RSS before':>11} {'RSS growth':>11}")
    for r in results:
        print(f"{r['designs']:>8} {r['entries']:>8} {r['zip_mib']:>9.1f} {r['seconds']:>8.2f} "
              f"{r['zip_mib'] / r['seconds']:>7.1f} {r['rss_before_mib']:>10.1f}M "
              f"{r['rss_growth_mib']:>10.1f}M")
    return results


if __name__ == "__main__":
    main()
