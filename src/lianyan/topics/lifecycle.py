"""A research topic's life: creating and editing a draft, deleting it, and the steps of its
lifecycle (submit, approve, reject, return, open, midterm, conclude, withdraw).

Every step records who, when and an optional note (``TopicEvent``) and an audit entry, in one
transaction holding the county-year lock of the one-topic rule (``one_topic``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import msgspec

from lianyan import clock, indexing
from lianyan.audit import services as audit
from lianyan.db import atomic
from lianyan.errors import Conflict, Forbidden, InvalidInput, NotFound
from lianyan.files import services as files
from lianyan.files.store import ObjectStore
from lianyan.labels import TOPIC_GRADE, TOPIC_STATUS
from lianyan.org.tables import Person
from lianyan.principal import Principal
from lianyan.schemas import unset_to_dict
from lianyan.topics import access, one_topic, queries, rules
from lianyan.topics import schemas as s
from lianyan.topics.rules import DOCUMENT_KINDS, STEPS
from lianyan.topics.tables import Topic, TopicDocument, TopicEvent, TopicMember


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
    county = await queries.county_name(county_id)
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
        await indexing.changed("topic", topic_id)
        await audit.record(
            actor, "topic.create", "topic", topic_id, title=data.title, county_id=data.county_id,
            year=data.year,
        )
    return await queries.get_topic(actor, topic_id)


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
    topic = await queries.visible_topic(actor, topic_id)
    if data.status is not msgspec.UNSET:
        raise InvalidInput(
            "topic.status_readonly",
            "课题状态不能直接修改，请使用提交申报（submit）、立项（approve）、开题（open）等操作。",
        )
    if not access.may_manage(actor, topic):
        raise Forbidden("auth.forbidden", access.CREATE_REFUSAL)
    if topic.status != "draft":
        raise _not_draft(topic, "修改")
    sent = unset_to_dict(data)
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
        await indexing.changed("topic", topic_id)
        await audit.record(
            actor, "topic.update", "topic", topic_id,
            fields=sorted(k for k in sent if k not in ("members", "member_ids"))
            + (["members"] if pairs is not None else []),
        )
    return await queries.get_topic(actor, topic_id)


async def delete_topic(actor: Principal, topic_id: int, *, store: ObjectStore) -> None:
    """Delete a draft topic with its documents.

    Side effects: the topic's rows, its ``StoredFile`` rows and an audit entry in one
    transaction; then its objects are removed from the store. Subject to the last-active rule
    should the topic count (a draft never does).
    """
    topic = await queries.visible_topic(actor, topic_id)
    if not access.may_manage(actor, topic):
        raise Forbidden("auth.forbidden", access.CREATE_REFUSAL)
    if topic.status != "draft":
        raise _not_draft(topic, "删除")
    async with atomic(lock=one_topic.county_year_lock(topic.county_id, topic.year)):
        current = await Topic.select(Topic.status).where(Topic.id == topic_id).first()
        if current is None:
            raise NotFound("topic.not_found", "没有找到该课题，或您无权查看。")
        if current["status"] != "draft":
            raise _not_draft(msgspec.structs.replace(topic, status=current["status"]), "删除")
        if current["status"] in one_topic.ACTIVE:
            await one_topic.guard_last_active(topic.county_id, topic.year, topic_id)
        keys = await files.forget_owned("topic", topic_id)
        await Topic.delete().where(Topic.id == topic_id)
        await audit.record(actor, "topic.delete", "topic", topic_id, title=topic.title)
        await indexing.changed("topic", topic_id)
    await files.remove_objects(store, keys)


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
    topic = await queries.visible_topic(actor, topic_id)
    async with atomic(lock=one_topic.county_year_lock(topic.county_id, topic.year)):
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
        if action == "withdraw" and topic.status in one_topic.ACTIVE:
            await one_topic.guard_last_active(topic.county_id, topic.year, topic_id)
        values: dict[Any, Any] = {Topic.status: step.target, Topic.updated_at: clock.now()}
        if action == "conclude":
            values[Topic.grade] = data.grade
        await Topic.update(values).where(Topic.id == topic_id)
        await indexing.changed("topic", topic_id)
        note = data.note.strip()
        await _record_event(
            actor, topic_id, action, topic.status, step.target, note=note, grade=data.grade
        )
        await audit.record(
            actor, f"topic.{action}", "topic", topic_id, from_status=topic.status,
            to_status=step.target, note=note, grade=data.grade,
        )
    return await queries.get_topic(actor, topic_id)
