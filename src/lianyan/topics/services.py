"""Rules of research topics (课题): reading, the lifecycle, documents, the application review,
and the one-topic-per-county rule. Who may see and do what is ``topics/access.py``.

Every function takes the caller as ``actor``, raises ``lianyan.errors`` exceptions, and writes
inside ``atomic()`` with an audit entry for every change. Rows of other domains are read here
(people, counties); their rules stay in their own services.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import IO, Any

import msgspec
from piccolo.query.functions.aggregate import Count

from lianyan import clock, db
from lianyan.audit import services as audit
from lianyan.db import atomic
from lianyan.errors import Conflict, Forbidden, InvalidInput, LianyanError, NotFound
from lianyan.files import services as files
from lianyan.files.sniff import Limits
from lianyan.files.store import ObjectStore
from lianyan.labels import TOPIC_GRADE, TOPIC_STATUS
from lianyan.org.tables import County, Person, RoleAssignment
from lianyan.principal import Principal, Role
from lianyan.topics import access, rules
from lianyan.topics import schemas as s
from lianyan.topics.rules import ACTIVE, DOCUMENT_KINDS, DOCUMENT_STATES, ONE_TOPIC_RULE, STEPS
from lianyan.topics.tables import Topic, TopicDocument, TopicEvent, TopicMember, TopicReview

# Reading -------------------------------------------------------------------------------------

_COLUMNS = (
    Topic.id,
    Topic.county.as_alias("county_id"),
    Topic.county.name.as_alias("county_name"),
    Topic.year,
    Topic.title,
    Topic.direction,
    Topic.level,
    Topic.lead_unit,
    Topic.host.as_alias("host_id"),
    Topic.host.name.as_alias("host_name"),
    Topic.kindergarten.as_alias("kindergarten_id"),
    Topic.abstract,
    Topic.keywords,
    Topic.planned_start,
    Topic.planned_end,
    Topic.status,
    Topic.grade,
    Topic.created_at,
    Topic.updated_at,
)


def _local(value: dt.datetime | None) -> dt.datetime | None:
    return value.astimezone(clock.CITY_TZ) if value is not None else None


async def _members_of(topic_ids: list[int]) -> dict[int, list[s.MemberOut]]:
    """Members of many topics in one query."""
    if not topic_ids:
        return {}
    rows = await TopicMember.select(
        TopicMember.topic,
        TopicMember.person.as_alias("person_id"),
        TopicMember.person.name.as_alias("name"),
        TopicMember.person.unit.as_alias("unit"),
        TopicMember.role,
    ).where(TopicMember.topic.is_in(topic_ids)).order_by(TopicMember.topic).order_by(
        TopicMember.position
    ).order_by(TopicMember.id)
    members: dict[int, list[s.MemberOut]] = defaultdict(list)
    for r in rows:
        members[r["topic"]].append(
            s.MemberOut(person_id=r["person_id"], name=r["name"], unit=r["unit"] or "",
                        role=r["role"])
        )
    return members


def _topic_out(row: dict[str, Any], members: list[s.MemberOut]) -> s.TopicOut:
    return s.TopicOut(
        id=row["id"],
        county_id=row["county_id"],
        county_name=row["county_name"],
        year=row["year"],
        title=row["title"],
        direction=row["direction"],
        level=row["level"],
        lead_unit=row["lead_unit"],
        host_id=row["host_id"],
        host_name=row["host_name"],
        kindergarten_id=row["kindergarten_id"],
        member_ids=[m.person_id for m in members],
        members=members,
        abstract=row["abstract"],
        keywords=[k for k in (row["keywords"] or "").split("\n") if k],
        planned_start=row["planned_start"],
        planned_end=row["planned_end"],
        status=row["status"],
        grade=row["grade"],
        created_at=_local(row["created_at"]),  # type: ignore[arg-type]
        updated_at=_local(row["updated_at"]),  # type: ignore[arg-type]
    )


async def list_topics(
    actor: Principal,
    *,
    year: int | None = None,
    county_id: int | None = None,
    status: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[s.TopicOut], int]:
    """Topics the caller may read, filtered, newest first, in three queries whatever the page."""
    conditions: list[Any] = [access.scope(actor)]
    if year:
        conditions.append(Topic.year == year)
    if county_id:
        conditions.append(Topic.county == county_id)
    if status:
        if status not in TOPIC_STATUS:
            raise InvalidInput(
                "topic.status", f"未知的课题状态“{status}”。可选：{'、'.join(TOPIC_STATUS)}。"
            )
        conditions.append(Topic.status == status)
    query = Topic.select(*_COLUMNS)
    count = Topic.count()
    for condition in conditions:
        if condition is not None:
            query = query.where(condition)
            count = count.where(condition)
    rows = await query.order_by(Topic.year, ascending=False).order_by(
        Topic.id, ascending=False
    ).limit(limit).offset(offset)
    members = await _members_of([r["id"] for r in rows])
    total = await db.page_total(rows, count, limit=limit, offset=offset)
    return [_topic_out(r, members.get(r["id"], [])) for r in rows], total


async def _visible(actor: Principal, topic_id: int) -> s.TopicOut:
    """One topic the caller may read, with its members; 404 otherwise."""
    query = Topic.select(*_COLUMNS).where(Topic.id == topic_id)
    scope = access.scope(actor)
    if scope is not None:
        query = query.where(scope)
    row = await query.first()
    if row is None:
        raise NotFound("topic.not_found", "没有找到该课题，或您无权查看。")
    members = await _members_of([topic_id])
    return _topic_out(row, members.get(topic_id, []))


async def _is_invited(actor: Principal, topic_id: int) -> bool:
    return await TopicReview.exists().where(
        (TopicReview.topic == topic_id) & (TopicReview.expert == actor.person_id)
    )


async def get_topic(actor: Principal, topic_id: int) -> s.TopicDetail:
    """One topic with its history and the steps the caller may take now."""
    topic = await _visible(actor, topic_id)
    events = await TopicEvent.select(
        TopicEvent.id, TopicEvent.action, TopicEvent.from_status, TopicEvent.to_status,
        TopicEvent.actor_person_id, TopicEvent.actor_name, TopicEvent.note, TopicEvent.grade,
        TopicEvent.at,
    ).where(TopicEvent.topic == topic_id).order_by(TopicEvent.at).order_by(TopicEvent.id)
    for e in events:
        e["at"] = _local(e["at"])
    invited = await _is_invited(actor, topic_id)
    return s.TopicDetail(
        **msgspec.structs.asdict(topic),
        events=[msgspec.convert(e, s.EventOut) for e in events],
        allowed_actions=access.allowed_actions(actor, topic, invited=invited),
    )


# Creating and editing ------------------------------------------------------------------------


async def _county_name(county_id: int) -> str:
    row = await County.select(County.name).where(County.id == county_id).first()
    if row is None:
        raise InvalidInput("topic.county", "没有找到该县（市、区）。")
    return str(row["name"])


def _members_from(
    member_ids: list[int] | msgspec.UnsetType, members: list[s.MemberIn] | msgspec.UnsetType
) -> list[tuple[int, str]] | None:
    """The (person id, role) pairs sent, or None when neither field was sent."""
    pairs: list[tuple[int, str]] | None = None
    if members is not msgspec.UNSET:
        pairs = [(m.person_id, m.role.strip() or "成员") for m in members]
        if member_ids is not msgspec.UNSET and list(member_ids) != [p for p, _ in pairs]:
            raise InvalidInput(
                "topic.members", "member_ids 与 members 中的人员不一致，请只填写其中一项。"
            )
    elif member_ids is not msgspec.UNSET:
        pairs = [(p, "成员") for p in member_ids]
    if pairs is not None and len({p for p, _ in pairs}) != len(pairs):
        raise InvalidInput("topic.members", "同一人员不能重复添加为课题成员。")
    return pairs


async def _check_people(
    county_id: int, host_id: int | None, member_ids: Iterable[int]
) -> int | None:
    """The county must exist and host and members be its people; returns the host's kindergarten.
    """
    county = await _county_name(county_id)
    wanted = set(member_ids) | ({host_id} if host_id else set())
    if not wanted:
        return None
    rows = await Person.select(Person.id, Person.name, Person.county, Person.kindergarten).where(
        Person.id.is_in(sorted(wanted))
    )
    found = {r["id"]: r for r in rows}
    unknown = sorted(wanted - set(found))
    if unknown:
        raise InvalidInput(
            "topic.person", f"没有找到编号为 {'、'.join(map(str, unknown))} 的人员。"
        )
    if host_id and found[host_id]["county"] != county_id:
        raise InvalidInput(
            "topic.host_county", f"主持人{found[host_id]['name']}不是{county}的人员；"
            f"课题主持人须为本县（市、区）的人员。",
        )
    outsiders = [found[p]["name"] for p in member_ids if found[p]["county"] != county_id]
    if outsiders:
        raise InvalidInput(
            "topic.member_county",
            f"{'、'.join(outsiders)}不是{county}的人员；课题成员须为本县（市、区）的人员。",
        )
    return found[host_id]["kindergarten"] if host_id else None


def _check_text(*, title: str, direction: str) -> None:
    if not title.strip():
        raise InvalidInput("topic.title", "请填写课题名称。")
    if not direction.strip():
        raise InvalidInput("topic.direction", "请填写研究方向。")


def _check_dates(start: dt.date | None, end: dt.date | None) -> None:
    if start and end and end < start:
        raise InvalidInput("topic.dates", "计划结束日期不能早于计划开始日期。")


async def _record_event(
    actor: Principal | None, topic_id: int, action: str, from_status: str, to_status: str,
    *, note: str = "", grade: str | None = None,
) -> None:
    await TopicEvent.insert(
        TopicEvent(
            topic=topic_id, action=action, from_status=from_status, to_status=to_status,
            actor_person_id=actor.person_id if actor else None,
            actor_name=actor.name if actor else "系统", note=note, grade=grade, at=clock.now(),
        )
    )


async def _replace_members(topic_id: int, pairs: list[tuple[int, str]]) -> None:
    await TopicMember.delete().where(TopicMember.topic == topic_id)
    if pairs:
        await TopicMember.insert(
            *[
                TopicMember(topic=topic_id, person=p, role=role, position=i)
                for i, (p, role) in enumerate(pairs)
            ]
        )


async def create_topic(actor: Principal, data: s.TopicIn) -> s.TopicDetail:
    """Create a draft topic.

    Side effects: one ``Topic`` row with its members, a ``create`` event in its history and
    an audit entry.
    """
    _check_text(title=data.title, direction=data.direction)
    pairs = _members_from(data.member_ids, data.members) or []
    host_kindergarten = await _check_people(data.county_id, data.host_id, [p for p, _ in pairs])
    if not access.may_create(actor, data.county_id, data.host_id, host_kindergarten):
        raise Forbidden("auth.forbidden", access.CREATE_REFUSAL)
    _check_dates(data.planned_start, data.planned_end)
    now = clock.now()
    async with atomic():
        topic_id = (
            await Topic.insert(
                Topic(
                    county=data.county_id, year=data.year, title=data.title.strip(),
                    direction=data.direction.strip(), level=data.level,
                    lead_unit=data.lead_unit.strip(), host=data.host_id,
                    kindergarten=host_kindergarten, abstract=data.abstract,
                    keywords="\n".join(k.strip() for k in data.keywords),
                    planned_start=data.planned_start, planned_end=data.planned_end,
                    status="draft", created_by=actor.person_id, created_at=now, updated_at=now,
                )
            )
        )[0]["id"]
        await _replace_members(topic_id, pairs)
        await _record_event(actor, topic_id, "create", "", "draft")
        await audit.record(
            actor, "topic.create", "topic", topic_id, title=data.title, county_id=data.county_id,
            year=data.year,
        )
    return await get_topic(actor, topic_id)


def _not_draft(topic: s.TopicOut, what: str) -> Conflict:
    return Conflict(
        "topic.not_draft",
        f"课题当前状态为“{TOPIC_STATUS[topic.status]}”，只有草稿状态的课题可以{what}。"
        + ("如需修改，请市教育局先退回修改。" if topic.status == "submitted" else ""),
        topic_status=topic.status,
    )


async def update_topic(actor: Principal, topic_id: int, data: s.TopicPatch) -> s.TopicDetail:
    """Change a draft topic; members, when sent, replace the old list.

    Side effects: the row and its members change; an audit entry lists the fields sent.
    """
    topic = await _visible(actor, topic_id)
    if data.status is not msgspec.UNSET:
        raise InvalidInput(
            "topic.status_readonly",
            "课题状态不能直接修改，请使用提交申报（submit）、立项（approve）、开题（open）等操作。",
        )
    if not access.may_manage(actor, topic):
        raise Forbidden("auth.forbidden", access.CREATE_REFUSAL)
    if topic.status != "draft":
        raise _not_draft(topic, "修改")
    sent = {
        f: getattr(data, f) for f in data.__struct_fields__ if getattr(data, f) is not msgspec.UNSET
    }
    _check_text(
        title=sent.get("title", topic.title), direction=sent.get("direction", topic.direction)
    )
    pairs = _members_from(data.member_ids, data.members)
    county_id = sent.get("county_id", topic.county_id)
    host_id = sent.get("host_id", topic.host_id)
    member_ids = [p for p, _ in pairs] if pairs is not None else topic.member_ids
    host_kindergarten = await _check_people(county_id, host_id, member_ids)
    if not access.may_create(actor, county_id, host_id, host_kindergarten):
        raise Forbidden("auth.forbidden", access.CREATE_REFUSAL)
    _check_dates(
        sent.get("planned_start", topic.planned_start), sent.get("planned_end", topic.planned_end)
    )
    values: dict[Any, Any] = {
        Topic.county: county_id, Topic.host: host_id, Topic.kindergarten: host_kindergarten,
        Topic.updated_at: clock.now(),
    }
    for field in ("year", "title", "direction", "level", "lead_unit", "abstract",
                  "planned_start", "planned_end"):
        if field in sent:
            value = sent[field]
            values[getattr(Topic, field)] = value.strip() if isinstance(value, str) else value
    if "keywords" in sent:
        values[Topic.keywords] = "\n".join(k.strip() for k in sent["keywords"])
    async with atomic():
        # Re-read inside the transaction: a concurrent submit must not be overwritten.
        current = await Topic.select(Topic.status).where(Topic.id == topic_id).first()
        if current is None:
            raise NotFound("topic.not_found", "没有找到该课题，或您无权查看。")
        if current["status"] != "draft":
            raise _not_draft(msgspec.structs.replace(topic, status=current["status"]), "修改")
        await Topic.update(values).where(Topic.id == topic_id)
        if pairs is not None:
            await _replace_members(topic_id, pairs)
        await audit.record(
            actor, "topic.update", "topic", topic_id,
            fields=sorted(k for k in sent if k not in ("members", "member_ids"))
            + (["members"] if pairs is not None else []),
        )
    return await get_topic(actor, topic_id)


async def delete_topic(actor: Principal, topic_id: int, *, store: ObjectStore) -> None:
    """Delete a draft topic with its documents.

    Side effects: the topic's rows, its ``StoredFile`` rows and an audit entry in one
    transaction; then its objects are removed from the store. Subject to the last-active rule
    should the topic count (a draft never does).
    """
    topic = await _visible(actor, topic_id)
    if not access.may_manage(actor, topic):
        raise Forbidden("auth.forbidden", access.CREATE_REFUSAL)
    if topic.status != "draft":
        raise _not_draft(topic, "删除")
    async with atomic(lock=_rule_lock(topic.county_id, topic.year)):
        current = await Topic.select(Topic.status).where(Topic.id == topic_id).first()
        if current is None:
            raise NotFound("topic.not_found", "没有找到该课题，或您无权查看。")
        if current["status"] != "draft":
            raise _not_draft(msgspec.structs.replace(topic, status=current["status"]), "删除")
        if current["status"] in ACTIVE:
            await _guard_last_active(topic.county_id, topic.year, topic_id)
        keys = await files.forget_owned("topic", topic_id)
        await Topic.delete().where(Topic.id == topic_id)
        await audit.record(actor, "topic.delete", "topic", topic_id, title=topic.title)
    await files.remove_objects(store, keys)


# The lifecycle -------------------------------------------------------------------------------


def _rule_lock(county_id: int, year: int) -> str:
    return f"topics:{county_id}:{year}"


async def _guard_last_active(county_id: int, year: int, topic_id: int) -> None:
    """Refuse to take away a county's last active topic of a year (call inside the lock)."""
    others = await Topic.count().where(
        (Topic.county == county_id)
        & (Topic.year == year)
        & Topic.status.is_in(sorted(ACTIVE))
        & (Topic.id != topic_id)
    )
    if others == 0:
        county = await _county_name(county_id)
        raise Conflict(
            "topic.last_active",
            f"这是{county}{year}年唯一一项已申报（含已立项、在研、已结题）的课题。"
            f"按照“{ONE_TOPIC_RULE}”的要求，不能撤销或删除；请先申报另一项课题，再撤销此课题。",
            county_id=county_id,
            year=year,
        )


