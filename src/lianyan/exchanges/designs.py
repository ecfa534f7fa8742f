"""Lesson designs (教学设计) and their versions.

A participant (kindergarten + teacher) has one design. Each upload makes a new **version**,
and a version is a **bundle**: one design document, optional slides, any number of images
(up to :data:`MAX_IMAGES`) and one classroom video. An upload of one part copies the other
parts of the previous version forward, so every version shows the whole design as it stood and
old versions stay readable. The sections of the document are extracted once, at upload, and
stored on the version.

Until the design deadline every part may change; after it only videos and images (the lesson
is often taught after the deadline), so that designs seen by everyone once the blind period
ends cannot be reworked with what others wrote; nothing changes after the comment deadline.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import IO, Any

import msgspec

from lianyan import clock, db, indexing
from lianyan.audit import services as audit
from lianyan.db import atomic
from lianyan.errors import Conflict, Forbidden, InvalidInput, NotFound
from lianyan.exchanges import schemas as s
from lianyan.exchanges import sections as extract
from lianyan.exchanges.access import Standing, sees_design, sees_every_design
from lianyan.exchanges.services import visible_exchange
from lianyan.exchanges.tables import Design, DesignVersion, Participant
from lianyan.files import media_jobs, office, sniff
from lianyan.files import services as files
from lianyan.files.docx_html import docx_to_html
from lianyan.files.store import ObjectStore
from lianyan.files.uploads import adopt
from lianyan.labels import moment
from lianyan.principal import Principal

NOT_FOUND = ("design.not_found", "没有找到该教学设计。")
#: Most images one version may hold.
MAX_IMAGES = 20
#: API kind → ``files.sniff`` upload kind.
SNIFF_KIND = {
    "document": "design_document",
    "slides": "slides",
    "image": "image",
    "video": "video",
}
KIND_NAMES = {"document": "教学设计文档", "slides": "课件", "image": "图片", "video": "课堂视频"}
#: Parts that may still change after the design deadline.
LATE_KINDS = ("image", "video")
_PATH_IN_NAME = re.compile(r"[\\/]")

DESIGN_COLUMNS = (
    Design.id,
    Design.exchange.as_alias("exchange_id"),
    Design.participant.group.as_alias("group_id"),
    Design.participant._.group.number.as_alias("group_number"),
    Design.participant.as_alias("participant_id"),
    Design.participant.kindergarten.as_alias("kindergarten_id"),
    Design.participant._.kindergarten.name.as_alias("kindergarten_name"),
    Design.participant.county.as_alias("county_id"),
    Design.participant._.county.name.as_alias("county_name"),
    Design.participant.teacher.as_alias("teacher_id"),
    Design.participant._.teacher.name.as_alias("teacher_name"),
    Design.title,
    Design.latest_version,
    Design.created_at,
    Design.updated_at,
)


def design_out(row: dict[str, Any]) -> s.DesignOut:
    row["created_at"] = clock.local(row["created_at"])
    row["updated_at"] = clock.local(row["updated_at"])
    return msgspec.convert(row, s.DesignOut)


class DesignContext(msgspec.Struct, frozen=True):
    """A design with its exchange and the caller's standing, as the rules need them."""

    design: s.DesignOut
    exchange: s.ExchangeOut
    standing: Standing

    @property
    def is_teacher(self) -> bool:
        """The caller is the design's own teacher."""
        return self.design.participant_id in self.standing.teaching


async def design_context(actor: Principal, design_id: int) -> DesignContext:
    """A design the caller may read, with its exchange and the caller's standing; else 404."""
    row = await Design.select(*DESIGN_COLUMNS).where(Design.id == design_id).first()
    if row is None:
        raise NotFound(*NOT_FOUND)
    try:
        exchange, standing = await visible_exchange(actor, row["exchange_id"])
    except NotFound:
        raise NotFound(*NOT_FOUND) from None
    if not sees_design(
        standing, group_id=row["group_id"], blind=exchange.blind,
        design_deadline=exchange.design_deadline, now=clock.now(),
    ):
        raise NotFound(*NOT_FOUND)
    return DesignContext(design=design_out(row), exchange=exchange, standing=standing)


