"""The year's figures of the teaching-research work, computed once for every report that shows them.

年度工作总结 (docx) and the year-end slides (pptx) read the same numbers from here, so a figure
cannot say one thing in the summary and another on a slide; the 统计 page
(``statistics/queries.py``, narrowed to zones and grouped by month in SQL) counts by the same
rules, and a test compares the two. Each figure
counts **accepted or held records only**, as a bureau reports them:

* activities and directions: those of a filing the city **accepted** (备案), and only the
  activities that reached the city (``filed_at`` set) — drafts, filings waiting for the city and
  returned filings count nothing;
* exchanges, participations, designs and expert comments: exchanges **held** by ``as_of`` (the
  report's date) — one scheduled for later in the year is not yet work done; an exchange counts
  once (次), a kindergarten taking part once per exchange (园次);
* topics: **立项** = approved, opened, in midterm or concluded; of those **在研** = not yet
  concluded; a topic only submitted (已申报) is counted apart and never as 在研;
* awards: those of a year whose list was **published** by ``as_of``.

Every query filters by county in SQL (``county_ids``), so a one-county summary reads one county's
rows whatever the size of the province, in a fixed number of grouped queries.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from piccolo.query.functions.aggregate import Count

from lianyan import clock, labels
from lianyan.evaluation.tables import EvaluationAward, EvaluationYear
from lianyan.exchanges.tables import Comment, Design, Exchange, Participant
from lianyan.filings.rules import composition_problems
from lianyan.filings.tables import FiledActivity, Filing, FilingDirection, LeadershipMember
from lianyan.org.tables import County, Kindergarten, Zone
from lianyan.topics.tables import Topic

#: Topic states counted as 立项 (the city approved the topic and it was not withdrawn).
APPROVED = frozenset({"approved", "opened", "midterm", "concluded"})
#: Of those, the ones still under way (在研).
UNDER_WAY = frozenset({"approved", "opened", "midterm"})


@dataclass(frozen=True)
class CountyFigures:
    """One county's figures of the year (or their sum, ``county_name`` "合计")."""

    county_id: int | None
    county_name: str
    zones: int = 0
    kindergartens: int = 0
    covered: int = 0
    roster_members: int = 0
    roster_complete: bool = False
    filing_status: str = ""
    activities: int = 0
    large_activities: int = 0
    #: (form's Chinese name, count), in the order of ``labels.ACTIVITY_FORM``, zeros left out.
    activities_by_form: tuple[tuple[str, int], ...] = ()
    directions: int = 0
    topics_submitted: int = 0
    topics_approved: int = 0
    topics_under_way: int = 0
    topics_concluded: int = 0
    exchanges_organised: int = 0
    participations: int = 0
    designs: int = 0
    expert_comments: int = 0
    awards: int = 0

    @property
    def coverage_percent(self) -> int:
        """Covered share of the kindergartens, rounded down (100 when there are none)."""
        return 100 if self.kindergartens == 0 else self.covered * 100 // self.kindergartens

    @property
    def has_topic(self) -> bool:
        """The county carries out at least one topic (立项) this year: the one-topic rule."""
        return self.topics_approved > 0


_SUMMED = ("zones", "kindergartens", "covered", "roster_members", "activities",
           "large_activities", "directions", "topics_submitted", "topics_approved",
           "topics_under_way", "topics_concluded", "exchanges_organised", "participations",
           "designs", "expert_comments", "awards")


@dataclass(frozen=True)
class Monthly:
    """The year month by month (index 0 = January), for charts."""

    activities: list[int] = field(default_factory=lambda: [0] * 12)
    exchanges: list[int] = field(default_factory=lambda: [0] * 12)
    designs: list[int] = field(default_factory=lambda: [0] * 12)
    expert_comments: list[int] = field(default_factory=lambda: [0] * 12)


@dataclass(frozen=True)
class YearFigures:
    """The figures of ``year`` as of ``as_of``: per county, city-wide exchanges, by month."""

    year: int
    as_of: dt.date
    counties: list[CountyFigures]
    #: Exchanges the city itself organised (no organising county), held by ``as_of``.
    city_exchanges: int
    monthly: Monthly

    @property
    def total(self) -> CountyFigures:
        """The sum over the counties (the 合计 row); city-wide exchanges are not in it."""
        forms: dict[str, int] = {}
        for row in self.counties:
            for name, n in row.activities_by_form:
                forms[name] = forms.get(name, 0) + n
        sums = {name: sum(getattr(row, name) for row in self.counties) for name in _SUMMED}
        return CountyFigures(
            county_id=None, county_name="合计",
            roster_complete=all(row.roster_complete for row in self.counties),
            activities_by_form=tuple((name, forms[name]) for name in labels.ACTIVITY_FORM.values()
                                     if forms.get(name)),
            **sums,
        )

    @property
    def exchanges_organised(self) -> int:
        """Every exchange held this year: the counties' and the city's."""
        return self.total.exchanges_organised + self.city_exchanges


