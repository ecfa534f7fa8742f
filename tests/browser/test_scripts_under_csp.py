"""Page behaviour moved out of inline handlers still works under the Content-Security-Policy.

The ``browser_page`` fixture fails a test on any console message about a CSP block, so these
walks also prove that nothing on these pages needs an inline script.
"""

from __future__ import annotations

import pytest

from lianyan.topics.tables import Topic
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


async def test_confirm_and_autosubmit_work_without_inline_scripts(browser_page, demo_city):
    page = browser_page
    draft = await Topic.objects().where(Topic.status == "draft").first()
    await sign_in(page, "lingbao")

    # Deleting a draft asks first: answering "no" keeps the draft, "yes" deletes it
    await page.goto(f"/topics/{draft.id}")
    questions: list[str] = []

    async def dismiss(dialog):  # type: ignore[no-untyped-def]
        questions.append(dialog.message)
        await dialog.dismiss()

    page.once("dialog", dismiss)
    await page.click("text=删除草稿")
    assert questions == ["确定删除这份草稿吗？"]
    assert await Topic.exists().where(Topic.id == draft.id)

    page.once("dialog", lambda dialog: dialog.accept())
    async with page.expect_navigation():
        await page.click("text=删除草稿")
    assert not await Topic.exists().where(Topic.id == draft.id)


async def test_county_choice_reloads_the_topic_form(browser_page, demo_city):
    page = browser_page
    await sign_in(page, "city")
    await page.goto("/topics/new")
    options = await page.eval_on_selector_all(
        "select[name=county_id] option", "els => els.map(e => [e.value, e.textContent])"
    )
    value, name = options[-1]
    async with page.expect_navigation():
        await page.select_option("select[name=county_id]", value)
    assert page.url.endswith(f"county_id={value}")
    assert await page.input_value("form[data-testid=topic-form] input[name=county_id]") == value
    assert name
