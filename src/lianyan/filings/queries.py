"""Reading annual filings (备案): lists, one filing with its history, and counts for other
domains (who may read what: ``access``). Lists run a constant number of queries whatever the
page size.
"""

from __future__ import annotations

from typing import Any

import msgspec
from piccolo.query.functions.aggregate import Count

from lianyan import clock
from lianyan.db import filtered
from lianyan.errors import NotFound
from lianyan.files import services as files
from lianyan.filings import rules, themes
from lianyan.filings import schemas as s
from lianyan.filings.access import filing_scope
from lianyan.filings.tables import (
    FiledActivity,
    Filing,
    FilingDirection,
    FilingEvent,
)
from lianyan.org.tables import County
from lianyan.principal import Principal

_FILING_COLUMNS = (
    Filing.id,
    Filing.county.as_alias("county_id"),
    Filing.county.name.as_alias("county_name"),
    Filing.year,
    Filing.status,
    Filing.note,
    Filing.plan_file_id,
    Filing.first_submitted_at,
    Filing.last_submitted_at,
    Filing.accepted_at,
    Filing.returned_reason,
    Filing.created_at,
    Filing.updated_at,
)


async def _filing_outs(rows: list[dict[str, Any]]) -> list[s.FilingOut]:
    """Turn filing rows into ``FilingOut`` with four more queries, whatever the number."""
    if not rows:
        return []
    ids = [r["id"] for r in rows]
    activity_counts: dict[int, list[int]] = {}
    for r in await FiledActivity.select(
        FiledActivity.filing,
        FiledActivity.is_large,
        Count(FiledActivity.id, alias="n"),
    ).where(FiledActivity.filing.is_in(ids)).group_by(FiledActivity.filing, FiledActivity.is_large):
        entry = activity_counts.setdefault(r["filing"], [0, 0])
        entry[0] += r["n"]
        if r["is_large"]:
            entry[1] += r["n"]
    direction_counts = {
        r["filing"]: r["n"]
        for r in await FilingDirection.select(
            FilingDirection.filing, Count(FilingDirection.id, alias="n")
        ).where(FilingDirection.filing.is_in(ids)).group_by(FilingDirection.filing)
    }
    documents = await files.files_by_id(r["plan_file_id"] for r in rows if r["plan_file_id"])
    due = await themes.due_dates({r["year"] for r in rows})
    out = []
    for r in rows:
        counts = activity_counts.get(r["id"], [0, 0])
        due_on = due[r["year"]]
        first = clock.local(r["first_submitted_at"])
        out.append(
            s.FilingOut(
                id=r["id"],
                county_id=r["county_id"],
                county_name=r["county_name"],
                year=r["year"],
                status=r["status"],
                note=r["note"],
                due_on=due_on,
                late=first is not None and rules.is_late(first, due_on),
                first_submitted_at=first,
                last_submitted_at=clock.local(r["last_submitted_at"]),
                accepted_at=clock.local(r["accepted_at"]),
                returned_reason=r["returned_reason"],
                plan_document=documents.get(r["plan_file_id"]),
                activity_count=counts[0],
                large_activity_count=counts[1],
                direction_count=direction_counts.get(r["id"], 0),
                created_at=clock.local(r["created_at"]),
                updated_at=clock.local(r["updated_at"]),
            )
        )
    return out


async def list_filings(
    actor: Principal,
    *,
    year: int | None = None,
    county_id: int | None = None,
    status: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[s.FilingOut], int]:
    """Filings the caller may read (published plans, and their own county's), newest year
    first; six queries whatever the page size."""
    conditions: list[Any] = [filing_scope(actor, Filing)]
    if year:
        conditions.append(Filing.year == year)
    if county_id:
        conditions.append(Filing.county == county_id)
    if status:
        conditions.append(Filing.status == status)
    query, count = filtered(Filing.select(*_FILING_COLUMNS), Filing.count(), conditions)
    rows = await query.order_by(Filing.year, ascending=False).order_by(
        Filing.county.code
    ).limit(limit).offset(offset)
    return await _filing_outs(rows), await count


async def filing_row(actor: Principal, filing_id: int) -> dict[str, Any]:
    """The row of a filing the caller may read; 404 otherwise."""
    query = Filing.select(*_FILING_COLUMNS).where(Filing.id == filing_id)
    scope = filing_scope(actor, Filing)
    if scope is not None:
        query = query.where(scope)
    row = await query.first()
    if row is None:
        raise NotFound("filing.not_found", "没有找到该备案，或您无权查看。")
    return row


async def get_filing(actor: Principal, filing_id: int) -> s.FilingDetail:
    """One filing the caller may read, with its history (404 outside their view)."""
    row = await filing_row(actor, filing_id)
    (out,) = await _filing_outs([row])
    return s.FilingDetail(**msgspec.structs.asdict(out), history=await _history(filing_id))


async def find_filing(actor: Principal, county_id: int, year: int) -> s.FilingOut | None:
    """The filing of a county and year, if it exists and the caller may read it."""
    query = Filing.select(*_FILING_COLUMNS).where(
        (Filing.county == county_id) & (Filing.year == year)
    )
    scope = filing_scope(actor, Filing)
    if scope is not None:
        query = query.where(scope)
    row = await query.first()
    return (await _filing_outs([row]))[0] if row else None


async def _history(filing_id: int) -> list[s.FilingEventOut]:
    rows = await FilingEvent.select(
        FilingEvent.action, FilingEvent.from_status, FilingEvent.to_status, FilingEvent.note,
        FilingEvent.late, FilingEvent.actor_name, FilingEvent.at,
    ).where(FilingEvent.filing == filing_id).order_by(FilingEvent.id)
    for r in rows:
        r["at"] = clock.local(r["at"])
    return [msgspec.convert(r, s.FilingEventOut) for r in rows]


async def activities_by_zone(year: int, zone_ids: list[int]) -> dict[int, int]:
    """Activities of accepted filings of ``year`` organised by each zone (for evaluation)."""
    if not zone_ids:
        return {}
    rows = await FiledActivity.select(
        FiledActivity.zone, Count(FiledActivity.id, alias="n")
    ).where(
        FiledActivity.zone.is_in(zone_ids)
        & (FiledActivity.filing.year == year)
        & (FiledActivity.filing.status == "accepted")
    ).group_by(FiledActivity.zone)
    return {r["zone"]: r["n"] for r in rows}


async def counties_by_id() -> dict[int, str]:
    """County names by id (for pages)."""
    return {r["id"]: r["name"] for r in await County.select(County.id, County.name)}
