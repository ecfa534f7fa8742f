"""Resumable direct uploads: large files go from the browser straight to the object store.

The app only authorises, records and verifies. ``create_upload`` records the upload under a
generated key and hands out presigned PUT URLs, one per part; the browser PUTs the parts itself.
Each part is an ordinary object (``<key>.parts/00001``…), not a part of an S3 multipart upload:
``rclone serve s3`` keeps multipart uploads in memory only, so a restart of the store or the app
lost them. Objects survive any restart, on every store. ``get_upload`` lists which parts the
store holds (the store is the source of truth, not anything the browser says), so an upload
resumes after a broken connection, a reload or a restart. ``complete_upload`` joins the parts
into the object (streamed once through the app, hashing it on the way) and checks it before it
becomes a ``StoredFile``: its size against the declared size, its content by sniffing ranged
reads of the head and tail. A refused upload leaves no object behind; the parts go once the
file is recorded or refused.

A finished upload belongs to its uploader (``owner_type`` ``"upload"``) until the domain that
needs it calls ``adopt``. Lifecycle of an ``Upload`` row::

    open ──complete──▶ completing ──▶ completed
      │                    │ └──────▶ failed      (size or content refused; object deleted)
      │                    └─────────▶ open       (parts missing, the store failed or the
      │                                            disk was full: the parts are kept, retry)
      └──abort / sweep──▶ aborted
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import uuid
from typing import Annotated, Literal

import anyio.from_thread
import anyio.to_thread
from minio.error import InvalidResponseError, S3Error
from msgspec import Meta

from lianyan import clock
from lianyan.audit import services as audit
from lianyan.db import atomic
from lianyan.errors import Conflict, InvalidInput, LianyanError, NotFound
from lianyan.files import services, sniff
from lianyan.files.services import FileOut
from lianyan.files.store import ObjectStore, UploadedPart
from lianyan.files.tables import StoredFile, Upload
from lianyan.principal import Principal
from lianyan.schemas import Input, Output
from lianyan.settings import UploadLimits

log = logging.getLogger("lianyan.files")

#: ``StoredFile.owner_type`` of a finished upload nobody has adopted yet.
UPLOAD_OWNER = "upload"
#: How long a presigned part URL works. A part PUT must *start* before then.
PART_URL_TTL = dt.timedelta(hours=1)
#: S3 allows at most this many parts; larger files get larger parts.
MAX_PARTS = 10_000
#: Open uploads one person may have at once: every open upload holds resources in the store.
MAX_OPEN_UPLOADS = 10
#: A ``completing`` claim older than this was left by a crashed request and may be taken over.
STUCK_AFTER = dt.timedelta(minutes=15)

#: The sniff kinds (``lianyan.files.sniff.UPLOAD_KINDS``); a test keeps the two in step.
UploadKindName = Literal[
    "design_document", "slides", "image", "video", "topic_document", "topic_result",
    "filing_document", "import",
]  # fmt: skip
UploadStatus = Literal["open", "completing", "completed", "failed", "aborted"]
_UNFINISHED = ("open", "completing")


class UploadIn(Input, kw_only=True):
    """``POST /api/v1/uploads``: what the browser is about to send."""

    kind: UploadKindName
    filename: Annotated[str, Meta(min_length=1, max_length=1000)]
    #: Bytes; 0 is accepted here so that the refusal can say the file is empty, in Chinese, and
    #: anything up to a BigInt column so that an oversize file gets ``upload.too_large`` (413).
    size: Annotated[int, Meta(ge=0, le=2**62)]
    #: What the file is for, e.g. ``design_version``; kept for the owning domain.
    purpose: Annotated[str, Meta(max_length=100)] = ""


class PartUrl(Output, kw_only=True):
    """Where to PUT one part (presigned, short-lived)."""

    number: int
    url: str


class StoredPart(Output, kw_only=True):
    """A part the store already holds."""

    number: int
    size: int


class UploadOut(Output, kw_only=True):
    """An upload as its owner sees it: what is stored, and URLs for what is still missing."""

    id: int
    kind: str
    filename: str
    size: int
    purpose: str
    status: UploadStatus
    part_size: int
    part_count: int
    #: Parts the store holds (from its ListParts), in order.
    stored: list[StoredPart]
    uploaded_bytes: int
    #: Fresh presigned PUT URLs for the parts still missing, in ascending order.
    parts: list[PartUrl]
    #: When the URLs in ``parts`` stop working; ``expires_in`` is the same in seconds.
    expires_at: dt.datetime | None
    expires_in: int
    file_id: int | None


class CompletedOut(Output, kw_only=True):
    """A verified upload: the recorded file."""

    file_id: int
    sha256: str
    size: int


_ROW_COLUMNS = (
    Upload.id, Upload.key, Upload.s3_upload_id, Upload.kind, Upload.original_name, Upload.size,
    Upload.part_size, Upload.owner_id, Upload.purpose, Upload.status, Upload.file_id,
)  # fmt: skip


def plan_parts(size: int, part_bytes: int) -> tuple[int, int]:
    """Part size and part count for a file of ``size`` bytes (at most ``MAX_PARTS`` parts)."""
    part_size = max(part_bytes, -(-size // MAX_PARTS))
    return part_size, max(1, -(-size // part_size))


def _part_count(row: dict) -> int:
    return plan_parts(row["size"], row["part_size"])[1]


# --------------------------------------------------------------------------- the store


def store_error_code(exc: Exception) -> str | None:
    """The S3 error code of a failed store call, or None when it is not an S3 error.

    ``rclone serve s3`` answers errors as ``text/xml``, which the minio SDK does not parse:
    it raises ``InvalidResponseError`` with the XML in its message instead of ``S3Error``.
    """
    if isinstance(exc, S3Error):
        return exc.code
    if isinstance(exc, InvalidResponseError):
        found = re.search(r"<Code>\s*([^<\s]+)\s*</Code>", str(exc))
        return found.group(1) if found else None
    return None


def parts_prefix(key: str) -> str:
    """Where the parts of the upload to ``key`` are kept: ``<key>.parts/``."""
    return f"{key}.parts/"


def part_key(key: str, number: int) -> str:
    """The object holding part ``number`` of the upload to ``key``."""
    return f"{parts_prefix(key)}{number:05d}"


def _expected_size(row: dict, number: int) -> int:
    count = _part_count(row)
    return row["part_size"] if number < count else row["size"] - (count - 1) * row["part_size"]


async def discard(store: ObjectStore, *, key: str, s3_upload_id: str = "") -> None:
    """Delete an upload's parts and its joined object, whichever of them still exist.

    ``s3_upload_id`` is set only on uploads made before parts became objects: their S3
    multipart upload is aborted too. Gone already is not an error.
    """
    if s3_upload_id:
        await store.abort_multipart(key, s3_upload_id)
    for part in await store.keys(parts_prefix(key)):
        await store.delete(part)
    await store.delete(key)


async def _drop_parts(store: ObjectStore, key: str) -> None:
    """Delete the parts of a finished upload; what fails here ``lianyan sweep`` removes later."""
    try:
        for part in await store.keys(parts_prefix(key)):
            await store.delete(part)
    except LianyanError:
        log.warning("parts of %s left for the sweep: the store failed", key)


async def _stored_parts(store: ObjectStore, row: dict) -> list[UploadedPart]:
    """The parts the store holds whole, in order (a part of the wrong size is not counted)."""
    prefix = parts_prefix(row["key"])
    found: list[UploadedPart] = []
    for name, size in (await store.sizes(prefix)).items():
        suffix = name[len(prefix) :]
        if not (len(suffix) == 5 and suffix.isdigit()):
            continue
        number = int(suffix)
        if 1 <= number <= _part_count(row) and size == _expected_size(row, number):
            found.append(UploadedPart(number=number, size=size, etag=""))
    return sorted(found, key=lambda p: p.number)


# --------------------------------------------------------------------------- services


async def create_upload(
    actor: Principal, store: ObjectStore, data: UploadIn, *, uploads: UploadLimits
) -> UploadOut:
    """Start a resumable upload of ``data.size`` bytes; refuse by name and size first.

    Side effects: a multipart upload in the store under a generated key, one ``Upload`` row and
    an audit entry. Raises ``upload.too_large``, ``upload.empty``, ``upload.bad_name`` (from
    ``sniff.check_declared``) and ``upload.too_many``.
    """
    name = sniff.check_declared(
        data.kind, filename=data.filename, size=data.size, limits=services.limits_from(uploads)
    )
    unfinished = await Upload.count().where(
        (Upload.owner_id == actor.person_id) & Upload.status.is_in(list(_UNFINISHED))
    )
    if unfinished >= MAX_OPEN_UPLOADS:
        raise Conflict(
            "upload.too_many",
            f"您已有 {unfinished} 个未完成的上传，请先完成或取消后再上传新文件"
            f"（未完成的上传 {uploads.abandon_after_hours} 小时无进展会自动清除）。",
            limit=MAX_OPEN_UPLOADS,
        )
    part_size, _ = plan_parts(data.size, uploads.part_bytes)
    now = clock.now()
    # No extension: the content decides the type at completion, and keys never carry names.
    # Nothing is asked of the store yet: the parts are objects the browser PUTs.
    key = f"{UPLOAD_OWNER}/{now:%Y/%m}/{uuid.uuid4().hex}"
    async with atomic():
        row = (
            await Upload.insert(
                Upload(
                    key=key, s3_upload_id="", kind=data.kind, original_name=name,
                    size=data.size, part_size=part_size, owner_id=actor.person_id,
                    purpose=data.purpose, status="open", created_at=now, updated_at=now,
                )
            )
        )[0]
        await audit.record(
            actor, "upload.create", "upload", row["id"], kind=data.kind, name=name,
            size=data.size,
        )
    return _upload_out(store, await _own_upload(actor, row["id"]), stored=[])


async def get_upload(actor: Principal, store: ObjectStore, upload_id: int) -> UploadOut:
    """One of the caller's uploads, with the parts the store holds and URLs for the rest.

    Side effects: for an open upload, touches ``updated_at`` (a browser that asks is still
    working on it, so ``lianyan sweep`` leaves it alone).
    """
    row = await _own_upload(actor, upload_id)
    stored: list[UploadedPart] = []
    if row["status"] == "open":
        joined = await store.stat(row["key"])
        if joined is not None and joined.size == row["size"]:
            # Joined by a completion that then failed: every part is in the object already.
            stored = _whole(row)
        else:
            stored = await _stored_parts(store, row)
        await Upload.update({Upload.updated_at: clock.now()}).where(Upload.id == row["id"])
    return _upload_out(store, row, stored)


def _whole(row: dict) -> list[UploadedPart]:
    count = _part_count(row)
    last = row["size"] - (count - 1) * row["part_size"]
    return [
        UploadedPart(number=n, size=row["part_size"] if n < count else last, etag="")
        for n in range(1, count + 1)
    ]


def _upload_out(store: ObjectStore, row: dict, stored: list[UploadedPart]) -> UploadOut:
    count = _part_count(row)
    have = {p.number for p in stored}
    parts: list[PartUrl] = []
    expires_at = None
    if row["status"] == "open":
        expires_at = clock.now() + PART_URL_TTL
        parts = [
            PartUrl(number=n, url=store.presigned_put(part_key(row["key"], n), expires=PART_URL_TTL))
            for n in range(1, count + 1)
            if n not in have
        ]
    return UploadOut(
        id=row["id"], kind=row["kind"], filename=row["original_name"], size=row["size"],
        purpose=row["purpose"], status=row["status"], part_size=row["part_size"],
        part_count=count, stored=[StoredPart(number=p.number, size=p.size) for p in stored],
        uploaded_bytes=sum(p.size for p in stored), parts=parts, expires_at=expires_at,
        expires_in=int(PART_URL_TTL.total_seconds()) if parts else 0, file_id=row["file_id"],
    )


async def complete_upload(
    actor: Principal, store: ObjectStore, upload_id: int, *, uploads: UploadLimits
) -> CompletedOut:
    """Join the parts, verify the object and record it as a ``StoredFile`` of the uploader.

    Checks, in order: every part is there (else ``upload.incomplete``, 409, the upload stays
    open); the object's size equals the declared size (``upload.size_mismatch``); its content
    is allowed for the kind (the ``sniff`` codes: ``upload.type_not_allowed``,
    ``upload.truncated``, ``upload.too_large``…); then its SHA-256 is computed by streaming it
    once. Side effects: on success one ``StoredFile`` (owner ``upload``/the uploader), the row
    ``completed`` and an audit entry; on a refusal the object is deleted and the row ``failed``.
    Completing a completed upload again returns the same file.
    """
    row = await _claim(actor, upload_id)
    if row is None:
        return await _settled(actor, upload_id)
    try:
        size, sha256 = await _join(store, row)
    except BaseException:
        # Parts missing, the store down, the disk full: the parts are kept, a retry joins them.
        await _set_status(row["id"], "open", only_from=("completing",))
        raise
    try:
        checked, sha256 = await _verify(store, row, size, sha256, services.limits_from(uploads))
    except LianyanError as refusal:
        if refusal.status >= 500:
            await _set_status(row["id"], "open", only_from=("completing",))
            raise
        await discard(store, key=row["key"], s3_upload_id=row["s3_upload_id"])
        async with atomic():
            await _set_status(row["id"], "failed", only_from=("completing",))
            await audit.record(actor, "upload.fail", "upload", row["id"], code=refusal.code)
        raise
    except BaseException:
        # The store or the database failed, not the file: a retry verifies the joined object.
        await _set_status(row["id"], "open", only_from=("completing",))
        raise
    try:
        done = await _record(actor, row, checked, size, sha256)
    except BaseException:
        await _set_status(row["id"], "open", only_from=("completing",))
        raise
    await _drop_parts(store, row["key"])
    return done


async def _claim(actor: Principal, upload_id: int) -> dict | None:
    """Mark the caller's open upload ``completing``, so two completions cannot both run."""
    now = clock.now()
    claimable = (Upload.status == "open") | (
        (Upload.status == "completing") & (Upload.updated_at < now - STUCK_AFTER)
    )
    claimed = (
        await Upload.update({Upload.status: "completing", Upload.updated_at: now})
        .where((Upload.id == upload_id) & (Upload.owner_id == actor.person_id) & claimable)
        .returning(*_ROW_COLUMNS)
    )
    return claimed[0] if claimed else None


