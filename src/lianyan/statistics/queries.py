"""The year's figures in a fixed number of grouped SQL queries, whatever the data size.

Reads the tables of filings, exchanges and topics (allowed for this module: docs/architecture.md,
"Reading another domain's tables"). Every query filters by the scope's counties or zones in SQL
and groups by unit (county, or zone within one county) and month, so a province answers in
nine queries returning at most units × 12 rows each. Months are the city's calendar months (Asia/Shanghai): a ``CASE`` over
the month boundaries computed in city time, the same SQL on SQLite (UTC text) and PostgreSQL.

What each figure counts (docs/statistics.md) — the rules of ``reports.figures``, so the page,
the year-end summary and the slides agree:

* activities: filed activities (备案活动) of a filing the city **accepted**, that reached the city
  (``filed_at`` set), by the month they start; drafts, filings waiting or returned count nothing;
* exchanges: 同研异构 exchanges **held** (started by now) in the year, once per exchange; per
  county, the exchanges its kindergartens took part in (one exchange counts for each county);
* designs: lesson designs with at least one upload, in exchanges held this year, by the
  exchange's month;
* comments: experts' comments (点评; teachers' replies are not counted) on the designs of
  exchanges held this year, by the exchange's month;
* topics: topics first submitted (提交申报) in the year, by that month, except those back in
  draft or withdrawn;
* pairings: groups of held exchanges mixing a 城区 kindergarten with a 镇区 or 乡村 one (城乡结对).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from piccolo.querystring import QueryString

from lianyan import clock, db

METRICS = ("activities", "exchanges", "designs", "comments", "topics", "pairings")

#: How long figures are reused while no commit changes them (seconds).
REUSE_SECONDS = 60

#: Order of the not-participating list: rural first, then town, then urban.
LOCALE_RANK = {"rural": 0, "town": 1, "urban": 2}


@dataclass
class Counts:
    """One metric: per unit (county, or zone within one county), per month (1–12), and the
    total over the scope."""

    by_unit: defaultdict[int, int] = field(default_factory=lambda: defaultdict(int))
    by_month: list[int] = field(default_factory=lambda: [0] * 12)

    @property
    def total(self) -> int:
        """Sum of the months (a distinct count where one record touches several counties)."""
        return sum(self.by_month)


@dataclass
class Figures:
    """Everything the statistics page shows, for one year and one scope."""

    year: int
    #: The counties of the scope (``id``, ``name``), by code.
    counties: list[dict[str, Any]]
    #: What the figures are broken down by: ``county``, or ``zone`` when the scope is one
    #: county (or zones of one county): a county officer sees their zones side by side.
    by: str
    #: The units of the breakdown (``id``, ``name``): the counties, or the county's zones.
    units: list[dict[str, Any]]
    metrics: dict[str, Counts]
    #: unit id → {locale: kindergartens without any exchange held this year}.
    idle_by_unit: dict[int, dict[str, int]]
    #: locale → those kindergartens in the whole scope (a zone breakdown leaves out the ones
    #: not yet in a zone).
    idle_total: dict[str, int]


class _Sql:
    """A statement built from parts, its parameters kept in order (``{}`` placeholders)."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.args: list[Any] = []

    def add(self, text: str, *args: Any) -> _Sql:
        self.parts.append(text)
        self.args.extend(args)
        return self

    def within(self, column: str, ids: list[int] | None) -> _Sql:
        """``AND column IN (...)`` when ``ids`` narrows (an empty list matches nothing)."""
        if ids is None:
            return self
        ids = ids or [0]
        return self.add(f" AND {column} IN ({', '.join('{}' for _ in ids)})", *ids)

    async def run(self) -> list[dict[str, Any]]:
        return await db.engine().run_querystring(QueryString("".join(self.parts), *self.args))  # type: ignore[no-any-return]


def year_bounds(year: int) -> list[dt.datetime]:
    """The 13 moments starting each city month of ``year`` and the next year."""
    return [dt.datetime(year + (m == 12), m % 12 + 1, 1, tzinfo=clock.CITY_TZ)
            for m in range(13)]


def held_end(year: int, now: dt.datetime) -> dt.datetime:
    """Exchanges of ``year`` held by ``now`` start before this moment."""
    return min(year_bounds(year)[12], now)


