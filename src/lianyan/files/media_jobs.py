"""Background jobs that make uploaded videos watchable: duration, poster, 720p preview.

Every stored video gets one ``MediaPreview`` row (``enqueue``, called by the domain that keeps
the video, in its own transaction). A worker claims the oldest queued row with a conditional
UPDATE (like report jobs), so app instances and ``lianyan worker`` processes sharing a database
never run a job twice. The job copies the video from the store to a temporary file (streamed),
reads its duration and codec, cuts a poster frame and, when the browser needs one
(``media.preview_reason``: HEVC, ``.mov``, very large or very high), makes a 720p H.264 MP4.
Results are ``stored_file`` rows with the *source's* owner, so whoever may read the video may
read its poster and preview (``files/access.py``). The original is never changed.

Where it runs: each app process runs a ``MediaWorker`` unless ``LIANYAN_MEDIA_WORKER=0``;
``lianyan worker`` runs the same loop (and the report jobs) as a separate process, so a
province adds transcoding machines without adding web servers.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import os
import socket
import tempfile
import uuid
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any

import msgspec

from lianyan import clock, jobs
from lianyan.files import media
from lianyan.files.store import ObjectStore
from lianyan.files.tables import MediaPreview, StoredFile
from lianyan.jobs import JobLoop
from lianyan.schemas import Output

log = logging.getLogger("lianyan.files")

POLL_SECONDS = 2.0
#: A job running this long belongs to a worker that stopped (a 2 GB transcode takes < 3 h).
STALE_AFTER = dt.timedelta(hours=4)
INTERRUPTED = "视频处理被中断（服务重启），请稍后重新上传；原视频仍可下载。"
INTERNAL = "视频处理时发生内部错误，原视频仍可下载。"

#: The media workers running in this process.
WAKEUPS = jobs.Wakeups()


class MediaOut(Output, kw_only=True):
    """How a video looks in the browser: the preview's state, poster and duration."""

    file_id: int
    status: str
    duration_seconds: int | None
    width: int | None
    height: int | None
    codec: str
    poster_file_id: int | None
    has_preview: bool
    reason: str


notify = WAKEUPS.notify


async def enqueue(file_id: int) -> None:
    """Queue the preview job of a stored video (once per file; again is a no-op).

    Side effects: a ``media_preview`` row; the process's workers are woken.
    """
    if await MediaPreview.exists().where(MediaPreview.source_file == file_id):
        return
    await MediaPreview.insert(MediaPreview(source_file=file_id, created_at=clock.now()))
    notify()


async def media_of(file_ids: list[int]) -> dict[int, MediaOut]:
    """The preview state of each of these videos that has one; one query."""
    if not file_ids:
        return {}
    rows = await MediaPreview.select(
        MediaPreview.source_file.as_alias("file_id"), MediaPreview.status,
        MediaPreview.duration_seconds, MediaPreview.width, MediaPreview.height,
        MediaPreview.codec, MediaPreview.poster_file.as_alias("poster_file_id"),
        MediaPreview.preview_file.as_alias("preview_file_id"), MediaPreview.reason,
    ).where(MediaPreview.source_file.is_in(sorted(set(file_ids))))
    result = {}
    for row in rows:
        row["has_preview"] = row.pop("preview_file_id") is not None
        result[row["file_id"]] = msgspec.convert(row, MediaOut)
    return result


async def claim(job_id: int, worker: str) -> bool:
    """Take a queued job: True only for the one caller whose UPDATE changed the row."""
    rows = await MediaPreview.update(
        {MediaPreview.status: "running", MediaPreview.started_at: clock.now(),
         MediaPreview.worker: worker}
    ).where((MediaPreview.id == job_id) & (MediaPreview.status == "queued")).returning(
        MediaPreview.id
    )
    return bool(rows)


async def claim_next(worker: str) -> int | None:
    """Claim the oldest queued job; None when none is left (or others took them first)."""
    for _ in range(10):
        candidate = await MediaPreview.select(MediaPreview.id).where(
            MediaPreview.status == "queued"
        ).order_by(MediaPreview.id).first()
        if candidate is None:
            return None
        if await claim(candidate["id"], worker):
            return int(candidate["id"])
    return None


async def fail_stale(older_than: dt.timedelta = STALE_AFTER) -> int:
    """Fail jobs left running longer than ``older_than``; safe from every worker at once."""
    rows = await MediaPreview.update(
        {MediaPreview.status: "failed", MediaPreview.reason: INTERRUPTED,
         MediaPreview.finished_at: clock.now()}
    ).where(
        (MediaPreview.status == "running") & (MediaPreview.started_at < clock.now() - older_than)
    ).returning(MediaPreview.id)
    return len(rows)