async def _settled(actor: Principal, upload_id: int) -> CompletedOut:
    """The answer to completing an upload that is not open: its file, or why not."""
    row = await _own_upload(actor, upload_id)
    if row["status"] == "completed" and row["file_id"] is not None:
        found = await StoredFile.select(StoredFile.sha256, StoredFile.size).where(
            StoredFile.id == row["file_id"]
        ).first()
        if found is not None:
            return CompletedOut(file_id=row["file_id"], sha256=found["sha256"], size=found["size"])
    if row["status"] == "completing":
        raise Conflict("upload.completing", "正在校验该文件，请稍候。")
    if row["status"] == "failed":
        raise Conflict("upload.failed", "该文件未通过校验，请重新选择文件上传。")
    raise Conflict("upload.aborted", "该上传已取消或已过期，请重新选择文件上传。")


async def _join(store: ObjectStore, row: dict) -> tuple[int, str | None]:
    """Join the parts into the object (unless an earlier attempt did); its size and SHA-256.

    The SHA-256 is None when an earlier attempt joined the object: ``_verify`` reads it then.
    """
    found = await store.stat(row["key"])
    if found is not None and found.size == row["size"]:
        return found.size, None
    parts = await _stored_parts(store, row)
    have = {p.number for p in parts}
    missing = [n for n in range(1, _part_count(row) + 1) if n not in have]
    if missing:
        raise Conflict(
            "upload.incomplete",
            f"还有 {len(missing)} 个分片没有上传完，请继续上传。",
            missing=missing,
        )
    joined = await store.join(
        row["key"], [part_key(row["key"], p.number) for p in parts], length=row["size"]
    )
    return joined.size, joined.sha256