async def _missing_for(topic: s.TopicOut, step: rules.Step) -> list[str]:
    """What a step still needs, in words a user can act on."""
    missing = []
    if step.name == "submit":
        if topic.host_id is None:
            missing.append("指定课题主持人")
        if not topic.member_ids:
            missing.append("添加至少1名课题成员")
    if step.needs_document and not await TopicDocument.exists().where(
        (TopicDocument.topic == topic.id) & (TopicDocument.kind == step.needs_document)
    ):
        missing.append(f"上传{DOCUMENT_KINDS[step.needs_document][0]}")
    return missing


async def take_step(
    actor: Principal, topic_id: int, action: str, data: s.StepIn
) -> s.TopicDetail:
    """Move a topic along its lifecycle (submit, approve, reject, return, open, midterm,
    conclude, withdraw).

    Refuses an illegal step with 409 ``topic.transition`` naming the steps possible now, a step
    the caller's role may not take with 403, a step that lacks what it needs with 409
    ``topic.incomplete``, and withdrawing a county's last active topic of a year with 409
    ``topic.last_active``. Side effects: the status (and grade) change, a ``TopicEvent`` with
    actor, time and note, and an audit entry, in one transaction holding the county-year lock.
    """
    step = STEPS.get(action)
    if step is None:
        raise NotFound("topic.step", f"没有“{action}”这一课题操作。")
    topic = await _visible(actor, topic_id)
    async with atomic(lock=_rule_lock(topic.county_id, topic.year)):
        # Everything the decision rests on is read again under the lock.
        current = await Topic.select(Topic.status).where(Topic.id == topic_id).first()
        if current is None:
            raise NotFound("topic.not_found", "没有找到该课题，或您无权查看。")
        topic = msgspec.structs.replace(topic, status=current["status"])
        if topic.status not in step.sources:
            raise Conflict(
                "topic.transition",
                rules.illegal_step_message(topic.status, action),
                topic_status=topic.status,
                allowed=[x.name for x in rules.steps_from(topic.status)],
            )
        if not access.may_take(actor, topic, step):
            raise access.refusal(topic, step)
        if action == "conclude" and data.grade is None:
            raise InvalidInput(
                "topic.grade_required",
                f"结题需要评定等级：{'、'.join(TOPIC_GRADE.values())}（excellent/good/pass/fail）。",
            )
        if action != "conclude" and data.grade is not None:
            raise InvalidInput("topic.grade_unexpected", "只有结题时需要评定等级。")
        missing = await _missing_for(topic, step)
        if missing:
            raise Conflict(
                "topic.incomplete",
                f"{step.label}前还需要：{'；'.join(missing)}。",
                missing=missing,
            )
        if action == "withdraw" and topic.status in ACTIVE:
            await _guard_last_active(topic.county_id, topic.year, topic_id)
        values: dict[Any, Any] = {Topic.status: step.target, Topic.updated_at: clock.now()}
        if action == "conclude":
            values[Topic.grade] = data.grade
        await Topic.update(values).where(Topic.id == topic_id)
        note = data.note.strip()
        await _record_event(
            actor, topic_id, action, topic.status, step.target, note=note, grade=data.grade
        )
        await audit.record(
            actor, f"topic.{action}", "topic", topic_id, from_status=topic.status,
            to_status=step.target, note=note, grade=data.grade,
        )
    return await get_topic(actor, topic_id)


