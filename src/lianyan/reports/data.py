"""What the reports read straight from other domains' tables, because no service offers it.

The other domains' services are used wherever they give what a report needs (rosters,
filings and their activities, topics, exchanges and their groups and designs, awards, the
compliance board); docs/reports.md lists which. What is left is here, read-only, each
function one query (or a fixed few) whatever the number of rows — never a query per row:

* people's units and titles (the topic application form);
* every comment and score of an exchange at once (the services give them per design);
* an exchange's highlight summary, and the year's accepted highlights with their designs;
* current result files of concluded topics;
* the year's figures per county: activities by form, topics by status, exchange work.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from piccolo.query.functions.aggregate import Count

from lianyan import clock
from lianyan.exchanges.tables import (
    Comment,
    Design,
    Exchange,
    Highlight,
    Participant,
    Score,
)
from lianyan.filings.tables import FiledActivity
from lianyan.org.tables import Person
from lianyan.topics.tables import Topic, TopicDocument

#: The five items of the lesson score form (评课量表), in the order the form shows them.
SCORE_ITEMS = ("goal", "content", "process", "children", "teacher")


def year_range(year: int) -> tuple[dt.datetime, dt.datetime]:
    """1 January of ``year`` to 1 January of the next, in the city's time zone."""
    start = dt.datetime(year, 1, 1, tzinfo=clock.CITY_TZ)
    return start, dt.datetime(year + 1, 1, 1, tzinfo=clock.CITY_TZ)


def _local(value: dt.datetime | None) -> dt.datetime | None:
    return value.astimezone(clock.CITY_TZ) if value is not None else None


# People --------------------------------------------------------------------------------------