async def _verify(
    store: ObjectStore, row: dict, size: int, sha256: str | None, limits: sniff.Limits
) -> tuple[sniff.CheckedFile, str]:
    """Size, then content, then SHA-256 of the joined object; raise the refusal."""
    if size != row["size"]:
        raise InvalidInput(
            "upload.size_mismatch",
            f"收到的文件大小（{sniff.human_size(size)}，{size} 字节）与开始上传时的大小"
            f"（{row['size']} 字节）不一致，请重新选择文件上传。",
            size=size,
            declared=row["size"],
        )
    checked = await _check_content(store, row, size, limits)
    if sha256 is None:
        # Computed from what the store holds, not from anything the browser claimed.
        stored_size, sha256 = await store.sha256(row["key"])
        if stored_size != size:
            raise RuntimeError(f"object {row['key']} changed while it was verified")
    return checked, sha256


async def _check_content(
    store: ObjectStore, row: dict, size: int, limits: sniff.Limits
) -> sniff.CheckedFile:
    """Sniff the object from ranged reads: its head, its tail and a few reads in between."""
    key = row["key"]

    async def ranged(offset: int, length: int) -> bytes:
        return await store.get(key, offset=offset, length=length)

    head = await ranged(0, min(size, sniff.HEAD_SIZE)) if size else b""
    tail_length = min(size, sniff.TAIL_SIZE)
    tail = await ranged(size - tail_length, tail_length) if size else b""

    def read_at(offset: int, length: int) -> bytes:
        if length <= 0:
            return b""  # store.get reads the whole object for length 0
        return anyio.from_thread.run(ranged, offset, length)

    def check() -> sniff.CheckedFile:
        return sniff.check_upload(
            row["kind"], filename=row["original_name"], size=size, head=head, tail=tail,
            read_at=read_at, limits=limits,
        )

    # check_upload is synchronous and its ranged reads are store calls: run it off the loop.
    return await anyio.to_thread.run_sync(check)


