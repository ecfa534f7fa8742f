"""``lianyan sweep`` against the real store: abandoned uploads and orphaned objects go."""

from __future__ import annotations

import datetime as dt
import os
import time
import typing

import httpx
import pytest

from lianyan import clock
from lianyan.audit.tables import AuditEntry
from lianyan.files import uploads
from lianyan.files.sweep import remove_rclone_temp_files, sweep
from lianyan.files.tables import Upload
from lianyan.settings import UploadLimits
from tests.builders import files
from tests.builders import org as f

MiB = 1024 * 1024
LIMITS = UploadLimits(part_bytes=5 * MiB)
ABANDON_AFTER = dt.timedelta(hours=48)


@pytest.fixture
async def actor(clean_db: None) -> typing.Any:
    await f.user("wang", "teacher", name="王老师")
    return await f.principal("wang")


async def open_upload(actor: typing.Any, store: typing.Any, *, parts_sent: int) -> dict:
    """An upload of 11 MiB (three parts) with its first ``parts_sent`` parts in the store."""
    data = bytes(11 * MiB)
    upload = await uploads.create_upload(
        actor, store,
        uploads.UploadIn(kind="video", filename="课堂实录.mp4", size=len(data)),
        uploads=LIMITS,
    )  # fmt: skip
    async with httpx.AsyncClient(timeout=60) as s3:
        for part in upload.parts[:parts_sent]:
            start = (part.number - 1) * upload.part_size
            response = await s3.put(part.url, content=data[start : start + upload.part_size])
            assert response.status_code == 200
    return await Upload.select().where(Upload.id == upload.id).first()


async def age(upload_id: int, hours: float, status: str = "open") -> None:
    await Upload.update(
        {Upload.updated_at: clock.now() - dt.timedelta(hours=hours), Upload.status: status}
    ).where(Upload.id == upload_id)


async def parts_in_store(store: typing.Any, row: dict) -> list[int]:
    """Part numbers the store holds for the upload."""
    return [p.number for p in await uploads._stored_parts(store, row)]


async def status_of(upload_id: int) -> str:
    return str((await Upload.select(Upload.status).where(Upload.id == upload_id).first())["status"])


async def test_sweep_aborts_an_abandoned_upload_and_frees_its_parts(actor, store):
    # Arrange: two parts sent, then nothing for 49 hours.
    row = await open_upload(actor, store, parts_sent=2)
    assert await parts_in_store(store, row) == [1, 2]
    await age(row["id"], hours=49)

    # Act
    report = await sweep(store, abandon_after=ABANDON_AFTER)

    # Assert
    assert report.aborted_uploads == 1
    assert await parts_in_store(store, row) == []
    assert await status_of(row["id"]) == "aborted"
    assert await store.keys(row["key"]) == []
    assert await AuditEntry.exists().where(
        (AuditEntry.action == "upload.abandon") & (AuditEntry.object_id == row["id"])
    )


async def test_sweep_leaves_an_upload_that_is_still_moving(actor, store):
    row = await open_upload(actor, store, parts_sent=1)
    await age(row["id"], hours=47)

    report = await sweep(store, abandon_after=ABANDON_AFTER)

    assert report.aborted_uploads == 0
    assert await parts_in_store(store, row) == [1]
    assert await status_of(row["id"]) == "open"


async def test_sweep_asking_about_an_upload_keeps_it_alive(actor, store):
    # A browser that resumes asks GET /uploads/{id}; that counts as activity.
    row = await open_upload(actor, store, parts_sent=1)
    await age(row["id"], hours=49)
    await uploads.get_upload(actor, store, row["id"])

    report = await sweep(store, abandon_after=ABANDON_AFTER)

    assert report.aborted_uploads == 0
    assert await parts_in_store(store, row) == [1]


async def test_sweep_copes_with_an_upload_whose_parts_are_gone(actor, store):
    # A MinIO lifecycle rule (or an operator) removed the parts first.
    row = await open_upload(actor, store, parts_sent=1)
    await store.delete(uploads.part_key(row["key"], 1))
    await age(row["id"], hours=49)

    report = await sweep(store, abandon_after=ABANDON_AFTER)

    assert report.aborted_uploads == 1
    assert await status_of(row["id"]) == "aborted"


async def test_sweep_removes_the_joined_object_of_a_completion_that_crashed(actor, store):
    # The parts were joined, then the process died before the file was recorded.
    row = await open_upload(actor, store, parts_sent=3)
    await uploads._join(store, row)
    await age(row["id"], hours=49, status="completing")

    report = await sweep(store, abandon_after=ABANDON_AFTER)

    assert report.aborted_uploads == 1
    assert await store.stat(row["key"]) is None
    assert await parts_in_store(store, row) == []
    assert await status_of(row["id"]) == "aborted"


async def test_sweep_deletes_orphaned_objects_and_keeps_recorded_ones(actor, store):
    # Arrange: an object no row refers to, and one with its StoredFile row.
    orphan = "design_version/2026/11/orphan.docx"
    kept = "design_version/2026/11/kept.docx"
    await store.put_bytes(orphan, b"left over from a crash")
    await store.put_bytes(kept, b"a real file")
    await files.stored_file(
        "design_version", 1, key=kept, original_name="教案.docx", size=11,
        content_type="application/pdf", kind="design_document",
    )

    # Act: past the grace period that protects objects whose row is not committed yet.
    with clock.pinned(clock.now() + dt.timedelta(hours=2)):
        report = await sweep(store, abandon_after=ABANDON_AFTER)

    # Assert
    keys = await store.keys("design_version/")
    assert orphan not in keys
    assert kept in keys
    assert report.deleted_objects >= 1


def test_sweep_removes_rclones_leftover_multipart_files(tmp_path):
    # rclone forgets a multipart upload when it stops; its temporary file stays behind.
    bucket_dir = tmp_path / "objects" / "lianyan"
    (bucket_dir / "upload").mkdir(parents=True)
    old = bucket_dir / ".rclone_temp_multipart_849f71b4-8b48-420f-97e9-7b78564b759a"
    nested = bucket_dir / "upload" / ".rclone_temp_multipart_0c1d"
    fresh = bucket_dir / ".rclone_temp_multipart_being-written"
    kept = bucket_dir / "upload" / "a-real-object"
    for path in (old, nested, fresh, kept):
        path.write_bytes(b"x" * 1024)
    two_hours_ago = time.time() - 2 * 3600
    for path in (old, nested, kept):
        os.utime(path, (two_hours_ago, two_hours_ago))

    removed = remove_rclone_temp_files(bucket_dir)

    assert removed == 2
    assert not old.exists() and not nested.exists()
    assert fresh.exists() and kept.exists()
