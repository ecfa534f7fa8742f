"""What the reports read straight from other domains' tables, because no service offers it.

The other domains' services are used wherever they give what a report needs (rosters,
filings and their activities, topics, exchanges and their groups and designs, awards, the
compliance board); docs/reports.md lists which. What is left is here, read-only, each
function one query (or a fixed few) whatever the number of rows — never a query per row:

* people's units and titles (the topic application form);
* every comment and score of an exchange at once (the services give them per design);
* an exchange's highlight summary, and the year's accepted highlights with their designs;
* current result files of concluded topics;
* the county's bureau, the city's review of a filing, the zones' research officers;
* the year's urban–rural pairings.

The year's figures (年度工作总结, slides) are in ``figures``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

import msgspec

from lianyan import clock
from lianyan.exchanges.tables import (
    Comment,
    Design,
    DesignVersion,
    Highlight,
    Participant,
    Score,
)
from lianyan.files import services as files
from lianyan.filings.tables import FilingEvent
from lianyan.org.tables import County, Kindergarten, Person, Zone
from lianyan.topics.tables import TopicDocument

#: The five items of the lesson score form (评课量表), in the order the form shows them.
SCORE_ITEMS = ("goal", "content", "process", "children", "teacher")


def year_range(year: int) -> tuple[dt.datetime, dt.datetime]:
    """1 January of ``year`` to 1 January of the next, in the city's time zone."""
    start = dt.datetime(year, 1, 1, tzinfo=clock.CITY_TZ)
    return start, dt.datetime(year + 1, 1, 1, tzinfo=clock.CITY_TZ)


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
        Comment.role, Comment.body, Comment.at_seconds, Comment.created_at,
    ).where(Comment.design.exchange == exchange_id).order_by(Comment.id)
    result: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        r["created_at"] = clock.local(r["created_at"])
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
        Highlight.exchange._.county.name.as_alias("county_name"),
        Highlight.exchange._.host.name.as_alias("host_name"),
        Highlight.summary,
    ).where(
        (Highlight.status == "accepted")
        & (Highlight.exchange.starts_at >= start)
        & (Highlight.exchange.starts_at < end)
    ).order_by(Highlight.exchange.starts_at).order_by(Highlight.exchange.id)
    for r in rows:
        r["starts_at"] = clock.local(r["starts_at"])
    return rows


async def designs_of(exchange_ids: list[int]) -> list[dict[str, Any]]:
    """Designs with at least one version in these exchanges, by exchange, group and id, with
    their kindergarten, county and teacher; one query."""
    if not exchange_ids:
        return []
    return await Design.select(
        Design.id, Design.exchange.as_alias("exchange_id"), Design.title,
        Design.latest_version,
        Design.participant._.group.number.as_alias("group_number"),
        Design.participant._.kindergarten.name.as_alias("kindergarten_name"),
        Design.participant._.county.name.as_alias("county_name"),
        Design.participant._.teacher.name.as_alias("teacher_name"),
    ).where(Design.exchange.is_in(exchange_ids) & (Design.latest_version > 0)).order_by(
        Design.exchange
    ).order_by(Design.participant._.group.number).order_by(Design.id)


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


# Issuing units and the city's review -----------------------------------------------------------


async def county_bureau(county_id: int) -> dict[str, Any] | None:
    """The county's name and its bureau's name, document-number prefix and seal text; one query."""
    return await County.select(
        County.id, County.name, County.bureau, County.doc_prefix, County.seal
    ).where(County.id == county_id).first()


async def filing_review(filing_id: int) -> dict[str, Any] | None:
    """The city's latest acceptance of a filing: its opinion (note) and when; one query."""
    row = await FilingEvent.select(FilingEvent.note, FilingEvent.at).where(
        (FilingEvent.filing == filing_id) & (FilingEvent.action == "accept")
    ).order_by(FilingEvent.id, ascending=False).first()
    if row is not None:
        row["at"] = clock.local(row["at"])
    return row


