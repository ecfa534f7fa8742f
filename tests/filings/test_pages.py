"""The filing pages: the county's workspace, the city's inbox and decisions, plans, board."""

from __future__ import annotations

from lianyan import clock
from tests.builders import org as f
from tests.filings import builders as b


async def _csrf(client, headers) -> str:
    page = await client.get("/filings/plans", headers=headers)
    assert page.status_code == 200
    return client.cookies.get("csrftoken")


async def test_workspace_shows_the_checklist_of_what_is_missing(client):
    c = await b.county(client, uncovered=1)
    await b.open_filing(client, c)
    response = await client.get("/filings/workspace?year=2026", headers=c.officer)
    assert response.status_code == 200
    html = response.text
    assert "灵宝市 2026 年度备案" in html
    for label in ("区域教研领导小组名单（附件1）", "区域方案", "教研活动备案表（附件2）",
                  "教研方向建议表（附件3）", "至少 1 项课题", "全面覆盖"):
        assert label in html
    assert "✗ 待完成" in html and "灵宝市未覆盖幼儿园0" in html


async def test_workspace_form_with_a_too_late_large_activity_shows_the_chinese_message(client):
    # Arrange
    c = await b.county(client)
    filing_id = await b.open_filing(client, c)
    token = await _csrf(client, c.officer)
    form = {"_csrf_token": token, "title": "全市户外游戏观摩", "form": "seminar",
            "starts_on": "2026-03-05", "zone_id": str(c.zones[0]), "place": "实验幼儿园",
            "participants": "200", "is_large": "true", "theme_id": "", "ends_on": ""}
    # Act
    with clock.pinned(b.shanghai(2026, 3, 1, 10, 0)):
        response = await client.post(f"/filings/{filing_id}/activities", data=form,
                                     headers=c.officer)
    # Assert
    assert response.status_code == 409
    assert "大型专题活动须至少提前 7 天" in response.text
    assert "最早可定为 2026年3月8日（星期日）" in response.text
    assert 'value="全市户外游戏观摩"' in response.text  # what was typed stays in the form


async def test_workspace_roster_form_with_two_leaders_shows_the_problem(client):
    c = await b.county(client)
    await b.open_filing(client, c)
    token = await _csrf(client, c.officer)
    form = {"_csrf_token": token}
    for i, position in enumerate(["leader", "leader", "deputy", "member"]):
        form.update({f"position_{i}": position, f"name_{i}": f"人员{i}",
                     f"unit_{i}": "灵宝市教育局", f"title_{i}": "", f"phone_{i}": ""})
    response = await client.post(f"/filings/roster/{c.id}/2026", data=form, headers=c.officer)
    assert response.status_code == 400
    assert "须有且只有 1 名组长（现有 2 名）" in response.text
    assert 'value="人员3"' in response.text


async def test_workspace_roster_form_saves_and_redirects(client):
    c = await b.county(client)
    token = await _csrf(client, c.officer)
    form = {"_csrf_token": token}
    for i, position in enumerate(["leader", "deputy", "member", "member"]):
        form.update({f"position_{i}": position, f"name_{i}": f"人员{i}" if i < 3 else "",
                     f"unit_{i}": "灵宝市教育局" if i < 3 else "", f"title_{i}": "",
                     f"phone_{i}": ""})
    response = await client.post(f"/filings/roster/{c.id}/2026", data=form, headers=c.officer,
                                 follow_redirects=False)
    assert response.status_code == 303
    roster = await client.get(f"/api/v1/counties/{c.id}/leadership/2026", headers=c.officer)
    assert [m["name"] for m in roster.json()["members"]] == ["人员0", "人员1", "人员2"]


