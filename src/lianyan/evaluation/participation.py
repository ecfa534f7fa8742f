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

Other domains' figures are asked of their owners (``filings.queries``, ``exchanges.figures``,
``topics.figures``); this module reads only org's tables. Every function runs a fixed number of
queries whatever the number of candidates.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from lianyan import clock
from lianyan.evaluation import schemas as s
from lianyan.exchanges import figures as exchanges
from lianyan.filings import queries as filings
from lianyan.org.tables import Kindergarten, Person, Zone
from lianyan.topics import figures as topics


def _year_range(year: int) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime(year, 1, 1, tzinfo=clock.CITY_TZ)
    return start, dt.datetime(year + 1, 1, 1, tzinfo=clock.CITY_TZ)


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


async def for_zones(year: int, zone_ids: list[int]) -> dict[int, s.Participation]:
    """Participation of each zone."""
    activities = await filings.activities_by_zone(year, zone_ids)
    kg_zone = await _zone_kindergartens(zone_ids)
    staff = await _staff(list(kg_zone))
    designs, _ = await exchanges.designs_by_kindergarten_and_teacher(
        *_year_range(year), kindergarten_ids=list(kg_zone), teacher_ids=[]
    )
    comments = await exchanges.comments_by_author(*_year_range(year), list(staff))
    hosted = await topics.active_topics_by_host(year, list(staff))
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
    designs, _ = await exchanges.designs_by_kindergarten_and_teacher(
        *_year_range(year), kindergarten_ids=kindergarten_ids, teacher_ids=[]
    )
    comments = await exchanges.comments_by_author(*_year_range(year), list(staff))
    hosted = await topics.active_topics_by_host(year, list(staff))
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
    _, designs = await exchanges.designs_by_kindergarten_and_teacher(
        *_year_range(year), kindergarten_ids=[], teacher_ids=person_ids
    )
    comments = await exchanges.comments_by_author(*_year_range(year), person_ids)
    hosted = await topics.active_topics_by_host(year, person_ids)
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
