"""Rows of research topics (课题)."""

from __future__ import annotations

from typing import Any

from lianyan import clock
from lianyan.topics.tables import Topic, TopicMember
from tests.builders import insert


async def topic(
    county_id: int,
    *,
    title: str = "幼儿园户外自主游戏中教师支持策略的研究",
    year: int = 2026,
    status: str = "draft",
    direction: str = "区域教研",
    level: str = "county",
    **columns: Any,
) -> int:
    """A topic of the county in ``status``; other columns (``host``, ``kindergarten``, …) as
    keywords. Returns its id."""
    now = clock.now()
    return await insert(
        Topic, county=county_id, year=year, title=title, direction=direction, level=level,
        status=status, **{"created_at": now, "updated_at": now, **columns},
    )


async def member(topic_id: int, person_id: int, *, role: str = "成员", position: int = 0) -> int:
    """A member of a topic's team; returns the row's id."""
    return await insert(TopicMember, topic=topic_id, person=person_id, role=role,
                        position=position)
