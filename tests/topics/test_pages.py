"""Topic pages as a signed-in person sees them: list, form, detail buttons, steps from forms,
the expert's review form, the city's side-by-side page and the dashboard section."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

from lianyan.topics.tables import Topic


@asynccontextmanager
async def signed_in(world, username: str) -> AsyncIterator[httpx.AsyncClient]:
    """A cookie session like a browser's, with the CSRF cookie in place."""
    from lianyan.auth import services as auth_services
    from lianyan.auth.tables import Account

    row = await Account.select(Account.id).where(Account.username == username).first()
    token = await auth_services.issue_token(row["id"], kind="session")
    async with httpx.AsyncClient(
        transport=world.client._transport, base_url="http://testserver.local",
        follow_redirects=True, cookies={"lianyan_session": token},
    ) as browser:
        await browser.get("/topics")  # sets the csrftoken cookie
        yield browser


def csrf(browser: httpx.AsyncClient) -> str:
    return str(browser.cookies.get("csrftoken"))


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


async def test_list_page_shows_topics_with_chinese_status_and_filters(world):
    a = await world.create(title="户外游戏课题")
    await world.bring_to(a, "submitted")
    await world.create(title="绘本阅读课题", year=2025)
    async with signed_in(world, "officer") as browser:
        # Act
        all_years = await browser.get("/topics")
        filtered = await browser.get("/topics?year=2026&status=submitted")
    # Assert
    assert all_years.status_code == 200
    assert "户外游戏课题" in all_years.text and "绘本阅读课题" in all_years.text
    assert "已申报" in text(all_years.text)
    assert "户外游戏课题" in filtered.text and "绘本阅读课题" not in filtered.text
    assert 'href="/topics/new"' in all_years.text


async def test_nav_has_topics_for_teachers_and_experts(world):
    async with signed_in(world, "expert1") as browser:
        home = await browser.get("/")
    assert 'href="/topics"' in home.text


async def test_detail_shows_only_the_buttons_the_user_may_press(world):
    topic_id = await world.create()
    await world.upload(topic_id, "application")
    async with signed_in(world, "officer") as officer:
        as_officer = await officer.get(f"/topics/{topic_id}")
    async with signed_in(world, "member") as member:
        as_member = await member.get(f"/topics/{topic_id}")
    # Assert
    assert 'data-testid="step-submit"' in as_officer.text
    assert 'data-testid="step-withdraw"' in as_officer.text
    assert 'data-testid="step-approve"' not in as_officer.text
    assert 'data-testid="upload-form"' in as_officer.text
    assert "/static/topics/topics.js" in as_officer.text
    assert 'data-testid="step-' not in as_member.text
    assert 'data-testid="upload-form"' not in as_member.text
    assert "李静" in as_member.text and "核心成员" in as_member.text
    assert "application.docx" in as_member.text


async def test_step_from_the_page_moves_the_topic_and_shows_the_timeline(world):
    topic_id = await world.create()
    await world.upload(topic_id, "application")
    async with signed_in(world, "officer") as browser:
        # Act
        response = await browser.post(f"/topics/{topic_id}/step/submit",
                                      data={"_csrf_token": csrf(browser), "note": "请审核"})
    # Assert
    assert response.status_code == 200
    assert str(response.url).endswith(f"/topics/{topic_id}")
    assert "已申报" in text(response.text)
    assert "请审核" in response.text
    assert await world.status(topic_id) == "submitted"


async def test_refused_step_from_the_page_shows_the_api_message(world):
    topic_id = await world.create(host_id=None)
    async with signed_in(world, "officer") as browser:
        response = await browser.post(f"/topics/{topic_id}/step/submit",
                                      data={"_csrf_token": csrf(browser)})
    assert response.status_code == 409
    assert "提交申报前还需要：指定课题主持人；上传申报书。" in response.text


async def test_page_form_without_csrf_token_is_refused(world):
    topic_id = await world.create()
    await world.upload(topic_id, "application")
    async with signed_in(world, "officer") as browser:
        response = await browser.post(f"/topics/{topic_id}/step/submit", data={})
    assert response.status_code == 403
    assert await world.status(topic_id) == "draft"


async def test_new_topic_form_creates_a_draft_with_members(world):
    async with signed_in(world, "officer") as browser:
        form = await browser.get("/topics/new")
        # Act
        response = await browser.post("/topics/new", data={
            "_csrf_token": csrf(browser), "county_id": str(world.ids["lingbao"]),
            "year": "2026", "title": "区域游戏材料投放研究", "direction": "区域活动",
            "level": "kindergarten", "lead_unit": "灵宝市实验幼儿园",
            "host_id": str(world.ids["host"]),
            "member_person_00": str(world.ids["member"]), "member_role_00": "资料整理",
            "member_person_01": "", "member_role_01": "",
            "abstract": "", "keywords": "区域活动、材料投放", "planned_start": "",
            "planned_end": "",
        })
    # Assert
    assert form.status_code == 200
    assert "王芳" in form.text  # people of the county to choose from
    assert response.status_code == 200, response.text
    row = await Topic.select(Topic.title, Topic.level, Topic.keywords).first()
    assert row == {"title": "区域游戏材料投放研究", "level": "kindergarten",
                   "keywords": "区域活动\n材料投放"}
    assert "资料整理" in response.text