async def _record(
    actor: Principal, row: dict, checked: sniff.CheckedFile, size: int, sha256: str
) -> CompletedOut:
    """The verified object becomes a ``StoredFile`` of its uploader; the upload is done."""
    now = clock.now()
    async with atomic():
        file_id = (
            await StoredFile.insert(
                StoredFile(
                    key=row["key"], original_name=checked.display_name, size=size,
                    content_type=checked.content_type, sha256=sha256, kind=row["kind"],
                    owner_type=UPLOAD_OWNER, owner_id=actor.person_id,
                    uploader_id=actor.person_id, created_at=now,
                )
            )
        )[0]["id"]
        await Upload.update(
            {Upload.status: "completed", Upload.file_id: file_id, Upload.updated_at: now}
        ).where(Upload.id == row["id"])
        await audit.record(
            actor, "upload.complete", "upload", row["id"], file_id=file_id, sha256=sha256,
            size=size,
        )
    return CompletedOut(file_id=file_id, sha256=sha256, size=size)


async def abort_upload(actor: Principal, store: ObjectStore, upload_id: int) -> None:
    """Cancel one of the caller's unfinished uploads; cancelling twice is not an error.

    Side effects: the store drops the parts (and any joined object), the row becomes
    ``aborted``, an audit entry. A completed upload cannot be cancelled (``upload.completed``).
    """
    row = await _own_upload(actor, upload_id)
    if row["status"] == "completed":
        raise Conflict("upload.completed", "该文件已上传完成，不能取消。")
    if row["status"] == "completing":
        raise Conflict("upload.completing", "正在校验该文件，请稍候。")
    if row["status"] == "aborted":
        return
    await discard(store, key=row["key"], s3_upload_id=row["s3_upload_id"])
    async with atomic():
        await _set_status(row["id"], "aborted", only_from=("open", "failed"))
        await audit.record(actor, "upload.abort", "upload", row["id"])