async def get_design(actor: Principal, design_id: int) -> s.DesignOut:
    """One design the caller may read."""
    return (await design_context(actor, design_id)).design


async def list_designs(
    actor: Principal, exchange_id: int, *, limit: int = 50, offset: int = 0
) -> tuple[list[s.DesignOut], int]:
    """The designs of an exchange the caller may read, by group; constant queries."""
    exchange, standing = await visible_exchange(actor, exchange_id)
    condition: Any = Design.exchange == exchange_id
    if not sees_every_design(
        standing, blind=exchange.blind, design_deadline=exchange.design_deadline,
        now=clock.now(),
    ):
        condition = condition & Design.participant.group.is_in(list(standing.own_groups) or [0])
    rows = await Design.select(*DESIGN_COLUMNS).where(condition).order_by(
        Design.participant._.group.number
    ).order_by(Design.id).limit(limit).offset(offset)
    total = await db.page_total(rows, Design.count().where(condition), limit=limit,
                                offset=offset)
    return [design_out(r) for r in rows], total


async def create_design(actor: Principal, exchange_id: int, data: s.DesignIn) -> s.DesignOut:
    """Start the caller's design in an exchange (its participant teacher only).

    Side effects: a ``design`` row and an audit entry.
    """
    exchange, standing = await visible_exchange(actor, exchange_id)
    if not standing.teaching:
        raise Forbidden("design.not_participant", "只有本次活动的执教教师可以创建教学设计。")
    if clock.now() >= exchange.comment_deadline:
        raise Conflict("design.closed", "本次活动已经结束，不能再创建教学设计。")
    participant_id = min(standing.teaching)
    # The grouping's lock first (put_groups takes it), then the participant's own.
    async with atomic(lock=f"exchange-groups:{exchange_id}"), atomic(
        lock=f"design-of:{participant_id}"
    ):
        if not await Participant.exists().where(
            (Participant.id == participant_id) & (Participant.teacher == actor.person_id)
        ):
            raise Conflict(
                "design.not_participant",
                "分组刚刚调整，您已不是本次活动的执教教师；请刷新页面查看最新分组。",
            )
        existing = await Design.select(Design.id).where(
            Design.participant == participant_id
        ).first()
        if existing is not None:
            raise Conflict(
                "design.exists", "您在本次活动中已经有教学设计，请在原设计中上传新版本。",
                design_id=existing["id"],
            )
        now = clock.now()
        row = (
            await Design.insert(
                Design(
                    exchange=exchange_id, participant=participant_id,
                    title=data.title.strip() or exchange.content, created_at=now,
                    updated_at=now,
                )
            )
        )[0]
        await audit.record(actor, "design.create", "design", row["id"], exchange_id=exchange_id)
        await indexing.changed("design", row["id"])
    return await get_design(actor, row["id"])


async def my_design_id(actor: Principal, exchange_id: int) -> int | None:
    """The id of the caller's own design in an exchange, if they have started one."""
    row = await Design.select(Design.id).where(
        (Design.exchange == exchange_id) & (Design.participant.teacher == actor.person_id)
    ).first()
    return row["id"] if row else None


# Versions ------------------------------------------------------------------------------------

_VERSION_COLUMNS = (
    DesignVersion.id,
    DesignVersion.design.as_alias("design_id"),
    DesignVersion.number,
    DesignVersion.change,
    DesignVersion.document_file_id,
    DesignVersion.slides_file_id,
    DesignVersion.video_file_id,
    DesignVersion.image_file_ids,
    DesignVersion.sections,
    DesignVersion.sections_note,
    DesignVersion.created_by,
    DesignVersion.created_at,
)
#: The previous version's columns a new version carries forward.
_CARRIED = (*_VERSION_COLUMNS, DesignVersion.text)


def _json(value: Any, default: Any) -> Any:
    if value is None or value == "":
        return default
    return msgspec.json.decode(value) if isinstance(value, str | bytes) else value