def _month(sql: _Sql, column: str, bounds: list[Any]) -> _Sql:
    """Append ``CASE`` giving the month (1–12) of ``column`` within ``bounds``."""
    sql.add("CASE")
    for month in range(1, 12):
        sql.add(f" WHEN {column} < {{}} THEN {month}", bounds[month])
    return sql.add(" ELSE 12 END")


def _fill(counts: Counts, rows: list[dict[str, Any]], *, months: bool = True) -> None:
    for r in rows:
        if r.get("unit_id") is not None:
            counts.by_unit[r["unit_id"]] += int(r["n"])
        if months:
            counts.by_month[int(r["month"]) - 1] += int(r["n"])


async def figures(year: int, *, county_ids: list[int] | None, zone_ids: list[int] | None,
                  now: dt.datetime) -> Figures:
    """Count the year's work in the scope (``None``: no narrowing at that level).

    Kept under ``db.reused`` while nothing is committed, for at most a minute (an exchange
    becomes held as time passes without any commit).
    """
    key = ("statistics", year, _key(county_ids), _key(zone_ids),
           now.replace(second=0, microsecond=0))
    return await db.reused(key, lambda: _figures(year, county_ids=county_ids,
                                                 zone_ids=zone_ids, now=now), seconds=REUSE_SECONDS)


def _key(ids: list[int] | None) -> tuple[int, ...] | None:
    return None if ids is None else tuple(sorted(ids))


