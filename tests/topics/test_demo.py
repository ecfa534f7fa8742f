"""The demo topics: loaded with the demo city, in the states the demo promises."""

from __future__ import annotations

import pytest

from lianyan import demo
from lianyan.org.tables import County
from lianyan.topics import one_topic, queries, review
from lianyan.topics.tables import Topic, TopicEvent, TopicReview
from tests.builders import org as f


@pytest.fixture
async def demo_topics(clean_db, monkeypatch):
    """The demo city with only this domain's demo module (others are tested by their owners)."""
    monkeypatch.setattr(demo, "DEMO_MODULES", ["lianyan.topics.demo"])
    await demo.load()


async def test_demo_is_registered():
    assert "lianyan.topics.demo" in demo.DEMO_MODULES


async def test_demo_topics_cover_states_and_leave_counties_at_zero(demo_topics):
    # Act
    counts = await one_topic.active_topic_counts(2026)
    names = {r["id"]: r["name"] for r in await County.select(County.id, County.name)}
    by_name = {names[c]: n for c, n in counts.items()}
    statuses = {r["status"] for r in await Topic.select(Topic.status).where(Topic.year == 2026)}
    # Assert
    assert by_name == {"灵宝市": 1, "卢氏县": 1, "渑池县": 1, "义马市": 1, "陕州区": 0,
                       "湖滨区": 0}
    assert {"draft", "submitted", "approved", "opened", "midterm", "withdrawn",
            "rejected"} <= statuses
    assert await TopicEvent.count() > await Topic.count()


async def test_expert1_is_invited_to_a_submitted_topic_of_another_county(demo_topics):
    expert = await f.principal("expert1")
    # Act
    topics, total = await queries.list_topics(expert)
    board = await review.list_reviews(expert, topics[0].id)
    # Assert
    assert total == 1
    assert topics[0].status == "submitted"
    assert topics[0].county_name == "卢氏县"
    assert expert.home_county_id != topics[0].county_id
    assert board.items[0].expert_id == expert.person_id
    assert await TopicReview.count() == 1


async def test_demo_topic_can_be_taken_further_by_its_county(demo_topics):
    officer = await f.principal("lingbao")
    topics, _ = await queries.list_topics(officer, status="draft")
    detail = await queries.get_topic(officer, topics[0].id)
    assert detail.host_name is not None
    assert {"submit", "edit"} <= set(detail.allowed_actions)