# The one-topic rule, for filings and the compliance board ------------------------------------


async def active_topic_counts(year: int) -> dict[int, int]:
    """Active topics (submitted or later, not rejected or withdrawn) of ``year`` per county.

    Every county is a key, those without an active topic with 0. Two queries.
    """
    counties = await County.select(County.id)
    counts = {r["id"]: 0 for r in counties}
    rows = await Topic.select(Topic.county, Count(Topic.id).as_alias("n")).where(
        (Topic.year == year) & Topic.status.is_in(sorted(ACTIVE))
    ).group_by(Topic.county)
    for r in rows:
        counts[r["county"]] = r["n"]
    return counts


async def has_active_topic(county_id: int, year: int) -> bool:
    """True when the county has at least one active topic for ``year``."""
    return await Topic.exists().where(
        (Topic.county == county_id) & (Topic.year == year) & Topic.status.is_in(sorted(ACTIVE))
    )


async def require_active_topic(county_id: int, year: int) -> None:
    """Raise 409 ``filing.needs_topic`` unless the county has an active topic for ``year``.

    The filings domain calls this before a county's annual filing may be submitted.
    """
    if await has_active_topic(county_id, year):
        return
    county = await _county_name(county_id)
    raise Conflict(
        "filing.needs_topic",
        f"{county}{year}年还没有已申报的课题。按照“{ONE_TOPIC_RULE}”的要求，"
        f"请先至少申报1项{year}年度课题（提交申报即可），再提交年度备案。",
        county_id=county_id,
        year=year,
    )


