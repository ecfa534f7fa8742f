"""Highlights (亮点推送) and the shared resource library (资源共享).

After the comment deadline the organising county pushes a finished exchange to the city; the
city accepts it into the library, which every signed-in user may browse and search. An
accepted exchange, its designs and their files become readable by everyone (read-only).
"""

from __future__ import annotations

from typing import Any

import msgspec
from piccolo.query.functions.aggregate import Count

from lianyan import clock, indexing
from lianyan.audit import services as audit
from lianyan.db import atomic
from lianyan.errors import Conflict, Forbidden, NotFound
from lianyan.exchanges import schemas as s
from lianyan.exchanges.services import visible_exchange
from lianyan.exchanges.tables import Design, Highlight
from lianyan.labels import book
from lianyan.principal import Principal
from lianyan.robots import outbox as robots

_COLUMNS = (
    Highlight.id,
    Highlight.exchange.as_alias("exchange_id"),
    Highlight.exchange.title.as_alias("title"),
    Highlight.exchange.content.as_alias("content"),
    Highlight.exchange.age_group.as_alias("age_group"),
    Highlight.exchange.domain.as_alias("domain"),
    Highlight.exchange.county.as_alias("county_id"),
    Highlight.exchange._.county.name.as_alias("county_name"),
    Highlight.summary,
    Highlight.status,
    Highlight.pushed_at,
    Highlight.accepted_at,
)


async def _out(rows: list[dict[str, Any]]) -> list[s.HighlightOut]:
    """Rows with their design counts, in one more query."""
    ids = [r["exchange_id"] for r in rows]
    counts = {}
    if ids:
        counted = await Design.select(Design.exchange, Count(alias="n")).where(
            Design.exchange.is_in(ids) & (Design.latest_version > 0)
        ).group_by(Design.exchange)
        counts = {r["exchange"]: r["n"] for r in counted}
    result = []
    for row in rows:
        row["pushed_at"] = clock.local(row["pushed_at"])
        row["accepted_at"] = clock.local(row["accepted_at"])
        row["designs"] = counts.get(row["exchange_id"], 0)
        result.append(msgspec.convert(row, s.HighlightOut))
    return result


async def _one(highlight_id: int) -> s.HighlightOut:
    row = await Highlight.select(*_COLUMNS).where(Highlight.id == highlight_id).first()
    if row is None:
        raise NotFound("highlight.not_found", "没有找到该推送。")
    return (await _out([row]))[0]


async def push(actor: Principal, exchange_id: int, data: s.HighlightIn) -> s.HighlightOut:
    """Push a finished exchange to the city (its organisers).

    Side effects: a ``highlight`` row (``pushed``) and an audit entry.
    """
    exchange, standing = await visible_exchange(actor, exchange_id)
    if not standing.organiser:
        raise Forbidden("highlight.forbidden", "只有组织本次活动的县区可以推送亮点。")
    if clock.now() < exchange.comment_deadline:
        raise Conflict(
            "highlight.not_finished",
            f"活动尚未结束（点评截止：{exchange.comment_deadline:%Y-%m-%d %H:%M}），"
            "结束后才能推送。",
        )
    async with atomic(lock=f"highlight:{exchange_id}"):
        if await Highlight.exists().where(Highlight.exchange == exchange_id):
            raise Conflict("highlight.exists", "本次活动已经推送过了。")
        row = (
            await Highlight.insert(
                Highlight(
                    exchange=exchange_id, summary=data.summary.strip(), status="pushed",
                    pushed_by=actor.person_id, pushed_at=clock.now(),
                )
            )
        )[0]
        await audit.record(actor, "highlight.push", "exchange", exchange_id)
        await indexing.changed("highlight", row["id"])
        if exchange.county_id is not None:
            await robots.post([robots.Event(
                kind="highlight_pushed",
                title=f"{exchange.county_name or ''}推送了亮点活动{book(exchange.title)}",
                body=data.summary.strip(), link=f"/exchanges/{exchange_id}",
                county_ids=(exchange.county_id,),
            )])
    return await _one(row["id"])


async def accept(actor: Principal, highlight_id: int) -> s.HighlightOut:
    """Accept a pushed highlight into the library (the city).

    Side effects: the highlight becomes ``accepted``; an audit entry.
    """
    if not actor.is_city:
        raise Forbidden("highlight.forbidden", "只有市教育局学前教育科可以收录亮点。")
    current = await _one(highlight_id)
    async with atomic(lock=f"highlight:{current.exchange_id}"):
        if current.status == "accepted":
            raise Conflict("highlight.accepted", "该活动已经收录到资源库。")
        await Highlight.update(
            {
                Highlight.status: "accepted",
                Highlight.accepted_by: actor.person_id,
                Highlight.accepted_at: clock.now(),
            }
        ).where(Highlight.id == highlight_id)
        await audit.record(actor, "highlight.accept", "exchange", current.exchange_id)
        await indexing.changed("highlight", highlight_id)
        if current.county_id is not None:
            await robots.post([robots.Event(
                kind="highlight_accepted",
                title=f"亮点活动{book(current.title)}已收录到市级资源库",
                body="全市教师都可以在“资源库”中查看本次活动的教学设计和资料。",
                link="/library", county_ids=(current.county_id,),
            )])
    return await _one(highlight_id)


async def list_highlights(
    actor: Principal, *, status: str | None = None, limit: int = 50, offset: int = 0
) -> tuple[list[s.HighlightOut], int]:
    """Pushed highlights: all for the city, the own county's for a county officer."""
    from lianyan.principal import Role

    condition: Any = None
    if not actor.is_city:
        counties = list(actor.counties(Role.COUNTY_OFFICER))
        if not counties:
            raise Forbidden("highlight.forbidden", "只有市教育局和县区教研负责人可以查看推送。")
        condition = Highlight.exchange.county.is_in(counties)
    if status:
        part = Highlight.status == status
        condition = part if condition is None else condition & part
    query = Highlight.select(*_COLUMNS)
    count = Highlight.count()
    if condition is not None:
        query = query.where(condition)
        count = count.where(condition)
    rows = await query.order_by(Highlight.pushed_at, ascending=False).limit(limit).offset(offset)
    return await _out(rows), await count


async def library(
    actor: Principal,
    *,
    q: str | None = None,
    age_group: str | None = None,
    domain: str | None = None,
    county_id: int | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[s.HighlightOut], int]:
    """Accepted highlights, searchable by words of the title, content or summary."""
    condition: Any = Highlight.status == "accepted"
    if q and q.strip():
        word = f"%{q.strip()}%"
        condition = condition & (
            Highlight.exchange.title.like(word)
            | Highlight.exchange.content.like(word)
            | Highlight.summary.like(word)
        )
    if age_group:
        condition = condition & (Highlight.exchange.age_group == age_group)
    if domain:
        condition = condition & (Highlight.exchange.domain == domain)
    if county_id:
        condition = condition & (Highlight.exchange.county == county_id)
    rows = await Highlight.select(*_COLUMNS).where(condition).order_by(
        Highlight.accepted_at, ascending=False
    ).order_by(Highlight.id, ascending=False).limit(limit).offset(offset)
    return await _out(rows), await Highlight.count().where(condition)
