"""The topic section of the home page."""

from __future__ import annotations

from typing import Any

from lianyan import clock
from lianyan.org.tables import County
from lianyan.principal import Principal, Role
from lianyan.topics import one_topic
from lianyan.topics.tables import TopicReview


async def dashboard(actor: Principal) -> dict[str, Any] | None:
    """The topic section of the home page: reviews waiting for an expert, the county's
    topics of the year for its officers, the counties at zero for the city."""
    year = clock.today().year
    context: dict[str, Any] = {"year": year, "pending": [], "counties": []}
    if actor.has(Role.EXPERT):
        rows = await TopicReview.select(
            TopicReview.topic.as_alias("id"), TopicReview.topic.title.as_alias("title"),
            TopicReview.topic._.county.name.as_alias("county_name"),
            TopicReview.submitted_at,
        ).where(
            (TopicReview.expert == actor.person_id)
            & (TopicReview.topic.status == "submitted")
        ).order_by(TopicReview.id)
        context["pending"] = rows
    counties = None if actor.is_city else sorted(actor.counties(Role.COUNTY_OFFICER))
    if actor.is_city or counties:
        counts = await one_topic.active_topic_counts(year)
        names = {
            r["id"]: r["name"]
            for r in await County.select(County.id, County.name).order_by(County.code)
        }
        context["counties"] = sorted(
            (
                {"id": c, "name": names[c], "active": n}
                for c, n in counts.items()
                if counties is None or c in counties
            ),
            key=lambda x: (x["active"] > 0, list(names).index(x["id"])),
        )
    if not context["pending"] and not context["counties"]:
        return None
    return context