# Documents -----------------------------------------------------------------------------------


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
    topic = await _visible(actor, topic_id)
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
        lock=_rule_lock(topic.county_id, topic.year), write=write, checked=checked,
    )
    documents = await list_documents(actor, topic_id)
    return next(d for d in documents if d.id == document_id)


async def list_documents(actor: Principal, topic_id: int) -> list[s.DocumentOut]:
    """Every version of every document of a topic: by kind, newest first; one query."""
    await _visible(actor, topic_id)
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
            created_at=_local(r["created_at"]),  # type: ignore[arg-type]
            download_url=f"/api/v1/files/{r['file_id']}/download",
        )
        for r in rows
    ]


# Application review (立项评审) ----------------------------------------------------------------


async def _expert_counties(person_ids: list[int]) -> dict[int, set[int]]:
    """Where each expert works: the person's county and the scope of their expert role."""
    where: dict[int, set[int]] = defaultdict(set)
    for r in await Person.select(Person.id, Person.county).where(Person.id.is_in(person_ids)):
        if r["county"] is not None:
            where[r["id"]].add(r["county"])
    for r in await RoleAssignment.select(RoleAssignment.person, RoleAssignment.county).where(
        RoleAssignment.person.is_in(person_ids)
        & (RoleAssignment.role == Role.EXPERT)
        & (RoleAssignment.active == True)  # noqa: E712
        & RoleAssignment.county.is_not_null()
    ):
        where[r["person"]].add(r["county"])
    return where


