"""Storing uploaded files and handing them out: checked by content, keyed by us, recorded.

The files domain owns the ``StoredFile`` table: other domains attach a file to their objects
with :func:`attach`, read records with :func:`get_file` / :func:`files_by_id` and remove them
with :func:`discard` / :func:`forget_owned`, never by touching the table. A file goes to the
object store only after its content passed the checks of its kind, outside any transaction,
and the object is removed again if its rows cannot be written: a refused upload leaves nothing
behind.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import uuid
from collections.abc import Awaitable, Callable, Iterable
from typing import IO, Any, TypeVar

import anyio.to_thread
import msgspec

from lianyan import clock, db
from lianyan.errors import NotFound, TooLarge
from lianyan.files import access, sniff
from lianyan.files.store import ObjectStore, ObjectTooLarge
from lianyan.files.tables import StoredFile
from lianyan.principal import Principal
from lianyan.schemas import Output
from lianyan.settings import UploadLimits

T = TypeVar("T")


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


def _object_key(prefix: str, extension: str) -> str:
    return f"{prefix}/{clock.now():%Y/%m}/{uuid.uuid4().hex}{extension}"


async def attach(
    store: ObjectStore,
    *,
    kind: str,
    fileobj: IO[bytes],
    filename: str,
    limits: sniff.Limits,
    uploader_id: int | None,
    owner_type: str,
    owner_id: int,
    lock: str,
    write: Callable[[FileOut], Awaitable[T]],
    checked: sniff.CheckedFile | None = None,
) -> T:
    """Attach one uploaded file to its owner; the one way an upload through the app is stored.

    1. The content is checked by :func:`check_file`, once: a caller that needed the check's
       answer first (to read a document's sections) passes it as ``checked``.
    2. The object is uploaded outside any transaction, so a 50 MB upload never holds SQLite's
       write lock or the owner's advisory lock. Calling this inside a transaction is a
       programming error (``RuntimeError``).
    3. One transaction under ``lock`` (``db.atomic(lock=...)``) writes the ``StoredFile`` row
       and then whatever ``write(file)`` writes for the owner; ``write`` reads again, under
       the lock, any state the upload was allowed on, and refuses by raising.
    4. If that transaction fails, the object is deleted: nothing is left behind.

    Returns what ``write`` returns. Side effects: one object, one ``StoredFile`` row (owner
    ``owner_type``/``owner_id``) and the owner's rows, or none of them.
    """
    if db.engine().transaction_exists():
        raise RuntimeError("files.attach uploads outside transactions; call it outside atomic()")
    if checked is None:
        checked = await check_file(kind, fileobj, filename=filename, limits=limits)
    fileobj.seek(0)
    key = _object_key(owner_type or kind, checked.extension)
    try:
        stored = await store.put(
            key, fileobj, content_type=checked.content_type, length=checked.size,
            limit=checked.size,
        )
    except ObjectTooLarge:
        raise TooLarge("upload.too_large", "文件超过大小上限。") from None
    try:
        async with db.atomic(lock=lock):
            now = clock.now()
            file_id = (
                await StoredFile.insert(
                    StoredFile(
                        key=key, original_name=checked.display_name, size=stored.size,
                        content_type=checked.content_type, sha256=stored.sha256, kind=kind,
                        owner_type=owner_type, owner_id=owner_id, uploader_id=uploader_id,
                        created_at=now,
                    )
                )
            )[0]["id"]
            file = FileOut(
                id=file_id, original_name=checked.display_name, size=stored.size,
                content_type=checked.content_type, sha256=stored.sha256, kind=kind,
                created_at=now,
            )
            return await write(file)
    except BaseException:
        # The transaction rolled the rows back; the object must go too.
        await store.delete(key)
        raise


async def discard(store: ObjectStore, file_id: int) -> None:
    """Remove a stored file nothing may point at any more: its row, then its object."""
    row = await StoredFile.select(StoredFile.key).where(StoredFile.id == file_id).first()
    if row is None:
        return
    await StoredFile.delete().where(StoredFile.id == file_id)
    await store.delete(row["key"])


async def forget_owned(owner_type: str, owner_id: int) -> list[str]:
    """Delete the rows of every file of an owner; return their object keys.

    Call it inside the transaction that deletes the owner, and hand the keys to
    :func:`remove_objects` once that transaction has committed (an object left behind by a
    crash in between is swept by ``lianyan sweep``).
    """
    owned = (StoredFile.owner_type == owner_type) & (StoredFile.owner_id == owner_id)
    keys = [r["key"] for r in await StoredFile.select(StoredFile.key).where(owned)]
    await StoredFile.delete().where(owned)
    return keys


async def remove_objects(store: ObjectStore, keys: list[str]) -> None:
    """Delete objects whose rows are gone (see :func:`forget_owned`)."""
    for key in keys:
        await store.delete(key)


async def files_by_id(file_ids: Iterable[int]) -> dict[int, FileOut]:
    """The records of many stored files in one query (no permission check: callers check
    the owners); ids without a file are left out."""
    wanted = sorted(set(file_ids))
    if not wanted:
        return {}
    rows = await StoredFile.select(*FILE_COLUMNS).where(StoredFile.id.is_in(wanted))
    return {r["id"]: msgspec.convert(r, FileOut) for r in rows}


async def object_keys(
    file_ids: Iterable[int], *, content_types: Iterable[str] | None = None
) -> dict[int, str]:
    """Object keys of the files among ``file_ids`` whose type is one of ``content_types`` (for
    generated documents that embed stored images), or of them all (an export that streams
    them); one query."""
    condition: Any = StoredFile.id.is_in(sorted(set(file_ids)) or [0])
    if content_types is not None:
        condition = condition & StoredFile.content_type.is_in(list(content_types))
    rows = await StoredFile.select(StoredFile.id, StoredFile.key).where(condition)
    return {r["id"]: r["key"] for r in rows}


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
    key = _object_key(owner_type, extension)
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
