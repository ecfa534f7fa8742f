"""What the topics domain counts for other domains (evaluation's participation figures)."""

from __future__ import annotations

from piccolo.query.functions.aggregate import Count

from lianyan.topics.one_topic import ACTIVE
from lianyan.topics.tables import Topic


async def active_topics_by_host(year: int, person_ids: list[int]) -> dict[int, int]:
    """The year's active topics (``one_topic.ACTIVE``) hosted by each of ``person_ids``; one query."""
    if not person_ids:
        return {}
    rows = await Topic.select(Topic.host, Count(Topic.id, alias="n")).where(
        Topic.host.is_in(person_ids) & (Topic.year == year) & Topic.status.is_in(sorted(ACTIVE))
    ).group_by(Topic.host)
    return {r["host"]: r["n"] for r in rows}