async def invite_reviewers(
    actor: Principal, topic_id: int, data: s.InviteIn
) -> s.ReviewBoard:
    """Invite experts to review a submitted topic's application (the city).

    An expert who works in the topic's county, or who hosts or is a member of the topic, has
    a conflict of interest and is refused with 409 ``review.conflict``; nobody is invited then.
    Inviting someone already invited changes nothing. Side effects: ``TopicReview`` rows and
    an audit entry.
    """
    topic = await _visible(actor, topic_id)
    if not actor.is_city:
        raise Forbidden("auth.forbidden", "只有市教育局学前教育科可以邀请评审专家。")
    ids = list(dict.fromkeys(data.expert_ids))
    people = {
        r["id"]: r
        for r in await Person.select(Person.id, Person.name).where(Person.id.is_in(ids))
    }
    unknown = [i for i in ids if i not in people]
    if unknown:
        raise InvalidInput(
            "review.expert_unknown", f"没有找到编号为 {'、'.join(map(str, unknown))} 的人员。"
        )
    experts = {
        r["person"]
        for r in await RoleAssignment.select(RoleAssignment.person).where(
            RoleAssignment.person.is_in(ids)
            & (RoleAssignment.role == Role.EXPERT)
            & (RoleAssignment.active == True)  # noqa: E712
        )
    }
    not_experts = [people[i]["name"] for i in ids if i not in experts]
    if not_experts:
        raise InvalidInput(
            "review.not_expert", f"{'、'.join(not_experts)}不是平台登记的专家，不能邀请评审。"
        )
    where = await _expert_counties(ids)
    involved = {topic.host_id, *topic.member_ids}
    conflicted = [i for i in ids if topic.county_id in where.get(i, set()) or i in involved]
    if conflicted:
        names = "、".join(people[i]["name"] for i in conflicted)
        raise Conflict(
            "review.conflict",
            f"{names}在{topic.county_name}工作或参与该课题，与课题存在利益冲突，不能邀请评审；"
            f"请改邀其他县（市、区）的专家。",
            expert_ids=conflicted,
        )
    async with atomic(lock=_rule_lock(topic.county_id, topic.year)):
        current = await Topic.select(Topic.status).where(Topic.id == topic_id).first()
        if current is None or current["status"] != "submitted":
            raise Conflict(
                "review.closed",
                f"课题当前状态为“{TOPIC_STATUS[current['status'] if current else topic.status]}”，"
                f"只有“已申报”且尚未作出立项决定的课题可以邀请专家评审。",
            )
        already = {
            r["expert"]
            for r in await TopicReview.select(TopicReview.expert).where(
                (TopicReview.topic == topic_id) & TopicReview.expert.is_in(ids)
            )
        }
        new = [i for i in ids if i not in already]
        if new:
            now = clock.now()
            await TopicReview.insert(
                *[
                    TopicReview(topic=topic_id, expert=i, invited_by=actor.person_id,
                                invited_at=now)
                    for i in new
                ]
            )
            await audit.record(actor, "topic.invite", "topic", topic_id, expert_ids=new)
    return await list_reviews(actor, topic_id)