async def _store_local(
    store: ObjectStore, path: Path, *, source: dict[str, Any], name: str, content_type: str,
    kind: str,
) -> int:
    """Put a file the job made into the store with the source's owner; its ``stored_file`` id."""
    extension = path.suffix
    key = f"{source['owner_type'] or 'media'}/{clock.now():%Y/%m}/{uuid.uuid4().hex}{extension}"
    with path.open("rb") as stream:
        stored = await store.put(key, stream, content_type=content_type,
                                 length=path.stat().st_size)
    try:
        row = (await StoredFile.insert(StoredFile(
            key=key, original_name=name, size=stored.size, content_type=content_type,
            sha256=stored.sha256, kind=kind, owner_type=source["owner_type"],
            owner_id=source["owner_id"], uploader_id=None, created_at=clock.now(),
        )))[0]
    except BaseException:
        await store.delete(key)
        raise
    return int(row["id"])


async def run_job(job_id: int, *, store: ObjectStore, large_bytes: int) -> str:
    """Run one claimed job to ``done`` or ``failed``; return the status.

    Side effects: up to two objects and ``stored_file`` rows (poster, preview) owned like the
    source; the job row. A failure stores nothing and records the reason in Chinese.
    """
    job = await MediaPreview.select(
        MediaPreview.source_file.as_alias("file_id"),
        MediaPreview.source_file.key.as_alias("key"),
        MediaPreview.source_file.size.as_alias("size"),
        MediaPreview.source_file.content_type.as_alias("content_type"),
        MediaPreview.source_file.original_name.as_alias("name"),
        MediaPreview.source_file.owner_type.as_alias("owner_type"),
        MediaPreview.source_file.owner_id.as_alias("owner_id"),
    ).where(MediaPreview.id == job_id).first()
    assert job is not None
    made: list[int] = []
    values: dict[Any, Any]
    try:
        with tempfile.TemporaryDirectory(prefix="lianyan-media-") as tmp:
            source = Path(tmp) / "source"
            with source.open("wb") as out:
                async for chunk in store.iter_chunks(job["key"], 4 * 1024 * 1024):
                    out.write(chunk)
            info = await media.probe(source)
            stem = job["name"].rsplit(".", 1)[0]
            poster = Path(tmp) / "poster.jpg"
            await media.poster(source, poster, duration=info.duration_seconds)
            made.append(await _store_local(
                store, poster, source=job, name=f"{stem}（封面）.jpg",
                content_type="image/jpeg", kind="poster",
            ))
            values = {
                MediaPreview.poster_file: made[0],
                MediaPreview.duration_seconds: info.duration_seconds,
                MediaPreview.width: info.width, MediaPreview.height: info.height,
                MediaPreview.codec: info.codec[:30], MediaPreview.reason: "",
            }
            reason = media.preview_reason(
                info, content_type=job["content_type"], size=job["size"],
                large_bytes=large_bytes,
            )
            if reason is not None:
                target = Path(tmp) / "preview.mp4"
                await media.transcode(source, target)
                made.append(await _store_local(
                    store, target, source=job, name=f"{stem}（预览）.mp4",
                    content_type="video/mp4", kind="video_preview",
                ))
                values[MediaPreview.preview_file] = made[1]
                values[MediaPreview.reason] = reason
        status = "done"
    except asyncio.CancelledError:
        # Shutting down: the job goes back to the queue; nothing half-made is kept.
        await _forget(store, made)
        await MediaPreview.update({MediaPreview.status: "queued", MediaPreview.worker: ""}).where(
            MediaPreview.id == job_id
        )
        raise
    except Exception as exc:
        await _forget(store, made)
        reason = exc.reason if isinstance(exc, media.MediaError) else INTERNAL
        log.warning("media job %s failed: %s", job_id, exc)
        values, status = {MediaPreview.reason: reason}, "failed"
    values.update({MediaPreview.status: status, MediaPreview.finished_at: clock.now()})
    await MediaPreview.update(values).where(MediaPreview.id == job_id)
    return status


async def _forget(store: ObjectStore, file_ids: list[int]) -> None:
    """Remove files a failed or interrupted job had already stored."""
    for file_id in file_ids:
        row = await StoredFile.select(StoredFile.key).where(StoredFile.id == file_id).first()
        if row is not None:
            await StoredFile.delete().where(StoredFile.id == file_id)
            with contextlib.suppress(Exception):
                await store.delete(row["key"])


class MediaWorker(JobLoop):
    """Claims and runs media jobs one at a time until cancelled."""

    label = "media worker"
    wakeups = WAKEUPS

    def __init__(self, store: ObjectStore, *, large_bytes: int,
                 poll_seconds: float = POLL_SECONDS, name: str | None = None) -> None:
        super().__init__(poll_seconds=poll_seconds,
                         name=name or f"{socket.gethostname()}:{os.getpid()}:media")
        self.store = store
        self.large_bytes = large_bytes

    async def tidy(self) -> Any:
        return await fail_stale()

    async def run_once(self) -> int | None:
        """Claim and run the oldest queued job; its id, or None when none was queued."""
        job_id = await claim_next(self.name)
        if job_id is None:
            return None
        status = await run_job(job_id, store=self.store, large_bytes=self.large_bytes)
        log.info("media job %s %s (%s)", job_id, status, self.name)
        return job_id


def running(store: ObjectStore, *, large_bytes: int) -> AbstractAsyncContextManager[MediaWorker]:
    """Run a media worker for the duration of the block; stop it cleanly."""
    return jobs.running(MediaWorker(store, large_bytes=large_bytes), "lianyan-media-worker")
