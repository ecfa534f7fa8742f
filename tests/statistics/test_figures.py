"""The statistics' numbers for a small built world: only what was filed or held, in the city's
months, within the caller's scope, in a number of queries that does not grow with the data."""

from __future__ import annotations

from lianyan import clock, db
from lianyan.reports.figures import year_figures
from lianyan.statistics import services
from tests.builders import exchanges, filings
from tests.builders import org as f
from tests.statistics.world import NOW, YEAR, activity, build, city_time

CITY = "三门峡市"


def month_list(**months: int) -> list[int]:
    """Twelve months with the given ones set (``m3=1``)."""
    values = [0] * 12
    for key, n in months.items():
        values[int(key[1:]) - 1] = n
    return values


async def test_city_counts_only_filed_and_held_work_in_city_months(clean_db):
    # Arrange
    await build()
    actor = await f.principal("city")

    # Act
    with clock.pinned(NOW):
        stats = await services.statistics(actor, year=YEAR, city_name=CITY)

    # Assert: drafts, unheld and last year's exchanges, replies, draft topics count nothing
    totals = stats.totals
    assert (totals.activities, totals.exchanges, totals.designs, totals.comments,
            totals.topics, totals.pairings) == (2, 1, 2, 2, 2, 1)
    months = {name: [getattr(m, name) for m in stats.months]
              for name in ("activities", "exchanges", "designs", "comments", "topics", "pairings")}
    assert months["activities"] == month_list(m3=1, m5=1)
    # 1 April 00:30 in Sanmenxia (31 March in UTC) is April; so are the rest, in city time
    assert months["exchanges"] == month_list(m4=1)
    assert months["pairings"] == month_list(m4=1)
    assert months["designs"] == month_list(m4=2)
    assert months["comments"] == month_list(m4=2)
    assert months["topics"] == month_list(m2=1, m3=1)
    by_county = {c.county_name: c for c in stats.counties}
    assert [c.county_name for c in stats.counties] == ["卢氏县", "灵宝市"]  # by county code
    lingbao, lushi = by_county["灵宝市"], by_county["卢氏县"]
    assert (lingbao.activities, lingbao.exchanges, lingbao.designs, lingbao.comments,
            lingbao.topics, lingbao.pairings) == (2, 1, 2, 2, 1, 1)
    # the exchange counts for both counties taking part, once in the total
    assert (lushi.activities, lushi.exchanges, lushi.designs, lushi.comments,
            lushi.topics, lushi.pairings) == (0, 1, 0, 0, 1, 1)
    assert stats.scope_name == CITY
    assert (stats.by, stats.zones) == ("county", [])


async def test_not_participating_lists_rural_first_with_county_zone_and_locale(clean_db):
    await build()
    actor = await f.principal("city")

    with clock.pinned(NOW):
        stats = await services.statistics(actor, year=YEAR, city_name=CITY)

    idle = stats.not_participating
    # 灵宝镇区园 is only in an exchange not yet held; 灵宝乡村未参与园 only in last year's
    assert [(k.name, k.locale_name, k.county_name, k.zone_name) for k in idle.items] == [
        ("卢氏乡村未参与园", "乡村", "卢氏县", "城关区"),
        ("灵宝乡村未参与园", "乡村", "灵宝市", "二区"),
        ("卢氏镇区未参与园", "镇区", "卢氏县", "城关区"),
        ("灵宝镇区园", "镇区", "灵宝市", "二区"),
        ("卢氏城区未参与园", "城区", "卢氏县", "城关区"),
    ]
    assert (idle.total, idle.rural) == (5, 2)
    assert {c.county_name: (c.idle_kindergartens, c.idle_rural) for c in stats.counties} == {
        "灵宝市": (2, 1), "卢氏县": (3, 1)}