async def save_review(actor: Principal, topic_id: int, data: s.ReviewIn) -> s.ReviewOut:
    """Fill in or change the caller's own score form while the city has not decided.

    Side effects: the caller's ``TopicReview`` scores and comment, and an audit entry.
    """
    topic = await _visible(actor, topic_id)
    if not await _is_invited(actor, topic_id):
        raise Forbidden("review.not_invited", "只有受邀的评审专家可以为该课题评分。")
    if actor.home_county_id == topic.county_id:
        raise Conflict(
            "review.conflict",
            f"您在{topic.county_name}工作，与该课题存在利益冲突，不能评审。",
        )
    async with atomic(lock=_rule_lock(topic.county_id, topic.year)):
        current = await Topic.select(Topic.status).where(Topic.id == topic_id).first()
        if current is None or current["status"] != "submitted":
            raise Conflict(
                "review.closed", "市教育局已对该课题作出立项决定，评审意见不能再填写或修改。"
            )
        now = clock.now()
        existing = await TopicReview.select(TopicReview.submitted_at).where(
            (TopicReview.topic == topic_id) & (TopicReview.expert == actor.person_id)
        ).first()
        await TopicReview.update(
            {
                TopicReview.value: data.value,
                TopicReview.design: data.design,
                TopicReview.feasibility: data.feasibility,
                TopicReview.outcomes: data.outcomes,
                TopicReview.comment: data.comment.strip(),
                TopicReview.submitted_at: (existing or {}).get("submitted_at") or now,
                TopicReview.updated_at: now,
            }
        ).where((TopicReview.topic == topic_id) & (TopicReview.expert == actor.person_id))
        await audit.record(
            actor, "topic.review", "topic", topic_id, total=data.value + data.design
            + data.feasibility + data.outcomes,
        )
    board = await list_reviews(actor, topic_id)
    return next(r for r in board.items if r.expert_id == actor.person_id)


