"""Participation figures beside each candidate (domain.md §5), counted in batches.

What is counted for a year (docs/filings.md, "Evaluation"):

* activities — activities of the year's accepted filings organised by the zone; for a
  kindergarten, by the zones it leads (核心园); for a person, by the zones they are 教研员 of;
* designs — lesson designs uploaded (at least one version) in exchanges starting that year,
  by the zone's kindergartens, the kindergarten, or the person as designing teacher;
* comments — comments written that year in exchanges (expert comments and replies), by the
  people of the zone's / kindergarten's staff, or the person;
* topics — the year's active topics (submitted or later, not rejected or withdrawn) hosted by
  the zone's / kindergarten's staff or the person.

The exchanges and topics domains are read through guarded imports of their tables: when a
domain is not installed its figures are 0 and a note says so. Every function runs a fixed
number of queries whatever the number of candidates.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections import defaultdict
from types import ModuleType
from typing import Any

from piccolo.query.functions.aggregate import Count

from lianyan import clock
from lianyan.evaluation import schemas as s
from lianyan.filings import services as filings
from lianyan.org.tables import Kindergarten, Person, Zone

NOTE_NO_EXCHANGES = "同研异构模块尚未启用：教学设计数和点评数暂记为 0。"
NOTE_NO_TOPICS = "课题模块尚未启用：主持课题数暂记为 0。"


def _optional(module: str) -> ModuleType | None:
    """A domain's module, or None when that domain is not installed."""
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name is not None and module.startswith(exc.name):
            return None
        raise


def _year_range(year: int) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime(year, 1, 1, tzinfo=clock.CITY_TZ)
    return start, dt.datetime(year + 1, 1, 1, tzinfo=clock.CITY_TZ)


def notes() -> list[str]:
    """What the figures cannot count on this installation."""
    found = []
    if _optional("lianyan.exchanges.tables") is None:
        found.append(NOTE_NO_EXCHANGES)
    if _optional("lianyan.topics.tables") is None:
        found.append(NOTE_NO_TOPICS)
    return found


async def _zone_kindergartens(zone_ids: list[int]) -> dict[int, int]:
    """kindergarten id → zone id for the kindergartens of ``zone_ids``."""
    if not zone_ids:
        return {}
    rows = await Kindergarten.select(Kindergarten.id, Kindergarten.zone).where(
        Kindergarten.zone.is_in(zone_ids)
    )
    return {r["id"]: r["zone"] for r in rows}


async def _staff(kindergarten_ids: list[int]) -> dict[int, int]:
    """person id → kindergarten id for the staff of ``kindergarten_ids``."""
    if not kindergarten_ids:
        return {}
    rows = await Person.select(Person.id, Person.kindergarten).where(
        Person.kindergarten.is_in(kindergarten_ids)
    )
    return {r["id"]: r["kindergarten"] for r in rows}


async def _designs_by_kindergarten_and_teacher(
    year: int, *, kindergarten_ids: list[int], teacher_ids: list[int]
) -> tuple[dict[int, int], dict[int, int]]:
    tables = _optional("lianyan.exchanges.tables")
    if tables is None or not (kindergarten_ids or teacher_ids):
        return {}, {}
    design = tables.Design
    start, end = _year_range(year)
    condition: Any = (
        (design.latest_version > 0)
        & (design.exchange.starts_at >= start)
        & (design.exchange.starts_at < end)
    )
    who: Any = None
    if kindergarten_ids:
        who = design.participant.kindergarten.is_in(kindergarten_ids)
    if teacher_ids:
        by_teacher = design.participant.teacher.is_in(teacher_ids)
        who = by_teacher if who is None else who | by_teacher
    rows = await design.select(
        design.participant.kindergarten.as_alias("kg"),
        design.participant.teacher.as_alias("teacher"),
    ).where(condition & who)
    by_kg: dict[int, int] = defaultdict(int)
    by_teacher_count: dict[int, int] = defaultdict(int)
    for r in rows:
        by_kg[r["kg"]] += 1
        by_teacher_count[r["teacher"]] += 1
    return by_kg, by_teacher_count


async def _comments_by_author(year: int, person_ids: list[int]) -> dict[int, int]:
    tables = _optional("lianyan.exchanges.tables")
    if tables is None or not person_ids:
        return {}
    comment = tables.Comment
    start, end = _year_range(year)
    rows = await comment.select(comment.author, Count(comment.id, alias="n")).where(
        comment.author.is_in(person_ids)
        & (comment.created_at >= start)
        & (comment.created_at < end)
    ).group_by(comment.author)
    return {r["author"]: r["n"] for r in rows}


