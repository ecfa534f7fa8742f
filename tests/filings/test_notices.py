"""Notices of filings: submitted to the city, accepted / returned to the county, deadline reminders."""

from __future__ import annotations

from lianyan import clock
from lianyan.filings import notices
from tests.builders import org as f
from tests.filings import builders as b


async def _notices(client, headers):
    response = await client.get("/api/v1/notifications", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["items"]


async def test_submit_tells_the_city_and_return_tells_the_county_with_the_reason(client):
    # Arrange: a complete filing, the city officer, and a second county whose officer must hear nothing.
    c = await b.county(client)
    other = await b.county(client, code="411224", name="卢氏县", username="lushi")
    city = await b.city(client)
    with clock.pinned(b.shanghai(2026, 2, 10, 9, 0)):
        filing_id = await b.complete_filing(client, c)
        # Act
        submitted = await client.post(f"/api/v1/filings/{filing_id}/submit", headers=c.officer)
        returned = await client.post(
            f"/api/v1/filings/{filing_id}/return",
            json={"reason": "附件2缺少活动地点。"}, headers=city,
        )
    # Assert
    assert submitted.status_code == 200, submitted.text
    assert returned.status_code == 200, returned.text
    to_city = await _notices(client, city)
    assert [(n["kind"], n["title"], n["link"]) for n in to_city] == [
        ("filing_submitted", "灵宝市2026年度教研工作备案已报送，请审核", f"/filings/{filing_id}")
    ]
    to_county = await _notices(client, c.officer)
    assert to_county[0]["kind"] == "filing_returned"
    assert to_county[0]["title"] == "灵宝市2026年度教研工作备案被市教育局退回"
    assert to_county[0]["body"] == "退回原因：附件2缺少活动地点。请修改后重新报送。"
    assert await _notices(client, other.officer) == []


async def test_accept_tells_the_county_officers_with_the_city_note(client):
    c = await b.county(client)
    city = await b.city(client)
    with clock.pinned(b.shanghai(2026, 2, 10, 9, 0)):
        filing_id = await b.complete_filing(client, c)
        await client.post(f"/api/v1/filings/{filing_id}/submit", headers=c.officer)
        accepted = await client.post(f"/api/v1/filings/{filing_id}/accept",
                                     json={"note": "材料齐全"}, headers=city)
    assert accepted.status_code == 200, accepted.text
    (notice,) = await _notices(client, c.officer)
    assert notice["kind"] == "filing_accepted"
    assert notice["body"] == "市教育局意见：材料齐全。计划已向各县（市、区）公开。"
    assert notice["link"] == f"/filings/workspace?county_id={c.id}&year=2026"


async def test_deadline_reminders_go_out_once_seven_days_and_one_day_ahead(client):
    # Arrange: 灵宝市 has submitted, 卢氏县 has not; the deadline is 28 February.
    c = await b.county(client)
    late = await b.county(client, code="411224", name="卢氏县", username="lushi")
    await f.user("lushi2", "county_officer", county_id=late.id, name="卢氏县第二负责人")
    with clock.pinned(b.shanghai(2026, 2, 10, 9, 0)):
        filing_id = await b.complete_filing(client, c)
        await client.post(f"/api/v1/filings/{filing_id}/submit", headers=c.officer)
    # Act: eight days ahead nothing; seven days ahead (twice); one day ahead (twice).
    early = await notices.due_reminders(b.shanghai(2026, 2, 20, 8, 0))
    week = [await notices.due_reminders(b.shanghai(2026, 2, 21, h, 0)) for h in (8, 23)]
    eve = [await notices.due_reminders(b.shanghai(2026, 2, 27, h, 0)) for h in (0, 20)]
    # Assert
    assert (early, week, eve) == (0, [2, 0], [2, 0])
    items = await _notices(client, late.officer)
    assert [n["title"] for n in items] == [
        "2026年度教研工作备案将于明天（2026年2月28日（星期六））截止",
        "2026年度教研工作备案将于 7 天后（2026年2月28日（星期六））截止",
    ]
    assert items[0]["body"] == "卢氏县尚未报送2026年度备案材料，请在截止前报送市教育局。"
    assert await _notices(client, c.officer) == []