async def _figures(year: int, *, county_ids: list[int] | None, zone_ids: list[int] | None,
                   now: dt.datetime) -> Figures:
    moments = year_bounds(year)
    days = [m.date() for m in moments]
    start, end, held = moments[0], moments[12], held_end(year, now)
    metrics = {name: Counts() for name in METRICS}

    by_zone = county_ids is not None and len(county_ids) == 1
    counties = _Sql().add('SELECT c."id", c."name" FROM "county" c WHERE 1 = 1')
    counties.within('c."id"', county_ids).add(' ORDER BY c."code"')
    zones = _Sql().add('SELECT z."id", z."name" FROM "zone" z WHERE 1 = 1')
    zones.within('z."county"', county_ids).within('z."id"', zone_ids).add(' ORDER BY z."id"')

    # The unit of each row: the county, or the zone (of the activity, of the participant's
    # or the topic's host kindergarten).
    activity_unit = 'a."zone"' if by_zone else 'f."county"'
    participant_unit = 'k."zone"' if by_zone else 'p."county"'
    topic_unit = 'k."zone"' if by_zone else 't."county"'
    kindergarten_unit = 'k."zone"' if by_zone else 'k."county"'

    activities = _Sql().add(f"SELECT {activity_unit} AS unit_id, ")
    _month(activities, 'a."starts_on"', days).add(
        ' AS month, COUNT(*) AS n FROM "filed_activity" a JOIN "filing" f ON f."id" = a."filing"'
        " WHERE f.\"status\" = 'accepted' AND a.\"filed_at\" IS NOT NULL"
        ' AND f."year" = {} AND a."starts_on" >= {} AND a."starts_on" < {}',
        year, days[0], days[12])
    activities.within('f."county"', county_ids).within('a."zone"', zone_ids).add(" GROUP BY 1, 2")

    # Participants of the scope: their county as paired, their kindergarten's zone now.
    def participant_scope(sql: _Sql) -> _Sql:
        return sql.within('p."county"', county_ids).within('k."zone"', zone_ids)

    # The kindergarten is joined only to narrow or break down by zone.
    kg_join = ('' if zone_ids is None and not by_zone
               else ' JOIN "kindergarten" k ON k."id" = p."kindergarten"')
    locale_join = ' JOIN "kindergarten" k ON k."id" = p."kindergarten"'

    exchanges = _Sql().add(f"SELECT {participant_unit} AS unit_id, ")
    _month(exchanges, 'e."starts_at"', moments).add(
        ' AS month, COUNT(DISTINCT e."id") AS n FROM "exchange" e'
        ' JOIN "participant" p ON p."exchange" = e."id"' + kg_join
        + ' WHERE e."starts_at" >= {} AND e."starts_at" < {}', start, held)
    participant_scope(exchanges).add(" GROUP BY 1, 2")

    exchange_months = _Sql().add("SELECT ")
    _month(exchange_months, 'e."starts_at"', moments).add(
        ' AS month, COUNT(*) AS n FROM "exchange" e'
        ' WHERE e."starts_at" >= {} AND e."starts_at" < {}', start, held)
    if county_ids is not None or zone_ids is not None:
        exchange_months.add(' AND e."id" IN (SELECT p."exchange" FROM "participant" p'
                            + kg_join + " WHERE 1 = 1")
        participant_scope(exchange_months).add(")")
    exchange_months.add(" GROUP BY 1")

    designs = _Sql().add(f"SELECT {participant_unit} AS unit_id, ")
    _month(designs, 'e."starts_at"', moments).add(
        ' AS month, COUNT(*) AS n FROM "design" d JOIN "participant" p ON p."id" = d."participant"'
        ' JOIN "exchange" e ON e."id" = d."exchange"' + kg_join
        + ' WHERE d."latest_version" > 0 AND e."starts_at" >= {} AND e."starts_at" < {}',
        start, held)
    participant_scope(designs).add(" GROUP BY 1, 2")

    # Unnarrowed, every comment is read anyway: counting them per design first joins 50,000
    # designs instead of 500,000 comments (half the time at province scale); narrowed, the
    # scope's designs lead and their comments are found by index.
    if county_ids is None and zone_ids is None:
        expert = ('(SELECT "design", COUNT(*) AS n FROM "comment" WHERE "role" = \'expert\''
                  ' GROUP BY "design") m', "SUM(m.n)", "1 = 1")
    else:
        expert = ('"comment" m', "COUNT(*)", "m.\"role\" = 'expert'")
    comments = _Sql().add(f"SELECT {participant_unit} AS unit_id, ")
    _month(comments, 'e."starts_at"', moments).add(
        f" AS month, {expert[1]} AS n FROM {expert[0]} JOIN \"design\" d ON d.\"id\" = m.\"design\""
        ' JOIN "participant" p ON p."id" = d."participant"'
        ' JOIN "exchange" e ON e."id" = d."exchange"' + kg_join
        + f" WHERE {expert[2]}" + ' AND e."starts_at" >= {} AND e."starts_at" < {}',
        start, held)
    participant_scope(comments).add(" GROUP BY 1, 2")

    topics = _Sql().add(f"SELECT {topic_unit} AS unit_id, ")
    _month(topics, 's."first_at"', moments).add(
        ' AS month, COUNT(*) AS n FROM "topic" t'
        ' JOIN (SELECT "topic", MIN("at") AS first_at FROM "topic_event"'
        " WHERE \"action\" = 'submit' GROUP BY \"topic\") s ON s.\"topic\" = t.\"id\""
        ' LEFT JOIN "kindergarten" k ON k."id" = t."kindergarten"'
        " WHERE t.\"status\" NOT IN ('draft', 'withdrawn')"
        ' AND s."first_at" >= {} AND s."first_at" < {}', start, end)
    topics.within('t."county"', county_ids).within('k."zone"', zone_ids).add(" GROUP BY 1, 2")

    # A group is a pairing when it mixes 城区 with 镇区/乡村 (domain.md §4, exchanges/pairing.py).
    mixed = (
        'WITH mixed AS (SELECT p."group" AS group_id, MIN(e."starts_at") AS starts_at'
        ' FROM "participant" p JOIN "exchange" e ON e."id" = p."exchange"' + locale_join
        + ' WHERE p."group" IS NOT NULL AND e."starts_at" >= {} AND e."starts_at" < {}'
        ' GROUP BY p."group"'
        " HAVING SUM(CASE WHEN k.\"locale\" = 'urban' THEN 1 ELSE 0 END) > 0"
        " AND SUM(CASE WHEN k.\"locale\" <> 'urban' THEN 1 ELSE 0 END) > 0) "
    )
    # One statement, so the mixed groups are found once: per unit (``part`` 0) and, since
    # a group may hold two units, per month over the scope (``part`` 1).
    pairings = _Sql().add(mixed, start, held).add(f"SELECT 0 AS part, {participant_unit} AS unit_id, ")
    _month(pairings, 'x."starts_at"', moments).add(
        ' AS month, COUNT(DISTINCT x."group_id") AS n FROM mixed x'
        ' JOIN "participant" p ON p."group" = x."group_id"' + kg_join + " WHERE 1 = 1")
    participant_scope(pairings).add(" GROUP BY 2, 3 UNION ALL SELECT 1, NULL, ")
    _month(pairings, 'x."starts_at"', moments).add(" AS month, COUNT(*) AS n FROM mixed x")
    if county_ids is not None or zone_ids is not None:
        pairings.add(' WHERE x."group_id" IN (SELECT p."group" FROM "participant" p'
                     + kg_join + ' WHERE p."group" IS NOT NULL')
        participant_scope(pairings).add(")")
    pairings.add(" GROUP BY 3")

    idle = _Sql().add(f'SELECT {kindergarten_unit} AS unit_id, k."locale" AS locale,'
                      ' COUNT(*) AS n FROM "kindergarten" k WHERE ')
    _not_in_exchange(idle, start, held)
    idle.within('k."county"', county_ids).within('k."zone"', zone_ids).add(" GROUP BY 1, 2")

    county_rows = await counties.run()
    units = await zones.run() if by_zone else county_rows
    _fill(metrics["activities"], await activities.run())
    _fill(metrics["exchanges"], await exchanges.run(), months=False)
    _fill(metrics["exchanges"], await exchange_months.run())
    _fill(metrics["designs"], await designs.run())
    _fill(metrics["comments"], await comments.run())
    _fill(metrics["topics"], await topics.run())
    paired = await pairings.run()
    _fill(metrics["pairings"], [r for r in paired if r["part"] == 0], months=False)
    _fill(metrics["pairings"], [r for r in paired if r["part"] == 1])
    idle_by_unit: dict[int, dict[str, int]] = defaultdict(dict)
    idle_total: dict[str, int] = defaultdict(int)
    for r in await idle.run():
        idle_total[r["locale"]] += int(r["n"])
        if r["unit_id"] is not None:
            idle_by_unit[r["unit_id"]][r["locale"]] = int(r["n"])
    return Figures(year=year, counties=county_rows, by="zone" if by_zone else "county",
                   units=units, metrics=metrics, idle_by_unit=dict(idle_by_unit),
                   idle_total=dict(idle_total))