async def _versions_out(rows: list[dict[str, Any]]) -> list[s.VersionOut]:
    """Version rows with their files, loaded in one more query."""
    for row in rows:
        row["image_file_ids"] = _json(row["image_file_ids"], [])
        row["sections"] = _json(row["sections"], {})
    ids = {
        i
        for r in rows
        for i in (r["document_file_id"], r["slides_file_id"], r["video_file_id"],
                  *r["image_file_ids"])
        if i is not None
    }  # fmt: skip
    found = {
        i: msgspec.structs.replace(f, created_at=clock.local(f.created_at))
        for i, f in (await files.files_by_id(ids)).items()
    }
    return [
        s.VersionOut(
            id=r["id"], design_id=r["design_id"], number=r["number"], change=r["change"],
            document=found.get(r["document_file_id"]), slides=found.get(r["slides_file_id"]),
            video=found.get(r["video_file_id"]),
            images=[found[i] for i in r["image_file_ids"] if i in found],
            sections=msgspec.convert(r["sections"], s.Sections),
            sections_note=r["sections_note"], created_by=r["created_by"],
            created_at=clock.local(r["created_at"]),
        )
        for r in rows
    ]


async def list_versions(actor: Principal, design_id: int) -> list[s.VersionOut]:
    """Every version of a design, newest first; two queries after the visibility check."""
    await design_context(actor, design_id)
    rows = await DesignVersion.select(*_VERSION_COLUMNS).where(
        DesignVersion.design == design_id
    ).order_by(DesignVersion.number, ascending=False)
    return await _versions_out(rows)


async def latest_versions(design_ids: list[int]) -> dict[int, s.VersionOut]:
    """The newest version of each design (no permission check: callers check the designs)."""
    if not design_ids:
        return {}
    rows = await DesignVersion.select(*_VERSION_COLUMNS).where(
        DesignVersion.design.is_in(design_ids)
    ).order_by(DesignVersion.number)
    newest: dict[int, dict[str, Any]] = {}
    for row in rows:
        newest[row["design_id"]] = row
    return {v.design_id: v for v in await _versions_out(list(newest.values()))}


def _check_upload_allowed(context: DesignContext, kind: str, now: dt.datetime) -> None:
    if not context.is_teacher:
        raise Forbidden("design.not_owner", "只有本设计的执教教师可以上传新版本。")
    if now >= context.exchange.comment_deadline:
        raise Conflict("design.closed", "本次活动的点评已经截止，不能再上传。")
    if now >= context.exchange.design_deadline and kind not in LATE_KINDS:
        raise Conflict(
            "design.deadline_passed",
            "教学设计提交已经截止，只能补充课堂视频和图片，不能再修改教学设计文档和课件。",
        )


def check_name(filename: str) -> None:
    """A file name is a name, not a path: refuse ``/``, ``\\`` and ``..`` outright."""
    if _PATH_IN_NAME.search(filename) or filename.strip() in (".", ".."):
        raise InvalidInput(
            "upload.bad_name", "文件名中不能含有路径（/、\\ 或 ..），请重命名文件后再上传。"
        )


async def _latest_row(design_id: int) -> dict[str, Any] | None:
    return await DesignVersion.select(*_CARRIED).where(
        DesignVersion.design == design_id
    ).order_by(DesignVersion.number, ascending=False).first()


def _versions_lock(design_id: int) -> str:
    """The lock every new version of a design is written under."""
    return f"design-versions:{design_id}"


