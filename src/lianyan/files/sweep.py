"""``lianyan sweep``: abort abandoned uploads and delete objects no row refers to.

Every object Lianyan keeps has a ``StoredFile`` row, or belongs to an ``Upload`` still under
way (its joined object or its parts). Anything else older than the grace period is left over
from a crash or a refused upload. With the embedded store, the sweep also removes the files
``rclone serve s3`` keeps unfinished multipart uploads in (``.rclone_temp_multipart_*``): rclone
forgets those uploads when it stops, so their files stay behind for ever.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import msgspec

from lianyan import clock
from lianyan.audit import services as audit
from lianyan.db import atomic
from lianyan.files.store import ObjectStore
from lianyan.files.tables import StoredFile, Upload
from lianyan.files.uploads import discard, parts_prefix
from lianyan.settings import Settings

#: Objects younger than this are never swept: their row may not be committed yet.
GRACE = dt.timedelta(hours=1)


class SweepReport(msgspec.Struct):
    """What a sweep removed."""

    aborted_uploads: int
    deleted_objects: int
    deleted_temp_files: int = 0


def remove_rclone_temp_files(bucket_dir: Path, *, older_than: dt.timedelta = GRACE) -> int:
    """Delete rclone's leftover multipart files under ``bucket_dir``; return how many.

    Only files untouched for ``older_than`` go: a younger one may belong to an upload the
    running rclone is still writing (the app's own uploads finish within seconds).
    """
    from lianyan.files.local_s3 import TEMP_MULTIPART_PREFIX

    if not bucket_dir.is_dir():
        return 0
    cutoff = dt.datetime.now().timestamp() - older_than.total_seconds()
    removed = 0
    for path in bucket_dir.rglob(f"{TEMP_MULTIPART_PREFIX}*"):
        try:
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except FileNotFoundError:
            continue  # rclone finished or dropped it meanwhile
    return removed


async def sweep(
    store: ObjectStore, *, abandon_after: dt.timedelta, bucket_dir: Path | None = None
) -> SweepReport:
    """Abort uploads idle for ``abandon_after`` and delete orphaned objects.

    Side effects: each abandoned upload (``open``, or ``completing`` left by a crash) is marked
    ``aborted`` with an audit entry, then its parts and any joined object are removed from the
    store; objects older than ``GRACE`` that no row refers to are deleted; with ``bucket_dir``
    (the embedded store's folder), rclone's leftover multipart files older than ``GRACE`` too.
    """
    now = clock.now()
    # Mark first, then discard: a browser that asks about its upload in between touches
    # ``updated_at`` and so keeps it, and one that asks afterwards is told it was aborted.
    async with atomic():
        stale = (
            await Upload.update({Upload.status: "aborted", Upload.updated_at: now})
            .where(
                Upload.status.is_in(["open", "completing"])
                & (Upload.updated_at < now - abandon_after)
            )
            .returning(Upload.id, Upload.key, Upload.s3_upload_id)
        )
        for upload in stale:
            await audit.record(None, "upload.abandon", "upload", upload["id"])
    for upload in stale:
        await discard(store, key=upload["key"], s3_upload_id=upload["s3_upload_id"])
    known = {r["key"] for r in await StoredFile.select(StoredFile.key)}
    under_way = [
        r["key"]
        for r in await Upload.select(Upload.key).where(
            Upload.status.is_in(["open", "completing"])
        )
    ]
    known |= set(under_way)
    part_prefixes = tuple(parts_prefix(key) for key in under_way)
    deleted = 0
    for key, modified in await store.listing():
        if key in known or key.startswith(".lianyan/") or (
            part_prefixes and key.startswith(part_prefixes)
        ):
            continue
        if modified is not None and now - modified < GRACE:
            continue
        await store.delete(key)
        deleted += 1
    temp_files = remove_rclone_temp_files(bucket_dir) if bucket_dir is not None else 0
    return SweepReport(
        aborted_uploads=len(stale), deleted_objects=deleted, deleted_temp_files=temp_files
    )


async def run_with_store(settings: Settings) -> SweepReport:
    """Sweep using the configured store (starting the embedded one if needed)."""
    from lianyan.files.local_s3 import LocalS3Server

    local = None
    store_settings = settings.store
    bucket_dir = None
    if store_settings.embedded:
        local = LocalS3Server.from_settings(settings.data_dir, store_settings)
        local.start(watch=False)
        store_settings = local.settings()
        bucket_dir = local.root / local.bucket
    try:
        store = ObjectStore(store_settings)
        await store.ensure_bucket()
        return await sweep(
            store,
            abandon_after=dt.timedelta(hours=settings.uploads.abandon_after_hours),
            bucket_dir=bucket_dir,
        )
    finally:
        if local is not None:
            local.stop()