async def _own_upload(actor: Principal, upload_id: int) -> dict:
    """The caller's upload; someone else's is as good as missing (404)."""
    row = (
        await Upload.select(*_ROW_COLUMNS)
        .where((Upload.id == upload_id) & (Upload.owner_id == actor.person_id))
        .first()
    )
    if row is None:
        raise NotFound("upload.not_found", "没有找到该上传。")
    return row


async def _set_status(upload_id: int, status: str, *, only_from: tuple[str, ...]) -> None:
    await Upload.update({Upload.status: status, Upload.updated_at: clock.now()}).where(
        (Upload.id == upload_id) & Upload.status.is_in(list(only_from))
    )


async def adopt(
    *, file_id: int, person_id: int, owner_type: str, owner_id: int, kind: str
) -> FileOut:
    """Attach a finished upload's file to the object it was uploaded for.

    The file must have been uploaded by ``person_id`` as ``kind`` (a sniff kind such as
    ``"video"``) and not be attached yet. Refusals: someone else's or no such file
    ``upload.file_not_found`` (404); already attached ``upload.already_attached`` (409); another
    kind ``upload.wrong_kind`` (400). Side effects: the ``StoredFile``'s owner becomes
    ``owner_type``/``owner_id`` (one UPDATE; it joins the caller's transaction, so call it in
    the transaction that writes the owner's row). Record the caller's own audit entry.
    """
    if not owner_type or owner_type == UPLOAD_OWNER:
        raise ValueError(f"adopt() needs the real owner type, got {owner_type!r}")
    expected = sniff.upload_kind(kind)
    row = await StoredFile.select(
        StoredFile.owner_type, StoredFile.uploader_id, StoredFile.kind
    ).where(StoredFile.id == file_id).first()
    if row is None or row["uploader_id"] != person_id:
        raise NotFound("upload.file_not_found", "没有找到该上传文件，请重新上传。")
    if row["owner_type"] != UPLOAD_OWNER:
        raise Conflict("upload.already_attached", "该文件已经被使用过，请重新上传。")
    if row["kind"] != kind:
        uploaded_as = sniff.UPLOAD_KINDS.get(row["kind"])
        raise InvalidInput(
            "upload.wrong_kind",
            f"该文件是作为{uploaded_as.label if uploaded_as else row['kind']}上传的，"
            f"不能用作{expected.label}，请重新选择文件上传。",
            kind=row["kind"],
            expected=kind,
        )
    async with atomic():
        attached = (
            await StoredFile.update(
                {StoredFile.owner_type: owner_type, StoredFile.owner_id: owner_id}
            )
            .where(
                (StoredFile.id == file_id)
                & (StoredFile.owner_type == UPLOAD_OWNER)
                & (StoredFile.uploader_id == person_id)
            )
            .returning(StoredFile.id)
        )
    if not attached:
        # Another request attached it between the read and the write.
        raise Conflict("upload.already_attached", "该文件已经被使用过，请重新上传。")
    return await services.get_file(file_id)