async def zone_officers(county_id: int) -> list[dict[str, Any]]:
    """The county's zones with their lead kindergarten and research officer, by id; three
    queries."""
    zones = await Zone.select(Zone.id, Zone.name, Zone.lead_kindergarten_id, Zone.officer_id).where(
        Zone.county == county_id).order_by(Zone.id)
    kg_ids = [z["lead_kindergarten_id"] for z in zones if z["lead_kindergarten_id"]]
    person_ids = [z["officer_id"] for z in zones if z["officer_id"]]
    leads = {r["id"]: r["name"] for r in await Kindergarten.select(
        Kindergarten.id, Kindergarten.name).where(Kindergarten.id.is_in(kg_ids or [0]))}
    officers = await people(person_ids)
    return [
        {"zone": z["name"], "lead": leads.get(z["lead_kindergarten_id"] or 0, ""),
         "officer": officers.get(z["officer_id"] or 0)}
        for z in zones
    ]


# Urban–rural pairings (年终汇报) ----------------------------------------------------------------


async def pairings(year: int, start: dt.datetime, end: dt.datetime,
                   county_ids: list[int] | None) -> list[dict[str, Any]]:
    """Groups of exchanges starting in [start, end) that paired an urban kindergarten with a
    town or rural one (城乡结对), with their members; one query. With ``county_ids``, only groups
    with a member from those counties."""
    rows = await Participant.select(
        Participant.group.as_alias("group_id"), Participant.group.number.as_alias("number"),
        Participant.exchange.title.as_alias("exchange"),
        Participant.exchange.starts_at.as_alias("starts_at"),
        Participant.kindergarten.name.as_alias("kindergarten"),
        Participant.kindergarten.locale.as_alias("locale"),
        Participant.county.as_alias("county_id"), Participant.county.name.as_alias("county"),
    ).where(
        Participant.group.is_not_null() & (Participant.exchange.starts_at >= start)
        & (Participant.exchange.starts_at < end)
    ).order_by(Participant.exchange.starts_at).order_by(Participant.group.number).order_by(
        Participant.id)
    groups: dict[int, list[dict[str, Any]]] = {}
    for r in rows:
        groups.setdefault(r["group_id"], []).append(r)
    result = []
    for members in groups.values():
        locales = {m["locale"] for m in members}
        if "urban" not in locales or not locales & {"town", "rural"}:
            continue
        if county_ids is not None and not any(m["county_id"] in county_ids for m in members):
            continue
        result.append({"exchange": members[0]["exchange"], "number": members[0]["number"],
                       "members": [(m["kindergarten"], m["county"], m["locale"])
                                   for m in members]})
    return result


# Highlight photos (年终汇报) -------------------------------------------------------------------

#: Photos a highlight shows at most on the year-end slides.
PHOTOS_PER_HIGHLIGHT = 2
_PHOTO_TYPES = ("image/jpeg", "image/png")


async def highlight_photos(exchange_ids: list[int]) -> dict[int, list[str]]:
    """Per exchange: the object keys of the first JPEG / PNG images of its designs' current
    versions, at most ``PHOTOS_PER_HIGHLIGHT``; two queries."""
    if not exchange_ids:
        return {}
    versions = await DesignVersion.select(
        DesignVersion.design.exchange.as_alias("exchange_id"), DesignVersion.number,
        DesignVersion.design.latest_version.as_alias("latest"), DesignVersion.image_file_ids,
    ).where(DesignVersion.design.exchange.is_in(exchange_ids)).order_by(DesignVersion.design)
    wanted: dict[int, list[int]] = defaultdict(list)
    for v in versions:
        if v["number"] != v["latest"]:
            continue
        ids = v["image_file_ids"]
        if isinstance(ids, str):
            ids = msgspec.json.decode(ids or "[]")
        wanted[v["exchange_id"]].extend(int(i) for i in ids)
    file_ids = sorted({i for ids in wanted.values() for i in ids})
    keys = await files.object_keys(file_ids, content_types=_PHOTO_TYPES)
    return {exchange: [keys[i] for i in ids if i in keys][:PHOTOS_PER_HIGHLIGHT]
            for exchange, ids in wanted.items()}
