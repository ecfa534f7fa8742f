"""The one-week rule for large special activities, through the API, with the clock pinned.

Filed on date D (city time, whatever the hour), a large activity may start on D + 7 or later
(docs/filings.md).
"""

from __future__ import annotations

import datetime as dt

import pytest

from lianyan import clock
from tests.filings import builders as b

START = "2026-03-08"


async def _draft(client):
    c = await b.county(client)
    return c, await b.open_filing(client, c)


@pytest.mark.parametrize(("hour", "minute"), [(0, 1), (23, 59)])
async def test_large_activity_filed_on_d_may_start_on_d_plus_7_not_d_plus_6(client, hour, minute):
    # Arrange: filed on 1 March (D) early in the morning or late at night, city time.
    c, filing_id = await _draft(client)
    body = b.activity(c.zones[0], title="全市户外游戏观摩", starts_on="2026-03-07", is_large=True)
    # Act
    with clock.pinned(b.shanghai(2026, 3, 1, hour, minute)):
        refused = await client.post(f"/api/v1/filings/{filing_id}/activities", json=body,
                                    headers=c.officer)
        accepted = await client.post(f"/api/v1/filings/{filing_id}/activities",
                                     json={**body, "starts_on": START}, headers=c.officer)
    # Assert: D + 6 refused with the earliest date named, D + 7 accepted.
    assert refused.status_code == 409
    problem = refused.json()
    assert problem["code"] == "activity.too_late"
    assert problem["earliest_start"] == START
    assert problem["detail"] == (
        "大型专题活动须至少提前 7 天（一周）报市教育局备案，按日历日计算。"
        "“全市户外游戏观摩”定于 2026年3月7日（星期六） 开始，今天（2026年3月1日（星期日））"
        "备案已不足 7 天，不能备案；今天备案，开始日期最早可定为 2026年3月8日（星期日）。"
    )
    assert accepted.status_code == 201, accepted.text
    listed = await client.get(f"/api/v1/filings/{filing_id}/activities", headers=c.officer)
    assert [a["starts_on"] for a in listed.json()["items"]] == [START]


async def test_rule_counts_in_city_time_while_the_utc_clock_is_still_on_the_previous_day(client):
    # Arrange: the server's UTC clock reads 28 February 16:30; in Shanghai it is 1 March 00:30.
    c, filing_id = await _draft(client)
    body = b.activity(c.zones[0], starts_on="2026-03-07", is_large=True)
    utc_now = dt.datetime(2026, 2, 28, 16, 30, tzinfo=dt.UTC)
    # Act
    with clock.pinned(utc_now):
        refused = await client.post(f"/api/v1/filings/{filing_id}/activities", json=body,
                                    headers=c.officer)
        accepted = await client.post(f"/api/v1/filings/{filing_id}/activities",
                                     json={**body, "starts_on": START}, headers=c.officer)
    # Assert: a UTC-date reading would have allowed 7 March (28 February + 7).
    assert refused.status_code == 409
    assert refused.json()["earliest_start"] == START
    assert "最早可定为 2026年3月8日" in refused.json()["detail"]
    assert accepted.status_code == 201


async def test_ordinary_activity_may_start_tomorrow(client):
    c, filing_id = await _draft(client)
    with clock.pinned(b.shanghai(2026, 3, 1, 9, 0)):
        response = await client.post(
            f"/api/v1/filings/{filing_id}/activities",
            json=b.activity(c.zones[0], starts_on="2026-03-02"), headers=c.officer,
        )
    assert response.status_code == 201


