"""``lianyan sweep``: abort abandoned uploads and delete objects no row refers to.

Every object Lianyan keeps has a ``StoredFile`` row, or belongs to an ``Upload`` still under
way. Anything else older than the grace period is left over from a crash or a refused upload.
"""

from __future__ import annotations

import datetime as dt

import msgspec

from lianyan import clock
from lianyan.audit import services as audit
from lianyan.db import atomic
from lianyan.files.store import ObjectStore
from lianyan.files.tables import StoredFile, Upload
from lianyan.files.uploads import discard
from lianyan.settings import Settings

#: Objects younger than this are never swept: their row may not be committed yet.
GRACE = dt.timedelta(hours=1)


class SweepReport(msgspec.Struct):
    """What a sweep removed."""

    aborted_uploads: int
    deleted_objects: int


async def sweep(store: ObjectStore, *, abandon_after: dt.timedelta) -> SweepReport:
    """Abort uploads idle for ``abandon_after`` and delete orphaned objects.

    Side effects: each abandoned upload (``open``, or ``completing`` left by a crash) is marked
    ``aborted`` with an audit entry, then its parts and any joined object are removed from the
    store; objects older than ``GRACE`` that no row refers to are deleted.
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
    known |= {
        r["key"]
        for r in await Upload.select(Upload.key).where(
            Upload.status.is_in(["open", "completing"])
        )
    }
    deleted = 0
    for key, modified in await store.listing():
        if key in known:
            continue
        if modified is not None and now - modified < GRACE:
            continue
        await store.delete(key)
        deleted += 1
    return SweepReport(aborted_uploads=len(stale), deleted_objects=deleted)


async def run_with_store(settings: Settings) -> SweepReport:
    """Sweep using the configured store (starting the embedded one if needed)."""
    from lianyan.files.local_s3 import LocalS3Server

    local = None
    store_settings = settings.store
    if store_settings.embedded:
        local = LocalS3Server.from_settings(settings.data_dir, store_settings)
        local.start()
        store_settings = local.settings()
    try:
        store = ObjectStore(store_settings)
        await store.ensure_bucket()
        return await sweep(
            store, abandon_after=dt.timedelta(hours=settings.uploads.abandon_after_hours)
        )
    finally:
        if local is not None:
            local.stop()
