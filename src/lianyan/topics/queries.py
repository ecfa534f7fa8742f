"""Reading research topics (课题): the caller's scope as a query condition, lists and one topic
with its history and allowed steps (who may see and do what: ``access``), and the people a
form chooses from.

Lists run a constant number of queries whatever the page size.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import msgspec

from lianyan import clock, db
from lianyan.errors import InvalidInput, NotFound
from lianyan.labels import TOPIC_STATUS
from lianyan.org.tables import County, Person
from lianyan.principal import Principal, Role
from lianyan.topics import access
from lianyan.topics import schemas as s
from lianyan.topics.tables import Topic, TopicEvent, TopicMember, TopicReview

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
        created_at=clock.local(row["created_at"]),
        updated_at=clock.local(row["updated_at"]),
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
    query, count = db.filtered(Topic.select(*_COLUMNS), Topic.count(), conditions)
    rows = await query.order_by(Topic.year, ascending=False).order_by(
        Topic.id, ascending=False
    ).limit(limit).offset(offset)
    members = await _members_of([r["id"] for r in rows])
    total = await db.page_total(rows, count, limit=limit, offset=offset)
    return [_topic_out(r, members.get(r["id"], [])) for r in rows], total


async def visible_topic(actor: Principal, topic_id: int) -> s.TopicOut:
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


async def is_invited(actor: Principal, topic_id: int) -> bool:
    """True when the caller is invited to review the topic."""
    return await TopicReview.exists().where(
        (TopicReview.topic == topic_id) & (TopicReview.expert == actor.person_id)
    )


async def get_topic(actor: Principal, topic_id: int) -> s.TopicDetail:
    """One topic with its history and the steps the caller may take now."""
    topic = await visible_topic(actor, topic_id)
    events = await TopicEvent.select(
        TopicEvent.id, TopicEvent.action, TopicEvent.from_status, TopicEvent.to_status,
        TopicEvent.actor_person_id, TopicEvent.actor_name, TopicEvent.note, TopicEvent.grade,
        TopicEvent.at,
    ).where(TopicEvent.topic == topic_id).order_by(TopicEvent.at).order_by(TopicEvent.id)
    for e in events:
        e["at"] = clock.local(e["at"])
    invited = await is_invited(actor, topic_id)
    return s.TopicDetail(
        **msgspec.structs.asdict(topic),
        events=[msgspec.convert(e, s.EventOut) for e in events],
        allowed_actions=access.allowed_actions(actor, topic, invited=invited),
    )


async def county_name(county_id: int) -> str:
    """A county's name; 400 ``topic.county`` when there is no such county."""
    row = await County.select(County.name).where(County.id == county_id).first()
    if row is None:
        raise InvalidInput("topic.county", "没有找到该县（市、区）。")
    return str(row["name"])


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
