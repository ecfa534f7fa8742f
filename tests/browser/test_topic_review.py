"""Application review (立项评审) of a research topic in a real browser, end to end.

卢氏县's officer creates a topic on the form, uploads the 申报书 (the progress bar runs against
the JSON API) and submits it; the city opens the review page, sees that the expert who works in
卢氏县 cannot be invited, invites expert1; expert1 finds the topic on the dashboard, cannot see
the other score before scoring, scores it and then sees both; the city reads the scores side by
side with the mean and approves the topic.
"""

from __future__ import annotations

import re
from typing import Any

from lianyan.topics.tables import Topic, TopicReview
from tests.browser.conftest import sign_in
from tests.builders.files import application_docx


async def _as(browser: Any, live_server: Any, username: str, *, phone: bool = False) -> Any:
    viewport = {"width": 390, "height": 844} if phone else {"width": 1280, "height": 900}
    context = await browser.new_context(base_url=live_server.url, locale="zh-CN",
                                        viewport=viewport)
    context.set_default_timeout(15_000)
    page = await context.new_page()
    await sign_in(page, username)
    return page


async def test_county_submits_experts_score_city_approves(browser, live_server, demo_city,
                                                          tmp_path):
    application = tmp_path / "卢氏县课题申报书.docx"
    application.write_bytes(application_docx("乡村幼儿园户外游戏课题申报书"))

    # 卢氏县's officer creates the topic from the form, on a phone
    officer = await _as(browser, live_server, "lushi", phone=True)
    await officer.goto("/topics/new")
    form = "form[data-testid=topic-form]"
    await officer.fill(f"{form} input[name=title]", "乡村幼儿园户外游戏环境创设的实践研究")
    await officer.fill(f"{form} input[name=direction]", "户外游戏")
    await officer.select_option(f"{form} select[name=level]", "county")
    await officer.select_option(f"{form} select[name=host_id]", index=1)
    await officer.select_option(f"{form} select[name=member_person_00]", index=2)
    await officer.fill(f"{form} input[name=member_role_00]", "核心成员")
    await officer.fill(f"{form} input[name=keywords]", "户外游戏、环境创设")
    await officer.click(f"{form} button[type=submit]")
    await officer.wait_for_selector("[data-testid=topic-status]")
    topic_id = int(re.search(r"/topics/(\d+)$", officer.url).group(1))  # type: ignore[union-attr]
    assert "草稿" in await officer.inner_text("[data-testid=topic-status]")

    # Submitting without the 申报书 says what is missing
    await officer.click("[data-testid=step-submit] button")
    assert "上传申报书" in await officer.inner_text("[data-testid=action-error]")

    # Upload the 申报书 through the progress-bar form; the page reloads with the document
    await officer.set_input_files("form[data-testid=upload-form] input[name=file]",
                                  str(application))
    await officer.select_option("form[data-testid=upload-form] select[name=kind]", "application")
    async with officer.expect_navigation():
        await officer.click("form[data-testid=upload-form] button[type=submit]")
    assert application.name in await officer.inner_text("[data-testid=documents]")

    await officer.fill("[data-testid=step-submit] input[name=note]", "请市教育局审核")
    await officer.click("[data-testid=step-submit] button")
    await officer.wait_for_selector("[data-testid=topic-status]")
    assert "已申报" in await officer.inner_text("[data-testid=topic-status]")
    assert await officer.locator("[data-testid=step-approve]").count() == 0

    # The city invites experts: the one who works in 卢氏县 is shown as a conflict
    city = await _as(browser, live_server, "city")
    await city.goto(f"/topics/{topic_id}")
    await city.click("[data-testid=open-reviews]")
    invite = city.locator("form[data-testid=invite-form]")
    conflicted = invite.locator("label", has_text="利益冲突")
    assert await conflicted.count() == 1
    assert await conflicted.locator("input[type=checkbox]").is_disabled()
    expert1 = (await _person("expert1"))
    await city.check(f"input[name=expert_ids][value='{expert1}']")
    await city.click("form[data-testid=invite-form] button[type=submit]")
    await city.wait_for_selector("[data-testid=review-board]")
    assert "尚未提交" in await city.inner_text("[data-testid=review-board]")

    # expert1 finds it on the dashboard, scores it, and only then sees the whole board
    expert = await _as(browser, live_server, "expert1")
    reviews_card = await expert.inner_text("[data-testid=topic-reviews-card]")
    assert "乡村幼儿园户外游戏环境创设的实践研究" in reviews_card
    await expert.click("[data-testid=topic-reviews-card] >> text=乡村幼儿园户外游戏环境创设的实践研究")
    await expert.wait_for_selector("form[data-testid=review-form]")
    assert await expert.locator("[data-testid=application-link]").count() == 1
    for name, score in (("value", "22"), ("design", "20"), ("feasibility", "21"),
                        ("outcomes", "19")):
        await expert.fill(f"form[data-testid=review-form] input[name={name}]", score)
    await expert.fill("form[data-testid=review-form] textarea[name=comment]",
                      "选题立足乡村实际，建议细化观察记录工具。")
    await expert.click("form[data-testid=review-form] button[type=submit]")
    assert "评审意见已保存" in await expert.inner_text("[data-testid=review-notice]")
    assert "82" in await expert.inner_text("[data-testid=scores]")

    # The city sees the scores side by side with the mean, and approves
    await city.reload()
    board = await city.inner_text("[data-testid=review-board]")
    assert "选题立足乡村实际" in board
    assert await city.inner_text("[data-testid=mean-total]") == "82.0"
    await city.fill("[data-testid=step-approve] input[name=note]", "同意立项")
    await city.click("[data-testid=step-approve] button")
    await city.wait_for_selector("[data-testid=topic-status]")
    assert "已立项" in await city.inner_text("[data-testid=topic-status]")
    assert "同意立项" in await city.inner_text("[data-testid=timeline]")

    # The expert's form is closed now
    await expert.reload()
    assert await expert.locator("form[data-testid=review-form]").count() == 0
    row = await Topic.select(Topic.status).where(Topic.id == topic_id).first()
    assert row["status"] == "approved"
    assert await TopicReview.count().where(
        (TopicReview.topic == topic_id) & TopicReview.submitted_at.is_not_null()
    ) == 1
    for page in (officer, city, expert):
        await page.context.close()


async def _person(username: str) -> int:
    from lianyan.auth.tables import Account

    row = await Account.select(Account.person).where(Account.username == username).first()
    return int(row["person"])
