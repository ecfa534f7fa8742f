"""Each figure of the year (``reports.figures``) against a count made here from the rows built.

The world holds what a wrong filter would count: filings in draft, waiting for the city and
returned; an activity never sent; exchanges after the summary's date and of another year; a
design never uploaded; teachers' replies; topics only submitted, rejected, withdrawn, in draft
or of another year; awards of an unpublished year. Every expected value is counted from the
rows as built, with the rule the figure promises, so a figure that forgets a filter fails.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any

import docx
import pytest

from lianyan import clock, labels
from lianyan.evaluation.tables import EvaluationAward, EvaluationYear
from lianyan.filings.tables import FiledActivity, FilingDirection, LeadershipMember
from lianyan.org.tables import Kindergarten
from lianyan.reports import services
from lianyan.reports.content import Context
from lianyan.reports.docx import ReportFonts
from lianyan.reports.figures import year_figures
from lianyan.reports.schemas import ReportParams
from tests.builders import exchanges, filings, topics
from tests.builders import org as f

YEAR = 2026
AS_OF = dt.date(2026, 6, 30)
FORMS = ("expert_led", "seminar", "expert_forum", "online", "exchange")
CONTEXT = Context(city_name="三门峡市", city_bureau="三门峡市教育局", today=AS_OF)


def at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(9, 0), tzinfo=clock.CITY_TZ)


@dataclass
class Rows:
    """What was built, row by row, as plain tuples the tests count over."""

    counties: dict[str, int] = field(default_factory=dict)
    filing_status: dict[int, str] = field(default_factory=dict)
    #: (county, form, is_large, filed, starts_on)
    activities: list[tuple[int, str, bool, bool, dt.date]] = field(default_factory=list)
    directions: list[int] = field(default_factory=list)
    #: (county, zone or None)
    kindergartens: list[tuple[int, int | None]] = field(default_factory=list)
    zones: list[int] = field(default_factory=list)
    roster: dict[int, list[str]] = field(default_factory=dict)
    #: (county, year, status)
    topics: list[tuple[int, int, str]] = field(default_factory=list)
    #: id -> (organising county or None, starts_at)
    exchanges: dict[int, tuple[int | None, dt.datetime]] = field(default_factory=dict)
    #: (exchange, county)
    participants: list[tuple[int, int]] = field(default_factory=list)
    #: (exchange, county, uploaded)
    designs: list[tuple[int, int, bool]] = field(default_factory=list)
    #: (exchange, design's county, role)
    comments: list[tuple[int, int, str]] = field(default_factory=list)
    #: (year, county)
    awards: list[tuple[int, int | None]] = field(default_factory=list)
    published: dict[int, dt.date | None] = field(default_factory=dict)


async def build() -> Rows:
    """Four counties: 灵宝 accepted, 卢氏 returned, 湖滨 submitted, 陕州 a draft."""
    w = Rows()
    now = clock.now()
    for key, code, name, status in (("lingbao", "411282", "灵宝市", "accepted"),
                                    ("lushi", "411224", "卢氏县", "returned"),
                                    ("hubin", "411202", "湖滨区", "submitted"),
                                    ("shanzhou", "411203", "陕州区", "draft")):
        county = await f.county(code, name)
        w.counties[key] = county
        w.filing_status[county] = status
        zone = await f.zone(county, f"{name}第一责任区")
        w.zones.append(county)
        for number, zoned in enumerate((True, True, False)):
            await f.kindergarten(county, zone_id=zone if zoned else None,
                                 name=f"{name}幼儿园{number}",
                                 locale="urban" if number == 0 else "rural")
            w.kindergartens.append((county, zone if zoned else None))
        filing = await filings.filing(
            county, year=YEAR, status=status, created_at=now, updated_at=now,
            first_submitted_at=None if status == "draft" else at(dt.date(2026, 2, 10)),
            last_submitted_at=None if status == "draft" else at(dt.date(2026, 2, 10)),
            accepted_at=at(dt.date(2026, 2, 12)) if status == "accepted" else None,
        )
        activities = []
        for i in range(5 + len(w.counties)):
            filed = status != "draft" and i != 3  # one activity added later, never sent
            starts = dt.date(2026, 1 + i % 12, 10)
            form, large = FORMS[i % 5], i % 3 == 0
            activities.append(FiledActivity(
                filing=filing, title=f"活动{i}", form=form, starts_on=starts, zone=zone,
                place="园内", participants=30, is_large=large,
                filed_at=at(dt.date(2026, 2, 10)) if filed else None, created_at=now))
            w.activities.append((county, form, large, filed, starts))
        await FiledActivity.insert(*activities)
        await FilingDirection.insert(*[FilingDirection(
            filing=filing, direction=f"方向{i}", problem="问题", expected_results="成果",
            created_at=now) for i in range(len(w.counties))])
        w.directions += [county] * len(w.counties)
        positions = ["leader", "deputy", "member"] if key == "lingbao" else ["member"]
        await LeadershipMember.insert(*[
            LeadershipMember(county=county, year=YEAR, position=p, name=f"成员{n}", unit="局",
                             title="", phone="", sort=n, updated_at=now)
            for n, p in enumerate(positions)])
        w.roster[county] = positions

    lingbao, lushi, hubin = w.counties["lingbao"], w.counties["lushi"], w.counties["hubin"]
    w.topics = [
        (lingbao, YEAR, "submitted"), (lingbao, YEAR, "approved"), (lingbao, YEAR, "opened"),
        (lingbao, YEAR, "midterm"), (lingbao, YEAR, "concluded"), (lingbao, YEAR, "rejected"),
        (lingbao, YEAR, "withdrawn"), (lingbao, YEAR, "draft"), (lingbao, YEAR - 1, "approved"),
        (lushi, YEAR, "submitted"), (hubin, YEAR, "approved"),
    ]
    for county, year, status in w.topics:
        await topics.topic(county, year=year, title=f"课题{status}", status=status, direction="",
                           created_at=now, updated_at=now)

    host = await f.user("host", None, county_id=lingbao)
    expert = await f.user("expert", "expert")
    kgs = {r["county"]: r["id"] for r in await Kindergarten.select(
        Kindergarten.id, Kindergarten.county).order_by(Kindergarten.id, ascending=False)}
    for organiser, day, members in (
        (lingbao, dt.date(2026, 3, 10), [(lingbao, True), (lushi, False)]),   # held
        (lingbao, dt.date(2026, 9, 1), [(lingbao, True), (hubin, True)]),     # after AS_OF
        (None, dt.date(2026, 5, 1), [(lingbao, True), (hubin, True)]),        # the city's
        (lingbao, dt.date(2025, 11, 1), [(lingbao, True)]),                   # last year
        (hubin, dt.date(2026, 6, 30), [(hubin, True), (lushi, True)]),        # on AS_OF
    ):
        exchange = await exchanges.exchange(
            title="交流", content="内容", starts_at=at(day), county=organiser, created_at=now
        )
        w.exchanges[exchange] = (organiser, at(day))
        for county, uploaded in members:
            participant = await exchanges.participant(
                exchange, kgs[county], county, host, created_at=now
            )
            w.participants.append((exchange, county))
            design = await exchanges.design(
                exchange, participant, title="设计", latest_version=1 if uploaded else 0,
                created_at=now, updated_at=now,
            )
            w.designs.append((exchange, county, uploaded))
            version = await exchanges.version(design, created_at=now)
            roles = ("expert", "expert", "teacher")
            for role in roles:
                await exchanges.comment(design, version, expert if role == "expert" else host,
                                        role=role, body="意见", created_at=now)
            w.comments += [(exchange, county, role) for role in roles]

    w.awards = [(YEAR, lingbao), (YEAR, lingbao), (YEAR, lushi), (YEAR - 1, hubin)]
    await EvaluationAward.insert(*[EvaluationAward(
        year=year, kind="person", candidate_id=number, candidate_name="某某", county=county,
        created_at=now) for number, (year, county) in enumerate(w.awards)])
    await EvaluationYear.insert(
        EvaluationYear(year=YEAR, published_at=at(dt.date(2026, 6, 1)), updated_at=now),
        EvaluationYear(year=YEAR - 1, published_at=None, updated_at=now))
    w.published = {YEAR: dt.date(2026, 6, 1), YEAR - 1: None}
    return w


def held(w: Rows, exchange: int) -> bool:
    """Started in YEAR, on or before AS_OF."""
    day = w.exchanges[exchange][1].astimezone(clock.CITY_TZ).date()
    return day.year == YEAR and day <= AS_OF


def accepted(w: Rows, county: int) -> bool:
    return w.filing_status[county] == "accepted"


# Each figure: how the test counts it from the rows, per county.
EXPECTED: dict[str, Any] = {
    "zones": lambda w, c: w.zones.count(c),
    "kindergartens": lambda w, c: sum(1 for k, _ in w.kindergartens if k == c),
    "covered": lambda w, c: sum(1 for k, z in w.kindergartens if k == c and z is not None),
    "roster_members": lambda w, c: len(w.roster.get(c, [])),
    "roster_complete": lambda w, c: sorted(w.roster.get(c, [])) == ["deputy", "leader", "member"],
    "activities": lambda w, c: sum(1 for k, _, _, filed, _ in w.activities
                                   if k == c and filed and accepted(w, c)),
    "large_activities": lambda w, c: sum(1 for k, _, large, filed, _ in w.activities
                                         if k == c and filed and large and accepted(w, c)),
    "activities_by_form": lambda w, c: tuple(
        (name, n) for code, name in labels.ACTIVITY_FORM.items()
        if (n := sum(1 for k, form, _, filed, _ in w.activities
                     if k == c and form == code and filed and accepted(w, c)))),
    "directions": lambda w, c: w.directions.count(c) if accepted(w, c) else 0,
    "topics_submitted": lambda w, c: sum(1 for k, y, s in w.topics
                                         if k == c and y == YEAR and s == "submitted"),
    "topics_approved": lambda w, c: sum(
        1 for k, y, s in w.topics
        if k == c and y == YEAR and s in ("approved", "opened", "midterm", "concluded")),
    "topics_under_way": lambda w, c: sum(
        1 for k, y, s in w.topics
        if k == c and y == YEAR and s in ("approved", "opened", "midterm")),
    "topics_concluded": lambda w, c: sum(1 for k, y, s in w.topics
                                         if k == c and y == YEAR and s == "concluded"),
    "exchanges_organised": lambda w, c: sum(1 for e, (k, _) in w.exchanges.items()
                                            if k == c and held(w, e)),
    "participations": lambda w, c: sum(1 for e, k in w.participants if k == c and held(w, e)),
    "designs": lambda w, c: sum(1 for e, k, up in w.designs if k == c and up and held(w, e)),
    "expert_comments": lambda w, c: sum(1 for e, k, role in w.comments
                                        if k == c and role == "expert" and held(w, e)),
    "awards": lambda w, c: sum(1 for y, k in w.awards if k == c and y == YEAR
                               and w.published[y] is not None and w.published[y] <= AS_OF),
}


@pytest.fixture
async def rows(clean_db: None) -> Rows:
    """The world of traps, on empty tables."""
    return await build()


@pytest.mark.parametrize("figure", sorted(EXPECTED))
async def test_year_figure_counts_only_accepted_or_held_records(rows: Rows, figure: str) -> None:
    expected = {c: EXPECTED[figure](rows, c) for c in rows.counties.values()}

    figures = await year_figures(YEAR, as_of=AS_OF)
    one = await year_figures(YEAR, as_of=AS_OF, county_ids=[rows.counties["lingbao"]])

    assert {r.county_id: getattr(r, figure) for r in figures.counties} == expected
    assert [getattr(r, figure) for r in one.counties] == [expected[rows.counties["lingbao"]]]


async def test_year_figures_city_exchanges_and_months_count_held_exchanges(rows: Rows) -> None:
    city = sum(1 for e, (k, _) in rows.exchanges.items() if k is None and held(rows, e))
    by_month = [sum(1 for e in rows.exchanges if held(rows, e)
                    and rows.exchanges[e][1].month == m) for m in range(1, 13)]
    activities = [sum(1 for k, _, _, filed, day in rows.activities
                      if filed and accepted(rows, k) and day.month == m) for m in range(1, 13)]

    figures = await year_figures(YEAR, as_of=AS_OF)

    assert figures.city_exchanges == city == 1
    assert figures.exchanges_organised == sum(by_month)
    assert figures.monthly.exchanges == by_month
    assert figures.monthly.activities == activities


async def test_annual_summary_prints_the_figures_of_the_figures_module(rows: Rows) -> None:
    await f.user("city", "city_admin")
    principal = await f.principal("city")
    lingbao = rows.counties["lingbao"]
    count = {name: EXPECTED[name](rows, lingbao) for name in EXPECTED}

    _, county_doc = await services.generate(
        principal, "annual_summary", ReportParams(county_id=lingbao, year=YEAR),
        context=CONTEXT, fonts=ReportFonts())
    _, city_doc = await services.generate(
        principal, "annual_summary", ReportParams(year=YEAR), context=CONTEXT,
        fonts=ReportFonts())

    text = "\n".join(p.text for p in docx.Document(io.BytesIO(county_doc)).paragraphs)
    assert (f"全年经市教育局备案的教研活动{count['activities']}项，其中大型专题活动"
            f"{count['large_activities']}项") in text
    assert f"提出教研方向建议{count['directions']}条" in text
    assert (f"立项课题{count['topics_approved']}项，其中在研{count['topics_under_way']}项、"
            f"已结题{count['topics_concluded']}项；另有{count['topics_submitted']}项已申报") in text
    assert (f"组织同研异构活动{count['exchanges_organised']}次，幼儿园参加交流"
            f"{count['participations']}园次，提交教学设计{count['designs']}份，专家点评"
            f"{count['expert_comments']}条") in text
    city = docx.Document(io.BytesIO(city_doc))
    total_row = [c.text for c in city.tables[-1].rows[-1].cells]
    all_counties = list(rows.counties.values())
    assert total_row[0] == "合计"
    assert total_row[3] == str(sum(EXPECTED["activities"](rows, c) for c in all_counties))
    assert total_row[6] == str(sum(EXPECTED["exchanges_organised"](rows, c) for c in all_counties))
    city_text = "\n".join(p.text for p in city.paragraphs)
    assert "（其中市级1次）" in city_text
    assert "尚无立项课题的县（市、区）：陕州区、卢氏县。" in city_text
