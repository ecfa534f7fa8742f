"""Who reads a filing: published plans for every county, everything else for its own county
and the city only (404 elsewhere)."""

from __future__ import annotations

from tests.builders import org as f
from tests.filings import builders as b


async def _two_counties(client):
    lingbao = await b.county(client)
    lushi = await b.county(client, code="411224", name="卢氏县", username="lushi")
    return lingbao, lushi


async def test_another_county_cannot_read_a_draft_filing_or_its_parts(client):
    # Arrange
    lingbao, lushi = await _two_counties(client)
    filing_id = await b.complete_filing(client, lingbao)
    # Act
    responses = [
        await client.get(f"/api/v1/filings/{filing_id}{suffix}", headers=lushi.officer)
        for suffix in ("", "/activities", "/directions", "/checklist", "/coverage")
    ]
    listed = await client.get("/api/v1/filings?year=2026", headers=lushi.officer)
    # Assert
    assert [r.status_code for r in responses] == [404] * 5
    assert responses[0].json()["code"] == "filing.not_found"
    assert listed.json() == {"items": [], "total": 0}


async def test_another_county_cannot_read_a_submitted_or_returned_filing(client):
    lingbao, lushi = await _two_counties(client)
    city = await b.city(client)
    filing_id = await b.complete_filing(client, lingbao)
    await client.post(f"/api/v1/filings/{filing_id}/submit", headers=lingbao.officer)
    submitted = await client.get(f"/api/v1/filings/{filing_id}", headers=lushi.officer)
    await client.post(f"/api/v1/filings/{filing_id}/return", json={"reason": "请补充"},
                      headers=city)
    returned = await client.get(f"/api/v1/filings/{filing_id}", headers=lushi.officer)
    assert submitted.status_code == 404 and returned.status_code == 404


async def test_accepted_plan_is_readable_by_every_county(client):
    # Arrange
    lingbao, lushi = await _two_counties(client)
    city = await b.city(client)
    filing_id = await b.complete_filing(client, lingbao)
    await client.post(f"/api/v1/filings/{filing_id}/submit", headers=lingbao.officer)
    await client.post(f"/api/v1/filings/{filing_id}/accept", headers=city)
    await f.user("teacher2", "teacher", kindergarten_id=lushi.kindergartens[0])
    teacher = await f.bearer(client, "teacher2")
    # Act
    filing = await client.get(f"/api/v1/filings/{filing_id}", headers=lushi.officer)
    activities = await client.get(f"/api/v1/filings/{filing_id}/activities", headers=teacher)
    listed = await client.get("/api/v1/filings?year=2026&status=accepted", headers=teacher)
    # Assert
    assert filing.status_code == 200
    assert filing.json()["county_name"] == "灵宝市"
    assert [a["title"] for a in activities.json()["items"]] == ["幼儿园户外游戏专题研讨"]
    assert [f_["id"] for f_ in listed.json()["items"]] == [filing_id]


async def test_accepted_plans_document_downloads_for_another_county_but_a_drafts_does_not(
    client,
):
    # Arrange
    lingbao, lushi = await _two_counties(client)
    city = await b.city(client)
    filing_id = await b.complete_filing(client, lingbao)
    file_id = (await client.get(f"/api/v1/filings/{filing_id}",
                                headers=lingbao.officer)).json()["plan_document"]["id"]
    # Act
    draft = await client.get(f"/api/v1/files/{file_id}/download", headers=lushi.officer)
    await client.post(f"/api/v1/filings/{filing_id}/submit", headers=lingbao.officer)
    await client.post(f"/api/v1/filings/{filing_id}/accept", headers=city)
    published = await client.get(f"/api/v1/files/{file_id}/download", headers=lushi.officer,
                                 follow_redirects=False)
    # Assert
    assert draft.status_code == 404
    assert published.status_code == 302
    assert "filename" in published.headers["location"]


async def test_city_reads_every_draft(client):
    lingbao, _ = await _two_counties(client)
    city = await b.city(client)
    filing_id = await b.open_filing(client, lingbao)
    response = await client.get(f"/api/v1/filings/{filing_id}", headers=city)
    assert response.status_code == 200
    assert response.json()["status"] == "draft"


async def test_zone_officer_of_the_county_reads_the_draft(client):
    lingbao, _ = await _two_counties(client)
    filing_id = await b.open_filing(client, lingbao)
    await f.user("zone1", "zone_officer", zone_id=lingbao.zones[0])
    headers = await f.bearer(client, "zone1")
    response = await client.get(f"/api/v1/filings/{filing_id}/activities", headers=headers)
    assert response.status_code == 200


async def test_another_county_cannot_write_to_a_filing(client):
    lingbao, lushi = await _two_counties(client)
    filing_id = await b.open_filing(client, lingbao)
    response = await client.post(f"/api/v1/filings/{filing_id}/directions", json=b.DIRECTION,
                                 headers=lushi.officer)
    assert response.status_code == 404


async def test_city_cannot_fill_in_a_countys_filing(client):
    lingbao, _ = await _two_counties(client)
    city = await b.city(client)
    filing_id = await b.open_filing(client, lingbao)
    response = await client.post(f"/api/v1/filings/{filing_id}/directions", json=b.DIRECTION,
                                 headers=city)
    assert response.status_code == 403
    assert response.json()["code"] == "filing.county_only"
