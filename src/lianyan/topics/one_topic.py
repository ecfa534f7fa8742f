"""The one-topic rule (每个县（市、区）每年至少开展1项课题研究): its one home.

A topic is *active* when it is submitted or later and not rejected or withdrawn (:data:`ACTIVE`).
Here: the counting (for filings and the compliance board), the refusal of a county's annual
filing while it has no active topic (``filing.needs_topic``), and the refusal to withdraw or
delete the county's last active topic of a year (``topic.last_active``) under the county-year
lock (:func:`county_year_lock`).
"""

from __future__ import annotations

from piccolo.query.functions.aggregate import Count

from lianyan.errors import Conflict
from lianyan.org.tables import County
from lianyan.topics import queries
from lianyan.topics.tables import Topic

#: States that count towards the rule.
ACTIVE = frozenset({"submitted", "approved", "opened", "midterm", "concluded"})

#: The one-topic rule in the words of the source document.
ONE_TOPIC_RULE = "每个县（市、区）每年至少开展1项课题研究"


def county_year_lock(county_id: int, year: int) -> str:
    """The lock of a county and year, taken by every change that could take away its last
    active topic (steps, deletion) and by the writes that must see a settled status."""
    return f"topics:{county_id}:{year}"


async def guard_last_active(county_id: int, year: int, topic_id: int) -> None:
    """Refuse to take away a county's last active topic of a year (call inside the lock)."""
    others = await Topic.count().where(
        (Topic.county == county_id)
        & (Topic.year == year)
        & Topic.status.is_in(sorted(ACTIVE))
        & (Topic.id != topic_id)
    )
    if others == 0:
        county = await queries.county_name(county_id)
        raise Conflict(
            "topic.last_active",
            f"这是{county}{year}年唯一一项已申报（含已立项、在研、已结题）的课题。"
            f"按照“{ONE_TOPIC_RULE}”的要求，不能撤销或删除；请先申报另一项课题，再撤销此课题。",
            county_id=county_id,
            year=year,
        )


async def active_topic_counts(year: int) -> dict[int, int]:
    """Active topics (submitted or later, not rejected or withdrawn) of ``year`` per county.

    Every county is a key, those without an active topic with 0. Two queries.
    """
    counties = await County.select(County.id)
    counts = {r["id"]: 0 for r in counties}
    rows = await Topic.select(Topic.county, Count(Topic.id).as_alias("n")).where(
        (Topic.year == year) & Topic.status.is_in(sorted(ACTIVE))
    ).group_by(Topic.county)
    for r in rows:
        counts[r["county"]] = r["n"]
    return counts


async def has_active_topic(county_id: int, year: int) -> bool:
    """True when the county has at least one active topic for ``year``."""
    return await Topic.exists().where(
        (Topic.county == county_id) & (Topic.year == year) & Topic.status.is_in(sorted(ACTIVE))
    )


async def require_active_topic(county_id: int, year: int) -> None:
    """Raise 409 ``filing.needs_topic`` unless the county has an active topic for ``year``.

    The filings domain calls this before a county's annual filing may be submitted.
    """
    if await has_active_topic(county_id, year):
        return
    county = await queries.county_name(county_id)
    raise Conflict(
        "filing.needs_topic",
        f"{county}{year}年还没有已申报的课题。按照“{ONE_TOPIC_RULE}”的要求，"
        f"请先至少申报1项{year}年度课题（提交申报即可），再提交年度备案。",
        county_id=county_id,
        year=year,
    )
