"""Every list of the filings domain runs the same number of queries for 1 and for 50 rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any

from lianyan import clock, db
from lianyan.filings import activities, compliance, queries, themes
from lianyan.filings.tables import AnnualTheme, FiledActivity, Filing, FilingDirection
from tests.builders import org as f


async def _count(call: Callable[[], Awaitable[Any]]) -> tuple[int, Any]:
    with db.count_queries() as counter:
        result = await call()
    return counter[0], result


async def _city():
    await f.user("city", "city_admin")
    return await f.principal("city")


async def _filing(county_id: int, status: str = "accepted") -> int:
    now = clock.now()
    rows = await Filing.insert(Filing(county=county_id, year=2026, status=status,
                                      first_submitted_at=now, created_at=now, updated_at=now))
    return int(rows[0]["id"])


async def _activity(filing_id: int, zone_id: int, n: int, *, separately: bool = False) -> None:
    await FiledActivity.insert(
        FiledActivity(filing=filing_id, title=f"活动{n}", form="seminar",
                      starts_on=dt.date(2026, 5, 1), zone=zone_id, place="实验幼儿园",
                      participants=30, is_large=n % 2 == 0, filed_separately=separately,
                      filed_at=clock.now(), created_at=clock.now())
    )


async def test_filing_list_same_queries_for_1_and_50_filings(clean_db):
    actor = await _city()
    first = await f.county("420000", "县0")
    await _filing(first)
    one, page = await _count(lambda: queries.list_filings(actor, year=2026))
    assert page[1] == 1
    for i in range(1, 50):
        await _filing(await f.county(f"41{i:04d}", f"县{i}"))
    fifty, page = await _count(lambda: queries.list_filings(actor, year=2026))
    assert page[1] == 50 and len(page[0]) == 50
    assert one == fifty


async def test_activity_list_same_queries_for_1_and_50_activities(clean_db):
    actor = await _city()
    county_id = await f.county()
    zone_id = await f.zone(county_id)
    filing_id = await _filing(county_id)
    await _activity(filing_id, zone_id, 0)
    one, _ = await _count(lambda: activities.list_activities(actor, filing_id))
    for n in range(1, 50):
        await _activity(filing_id, zone_id, n)
    fifty, page = await _count(lambda: activities.list_activities(actor, filing_id))
    assert len(page[0]) == 50
    assert one == fifty


async def test_direction_list_same_queries_for_1_and_50_directions(clean_db):
    actor = await _city()
    filing_id = await _filing(await f.county())

    async def add(n: int) -> None:
        await FilingDirection.insert(
            FilingDirection(filing=filing_id, direction=f"方向{n}", problem="问题",
                            expected_results="成果", created_at=clock.now())
        )

    await add(0)
    one, _ = await _count(lambda: activities.list_directions(actor, filing_id))
    for n in range(1, 50):
        await add(n)
    fifty, page = await _count(lambda: activities.list_directions(actor, filing_id))
    assert page[1] == 50
    assert one == fifty


async def test_theme_list_same_queries_for_1_and_50_themes(clean_db):
    actor = await _city()
    for n in range(50):
        await AnnualTheme.insert(AnnualTheme(year=2026 if n else 2025, title=f"主题{n}",
                                             created_at=clock.now()))
    one, page = await _count(lambda: themes.list_themes(actor, year=2025))
    assert page[1] == 1
    fifty, page = await _count(lambda: themes.list_themes(actor, year=None))
    assert page[1] == 50
    assert one == fifty


async def test_individually_filed_list_same_queries_for_1_and_50(clean_db):
    actor = await _city()
    county_id = await f.county()
    zone_id = await f.zone(county_id)
    filing_id = await _filing(county_id)
    await _activity(filing_id, zone_id, 0, separately=True)
    one, _ = await _count(lambda: activities.separately_filed(actor, 2026))
    for n in range(1, 50):
        await _activity(filing_id, zone_id, n, separately=True)
    fifty, page = await _count(lambda: activities.separately_filed(actor, 2026))
    assert page[1] == 50
    assert one == fifty


async def test_compliance_board_same_queries_for_1_and_50_counties(clean_db):
    actor = await _city()
    first = await f.county("420000", "县0")
    await f.kindergarten(first, zone_id=await f.zone(first))
    await _filing(first, "submitted")
    one, board = await _count(lambda: compliance.board(actor, 2026))
    assert board.total == 1
    for i in range(1, 50):
        county_id = await f.county(f"41{i:04d}", f"县{i}")
        await f.kindergarten(county_id, zone_id=await f.zone(county_id))
        if i % 2:
            await _filing(county_id, "draft")
    fifty, board = await _count(lambda: compliance.board(actor, 2026))
    assert board.total == 50
    assert one == fifty


async def test_compliance_board_is_reused_until_anything_is_committed(clean_db):
    actor = await _city()
    county_id = await f.county("420000", "县0")
    filing_id = await _filing(county_id, "draft")
    first = await compliance.board(actor, 2026)
    again, board = await _count(lambda: compliance.board(actor, 2026))
    assert board.items[0].filing_status == first.items[0].filing_status == "draft"
    if db.is_sqlite():  # PostgreSQL asks its snapshot (one query), which other work moves
        assert again == 0
    await Filing.update({Filing.status: "submitted"}).where(Filing.id == filing_id)
    rebuilt, board = await _count(lambda: compliance.board(actor, 2026))
    assert board.items[0].filing_status == "submitted"
    assert rebuilt > 1