async def _topics_by_host(year: int, person_ids: list[int]) -> dict[int, int]:
    tables = _optional("lianyan.topics.tables")
    rules = _optional("lianyan.topics.rules")
    if tables is None or rules is None or not person_ids:
        return {}
    topic = tables.Topic
    rows = await topic.select(topic.host, Count(topic.id, alias="n")).where(
        topic.host.is_in(person_ids)
        & (topic.year == year)
        & topic.status.is_in(sorted(rules.ACTIVE))
    ).group_by(topic.host)
    return {r["host"]: r["n"] for r in rows}


async def for_zones(year: int, zone_ids: list[int]) -> dict[int, s.Participation]:
    """Participation of each zone."""
    activities = await filings.activities_by_zone(year, zone_ids)
    kg_zone = await _zone_kindergartens(zone_ids)
    staff = await _staff(list(kg_zone))
    designs, _ = await _designs_by_kindergarten_and_teacher(
        year, kindergarten_ids=list(kg_zone), teacher_ids=[]
    )
    comments = await _comments_by_author(year, list(staff))
    hosted = await _topics_by_host(year, list(staff))
    totals: dict[int, list[int]] = {z: [0, 0, 0] for z in zone_ids}
    for kg, count in designs.items():
        totals[kg_zone[kg]][0] += count
    for person, kg in staff.items():
        totals[kg_zone[kg]][1] += comments.get(person, 0)
        totals[kg_zone[kg]][2] += hosted.get(person, 0)
    return {
        z: s.Participation(activities=activities.get(z, 0), designs=t[0], comments=t[1],
                           topics=t[2])
        for z, t in totals.items()
    }


async def for_kindergartens(year: int, kindergarten_ids: list[int]) -> dict[int, s.Participation]:
    """Participation of each kindergarten."""
    led = {
        r["id"]: r["lead_kindergarten_id"]
        for r in await Zone.select(Zone.id, Zone.lead_kindergarten_id).where(
            Zone.lead_kindergarten_id.is_in(kindergarten_ids or [0])
        )
    }
    zone_activities = await filings.activities_by_zone(year, list(led))
    staff = await _staff(kindergarten_ids)
    designs, _ = await _designs_by_kindergarten_and_teacher(
        year, kindergarten_ids=kindergarten_ids, teacher_ids=[]
    )
    comments = await _comments_by_author(year, list(staff))
    hosted = await _topics_by_host(year, list(staff))
    activities: dict[int, int] = defaultdict(int)
    for zone, kg in led.items():
        activities[kg] += zone_activities.get(zone, 0)
    totals: dict[int, list[int]] = {k: [0, 0] for k in kindergarten_ids}
    for person, kg in staff.items():
        totals[kg][0] += comments.get(person, 0)
        totals[kg][1] += hosted.get(person, 0)
    return {
        k: s.Participation(activities=activities.get(k, 0), designs=designs.get(k, 0),
                           comments=totals[k][0], topics=totals[k][1])
        for k in kindergarten_ids
    }


async def for_people(year: int, person_ids: list[int]) -> dict[int, s.Participation]:
    """Participation of each person."""
    officer_of = {
        r["id"]: r["officer_id"]
        for r in await Zone.select(Zone.id, Zone.officer_id).where(
            Zone.officer_id.is_in(person_ids or [0])
        )
    }
    zone_activities = await filings.activities_by_zone(year, list(officer_of))
    _, designs = await _designs_by_kindergarten_and_teacher(
        year, kindergarten_ids=[], teacher_ids=person_ids
    )
    comments = await _comments_by_author(year, person_ids)
    hosted = await _topics_by_host(year, person_ids)
    activities: dict[int, int] = defaultdict(int)
    for zone, person in officer_of.items():
        activities[person] += zone_activities.get(zone, 0)
    return {
        p: s.Participation(activities=activities.get(p, 0), designs=designs.get(p, 0),
                           comments=comments.get(p, 0), topics=hosted.get(p, 0))
        for p in person_ids
    }


async def for_candidates(year: int, kind: str, ids: list[int]) -> dict[int, s.Participation]:
    """Participation of candidates of one kind."""
    if kind == "zone":
        return await for_zones(year, ids)
    if kind == "kindergarten":
        return await for_kindergartens(year, ids)
    return await for_people(year, ids)
