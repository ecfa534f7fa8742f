"""The filing's lifecycle: the submit gates, return and resubmit with history, lateness."""

from __future__ import annotations

from lianyan import clock
from lianyan.org.tables import Kindergarten
from tests.filings import builders as b


async def test_submit_without_an_active_topic_is_refused_with_the_rule(client):
    # Arrange: everything filed, but the county has no topic for 2026.
    c = await b.county(client)
    filing_id = await b.complete_filing(client, c, topic=False)
    # Act
    response = await client.post(f"/api/v1/filings/{filing_id}/submit", headers=c.officer)
    # Assert
    assert response.status_code == 409
    assert response.json()["code"] == "filing.needs_topic"
    assert "课题" in response.json()["detail"]
    filing = await client.get(f"/api/v1/filings/{filing_id}", headers=c.officer)
    assert filing.json()["status"] == "draft"
    assert filing.json()["history"] == []


async def test_submit_with_only_a_draft_or_withdrawn_topic_is_refused(client):
    c = await b.county(client)
    filing_id = await b.complete_filing(client, c, topic=False)
    await b.active_topic(c.id, status="draft")
    await b.active_topic(c.id, status="withdrawn")
    response = await client.post(f"/api/v1/filings/{filing_id}/submit", headers=c.officer)
    assert response.json()["code"] == "filing.needs_topic"


async def test_submit_with_a_topic_of_another_year_is_refused(client):
    c = await b.county(client)
    filing_id = await b.complete_filing(client, c, topic=False)
    await b.active_topic(c.id, year=2025)
    response = await client.post(f"/api/v1/filings/{filing_id}/submit", headers=c.officer)
    assert response.json()["code"] == "filing.needs_topic"


async def test_submit_under_full_coverage_without_reasons_is_refused_naming_kindergartens(
    client,
):
    # Arrange: two kindergartens outside every zone.
    c = await b.county(client, uncovered=2)
    filing_id = await b.complete_filing(client, c)
    # Act
    response = await client.post(f"/api/v1/filings/{filing_id}/submit", headers=c.officer)
    # Assert
    assert response.status_code == 409
    assert response.json()["code"] == "filing.coverage"
    detail = response.json()["detail"]
    assert "3/5" in detail and "灵宝市未覆盖幼儿园0" in detail and "灵宝市未覆盖幼儿园1" in detail
    assert sorted(response.json()["uncovered"]) == sorted(c.kindergartens[3:])


async def test_submit_passes_coverage_once_each_uncovered_kindergarten_has_a_reason(client):
    # Arrange
    c = await b.county(client, uncovered=2)
    filing_id = await b.complete_filing(client, c)
    one, two = c.kindergartens[3:]
    partly = await client.put(
        f"/api/v1/filings/{filing_id}/coverage",
        json={"reasons": [{"kindergarten_id": one, "reason": "2026年3月新开办，待划入第二责任区"}]},
        headers=c.officer,
    )
    assert partly.json()["missing_reasons"] == 1
    refused = await client.post(f"/api/v1/filings/{filing_id}/submit", headers=c.officer)
    # Act
    await client.put(
        f"/api/v1/filings/{filing_id}/coverage",
        json={"reasons": [{"kindergarten_id": two, "reason": "停办整改中"}]}, headers=c.officer,
    )
    response = await client.post(f"/api/v1/filings/{filing_id}/submit", headers=c.officer)
    # Assert
    assert refused.json()["code"] == "filing.coverage"
    assert "灵宝市未覆盖幼儿园1" in refused.json()["detail"]
    assert "灵宝市未覆盖幼儿园0" not in refused.json()["detail"]
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "submitted"


async def test_coverage_reason_for_a_covered_kindergarten_is_refused(client):
    c = await b.county(client)
    filing_id = await b.open_filing(client, c)
    response = await client.put(
        f"/api/v1/filings/{filing_id}/coverage",
        json={"reasons": [{"kindergarten_id": c.kindergartens[0], "reason": "无"}]},
        headers=c.officer,
    )
    assert response.status_code == 400
    assert response.json()["code"] == "coverage.not_uncovered"


