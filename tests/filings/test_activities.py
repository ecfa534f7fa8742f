"""Changing and removing a draft's activities and directions."""

from __future__ import annotations

from lianyan import clock
from tests.filings import builders as b


async def test_moving_a_large_activity_into_the_last_week_is_refused(client):
    # Arrange
    c = await b.county(client)
    filing_id = await b.open_filing(client, c)
    with clock.pinned(b.shanghai(2026, 3, 1, 9, 0)):
        added = await client.post(
            f"/api/v1/filings/{filing_id}/activities",
            json=b.activity(c.zones[0], starts_on="2026-04-01", is_large=True),
            headers=c.officer,
        )
        # Act
        moved = await client.patch(
            f"/api/v1/filings/{filing_id}/activities/{added.json()['id']}",
            json={"starts_on": "2026-03-05"}, headers=c.officer,
        )
        renamed = await client.patch(
            f"/api/v1/filings/{filing_id}/activities/{added.json()['id']}",
            json={"title": "全市幼儿园户外游戏现场会"}, headers=c.officer,
        )
    # Assert
    assert moved.status_code == 409
    assert moved.json()["code"] == "activity.too_late"
    assert moved.json()["earliest_start"] == "2026-03-08"
    assert renamed.status_code == 200
    assert renamed.json()["title"] == "全市幼儿园户外游戏现场会"
    assert renamed.json()["starts_on"] == "2026-04-01"


async def test_redating_an_activity_filed_before_files_it_again_at_the_next_submission(client):
    # Arrange: submitted, returned; one activity already filed.
    c = await b.county(client)
    city = await b.city(client)
    with clock.pinned(b.shanghai(2026, 2, 10)):
        filing_id = await b.complete_filing(client, c)
        await client.post(f"/api/v1/filings/{filing_id}/submit", headers=c.officer)
        await client.post(f"/api/v1/filings/{filing_id}/return", json={"reason": "请调整日期"},
                          headers=city)
    activity = (await client.get(f"/api/v1/filings/{filing_id}/activities",
                                 headers=c.officer)).json()["items"][0]
    assert activity["filed_at"].startswith("2026-02-10")
    # Act
    with clock.pinned(b.shanghai(2026, 2, 12)):
        moved = await client.patch(f"/api/v1/filings/{filing_id}/activities/{activity['id']}",
                                   json={"starts_on": "2026-06-02"}, headers=c.officer)
        resubmitted = await client.post(f"/api/v1/filings/{filing_id}/submit",
                                        headers=c.officer)
    # Assert
    assert moved.json()["filed_at"] is None
    assert resubmitted.status_code == 200
    again = (await client.get(f"/api/v1/filings/{filing_id}/activities",
                              headers=c.officer)).json()["items"][0]
    assert again["filed_at"].startswith("2026-02-12")


async def test_deleting_an_activity_and_a_direction_of_a_draft(client):
    c = await b.county(client)
    filing_id = await b.complete_filing(client, c)
    activity_id = (await client.get(f"/api/v1/filings/{filing_id}/activities",
                                    headers=c.officer)).json()["items"][0]["id"]
    direction_id = (await client.get(f"/api/v1/filings/{filing_id}/directions",
                                     headers=c.officer)).json()["items"][0]["id"]
    gone = await client.delete(f"/api/v1/filings/{filing_id}/activities/{activity_id}",
                               headers=c.officer)
    removed = await client.delete(f"/api/v1/filings/{filing_id}/directions/{direction_id}",
                                  headers=c.officer)
    assert gone.status_code == 204 and removed.status_code == 204
    filing = (await client.get(f"/api/v1/filings/{filing_id}", headers=c.officer)).json()
    assert filing["activity_count"] == 0 and filing["direction_count"] == 0


async def test_accepted_activities_cannot_be_deleted(client):
    c = await b.county(client)
    city = await b.city(client)
    filing_id = await b.complete_filing(client, c)
    await client.post(f"/api/v1/filings/{filing_id}/submit", headers=c.officer)
    await client.post(f"/api/v1/filings/{filing_id}/accept", headers=city)
    activity_id = (await client.get(f"/api/v1/filings/{filing_id}/activities",
                                    headers=c.officer)).json()["items"][0]["id"]
    response = await client.delete(f"/api/v1/filings/{filing_id}/activities/{activity_id}",
                                   headers=c.officer)
    assert response.status_code == 409
    assert response.json()["code"] == "filing.locked"