def _range(year: int) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime(year, 1, 1, tzinfo=clock.CITY_TZ)
    return start, dt.datetime(year + 1, 1, 1, tzinfo=clock.CITY_TZ)


def held_until(year: int, as_of: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The moments an exchange of ``year`` held by the end of ``as_of`` starts between."""
    start, end = _range(year)
    day_after = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time(),
                                    tzinfo=clock.CITY_TZ)
    return start, min(end, day_after)


def _counter() -> defaultdict[Any, int]:
    return defaultdict(int)


async def year_figures(year: int, *, as_of: dt.date,
                       county_ids: list[int] | None = None) -> YearFigures:
    """Count the year's work per county (``None``: every county), accepted or held by ``as_of``.

    A fixed number of grouped queries, each filtered by county in SQL; reads only.
    """
    def scoped(query: Any, column: Any) -> Any:
        return query if county_ids is None else query.where(column.is_in(county_ids or [0]))

    counties = await scoped(
        County.select(County.id, County.name).order_by(County.code), County.id)
    zones = {r["county"]: r["n"] for r in await scoped(
        Zone.select(Zone.county, Count(Zone.id, alias="n")), Zone.county).group_by(Zone.county)}
    kindergartens, covered = _counter(), _counter()
    for r in await scoped(
        Kindergarten.select(Kindergarten.county, Count(Kindergarten.id, alias="n")),
        Kindergarten.county,
    ).group_by(Kindergarten.county):
        kindergartens[r["county"]] = r["n"]
    for r in await scoped(
        Kindergarten.select(Kindergarten.county, Count(Kindergarten.id, alias="n")).where(
            Kindergarten.zone.is_not_null()), Kindergarten.county,
    ).group_by(Kindergarten.county):
        covered[r["county"]] = r["n"]

    positions: defaultdict[int, list[str]] = defaultdict(list)
    for r in await scoped(
        LeadershipMember.select(LeadershipMember.county, LeadershipMember.position).where(
            LeadershipMember.year == year), LeadershipMember.county):
        positions[r["county"]].append(r["position"])

    filing_status = {r["county"]: r["status"] for r in await scoped(
        Filing.select(Filing.county, Filing.status).where(Filing.year == year), Filing.county)}

    accepted = (FiledActivity.filing.year == year) & (FiledActivity.filing.status == "accepted")
    forms: defaultdict[int, dict[str, int]] = defaultdict(dict)
    large = _counter()
    for r in await scoped(
        FiledActivity.select(
            FiledActivity.filing.county.as_alias("county_id"), FiledActivity.form,
            FiledActivity.is_large, Count(FiledActivity.id, alias="n"),
        ).where(accepted & FiledActivity.filed_at.is_not_null()), FiledActivity.filing.county,
    ).group_by(FiledActivity.filing.county, FiledActivity.form, FiledActivity.is_large):
        by_form = forms[r["county_id"]]
        by_form[r["form"]] = by_form.get(r["form"], 0) + r["n"]
        if r["is_large"]:
            large[r["county_id"]] += r["n"]
    directions = {r["county_id"]: r["n"] for r in await scoped(
        FilingDirection.select(FilingDirection.filing.county.as_alias("county_id"),
                               Count(FilingDirection.id, alias="n")).where(
            (FilingDirection.filing.year == year)
            & (FilingDirection.filing.status == "accepted")),
        FilingDirection.filing.county,
    ).group_by(FilingDirection.filing.county)}

    topics: defaultdict[int, dict[str, int]] = defaultdict(dict)
    for r in await scoped(
        Topic.select(Topic.county, Topic.status, Count(Topic.id, alias="n")).where(
            Topic.year == year), Topic.county,
    ).group_by(Topic.county, Topic.status):
        topics[r["county"]][r["status"]] = r["n"]

    start, end = held_until(year, as_of)
    monthly = Monthly()
    organised, city_exchanges = _counter(), 0
    exchange_month: dict[int, int] = {}
    exchange_rows = Exchange.select(Exchange.id, Exchange.county, Exchange.starts_at).where(
        (Exchange.starts_at >= start) & (Exchange.starts_at < end))
    if county_ids is not None:
        # A county's exchanges, and those its kindergartens took part in (for the months).
        exchange_rows = exchange_rows.where(
            Exchange.county.is_in(county_ids or [0])
            | Exchange.id.is_in(Participant.select(Participant.exchange).where(
                Participant.county.is_in(county_ids or [0]))))
    for r in await exchange_rows:
        month = r["starts_at"].astimezone(clock.CITY_TZ).month - 1
        exchange_month[r["id"]] = month
        if r["county"] is None:
            if county_ids is None:
                city_exchanges += 1
                monthly.exchanges[month] += 1
        elif county_ids is None or r["county"] in county_ids:
            organised[r["county"]] += 1
            monthly.exchanges[month] += 1

    held = (Participant.exchange.starts_at >= start) & (Participant.exchange.starts_at < end)
    participations = {r["county"]: r["n"] for r in await scoped(
        Participant.select(Participant.county, Count(Participant.id, alias="n")).where(held),
        Participant.county).group_by(Participant.county)}

    designs = _counter()
    for r in await scoped(
        Design.select(Design.participant.county.as_alias("county_id"),
                      Design.exchange.as_alias("exchange_id"), Count(Design.id, alias="n")).where(
            (Design.exchange.starts_at >= start) & (Design.exchange.starts_at < end)
            & (Design.latest_version > 0)), Design.participant.county,
    ).group_by(Design.participant.county, Design.exchange):
        designs[r["county_id"]] += r["n"]
        monthly.designs[exchange_month.get(r["exchange_id"], 0)] += r["n"]

    comments = _counter()
    for r in await scoped(
        Comment.select(Comment.design._.participant.county.as_alias("county_id"),
                       Comment.design.exchange.as_alias("exchange_id"),
                       Count(Comment.id, alias="n")).where(
            (Comment.design._.exchange.starts_at >= start) & (Comment.design._.exchange.starts_at < end)
            & (Comment.role == "expert")), Comment.design._.participant.county,
    ).group_by(Comment.design._.participant.county, Comment.design.exchange):
        comments[r["county_id"]] += r["n"]
        monthly.expert_comments[exchange_month.get(r["exchange_id"], 0)] += r["n"]

    for r in await scoped(
        FiledActivity.select(FiledActivity.starts_on, Count(FiledActivity.id, alias="n")).where(
            accepted & FiledActivity.filed_at.is_not_null()), FiledActivity.filing.county,
    ).group_by(FiledActivity.starts_on):
        if r["starts_on"].year == year:
            monthly.activities[r["starts_on"].month - 1] += r["n"]

    published = await EvaluationYear.select(EvaluationYear.published_at).where(
        EvaluationYear.year == year).first()
    awards: dict[int, int] = {}
    if published and published["published_at"] is not None and (
            published["published_at"].astimezone(clock.CITY_TZ).date() <= as_of):
        awards = {r["county"]: r["n"] for r in await scoped(
            EvaluationAward.select(EvaluationAward.county, Count(EvaluationAward.id, alias="n"))
            .where(EvaluationAward.year == year), EvaluationAward.county,
        ).group_by(EvaluationAward.county)}

    rows = []
    for c in counties:
        cid = c["id"]
        by_status = topics.get(cid, {})
        status = filing_status.get(cid)
        rows.append(CountyFigures(
            county_id=cid, county_name=c["name"], zones=zones.get(cid, 0),
            kindergartens=kindergartens[cid], covered=covered[cid],
            roster_members=len(positions.get(cid, [])),
            roster_complete=bool(positions.get(cid)) and not composition_problems(positions[cid]),
            filing_status=labels.FILING_STATUS.get(status, status) if status else "未建立",
            activities=sum(forms.get(cid, {}).values()), large_activities=large[cid],
            activities_by_form=tuple((name, forms[cid][code])
                                     for code, name in labels.ACTIVITY_FORM.items()
                                     if forms.get(cid, {}).get(code)),
            directions=directions.get(cid, 0),
            topics_submitted=by_status.get("submitted", 0),
            topics_approved=sum(n for s, n in by_status.items() if s in APPROVED),
            topics_under_way=sum(n for s, n in by_status.items() if s in UNDER_WAY),
            topics_concluded=by_status.get("concluded", 0),
            exchanges_organised=organised[cid], participations=participations.get(cid, 0),
            designs=designs[cid], expert_comments=comments[cid], awards=awards.get(cid, 0),
        ))
    return YearFigures(year=year, as_of=as_of, counties=rows, city_exchanges=city_exchanges,
                       monthly=monthly)