async def test_kindergarten_moved_into_a_zone_no_longer_needs_a_reason(client):
    c = await b.county(client, uncovered=1)
    filing_id = await b.complete_filing(client, c)
    await Kindergarten.update({Kindergarten.zone: c.zones[0]}).where(
        Kindergarten.id == c.kindergartens[3]
    )
    response = await client.post(f"/api/v1/filings/{filing_id}/submit", headers=c.officer)
    assert response.status_code == 200, response.text


async def test_submit_without_plan_document_or_directions_lists_what_is_missing(client):
    c = await b.county(client)
    filing_id = await b.open_filing(client, c)
    await b.active_topic(c.id)
    response = await client.post(f"/api/v1/filings/{filing_id}/submit", headers=c.officer)
    assert response.status_code == 409
    assert response.json()["code"] == "filing.incomplete"
    assert response.json()["missing"] == ["roster", "plan_document", "directions", "activities"]
    assert "区域方案" in response.json()["detail"]


async def test_return_and_resubmit_keep_the_whole_history(client):
    # Arrange
    c = await b.county(client)
    city = await b.city(client)
    with clock.pinned(b.shanghai(2026, 2, 20, 9, 0)):
        filing_id = await b.complete_filing(client, c)
        await client.post(f"/api/v1/filings/{filing_id}/submit", headers=c.officer)
    # Act
    with clock.pinned(b.shanghai(2026, 2, 22, 10, 0)):
        returned = await client.post(f"/api/v1/filings/{filing_id}/return",
                                     json={"reason": "附件3 缺少预期成果的量化指标"},
                                     headers=city)
        edited = await client.post(f"/api/v1/filings/{filing_id}/directions",
                                   json={**b.DIRECTION, "direction": "户外自主游戏"},
                                   headers=c.officer)
    with clock.pinned(b.shanghai(2026, 2, 24, 11, 0)):
        resubmitted = await client.post(f"/api/v1/filings/{filing_id}/submit",
                                        headers=c.officer)
    with clock.pinned(b.shanghai(2026, 2, 25, 15, 0)):
        accepted = await client.post(f"/api/v1/filings/{filing_id}/accept",
                                     json={"note": "同意备案"}, headers=city)
    # Assert
    assert returned.json()["status"] == "returned"
    assert returned.json()["returned_reason"] == "附件3 缺少预期成果的量化指标"
    assert edited.status_code == 201
    assert resubmitted.json()["status"] == "submitted"
    history = accepted.json()["history"]
    assert [(e["action"], e["from_status"], e["to_status"]) for e in history] == [
        ("submit", "draft", "submitted"),
        ("return", "submitted", "returned"),
        ("submit", "returned", "submitted"),
        ("accept", "submitted", "accepted"),
    ]
    assert history[1]["note"] == "附件3 缺少预期成果的量化指标"
    assert history[1]["actor_name"] == "李飞"
    assert accepted.json()["first_submitted_at"].startswith("2026-02-20T09:00")
    assert accepted.json()["last_submitted_at"].startswith("2026-02-24T11:00")
    assert accepted.json()["late"] is False
    audit = await client.get(f"/api/v1/audit?object_type=filing&object_id={filing_id}",
                             headers=city)
    actions = [e["action"] for e in audit.json()["items"]]
    assert actions.count("filing.submit") == 2 and "filing.return" in actions


async def test_return_without_a_reason_is_refused(client):
    c = await b.county(client)
    city = await b.city(client)
    filing_id = await b.complete_filing(client, c)
    await client.post(f"/api/v1/filings/{filing_id}/submit", headers=c.officer)
    for reason in ("  ", ""):
        response = await client.post(f"/api/v1/filings/{filing_id}/return",
                                     json={"reason": reason}, headers=city)
        assert response.status_code == 400
        assert response.json()["code"] == "filing.reason"
    # The page's form gives the same message, as HTML.
    await client.get(f"/filings/{filing_id}", headers=city)
    page = await client.post(f"/filings/{filing_id}/return", headers=city,
                             data={"reason": "", "_csrf_token": client.cookies.get("csrftoken")})
    assert page.status_code == 400
    assert page.headers["content-type"].startswith("text/html")
    assert response.json()["detail"] in page.text


