"""Storing uploaded files and handing them out: checked by content, keyed by us, recorded.

A file goes to the object store only after its content passed the checks of its kind, and the
object is removed again if its row cannot be written: a refused upload leaves nothing behind.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import uuid
from typing import IO

import anyio.to_thread
import msgspec

from lianyan import clock
from lianyan.errors import NotFound, TooLarge
from lianyan.files import access, sniff
from lianyan.files.store import ObjectStore, ObjectTooLarge
from lianyan.files.tables import StoredFile
from lianyan.principal import Principal
from lianyan.schemas import Output
from lianyan.settings import UploadLimits


class FileOut(Output, kw_only=True):
    """A stored file as the API shows it."""

    id: int
    original_name: str
    size: int
    content_type: str
    sha256: str
    kind: str
    created_at: dt.datetime


FILE_COLUMNS = (
    StoredFile.id,
    StoredFile.original_name,
    StoredFile.size,
    StoredFile.content_type,
    StoredFile.sha256,
    StoredFile.kind,
    StoredFile.created_at,
)


def limits_from(uploads: UploadLimits) -> sniff.Limits:
    """The sniffing limits from the settings."""
    return sniff.Limits.from_settings(uploads)


def _size_of(fileobj: IO[bytes]) -> int:
    fileobj.seek(0, os.SEEK_END)
    size = fileobj.tell()
    fileobj.seek(0)
    return size


async def check_file(
    kind: str, fileobj: IO[bytes], *, filename: str, limits: sniff.Limits
) -> sniff.CheckedFile:
    """Check a seekable upload by content; raise the upload errors of ``sniff``.

    The check reads and may decompress an Office file's main part (a crafted file can make
    that seconds of CPU), so it runs in a worker thread, never on the event loop.
    """
    return await anyio.to_thread.run_sync(
        functools.partial(_check_file, kind, fileobj, filename=filename, limits=limits)
    )


def _check_file(
    kind: str, fileobj: IO[bytes], *, filename: str, limits: sniff.Limits
) -> sniff.CheckedFile:
    size = _size_of(fileobj)
    checked = sniff.check_upload(kind, filename=filename, size=size, fileobj=fileobj, limits=limits)
    fileobj.seek(0)
    return checked


async def save_file(
    store: ObjectStore,
    *,
    kind: str,
    fileobj: IO[bytes],
    filename: str,
    uploader_id: int | None,
    owner_type: str,
    owner_id: int | None,
    limits: sniff.Limits,
) -> FileOut:
    """Check, store and record one uploaded file; return its row.

    Side effects: one object in the store and one ``StoredFile`` row, or neither. Call it
    inside the caller's transaction so the owner's row and the file's commit together; if
    that transaction fails afterwards, ``lianyan sweep`` removes the orphaned object.
    """
    checked = await check_file(kind, fileobj, filename=filename, limits=limits)
    key = f"{owner_type or kind}/{clock.now():%Y/%m}/{uuid.uuid4().hex}{checked.extension}"
    try:
        stored = await store.put(
            key, fileobj, content_type=checked.content_type, length=checked.size,
            limit=checked.size,
        )
    except ObjectTooLarge:
        raise TooLarge("upload.too_large", "文件超过大小上限。") from None
    try:
        row = (
            await StoredFile.insert(
                StoredFile(
                    key=key,
                    original_name=checked.display_name,
                    size=stored.size,
                    content_type=checked.content_type,
                    sha256=stored.sha256,
                    kind=kind,
                    owner_type=owner_type,
                    owner_id=owner_id,
                    uploader_id=uploader_id,
                    created_at=clock.now(),
                )
            )
        )[0]
    except BaseException:
        await store.delete(key)
        raise
    return await get_file(row["id"])


async def save_generated(
    store: ObjectStore,
    *,
    data: bytes,
    filename: str,
    content_type: str,
    kind: str,
    owner_type: str,
    owner_id: int | None,
    creator_id: int | None,
) -> FileOut:
    """Store a file the platform made itself (a report), trusted, and record it."""
    extension = os.path.splitext(filename)[1]
    key = f"{owner_type}/{clock.now():%Y/%m}/{uuid.uuid4().hex}{extension}"
    stored = await store.put_bytes(key, data, content_type=content_type)
    try:
        row = (
            await StoredFile.insert(
                StoredFile(
                    key=key, original_name=filename, size=stored.size, content_type=content_type,
                    sha256=stored.sha256, kind=kind, owner_type=owner_type, owner_id=owner_id,
                    uploader_id=creator_id, created_at=clock.now(),
                )
            )
        )[0]
    except BaseException:
        await store.delete(key)
        raise
    return await get_file(row["id"])


async def get_file(file_id: int) -> FileOut:
    """One stored file's record (no permission check: callers check the owner)."""
    row = await StoredFile.select(*FILE_COLUMNS).where(StoredFile.id == file_id).first()
    if row is None:
        raise NotFound("file.not_found", "没有找到该文件。")
    return msgspec.convert(row, FileOut)


async def download_url(
    actor: Principal, store: ObjectStore, file_id: int, *, inline: bool = False
) -> str:
    """A short-lived URL for a file the caller may read (404 otherwise)."""
    row = await StoredFile.select(
        StoredFile.key, StoredFile.original_name, StoredFile.content_type,
        StoredFile.owner_type, StoredFile.owner_id,
    ).where(StoredFile.id == file_id).first()
    if row is None or not await access.may_read(actor, row["owner_type"], row["owner_id"]):
        raise NotFound("file.not_found", "没有找到该文件。")
    return store.presigned_get(
        row["key"], filename=row["original_name"], content_type=row["content_type"],
        inline=inline,
    )