def _not_in_exchange(sql: _Sql, start: dt.datetime, held: dt.datetime) -> _Sql:
    """Kindergarten ``k`` has no participation in an exchange held in [start, held).

    ``NOT IN`` a set read once (a hashed subplan on PostgreSQL, an index on SQLite) rather than
    ``NOT EXISTS`` probed per kindergarten: half the time at province scale on both engines.
    ``participant.kindergarten`` is never null, so ``NOT IN`` means what it says.
    """
    return sql.add('k."id" NOT IN (SELECT p."kindergarten" FROM "participant" p'
                   ' JOIN "exchange" e ON e."id" = p."exchange"'
                   ' WHERE e."starts_at" >= {} AND e."starts_at" < {})', start, held)


async def idle_kindergartens(year: int, *, county_ids: list[int] | None,
                             zone_ids: list[int] | None, now: dt.datetime,
                             limit: int | None, offset: int = 0) -> list[dict[str, Any]]:
    """Kindergartens of the scope with no participation in an exchange held this year:
    乡村 first, then 镇区, then 城区; within each by county code, zone and name."""
    start, held = year_bounds(year)[0], held_end(year, now)
    sql = _Sql().add(
        'SELECT k."id", k."name", k."locale", k."county" AS county_id, c."name" AS county_name,'
        ' k."zone" AS zone_id, z."name" AS zone_name FROM "kindergarten" k'
        ' JOIN "county" c ON c."id" = k."county" LEFT JOIN "zone" z ON z."id" = k."zone" WHERE ')
    _not_in_exchange(sql, start, held)
    sql.within('k."county"', county_ids).within('k."zone"', zone_ids)
    sql.add(" ORDER BY CASE k.\"locale\" WHEN 'rural' THEN 0 WHEN 'town' THEN 1 ELSE 2 END,"
            ' c."code", z."name", k."name", k."id"')
    if limit is not None:
        sql.add(" LIMIT {} OFFSET {}", limit, offset)
    return await sql.run()