async def test_submitted_filing_cannot_be_edited_or_submitted_again(client):
    c = await b.county(client)
    filing_id = await b.complete_filing(client, c)
    await client.post(f"/api/v1/filings/{filing_id}/submit", headers=c.officer)
    edit = await client.post(f"/api/v1/filings/{filing_id}/directions", json=b.DIRECTION,
                             headers=c.officer)
    again = await client.post(f"/api/v1/filings/{filing_id}/submit", headers=c.officer)
    assert edit.status_code == 409 and edit.json()["code"] == "filing.locked"
    assert again.status_code == 409 and again.json()["code"] == "filing.transition"
    assert "等待市教育局" in edit.json()["detail"]


async def test_draft_cannot_be_accepted(client):
    c = await b.county(client)
    city = await b.city(client)
    filing_id = await b.open_filing(client, c)
    response = await client.post(f"/api/v1/filings/{filing_id}/accept", headers=city)
    assert response.status_code == 409
    assert response.json()["code"] == "filing.transition"
    assert "草稿" in response.json()["detail"]


async def test_submission_after_28_february_is_accepted_but_marked_late(client):
    # Arrange
    c = await b.county(client)
    city = await b.city(client)
    with clock.pinned(b.shanghai(2026, 2, 20)):
        filing_id = await b.complete_filing(client, c)
    # Act: 1 March 00:30 in Shanghai, while UTC is still 28 February.
    with clock.pinned(b.shanghai(2026, 3, 1, 0, 30)):
        submitted = await client.post(f"/api/v1/filings/{filing_id}/submit", headers=c.officer)
        accepted = await client.post(f"/api/v1/filings/{filing_id}/accept", headers=city)
    # Assert
    assert submitted.status_code == 200
    assert submitted.json()["late"] is True
    assert submitted.json()["due_on"] == "2026-02-28"
    assert submitted.json()["history"][0]["late"] is True
    assert accepted.json()["status"] == "accepted" and accepted.json()["late"] is True


async def test_submission_on_the_due_date_is_not_late(client):
    c = await b.county(client)
    with clock.pinned(b.shanghai(2026, 2, 28, 23, 59)):
        filing_id = await b.complete_filing(client, c)
        submitted = await client.post(f"/api/v1/filings/{filing_id}/submit", headers=c.officer)
    assert submitted.json()["late"] is False


async def test_city_moving_the_deadline_rejudges_lateness(client):
    c = await b.county(client)
    city = await b.city(client)
    with clock.pinned(b.shanghai(2026, 3, 5)):
        filing_id = await b.complete_filing(client, c)
        await client.post(f"/api/v1/filings/{filing_id}/submit", headers=c.officer)
    moved = await client.put("/api/v1/filing-deadlines/2026", json={"due_on": "2026-03-15"},
                             headers=city)
    filing = await client.get(f"/api/v1/filings/{filing_id}", headers=c.officer)
    assert moved.json()["is_default"] is False
    assert filing.json()["due_on"] == "2026-03-15"
    assert filing.json()["late"] is False


async def test_one_filing_per_county_and_year(client):
    c = await b.county(client)
    first = await b.open_filing(client, c)
    again = await client.post("/api/v1/filings", json={"county_id": c.id, "year": 2026},
                              headers=c.officer)
    assert again.status_code == 409
    assert again.json()["code"] == "filing.exists"
    assert again.json()["filing_id"] == first


async def test_checklist_shows_what_is_missing(client):
    c = await b.county(client, uncovered=1)
    filing_id = await b.open_filing(client, c)
    response = await client.get(f"/api/v1/filings/{filing_id}/checklist", headers=c.officer)
    items = {i["key"]: i for i in response.json()["items"]}
    assert response.json()["ready"] is False
    assert [k for k, i in items.items() if not i["done"]] == [
        "roster", "plan_document", "activities", "directions", "topic", "coverage",
    ]
    assert items["coverage"]["detail"] == "覆盖率 75%（3/4），1 所未覆盖幼儿园尚未说明原因"