async def test_new_topic_form_error_keeps_values_and_shows_chinese(world):
    async with signed_in(world, "officer") as browser:
        response = await browser.post("/topics/new", data={
            "_csrf_token": csrf(browser), "county_id": str(world.ids["lingbao"]),
            "year": "2026", "title": "保留的名称", "direction": "方向", "level": "county",
            "host_id": str(world.ids["lushi_teacher"]),
        })
    assert response.status_code == 400
    assert "课题主持人须为本县（市、区）的人员" in response.text
    assert 'value="保留的名称"' in response.text
    assert await Topic.count() == 0


async def test_expert_review_form_saves_and_then_shows_others(world):
    topic_id = await world.create()
    await world.bring_to(topic_id, "submitted")
    await world.call("POST", f"/api/v1/topics/{topic_id}/reviewers", "city",
                     json={"expert_ids": [world.ids["expert1"], world.ids["expert2"]]})
    await world.call("PUT", f"/api/v1/topics/{topic_id}/reviews", "expert2",
                     json={"value": 10, "design": 10, "feasibility": 10, "outcomes": 10,
                           "comment": "另一位专家的意见"})
    async with signed_in(world, "expert1") as browser:
        before = await browser.get(f"/topics/{topic_id}/review")
        # Act
        saved = await browser.post(f"/topics/{topic_id}/review", data={
            "_csrf_token": csrf(browser), "value": "20", "design": "21", "feasibility": "22",
            "outcomes": "23", "comment": "研究设计清晰。",
        })
        bad = await browser.post(f"/topics/{topic_id}/review", data={
            "_csrf_token": csrf(browser), "value": "30", "design": "21", "feasibility": "22",
            "outcomes": "23", "comment": "超出范围",
        })
        home = await browser.get("/")
    # Assert
    assert 'data-testid="review-form"' in before.text
    assert "另一位专家的意见" not in before.text
    assert "其他 1 位专家的评分将在您提交自己的评审意见后显示" in before.text
    assert saved.status_code == 200
    assert "评审意见已保存。" in saved.text
    assert "另一位专家的意见" in saved.text and "86" in saved.text
    assert bad.status_code == 400
    assert "0–25" in bad.text
    assert 'data-testid="topic-reviews-card"' in home.text


async def test_expert_review_page_of_an_uninvited_topic_is_404(world):
    topic_id = await world.create()
    await world.bring_to(topic_id, "submitted")
    async with signed_in(world, "expert1") as browser:
        response = await browser.get(f"/topics/{topic_id}/review")
    assert response.status_code == 404


async def test_city_review_page_shows_scores_side_by_side_and_decides(world):
    topic_id = await world.create()
    await world.bring_to(topic_id, "submitted")
    async with signed_in(world, "city") as browser:
        page = await browser.get(f"/topics/{topic_id}/reviews")
        invited = await browser.post(f"/topics/{topic_id}/reviewers", data={
            "_csrf_token": csrf(browser),
            "expert_ids": [str(world.ids["expert1"]), str(world.ids["expert2"])],
        })
        await world.call("PUT", f"/api/v1/topics/{topic_id}/reviews", "expert1",
                         json={"value": 20, "design": 20, "feasibility": 20, "outcomes": 20,
                               "comment": "好"})
        await world.call("PUT", f"/api/v1/topics/{topic_id}/reviews", "expert2",
                         json={"value": 25, "design": 25, "feasibility": 25, "outcomes": 15,
                               "comment": "很好"})
        board = await browser.get(f"/topics/{topic_id}/reviews")
        approved = await browser.post(f"/topics/{topic_id}/step/approve",
                                      data={"_csrf_token": csrf(browser), "note": "同意立项"})
    # Assert
    assert "孙专家" in page.text and "利益冲突" in page.text  # shown, but cannot be ticked
    assert invited.status_code == 200
    assert "张教授" in invited.text and "刘老师" in invited.text
    assert 'data-testid="mean-total">85.0<' in board.text
    assert "已立项" in text(approved.text)
    assert await world.status(topic_id) == "approved"


async def test_dashboard_shows_counties_at_zero_first_for_the_city(world):
    topic_id = await world.create()
    await world.bring_to(topic_id, "submitted")
    async with signed_in(world, "city") as browser:
        home = await browser.get("/")
    section = home.text[home.text.index('data-testid="topic-counts-card"'):]
    assert section.index("卢氏县") < section.index("灵宝市")
    assert "尚未开展" in section