async def test_submission_rechecks_large_activities_not_yet_filed(client):
    # Arrange: added in time on 1 March, but the filing is only submitted on 5 March.
    c = await b.county(client)
    with clock.pinned(b.shanghai(2026, 2, 10)):
        filing_id = await b.complete_filing(client, c)
    with clock.pinned(b.shanghai(2026, 3, 1)):
        added = await client.post(
            f"/api/v1/filings/{filing_id}/activities",
            json=b.activity(c.zones[0], title="县域半日活动观摩", starts_on=START,
                            is_large=True), headers=c.officer,
        )
        assert added.status_code == 201
    # Act
    with clock.pinned(b.shanghai(2026, 3, 5)):
        response = await client.post(f"/api/v1/filings/{filing_id}/submit", headers=c.officer)
    # Assert
    assert response.status_code == 409
    assert response.json()["code"] == "activity.too_late"
    assert response.json()["earliest_start"] == "2026-03-12"
    assert "县域半日活动观摩" in response.json()["detail"]


async def test_activity_added_after_acceptance_is_filed_on_its_own_under_the_same_rule(client):
    # Arrange: an accepted plan.
    c = await b.county(client)
    city = await b.city(client)
    with clock.pinned(b.shanghai(2026, 2, 20, 10, 0)):
        filing_id = await b.complete_filing(client, c)
        assert (await client.post(f"/api/v1/filings/{filing_id}/submit",
                                  headers=c.officer)).status_code == 200
        assert (await client.post(f"/api/v1/filings/{filing_id}/accept",
                                  headers=city)).status_code == 200
    body = b.activity(c.zones[1], title="临时专家讲座", starts_on="2026-04-10", is_large=True)
    # Act
    with clock.pinned(b.shanghai(2026, 4, 4, 8, 0)):
        late = await client.post(f"/api/v1/filings/{filing_id}/activities", json=body,
                                 headers=c.officer)
    with clock.pinned(b.shanghai(2026, 4, 3, 23, 59)):
        on_time = await client.post(f"/api/v1/filings/{filing_id}/activities", json=body,
                                    headers=c.officer)
    # Assert
    assert late.status_code == 409
    assert late.json()["earliest_start"] == "2026-04-11"
    assert on_time.status_code == 201, on_time.text
    assert on_time.json()["filed_separately"] is True
    assert on_time.json()["filed_at"].startswith("2026-04-03T23:59:00+08:00")
    filing = await client.get(f"/api/v1/filings/{filing_id}", headers=c.officer)
    assert filing.json()["status"] == "accepted"
    listed = await client.get("/api/v1/filings/individual-activities?year=2026", headers=city)
    assert [a["title"] for a in listed.json()["items"]] == ["临时专家讲座"]


async def test_activity_of_a_zone_in_another_county_is_refused(client):
    c, filing_id = await _draft(client)
    other = await b.county(client, code="411224", name="卢氏县", username="lushi")
    response = await client.post(f"/api/v1/filings/{filing_id}/activities",
                                 json=b.activity(other.zones[0]), headers=c.officer)
    assert response.status_code == 400
    assert response.json()["code"] == "activity.zone"


async def test_activity_dated_outside_the_filing_year_is_refused(client):
    c, filing_id = await _draft(client)
    response = await client.post(f"/api/v1/filings/{filing_id}/activities",
                                 json=b.activity(c.zones[0], starts_on="2027-01-10"),
                                 headers=c.officer)
    assert response.status_code == 400
    assert response.json()["code"] == "activity.year"


async def test_activity_linked_to_a_theme_of_the_year_shows_its_title(client):
    c, filing_id = await _draft(client)
    city = await b.city(client)
    theme = await client.post("/api/v1/themes",
                              json={"year": 2026, "title": "幼小衔接", "description": "双向衔接"},
                              headers=city)
    assert theme.status_code == 201, theme.text
    response = await client.post(
        f"/api/v1/filings/{filing_id}/activities",
        json=b.activity(c.zones[0], theme_id=theme.json()["id"]), headers=c.officer,
    )
    assert response.status_code == 201, response.text
    assert response.json()["theme_title"] == "幼小衔接"
    listed = await client.get("/api/v1/themes?year=2026", headers=c.officer)
    assert [t["title"] for t in listed.json()["items"]] == ["幼小衔接"]