async def people(person_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Name, unit (the kindergarten's name when the person works in one), job and professional
    titles and phone of each person; one query."""
    if not person_ids:
        return {}
    rows = await Person.select(
        Person.id, Person.name, Person.unit, Person.job_title, Person.professional_title,
        Person.phone, Person.kindergarten.name.as_alias("kindergarten_name"),
    ).where(Person.id.is_in(sorted(set(person_ids))))
    for r in rows:
        r["unit"] = r["kindergarten_name"] or r["unit"] or ""
        r["phone"] = r["phone"] or ""
    return {r["id"]: r for r in rows}


# One exchange ----------------------------------------------------------------------------------


async def exchange_comments(exchange_id: int) -> dict[int, list[dict[str, Any]]]:
    """Every comment and reply on the exchange's designs, by design, oldest first; one query."""
    rows = await Comment.select(
        Comment.id, Comment.design.as_alias("design_id"), Comment.parent.as_alias("parent_id"),
        Comment.version.number.as_alias("version"), Comment.author.name.as_alias("author_name"),
        Comment.role, Comment.body, Comment.created_at,
    ).where(Comment.design.exchange == exchange_id).order_by(Comment.id)
    result: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        r["created_at"] = _local(r["created_at"])
        result[r["design_id"]].append(r)
    return result


async def exchange_scores(exchange_id: int) -> dict[int, list[dict[str, Any]]]:
    """Every expert's score form on the exchange's designs, by design; one query."""
    rows = await Score.select(
        Score.design.as_alias("design_id"), Score.expert.name.as_alias("expert_name"),
        Score.version.number.as_alias("version"),
        *(getattr(Score, item) for item in SCORE_ITEMS),
    ).where(Score.design.exchange == exchange_id).order_by(Score.id)
    result: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        r["total"] = sum(r[item] for item in SCORE_ITEMS)
        result[r["design_id"]].append(r)
    return result


async def highlight_of(exchange_id: int) -> dict[str, Any] | None:
    """The exchange's highlight (the organiser's summary and its status), if pushed; one query."""
    return await Highlight.select(Highlight.summary, Highlight.status).where(
        Highlight.exchange == exchange_id
    ).first()


# The year's highlights (成果汇编) -------------------------------------------------------------


async def accepted_highlights(year: int) -> list[dict[str, Any]]:
    """Exchanges of ``year`` the city accepted into the library, with the organiser's summary,
    by start time; one query."""
    start, end = year_range(year)
    rows = await Highlight.select(
        Highlight.exchange.as_alias("exchange_id"),
        Highlight.exchange.title.as_alias("title"),
        Highlight.exchange.content.as_alias("content"),
        Highlight.exchange.age_group.as_alias("age_group"),
        Highlight.exchange.domain.as_alias("domain"),
        Highlight.exchange.mode.as_alias("mode"),
        Highlight.exchange.starts_at.as_alias("starts_at"),
        Highlight.exchange.place.as_alias("place"),
        Highlight.exchange.county.name.as_alias("county_name"),
        Highlight.exchange.host.name.as_alias("host_name"),
        Highlight.summary,
    ).where(
        (Highlight.status == "accepted")
        & (Highlight.exchange.starts_at >= start)
        & (Highlight.exchange.starts_at < end)
    ).order_by(Highlight.exchange.starts_at).order_by(Highlight.exchange.id)
    for r in rows:
        r["starts_at"] = _local(r["starts_at"])
    return rows


async def designs_of(exchange_ids: list[int]) -> list[dict[str, Any]]:
    """Designs with at least one version in these exchanges, by exchange, group and id, with
    their kindergarten, county and teacher; one query."""
    if not exchange_ids:
        return []
    return await Design.select(
        Design.id, Design.exchange.as_alias("exchange_id"), Design.title,
        Design.latest_version,
        Design.participant.group.number.as_alias("group_number"),
        Design.participant.kindergarten.name.as_alias("kindergarten_name"),
        Design.participant.county.name.as_alias("county_name"),
        Design.participant.teacher.name.as_alias("teacher_name"),
    ).where(Design.exchange.is_in(exchange_ids) & (Design.latest_version > 0)).order_by(
        Design.exchange
    ).order_by(Design.participant.group.number).order_by(Design.id)


async def score_summaries(design_ids: list[int]) -> dict[int, tuple[int, float]]:
    """Per design: how many experts scored it and the average total (of 25); one query."""
    if not design_ids:
        return {}
    rows = await Score.select(Score.design, *(getattr(Score, item) for item in SCORE_ITEMS)).where(
        Score.design.is_in(design_ids)
    )
    totals: dict[int, list[int]] = defaultdict(list)
    for r in rows:
        totals[r["design"]].append(sum(r[item] for item in SCORE_ITEMS))
    return {d: (len(t), round(sum(t) / len(t), 1)) for d, t in totals.items()}


# Concluded topics -------------------------------------------------------------------------------

#: Documents of a concluded topic worth listing in the compilation, in this order.
RESULT_KINDS = ("final", "result")


async def topic_result_files(topic_ids: list[int]) -> dict[int, list[str]]:
    """Per topic: the file names of its current 结题报告 and 成果 documents; one query."""
    if not topic_ids:
        return {}
    rows = await TopicDocument.select(
        TopicDocument.topic, TopicDocument.kind, TopicDocument.version,
        TopicDocument.file.original_name.as_alias("name"),
    ).where(TopicDocument.topic.is_in(topic_ids) & TopicDocument.kind.is_in(list(RESULT_KINDS)))
    newest: dict[tuple[int, str], tuple[int, str]] = {}
    for r in rows:
        key = (r["topic"], r["kind"])
        if key not in newest or r["version"] > newest[key][0]:
            newest[key] = (r["version"], r["name"])
    result: dict[int, list[str]] = defaultdict(list)
    for kind in RESULT_KINDS:
        for (topic_id, k), (_, name) in sorted(newest.items()):
            if k == kind:
                result[topic_id].append(name)
    return result


# The year's figures per county (年度工作总结) -----------------------------------------------------


@dataclass
class ExchangeWork:
    """A county's part in the year's 同研异构 exchanges."""

    organised: int = 0
    participations: int = 0
    designs: int = 0
    expert_comments: int = 0


@dataclass
class YearFigures:
    """What ``year_figures`` counts, per county (``None`` holds city-wide exchanges)."""

    activities_by_form: dict[int, dict[str, int]] = field(default_factory=dict)
    large_activities: dict[int, int] = field(default_factory=dict)
    topics_by_status: dict[int, dict[str, int]] = field(default_factory=dict)
    exchanges: dict[int | None, ExchangeWork] = field(default_factory=dict)


async def year_figures(year: int, county_ids: list[int] | None) -> YearFigures:
    """Activities by form, topics by status and exchange work of ``year`` per county, in six
    grouped queries whatever the number of counties (``None``: every county)."""
    figures = YearFigures()
    start, end = year_range(year)

    activities = FiledActivity.select(
        FiledActivity.filing.county.as_alias("county_id"), FiledActivity.form,
        FiledActivity.is_large, Count(FiledActivity.id, alias="n"),
    ).where(FiledActivity.filing.year == year)
    if county_ids is not None:
        activities = activities.where(FiledActivity.filing.county.is_in(county_ids or [0]))
    for r in await activities.group_by(
        FiledActivity.filing.county, FiledActivity.form, FiledActivity.is_large
    ):
        forms = figures.activities_by_form.setdefault(r["county_id"], {})
        forms[r["form"]] = forms.get(r["form"], 0) + r["n"]
        if r["is_large"]:
            figures.large_activities[r["county_id"]] = (
                figures.large_activities.get(r["county_id"], 0) + r["n"]
            )

    topics = Topic.select(Topic.county, Topic.status, Count(Topic.id, alias="n")).where(
        Topic.year == year
    )
    if county_ids is not None:
        topics = topics.where(Topic.county.is_in(county_ids or [0]))
    for r in await topics.group_by(Topic.county, Topic.status):
        figures.topics_by_status.setdefault(r["county"], {})[r["status"]] = r["n"]

    def work(county_id: int | None) -> ExchangeWork:
        return figures.exchanges.setdefault(county_id, ExchangeWork())

    in_year = (Exchange.starts_at >= start) & (Exchange.starts_at < end)
    organised = Exchange.select(Exchange.county, Count(Exchange.id, alias="n")).where(in_year)
    for r in await organised.group_by(Exchange.county):
        if county_ids is None or r["county"] in county_ids:
            work(r["county"]).organised = r["n"]

    participant_year = (Participant.exchange.starts_at >= start) & (
        Participant.exchange.starts_at < end
    )
    for r in await Participant.select(
        Participant.county, Count(Participant.id, alias="n")
    ).where(participant_year).group_by(Participant.county):
        if county_ids is None or r["county"] in county_ids:
            work(r["county"]).participations = r["n"]

    design_year = (Design.exchange.starts_at >= start) & (Design.exchange.starts_at < end)
    for r in await Design.select(
        Design.participant.county.as_alias("county_id"), Count(Design.id, alias="n")
    ).where(design_year & (Design.latest_version > 0)).group_by(Design.participant.county):
        if county_ids is None or r["county_id"] in county_ids:
            work(r["county_id"]).designs = r["n"]

    comment_year = (Comment.design.exchange.starts_at >= start) & (
        Comment.design.exchange.starts_at < end
    )
    for r in await Comment.select(
        Comment.design.participant.county.as_alias("county_id"), Count(Comment.id, alias="n")
    ).where(comment_year & (Comment.role == "expert")).group_by(
        Comment.design.participant.county
    ):
        if county_ids is None or r["county_id"] in county_ids:
            work(r["county_id"]).expert_comments = r["n"]
    return figures
