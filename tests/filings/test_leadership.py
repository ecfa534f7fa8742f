"""The leadership group (附件1): composition rules, saving, copying last year's, phones."""

from __future__ import annotations

import copy

from tests.builders import org as f
from tests.filings import builders as b


async def test_roster_without_leader_is_400_with_chinese_message(client):
    # Arrange
    c = await b.county(client)
    body = copy.deepcopy(b.ROSTER)
    body["members"][0]["position"] = "member"
    # Act
    response = await client.put(f"/api/v1/counties/{c.id}/leadership/2026", json=body,
                                headers=c.officer)
    # Assert
    assert response.status_code == 400
    problem = response.json()
    assert problem["code"] == "leadership.composition"
    assert problem["detail"] == "领导小组名单不符合要求：须有且只有 1 名组长（现有 0 名）。"
    saved = await client.get(f"/api/v1/counties/{c.id}/leadership/2026", headers=c.officer)
    assert saved.json()["members"] == []


async def test_roster_with_two_deputies_and_no_member_lists_both_problems(client):
    c = await b.county(client)
    body = {"members": [
        {"position": "leader", "name": "王建国", "unit": "灵宝市教育局"},
        {"position": "deputy", "name": "李红", "unit": "灵宝市教研室"},
        {"position": "deputy", "name": "赵强", "unit": "灵宝市教研室"},
    ]}
    response = await client.put(f"/api/v1/counties/{c.id}/leadership/2026", json=body,
                                headers=c.officer)
    assert response.status_code == 400
    assert response.json()["problems"] == [
        "须有且只有 1 名副组长（现有 2 名）",
        "至少须有 1 名成员（现有 0 名）",
    ]
    assert "副组长（现有 2 名）" in response.json()["detail"]


async def test_roster_saved_is_ordered_leader_deputy_members_and_complete(client):
    c = await b.county(client)
    body = {"members": list(reversed(b.ROSTER["members"]))}
    response = await client.put(f"/api/v1/counties/{c.id}/leadership/2026", json=body,
                                headers=c.officer)
    assert response.status_code == 200, response.text
    roster = response.json()
    assert [m["position"] for m in roster["members"]] == ["leader", "deputy", "member"]
    assert roster["members"][1]["phone"] == "0398-2816691"
    assert roster["complete"] is True


async def test_roster_copy_previous_year_starts_from_last_years_group(client):
    # Arrange
    c = await b.county(client)
    await client.put(f"/api/v1/counties/{c.id}/leadership/2025", json=b.ROSTER,
                     headers=c.officer)
    # Act
    response = await client.post(f"/api/v1/counties/{c.id}/leadership/2026/copy-previous",
                                 headers=c.officer)
    again = await client.post(f"/api/v1/counties/{c.id}/leadership/2026/copy-previous",
                              headers=c.officer)
    # Assert
    assert response.status_code == 201, response.text
    assert [m["name"] for m in response.json()["members"]] == ["王建国", "李红", "张敏"]
    assert again.status_code == 409
    assert again.json()["code"] == "leadership.exists"


async def test_roster_copy_without_any_earlier_year_says_so(client):
    c = await b.county(client)
    response = await client.post(f"/api/v1/counties/{c.id}/leadership/2026/copy-previous",
                                 headers=c.officer)
    assert response.status_code == 409
    assert response.json()["code"] == "leadership.no_previous"
    assert "往年" in response.json()["detail"]


async def test_roster_of_another_county_hides_phone_numbers(client):
    # Arrange
    c = await b.county(client)
    other = await b.county(client, code="411224", name="卢氏县", username="lushi")
    await client.put(f"/api/v1/counties/{c.id}/leadership/2026", json=b.ROSTER,
                     headers=c.officer)
    # Act
    seen = await client.get(f"/api/v1/counties/{c.id}/leadership/2026", headers=other.officer)
    # Assert
    assert [m["name"] for m in seen.json()["members"]] == ["王建国", "李红", "张敏"]
    assert {m["phone"] for m in seen.json()["members"]} == {None}


async def test_roster_cannot_be_saved_by_another_countys_officer(client):
    c = await b.county(client)
    other = await b.county(client, code="411224", name="卢氏县", username="lushi")
    response = await client.put(f"/api/v1/counties/{c.id}/leadership/2026", json=b.ROSTER,
                                headers=other.officer)
    assert response.status_code == 403


async def test_roster_is_filled_by_the_county_not_the_city(client):
    c = await b.county(client)
    city = await b.city(client)
    response = await client.put(f"/api/v1/counties/{c.id}/leadership/2026", json=b.ROSTER,
                                headers=city)
    assert response.status_code == 403
    assert response.json()["code"] == "filing.county_only"


async def test_roster_with_unknown_position_is_a_validation_error(client):
    c = await b.county(client)
    body = copy.deepcopy(b.ROSTER)
    body["members"][2]["position"] = "secretary"
    response = await client.put(f"/api/v1/counties/{c.id}/leadership/2026", json=body,
                                headers=c.officer)
    assert response.status_code == 400
    assert response.json()["code"] == "request.invalid"


async def test_roster_cannot_change_while_the_filing_waits_for_the_city(client):
    # Arrange
    c = await b.county(client)
    filing_id = await b.complete_filing(client, c)
    submitted = await client.post(f"/api/v1/filings/{filing_id}/submit", headers=c.officer)
    assert submitted.status_code == 200, submitted.text
    # Act
    response = await client.put(f"/api/v1/counties/{c.id}/leadership/2026", json=b.ROSTER,
                                headers=c.officer)
    # Assert
    assert response.status_code == 409
    assert response.json()["code"] == "filing.locked"


async def test_roster_cannot_be_replaced_after_the_city_accepted_the_filing(client):
    # Arrange
    c = await b.county(client)
    city = await b.city(client)
    filing_id = await b.complete_filing(client, c)
    await client.post(f"/api/v1/filings/{filing_id}/submit", headers=c.officer)
    accepted = await client.post(f"/api/v1/filings/{filing_id}/accept", headers=city)
    assert accepted.status_code == 200, accepted.text
    body = copy.deepcopy(b.ROSTER)
    body["members"][0]["name"] = "赵新"
    # Act
    response = await client.put(f"/api/v1/counties/{c.id}/leadership/2026", json=body,
                                headers=c.officer)
    # Assert
    assert response.status_code == 409
    assert response.json()["code"] == "filing.locked"
    assert "已由市教育局备案" in response.json()["detail"]
    assert "退回" in response.json()["detail"]
    roster = await client.get(f"/api/v1/counties/{c.id}/leadership/2026", headers=c.officer)
    assert roster.json()["members"][0]["name"] == "王建国"


async def test_roster_of_unknown_county_is_404(client):
    await f.user("someone", "teacher")
    headers = await f.bearer(client, "someone")
    response = await client.get("/api/v1/counties/999/leadership/2026", headers=headers)
    assert response.status_code == 404