def _review_out(r: dict[str, Any]) -> s.ReviewOut:
    submitted = r["submitted_at"] is not None
    scores = [r[k] for k in rules.REVIEW_ITEMS]
    return s.ReviewOut(
        expert_id=r["expert_id"], expert_name=r["expert_name"], expert_unit=r["expert_unit"] or "",
        invited_at=_local(r["invited_at"]),  # type: ignore[arg-type]
        submitted=submitted,
        value=r["value"], design=r["design"], feasibility=r["feasibility"],
        outcomes=r["outcomes"], total=sum(scores) if submitted else None,
        comment=r["comment"] or "", submitted_at=_local(r["submitted_at"]),
        updated_at=_local(r["updated_at"]),
    )


async def list_reviews(actor: Principal, topic_id: int) -> s.ReviewBoard:
    """The reviews of a topic the caller may see, side by side, with totals and means.

    The city sees every review. An invited expert sees their own, and the others only once
    they have submitted their own. Anyone else is refused (403 ``review.forbidden``).
    """
    topic = await _visible(actor, topic_id)
    rows = await TopicReview.select(
        TopicReview.expert.as_alias("expert_id"),
        TopicReview.expert.name.as_alias("expert_name"),
        TopicReview.expert.unit.as_alias("expert_unit"),
        TopicReview.invited_at, TopicReview.value, TopicReview.design, TopicReview.feasibility,
        TopicReview.outcomes, TopicReview.comment, TopicReview.submitted_at,
        TopicReview.updated_at,
    ).where(TopicReview.topic == topic_id).order_by(TopicReview.id)
    reviews = [_review_out(r) for r in rows]
    own = next((r for r in reviews if r.expert_id == actor.person_id), None)
    hidden = 0
    if actor.is_city:
        visible = reviews
    elif own is not None:
        visible = reviews if own.submitted else [own]
        hidden = len(reviews) - len(visible)
    else:
        raise Forbidden("review.forbidden", "专家评审意见仅市教育局和受邀评审专家可以查看。")
    done = [r for r in visible if r.submitted]
    means: dict[str, float | None] = {
        k: round(sum(getattr(r, k) for r in done) / len(done), 2) if done else None
        for k in rules.REVIEW_ITEMS
    }
    return s.ReviewBoard(
        items=visible,
        total=len(visible),
        invited=len(reviews),
        submitted=sum(1 for r in reviews if r.submitted),
        hidden=hidden,
        mean_total=round(sum(r.total or 0 for r in done) / len(done), 2) if done else None,
        means=means,
        status=topic.status,
    )