async def test_county_officer_sees_only_their_county(clean_db):
    await build()
    actor = await f.principal("lingbao")

    with clock.pinned(NOW):
        stats = await services.statistics(actor, year=YEAR, city_name=CITY)

    assert stats.scope_name == "灵宝市"
    assert [c.county_name for c in stats.counties] == ["灵宝市"]
    totals = stats.totals
    assert (totals.activities, totals.exchanges, totals.designs, totals.comments,
            totals.topics, totals.pairings) == (2, 1, 2, 2, 1, 1)
    assert [k.name for k in stats.not_participating.items] == ["灵宝乡村未参与园", "灵宝镇区园"]
    # one county: the charts compare its zones
    assert stats.by == "zone"
    assert [(z.zone_name, z.activities, z.exchanges, z.designs, z.comments, z.topics,
             z.pairings, z.idle_kindergartens, z.idle_rural) for z in stats.zones] == [
        ("一区", 1, 1, 2, 2, 1, 1, 0, 0),
        ("二区", 1, 0, 0, 0, 0, 0, 2, 1),
    ]
    first = services.charts(stats)[0]
    assert (first.category_name, first.categories) == ("责任区", ("一区", "二区"))


async def test_zone_officer_sees_their_zone_and_the_city_may_narrow_to_it(clean_db):
    world = await build()
    zone_officer, city = await f.principal("zone1"), await f.principal("city")

    with clock.pinned(NOW):
        own = await services.statistics(zone_officer, year=YEAR, city_name=CITY)
        narrowed = await services.statistics(city, year=YEAR, zone_id=world.zone_one,
                                             city_name=CITY)

    for stats in (own, narrowed):
        assert stats.scope_name == "灵宝市一区"
        totals = stats.totals
        # 一区: the March activity, the exchange of its two kindergartens, their designs and
        # comments, the topic hosted by 灵宝城区园, the urban–rural group
        assert (totals.activities, totals.exchanges, totals.designs, totals.comments,
                totals.topics, totals.pairings) == (1, 1, 2, 2, 1, 1)
        assert stats.not_participating.total == 0


async def test_queries_do_not_grow_with_the_data(clean_db):
    world = await build()
    actor = await f.principal("city")

    async def queries() -> int:
        with clock.pinned(NOW), db.count_queries() as counter:
            await services.statistics(actor, year=YEAR, city_name=CITY)
        return counter[0]

    before = await queries()
    # Arrange more of everything: counties, kindergartens, filed activities, exchanges
    for i in range(5):
        county = await f.county(f"4199{i:02d}", f"新县{i}")
        zone = await f.zone(county, "新区")
        kg = await f.kindergarten(county, zone_id=zone, name=f"新园{i}", locale="rural")
        teacher = await f.user(f"t{i}", "teacher", kindergarten_id=kg)
        held = await exchanges.exchange(starts_at=city_time(5, 1 + i), county=county)
        await exchanges.participant(held, kg, county, teacher)
        filing = await filings.filing(county, year=YEAR, status="accepted")
        await activity(filing, zone, city_time(7, 1).date(), filed_at=city_time(2, 1))
    after = await queries()

    assert world.lingbao and before == after


async def test_city_totals_agree_with_the_year_end_summary_figures(clean_db):
    """The page and the 年度工作总结 (reports.figures) count the same records."""
    await build()
    actor = await f.principal("city")

    with clock.pinned(NOW):
        stats = await services.statistics(actor, year=YEAR, city_name=CITY)
    summary = await year_figures(YEAR, as_of=NOW.date())

    assert stats.totals.activities == summary.total.activities
    assert stats.totals.exchanges == summary.exchanges_organised
    assert stats.totals.designs == summary.total.designs
    assert stats.totals.comments == summary.total.expert_comments
    assert [m.activities for m in stats.months] == summary.monthly.activities
    assert [m.exchanges for m in stats.months] == summary.monthly.exchanges
    assert [m.designs for m in stats.months] == summary.monthly.designs
    assert [m.comments for m in stats.months] == summary.monthly.expert_comments