async def _write_version(
    actor: Principal,
    context: DesignContext,
    *,
    kind: str,
    file: files.FileOut,
    sections: dict[str, str | None] | None,
    sections_note: str | None,
    text: str | None = None,
) -> int:
    """Insert the next version carrying the other parts forward, under the design's version
    lock (joining the caller's transaction, if any); returns its id."""
    design_id = context.design.id
    async with atomic(lock=_versions_lock(design_id)):
        previous = await _latest_row(design_id)
        images = list(_json(previous["image_file_ids"], [])) if previous else []
        if kind == "image" and len(images) >= MAX_IMAGES:
            raise Conflict("design.too_many_images", f"每个版本最多 {MAX_IMAGES} 张图片。")
        values: dict[str, Any] = {
            "document_file_id": previous["document_file_id"] if previous else None,
            "slides_file_id": previous["slides_file_id"] if previous else None,
            "video_file_id": previous["video_file_id"] if previous else None,
            "sections": _json(previous["sections"], {}) if previous else {},
            "sections_note": previous["sections_note"] if previous else "",
            "text": previous["text"] if previous else "",
        }
        if kind == "image":
            images.append(file.id)
        else:
            values[f"{kind}_file_id"] = file.id
        if sections is not None:
            values["sections"] = sections
            values["sections_note"] = sections_note or ""
            values["text"] = text or ""
        if not values["document_file_id"] and not values["sections_note"]:
            values["sections_note"] = "尚未上传教学设计文档。"
        number = (previous["number"] if previous else 0) + 1
        now = clock.now()
        row = (
            await DesignVersion.insert(
                DesignVersion(
                    design=design_id, number=number, change=kind,
                    document_file_id=values["document_file_id"],
                    slides_file_id=values["slides_file_id"],
                    video_file_id=values["video_file_id"],
                    image_file_ids=msgspec.json.encode(images).decode(),
                    sections=msgspec.json.encode(values["sections"]).decode(),
                    sections_note=values["sections_note"], text=values["text"],
                    created_by=actor.person_id, created_at=now,
                )
            )
        )[0]
        await Design.update({Design.latest_version: number, Design.updated_at: now}).where(
            Design.id == design_id
        )
        await audit.record(
            actor, "design.version", "design", design_id, number=number, kind=kind,
            file_id=file.id,
        )
        await indexing.changed("design", design_id)
    return int(row["id"])


async def open_my_design(actor: Principal, exchange_id: int) -> int:
    """The caller's design in the exchange, started first if there is none yet."""
    existing = await my_design_id(actor, exchange_id)
    if existing is not None:
        return existing
    return (await create_design(actor, exchange_id, s.DesignIn())).id


async def add_version(
    actor: Principal,
    store: ObjectStore,
    design_id: int,
    *,
    kind: str,
    fileobj: IO[bytes],
    filename: str,
    limits: sniff.Limits,
) -> s.VersionOut:
    """Upload one part of a design as its next version (the design's teacher).

    The file is checked by content once, before anything is stored; a refused file leaves no
    object and no row. A document's sections are extracted here, once, before the upload;
    the version is written by ``files.attach`` under the design's version lock.
    Side effects: one object and one ``stored_file`` row (owner ``design``), a
    ``design_version`` row, the design's ``latest_version``, an audit entry; for a video, its
    preview job (``files.media_jobs``).
    """
    if kind not in SNIFF_KIND:
        raise InvalidInput(
            "design.kind", "请选择上传内容：教学设计文档、课件、图片或课堂视频。",
            allowed=list(SNIFF_KIND),
        )
    context = await design_context(actor, design_id)
    now = clock.now()
    _check_upload_allowed(context, kind, now)
    check_name(filename)
    checked = await files.check_file(SNIFF_KIND[kind], fileobj, filename=filename, limits=limits)
    sections: dict[str, str | None] | None = None
    note: str | None = None
    text: str | None = None
    if kind == "document":
        if checked.file_type == sniff.DOCX:
            sections, note, text = await extract.extract_bounded(
                fileobj, office.OfficeBounds.from_settings(limits)
            )
        else:
            sections, note = dict.fromkeys(s.SECTION_KEYS), extract.PDF_NOTE
    async def write(stored: files.FileOut) -> int:
        version_id = await _write_version(
            actor, context, kind=kind, file=stored, sections=sections, sections_note=note,
            text=text,
        )
        if kind == "video":  # its poster, duration and (where needed) 720p preview
            await media_jobs.enqueue(stored.id)
        return version_id

    version_id = await files.attach(
        store, kind=SNIFF_KIND[kind], fileobj=fileobj, filename=filename, limits=limits,
        uploader_id=actor.person_id, owner_type="design", owner_id=design_id,
        lock=_versions_lock(design_id), checked=checked, write=write,
    )
    return await _version(version_id)