# Pages and dashboards ------------------------------------------------------------------------


async def form_people(actor: Principal, county_id: int) -> list[dict[str, Any]]:
    """People of a county to choose host and members from (names and units, no phones)."""
    if not (
        actor.officer_of_county(county_id)
        or county_id in actor.counties(Role.DIRECTOR, Role.TEACHER)
    ):
        return []
    rows = await Person.select(Person.id, Person.name, Person.unit, Person.kindergarten).where(
        Person.county == county_id
    ).order_by(Person.unit).order_by(Person.name).limit(2000)
    return rows


async def invitable_experts(actor: Principal, topic_id: int) -> list[dict[str, Any]]:
    """Experts the city could invite to a topic: active experts not from its county."""
    topic = await _visible(actor, topic_id)
    if not actor.is_city:
        return []
    rows = await RoleAssignment.select(
        RoleAssignment.person.as_alias("id"),
        RoleAssignment.person.name.as_alias("name"),
        RoleAssignment.person.unit.as_alias("unit"),
        RoleAssignment.person.county.as_alias("county_id"),
        RoleAssignment.county.as_alias("role_county_id"),
    ).where(
        (RoleAssignment.role == Role.EXPERT) & (RoleAssignment.active == True)  # noqa: E712
    ).order_by(RoleAssignment.person)
    invited = {
        r["expert"]
        for r in await TopicReview.select(TopicReview.expert).where(TopicReview.topic == topic_id)
    }
    seen: dict[int, dict[str, Any]] = {}
    for r in rows:
        entry = seen.setdefault(r["id"], {**r, "conflict": False, "invited": r["id"] in invited})
        if topic.county_id in (r["county_id"], r["role_county_id"]) or r["id"] in {
            topic.host_id, *topic.member_ids
        }:
            entry["conflict"] = True
    return list(seen.values())


async def dashboard(actor: Principal) -> dict[str, Any] | None:
    """The topic section of the home page: reviews waiting for an expert, the county's
    topics of the year for its officers, the counties at zero for the city."""
    year = clock.today().year
    context: dict[str, Any] = {"year": year, "pending": [], "counties": []}
    if actor.has(Role.EXPERT):
        rows = await TopicReview.select(
            TopicReview.topic.as_alias("id"), TopicReview.topic.title.as_alias("title"),
            TopicReview.topic.county.name.as_alias("county_name"),
            TopicReview.submitted_at,
        ).where(
            (TopicReview.expert == actor.person_id)
            & (TopicReview.topic.status == "submitted")
        ).order_by(TopicReview.id)
        context["pending"] = rows
    counties = None if actor.is_city else sorted(actor.counties(Role.COUNTY_OFFICER))
    if actor.is_city or counties:
        counts = await active_topic_counts(year)
        names = {
            r["id"]: r["name"]
            for r in await County.select(County.id, County.name).order_by(County.code)
        }
        context["counties"] = sorted(
            (
                {"id": c, "name": names[c], "active": n}
                for c, n in counts.items()
                if counties is None or c in counties
            ),
            key=lambda x: (x["active"] > 0, list(names).index(x["id"])),
        )
    if not context["pending"] and not context["counties"]:
        return None
    return context
