"""A research topic's documents (申报书, 开题报告, 中期报告, 结题报告, 成果): versions per kind,
each uploaded through ``files.attach`` and allowed only in the states ``rules.DOCUMENT_STATES``
lists.
"""

from __future__ import annotations

from typing import IO

from lianyan import clock
from lianyan.audit import services as audit
from lianyan.errors import Conflict, Forbidden, InvalidInput, LianyanError
from lianyan.files import services as files
from lianyan.files.sniff import Limits
from lianyan.files.store import ObjectStore
from lianyan.principal import Principal
from lianyan.topics import access, one_topic, queries, rules
from lianyan.topics import schemas as s
from lianyan.topics.rules import DOCUMENT_KINDS, DOCUMENT_STATES
from lianyan.topics.tables import Topic, TopicDocument


def _check_document_stage(kind: str, status: str) -> None:
    if status not in DOCUMENT_STATES[kind]:
        raise Conflict(
            "topic.document_stage", rules.document_states_message(kind, status),
            topic_status=status,
        )


def _document_kind(kind: str) -> str:
    if kind not in DOCUMENT_KINDS:
        choices = "、".join(f"{name}（{k}）" for k, (name, _) in DOCUMENT_KINDS.items())
        raise InvalidInput("topic.document_kind", f"请选择文档类型：{choices}。")
    return DOCUMENT_KINDS[kind][1]


async def upload_document(
    actor: Principal,
    topic_id: int,
    *,
    store: ObjectStore,
    kind: str,
    fileobj: IO[bytes],
    filename: str,
    limits: Limits,
) -> s.DocumentOut:
    """Store a new version of one of the topic's documents.

    The file is checked by content before anything is stored: a refused upload leaves no
    object and no row. Side effects: one object, one ``StoredFile`` (owner ``topic``), one
    ``TopicDocument`` with the next version number of its kind, and an audit entry.
    """
    upload_kind = _document_kind(kind)
    topic = await queries.visible_topic(actor, topic_id)
    if not access.may_manage(actor, topic):
        raise Forbidden(
            "auth.forbidden",
            "只有课题主持人、主持人所在幼儿园园长、本县（市、区）教研负责人或市教育局可以上传课题文档。",
        )
    _check_document_stage(kind, topic.status)
    try:
        checked = await files.check_file(upload_kind, fileobj, filename=filename, limits=limits)
    except LianyanError as exc:
        # Same code and fields; the message says which document was refused.
        raise type(exc)(
            exc.code, f"{DOCUMENT_KINDS[kind][0]}未能上传：{exc.detail}", **exc.extra
        ) from None

    async def write(saved: files.FileOut) -> int:
        # The stage is read again under the county-year lock the lifecycle steps take.
        current = await Topic.select(Topic.status).where(Topic.id == topic_id).first()
        _check_document_stage(kind, current["status"] if current else topic.status)
        version = 1 + await TopicDocument.count().where(
            (TopicDocument.topic == topic_id) & (TopicDocument.kind == kind)
        )
        document_id: int = (
            await TopicDocument.insert(
                TopicDocument(
                    topic=topic_id, kind=kind, version=version, file=saved.id,
                    uploader_id=actor.person_id, created_at=clock.now(),
                )
            )
        )[0]["id"]
        await Topic.update({Topic.updated_at: clock.now()}).where(Topic.id == topic_id)
        await audit.record(
            actor, "topic.document", "topic", topic_id, kind=kind, version=version,
            file_id=saved.id, name=saved.original_name,
        )
        return document_id

    document_id = await files.attach(
        store, kind=upload_kind, fileobj=fileobj, filename=filename, limits=limits,
        uploader_id=actor.person_id, owner_type="topic", owner_id=topic_id,
        lock=one_topic.county_year_lock(topic.county_id, topic.year), write=write, checked=checked,
    )
    documents = await list_documents(actor, topic_id)
    return next(d for d in documents if d.id == document_id)


async def list_documents(actor: Principal, topic_id: int) -> list[s.DocumentOut]:
    """Every version of every document of a topic: by kind, newest first; one query."""
    await queries.visible_topic(actor, topic_id)
    rows = await TopicDocument.select(
        TopicDocument.id, TopicDocument.kind, TopicDocument.version,
        TopicDocument.file.as_alias("file_id"),
        TopicDocument.file.original_name.as_alias("original_name"),
        TopicDocument.file.size.as_alias("size"),
        TopicDocument.file.content_type.as_alias("content_type"),
        TopicDocument.file.sha256.as_alias("sha256"),
        TopicDocument.uploader_id, TopicDocument.created_at,
    ).where(TopicDocument.topic == topic_id).order_by(TopicDocument.version, ascending=False)
    order = list(DOCUMENT_KINDS)
    rows.sort(key=lambda r: (order.index(r["kind"]), -r["version"]))
    newest: dict[str, int] = {}
    for r in rows:
        newest.setdefault(r["kind"], r["version"])
    return [
        s.DocumentOut(
            id=r["id"], kind=r["kind"], version=r["version"],
            current=newest[r["kind"]] == r["version"], file_id=r["file_id"],
            original_name=r["original_name"], size=r["size"], content_type=r["content_type"],
            sha256=r["sha256"], uploader_id=r["uploader_id"],
            created_at=clock.local(r["created_at"]),
            download_url=f"/api/v1/files/{r['file_id']}/download",
        )
        for r in rows
    ]