async def test_city_returns_then_accepts_through_the_pages(client):
    # Arrange
    c = await b.county(client)
    city = await b.city(client)
    filing_id = await b.complete_filing(client, c)
    await client.post(f"/api/v1/filings/{filing_id}/submit", headers=c.officer)
    inbox = await client.get("/filings/inbox?year=2026", headers=city)
    token = client.cookies.get("csrftoken")
    # Act
    empty = await client.post(f"/filings/{filing_id}/return",
                              data={"_csrf_token": token, "reason": ""}, headers=city)
    returned = await client.post(f"/filings/{filing_id}/return",
                                 data={"_csrf_token": token, "reason": "请补充区域方案的经费保障部分"},
                                 headers=city)
    workspace = await client.get("/filings/workspace?year=2026", headers=c.officer)
    await client.post(f"/api/v1/filings/{filing_id}/submit", headers=c.officer)
    accepted = await client.post(f"/filings/{filing_id}/accept",
                                 data={"_csrf_token": token, "note": ""}, headers=city)
    # Assert
    assert "灵宝市" in inbox.text and "待审核（1）" in inbox.text
    assert empty.status_code == 400 and "退回时请写明原因" in empty.text
    assert returned.status_code == 303  # on to the filing page
    assert "请补充区域方案的经费保障部分" in workspace.text
    assert "已退回" in workspace.text
    assert accepted.status_code == 303
    view = await client.get(f"/filings/{filing_id}", headers=city)
    assert "已备案" in view.text and "请补充区域方案的经费保障部分" in view.text


async def test_plans_page_lists_accepted_plans_for_another_county(client):
    c = await b.county(client)
    other = await b.county(client, code="411224", name="卢氏县", username="lushi")
    city = await b.city(client)
    filing_id = await b.complete_filing(client, c)
    await client.post(f"/api/v1/filings/{filing_id}/submit", headers=c.officer)
    await client.post(f"/api/v1/filings/{filing_id}/accept", headers=city)
    plans = await client.get("/filings/plans?year=2026", headers=other.officer)
    plan = await client.get(f"/filings/{filing_id}", headers=other.officer)
    assert "灵宝市" in plans.text
    assert plan.status_code == 200 and "幼儿园户外游戏专题研讨" in plan.text
    assert "（不公开）" in plan.text  # phone numbers of another county stay private


async def test_draft_page_of_another_county_is_404(client):
    c = await b.county(client)
    other = await b.county(client, code="411224", name="卢氏县", username="lushi")
    filing_id = await b.open_filing(client, c)
    response = await client.get(f"/filings/{filing_id}", headers=other.officer)
    assert response.status_code == 404
    assert "没有找到该备案" in response.text


async def test_compliance_page_shows_zero_topic_counties_first(client):
    c = await b.county(client)
    await b.county(client, code="411224", name="卢氏县", username="lushi")
    city = await b.city(client)
    await b.active_topic(c.id)
    response = await client.get("/filings/compliance?year=2026", headers=city)
    assert response.status_code == 200
    assert response.text.index('data-county="卢氏县"') < response.text.index('data-county="灵宝市"')
    assert "导出 Excel" in response.text


async def test_home_dashboard_shows_the_countys_filing_card(client):
    c = await b.county(client)
    response = await client.get("/", headers=c.officer)
    assert response.status_code == 200
    assert "年度备案" in response.text and "/filings/workspace" in response.text


async def test_zone_officer_reads_the_countys_workspace_without_forms(client):
    c = await b.county(client)
    await b.open_filing(client, c)
    await f.user("zone1", "zone_officer", zone_id=c.zones[0])
    headers = await f.bearer(client, "zone1")
    response = await client.get("/filings/workspace?year=2026", headers=headers)
    assert response.status_code == 200
    assert "灵宝市 2026 年度备案" in response.text and "报送清单" in response.text
    assert 'data-testid="roster-form"' not in response.text
    assert 'data-testid="submit-filing"' not in response.text


async def test_coverage_reason_too_long_shows_the_message_and_keeps_what_was_typed(client):
    # Arrange: one kindergarten of the county outside every zone
    c = await b.county(client, uncovered=1)
    filing_id = await b.open_filing(client, c)
    page = await client.get("/filings/workspace?year=2026", headers=c.officer)
    kindergarten = page.text.split('name="reason_', 1)[1].split('"', 1)[0]
    # Act
    response = await client.post(
        f"/filings/{filing_id}/coverage",
        data={"_csrf_token": client.cookies.get("csrftoken"),
              f"reason_{kindergarten}": "远" * 501},
        headers=c.officer,
    )
    # Assert
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/html")
    assert "最多 500 个字" in response.text
    assert f'name="reason_{kindergarten}" value="{"远" * 501}"' in response.text