async def add_uploaded_version(
    actor: Principal, design_id: int, data: s.AdoptIn
) -> s.VersionOut:
    """Add a video that arrived by resumable direct upload as the design's next version.

    Side effects: the upload's file is attached to the design (``files.uploads.adopt``), a
    ``design_version`` row, an audit entry, the video's preview job.
    """
    if data.kind != "video":
        raise InvalidInput(
            "design.adopt_kind", "断点续传只用于课堂视频；文档、课件和图片请直接上传。"
        )
    context = await design_context(actor, design_id)
    _check_upload_allowed(context, data.kind, clock.now())
    # One transaction: the adopted file and its version commit together; _write_version
    # takes the design's version lock itself.
    async with atomic():
        stored = await adopt(
            file_id=data.file_id, person_id=actor.person_id, owner_type="design",
            owner_id=design_id, kind=SNIFF_KIND[data.kind],
        )
        version_id = await _write_version(
            actor, context, kind=data.kind, file=stored, sections=None, sections_note=None
        )
        await media_jobs.enqueue(stored.id)
    return await _version(version_id)


async def _version(version_id: int) -> s.VersionOut:
    row = await DesignVersion.select(*_VERSION_COLUMNS).where(
        DesignVersion.id == version_id
    ).first()
    assert row is not None
    return (await _versions_out([row]))[0]


async def version_id_of(design_id: int, number: int | None) -> tuple[int, int]:
    """(id, number) of version ``number`` of a design, or of its newest version."""
    query = DesignVersion.select(DesignVersion.id, DesignVersion.number).where(
        DesignVersion.design == design_id
    )
    if number is not None:
        row = await query.where(DesignVersion.number == number).first()
        if row is None:
            raise InvalidInput("design.version", f"该设计没有第 {number} 版。")
    else:
        row = await query.order_by(DesignVersion.number, ascending=False).first()
        if row is None:
            raise Conflict("design.no_version", "该设计还没有上传任何版本。")
    return row["id"], row["number"]



async def can_read_file(actor: Principal, design_id: int) -> bool:
    """Files owned by a design are readable by whoever may read the design."""
    try:
        await get_design(actor, design_id)
    except NotFound:
        return False
    return True


async def check_moment(
    design_id: int, version_id: int, at_seconds: int | None, *, code: str
) -> None:
    """A comment or note at a moment needs a video in its version, and a moment inside it."""
    if at_seconds is None:
        return
    row = await DesignVersion.select(DesignVersion.video_file_id).where(
        (DesignVersion.id == version_id) & (DesignVersion.design == design_id)
    ).first()
    if row is None or row["video_file_id"] is None:
        raise InvalidInput(
            code, "该版本没有课堂视频，不能标注视频时间点；请去掉时间点，或选择有视频的版本。",
            field="at_seconds",
        )
    media = (await media_jobs.media_of([row["video_file_id"]])).get(row["video_file_id"])
    duration = media.duration_seconds if media is not None else None
    if duration is not None and at_seconds > duration:
        raise InvalidInput(
            code, f"视频时间点 {moment(at_seconds)} 超出了视频时长 {moment(duration)}。",
            field="at_seconds", duration_seconds=duration,
        )


_VIEWS: dict[int, s.DocumentOut] = {}
#: Converted documents kept in memory (a stored file never changes): the newest few.
_VIEWS_KEPT = 32


