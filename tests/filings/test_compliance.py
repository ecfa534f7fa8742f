"""The city's compliance board: zero-topic counties first, sorting, lateness, xlsx export."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from lianyan import clock
from tests.filings import builders as b


async def _three_counties(client):
    lingbao = await b.county(client)
    lushi = await b.county(client, code="411224", name="卢氏县", username="lushi", uncovered=1)
    hubin = await b.county(client, code="411202", name="湖滨区", username="hubin")
    return lingbao, lushi, hubin


async def test_board_lists_zero_topic_counties_first_with_days_to_deadline(client):
    # Arrange: 灵宝市 has a topic and an accepted-late filing; 湖滨区 two topics; 卢氏县 none.
    lingbao, _lushi, hubin = await _three_counties(client)
    city = await b.city(client)
    with clock.pinned(b.shanghai(2026, 3, 2)):
        filing_id = await b.complete_filing(client, lingbao)
        await client.post(f"/api/v1/filings/{filing_id}/submit", headers=lingbao.officer)
    await b.active_topic(hubin.id)
    await b.active_topic(hubin.id)
    # Act
    with clock.pinned(b.shanghai(2026, 3, 10)):
        response = await client.get("/api/v1/compliance?year=2026", headers=city)
    # Assert
    assert response.status_code == 200, response.text
    board = response.json()
    assert [r["county_name"] for r in board["items"]] == ["卢氏县", "灵宝市", "湖滨区"]
    rows = {r["county_name"]: r for r in board["items"]}
    assert rows["卢氏县"]["active_topics"] == 0
    assert rows["卢氏县"]["filing_status"] is None and rows["卢氏县"]["overdue"] is True
    assert rows["卢氏县"]["coverage_percent"] == 75
    assert rows["灵宝市"]["filing_status"] == "submitted" and rows["灵宝市"]["late"] is True
    assert rows["灵宝市"]["roster_complete"] is True and rows["灵宝市"]["roster_members"] == 3
    assert rows["湖滨区"]["active_topics"] == 2 and rows["湖滨区"]["roster_complete"] is False
    assert board["days_to_deadline"] == -10 and board["due_on"] == "2026-02-28"


async def test_board_sorted_by_coverage_keeps_zero_topic_counties_on_top(client):
    lingbao, lushi, _hubin = await _three_counties(client)
    city = await b.city(client)
    await b.active_topic(lingbao.id)
    await b.active_topic(lushi.id)
    response = await client.get("/api/v1/compliance?year=2026&sort=coverage&order=asc",
                                headers=city)
    assert [r["county_name"] for r in response.json()["items"]] == ["湖滨区", "卢氏县", "灵宝市"]


async def test_board_is_for_the_city_only(client):
    lingbao, _, _ = await _three_counties(client)
    response = await client.get("/api/v1/compliance?year=2026", headers=lingbao.officer)
    assert response.status_code == 403


async def test_export_is_an_xlsx_with_the_rows_in_board_order(client):
    # Arrange
    lingbao, _lushi, _hubin = await _three_counties(client)
    city = await b.city(client)
    await b.active_topic(lingbao.id)
    # Act
    response = await client.get("/api/v1/compliance/export?year=2026", headers=city)
    # Assert
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert "filename*=UTF-8''2026" in response.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A1"].value == "2026 年各县（市、区）学前教育区域联盟教研合规情况"
    assert [c.value for c in sheet[2]][:3] == ["县（市、区）", "行政区划代码", "在研课题数"]
    names = [sheet.cell(row=r, column=1).value for r in range(3, sheet.max_row + 1)]
    assert names == ["湖滨区", "卢氏县", "灵宝市"]
    assert sheet.cell(row=5, column=3).value == 1
    assert sheet.cell(row=4, column=10).value == "75%"


async def test_export_is_written_when_a_stored_name_holds_control_characters(client):
    from lianyan.org.tables import County

    lingbao, _lushi, _hubin = await _three_counties(client)
    city = await b.city(client)
    await County.update({County.name: "灵宝\x07市"}).where(County.id == lingbao.id)
    response = await client.get("/api/v1/compliance/export?year=2026", headers=city)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert "灵宝市" in [row[0].value for row in sheet.iter_rows(min_row=3)]
