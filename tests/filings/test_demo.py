"""The demo city's filings: themes, rosters and filings in three states."""

from __future__ import annotations

from lianyan import clock, demo
from lianyan.filings import compliance, leadership, lifecycle, queries
from tests.builders import org as f


async def test_demo_has_a_draft_a_submitted_and_an_accepted_filing(clean_db):
    # Arrange
    await demo.load()
    city = await f.principal("city")
    lingbao = await f.principal("lingbao")
    year = clock.today().year
    # Act
    filings, _ = await queries.list_filings(city, year=year)
    board = await compliance.board(city, year)
    published, _ = await queries.list_filings(lingbao, year=year)
    # Assert
    states = {f_.county_name: (f_.status, f_.late) for f_ in filings}
    assert states == {"义马市": ("accepted", False), "渑池县": ("submitted", True),
                      "灵宝市": ("draft", False)}
    assert {f_.county_name for f_ in published} == {"义马市", "灵宝市"}
    rosters = {r.county_name: r.roster_complete for r in board.items}
    assert rosters["卢氏县"] is False and sum(rosters.values()) == 5
    draft = next(f_ for f_ in filings if f_.county_name == "灵宝市")
    checklist = await lifecycle.checklist(lingbao, draft.id)
    items = {i.key: i.done for i in checklist.items}
    assert items["roster"] and items["activities"] and items["directions"]
    assert not items["plan_document"]
    roster = await leadership.get_roster(lingbao, draft.county_id, year)
    assert [m.position for m in roster.members] == ["leader", "deputy", "member", "member"]