async def document_view(
    actor: Principal, store: ObjectStore, design_id: int, number: int,
    bounds: office.OfficeBounds = office.DEFAULT_BOUNDS,
) -> s.DocumentOut:
    """Version ``number``'s Word document as HTML, for a caller who may read the design.

    The stored file is read again within the Office bounds (``files.office``: the archive
    checked before anything is inflated, the parse in a bounded child). Refusals:
    ``design.version`` (no such version), ``design.no_document`` (no Word document in it),
    ``file.unreadable`` (a document that cannot be read).
    """
    await design_context(actor, design_id)
    row = await DesignVersion.select(
        DesignVersion.number, DesignVersion.document_file_id
    ).where((DesignVersion.design == design_id) & (DesignVersion.number == number)).first()
    if row is None:
        raise NotFound("design.version", f"该设计没有第 {number} 版。")
    file_id = row["document_file_id"]
    found = (await files.files_by_id([file_id])).get(file_id) if file_id is not None else None
    if found is None or found.content_type != sniff.DOCX.content_type:
        raise InvalidInput(
            "design.no_document",
            f"第 {number} 版没有 Word 教学设计，无法在线阅读；PDF 请直接在浏览器中查看。",
        )
    cached = _VIEWS.get(found.id)
    if cached is not None:
        return msgspec.structs.replace(cached, version=number)
    if found.size > bounds.total_bytes:
        raise office.unreadable("document larger than the Office bounds")
    key = (await files.object_keys([found.id], content_types=[found.content_type]))[found.id]
    data = await store.get(key)
    office.check_archive(io.BytesIO(data), bounds)
    made = await office.run_bounded(docx_to_html, data, bounds)
    view = s.DocumentOut(version=number, file_id=found.id, original_name=found.original_name,
                         html=made["html"], images=made["images"], truncated=made["truncated"])
    if len(_VIEWS) >= _VIEWS_KEPT:
        _VIEWS.pop(next(iter(_VIEWS)))
    _VIEWS[found.id] = view
    return view


class TextFill(msgspec.Struct, kw_only=True):
    """What :func:`fill_missing_texts` did: versions given their Word text, files skipped."""

    filled: int = 0
    skipped: int = 0


async def fill_missing_texts(
    store: ObjectStore,
    bounds: office.OfficeBounds = office.DEFAULT_BOUNDS,
    *,
    batch: int = 100,
    progress: Any = None,
) -> TextFill:
    """Give each design's current version whose ``text`` is empty the whole text of its stored
    Word document (versions uploaded before the search kept none).

    Each file is read again as at upload: its size and archive checked against the Office
    bounds before anything is inflated, the parse in the bounded child
    (:func:`sections.extract_bounded`). A file that is too large, missing from the store or
    unreadable is skipped and counted, never raised. Works in batches of ``batch`` versions,
    each committed on its own, calling ``progress(done)`` after each; the caller reindexes.
    """
    done = TextFill()
    after = 0
    while True:
        rows = await DesignVersion.raw(
            "SELECT v.id, v.document_file_id FROM design_version v"
            " JOIN design d ON d.id = v.design AND d.latest_version = v.number"
            " WHERE (v.text IS NULL OR v.text = '') AND v.document_file_id IS NOT NULL"
            " AND v.id > {} ORDER BY v.id LIMIT {}", after, batch,
        )
        if not rows:
            return done
        after = rows[-1]["id"]
        found = await files.files_by_id([r["document_file_id"] for r in rows])
        keys = await files.object_keys(found)
        texts: dict[int, str] = {}
        for row in rows:
            stored = found.get(row["document_file_id"])
            if stored is None or stored.content_type != sniff.DOCX.content_type:
                continue  # a PDF design has no text to add
            text = await _stored_text(store, keys[stored.id], stored.size, bounds)
            if text is None:
                done.skipped += 1
            elif text:
                texts[row["id"]] = text.replace("\x00", "")
        async with atomic():
            for version_id, text in texts.items():
                await DesignVersion.update({DesignVersion.text: text}).where(
                    DesignVersion.id == version_id
                )
        done.filled += len(texts)
        if progress is not None:
            progress(done)


async def _stored_text(
    store: ObjectStore, key: str, size: int, bounds: office.OfficeBounds
) -> str | None:
    """The whole text of one stored .docx, or None when it cannot be read."""
    if size > bounds.total_bytes:
        return None
    try:
        data = await store.get(key)
    except Exception:  # gone from the store, or the store down: skipped, counted
        return None
    _, note, text = await extract.extract_bounded(io.BytesIO(data), bounds)
    return None if note == extract.UNREADABLE_NOTE else text
