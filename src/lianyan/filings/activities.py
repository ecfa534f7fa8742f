"""What a filing lists: its activities (附件2, with the one-week rule for large ones, also
when filed one by one after the plan was accepted) and its research directions (附件3).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec

from lianyan import clock, indexing
from lianyan.audit import services as audit
from lianyan.db import atomic
from lianyan.errors import Conflict, InvalidInput, NotFound
from lianyan.filings import editing, queries, rules
from lianyan.filings import schemas as s
from lianyan.filings.access import require_city
from lianyan.filings.tables import (
    AnnualTheme,
    FiledActivity,
    Filing,
    FilingDirection,
)
from lianyan.org.tables import Zone
from lianyan.principal import Principal
from lianyan.schemas import unset_to_dict

_ACTIVITY_COLUMNS = (
    FiledActivity.id,
    FiledActivity.filing.as_alias("filing_id"),
    FiledActivity.title,
    FiledActivity.theme.as_alias("theme_id"),
    FiledActivity.theme.title.as_alias("theme_title"),
    FiledActivity.form,
    FiledActivity.starts_on,
    FiledActivity.ends_on,
    FiledActivity.zone.as_alias("zone_id"),
    FiledActivity.zone.name.as_alias("zone_name"),
    FiledActivity.place,
    FiledActivity.participants,
    FiledActivity.is_large,
    FiledActivity.description,
    FiledActivity.filed_at,
    FiledActivity.filed_separately,
)


def _activity_out(row: dict[str, Any]) -> s.ActivityOut:
    row["filed_at"] = clock.local(row["filed_at"])
    return msgspec.convert(row, s.ActivityOut)


async def list_activities(
    actor: Principal, filing_id: int, *, limit: int = 50, offset: int = 0
) -> tuple[list[s.ActivityOut], int]:
    """The activities of a filing the caller may read, by start date; two queries."""
    await queries.filing_row(actor, filing_id)
    rows = await FiledActivity.select(*_ACTIVITY_COLUMNS).where(
        FiledActivity.filing == filing_id
    ).order_by(FiledActivity.starts_on).order_by(FiledActivity.id).limit(limit).offset(offset)
    total = await FiledActivity.count().where(FiledActivity.filing == filing_id)
    return [_activity_out(r) for r in rows], total


async def _get_activity(filing_id: int, activity_id: int) -> s.ActivityOut:
    row = await FiledActivity.select(*_ACTIVITY_COLUMNS).where(
        (FiledActivity.id == activity_id) & (FiledActivity.filing == filing_id)
    ).first()
    if row is None:
        raise NotFound("activity.not_found", "没有找到该教研活动。")
    return _activity_out(row)


async def _check_activity(filing: dict[str, Any], values: dict[str, Any]) -> None:
    """Field rules of an activity against its filing: zone, theme, dates in the year."""
    if not await Zone.exists().where(
        (Zone.id == values["zone_id"]) & (Zone.county == filing["county_id"])
    ):
        raise InvalidInput(
            "activity.zone", "组织责任区必须是本县（市、区）的教研责任区。", field="zone_id"
        )
    theme_id = values.get("theme_id")
    if theme_id is not None and not await AnnualTheme.exists().where(
        (AnnualTheme.id == theme_id) & (AnnualTheme.year == filing["year"])
    ):
        raise InvalidInput(
            "activity.theme", f"所选主题不是市教育局 {filing['year']} 年度的主题活动。",
            field="theme_id",
        )
    starts_on: dt.date = values["starts_on"]
    if starts_on.year != filing["year"]:
        raise InvalidInput(
            "activity.year",
            f"这是 {filing['year']} 年的备案，活动开始日期须在 {filing['year']} 年内。",
            field="starts_on",
        )
    ends_on = values.get("ends_on")
    if ends_on is not None and ends_on < starts_on:
        raise InvalidInput("activity.dates", "结束日期不能早于开始日期。", field="ends_on")


async def add_activity(actor: Principal, filing_id: int, data: s.ActivityIn) -> s.ActivityOut:
    """Add a planned activity; a large one must start at least seven days from now.

    In a draft or returned filing the activity reaches the city with the next submission (and
    is checked again then). Added to an accepted filing it is filed at once, on its own
    (``filed_separately``). A submitted filing waits for the city.
    Side effects: one ``FiledActivity`` row and an audit entry.
    """
    filing = await editing.editable(actor, filing_id, allow=(*editing.EDITABLE, "accepted"))
    values = msgspec.structs.asdict(data)
    await _check_activity(filing, values)
    now = clock.now()
    if data.is_large:
        rules.check_one_week(data.title, data.starts_on, now)
    separately = filing["status"] == "accepted"
    async with atomic(lock=editing.lock_name(filing)):
        status = await Filing.select(Filing.status).where(Filing.id == filing_id).first()
        if status is None or status["status"] != filing["status"]:
            raise Conflict("filing.changed", "备案状态刚刚发生了变化，请刷新页面后重试。")
        row = (
            await FiledActivity.insert(
                FiledActivity(
                    filing=filing_id, title=data.title, theme=data.theme_id, form=data.form,
                    starts_on=data.starts_on, ends_on=data.ends_on, zone=data.zone_id,
                    place=data.place, participants=data.participants, is_large=data.is_large,
                    description=data.description, filed_at=now if separately else None,
                    filed_separately=separately, created_at=now,
                )
            )
        )[0]
        await Filing.update({Filing.updated_at: now}).where(Filing.id == filing_id)
        await audit.record(
            actor, "activity.file" if separately else "activity.create", "filing", filing_id,
            activity_id=row["id"], title=data.title, starts_on=data.starts_on.isoformat(),
            is_large=data.is_large,
        )
        await indexing.changed("activity", row["id"])
    return await _get_activity(filing_id, row["id"])


async def update_activity(
    actor: Principal, filing_id: int, activity_id: int, data: s.ActivityPatch
) -> s.ActivityOut:
    """Change an activity of a draft or returned filing.

    A new start date (or turning it into a large activity) files it anew with the next
    submission, so the one-week rule is checked again.
    """
    changes = unset_to_dict(data)
    async with editing.change(actor, filing_id) as filing:
        current = await _get_activity(filing_id, activity_id)
        merged = {**msgspec.structs.asdict(current), **changes}
        await _check_activity(filing, merged)
        refile = "starts_on" in changes or ("is_large" in changes and changes["is_large"])
        now = clock.now()
        if merged["is_large"] and refile:
            rules.check_one_week(merged["title"], merged["starts_on"], now)
        values: dict[Any, Any] = {
            ("theme" if k == "theme_id" else "zone" if k == "zone_id" else k): v
            for k, v in changes.items()
        }
        if refile:
            values["filed_at"] = None
        if values:
            await FiledActivity.update(values).where(FiledActivity.id == activity_id)
        await audit.record(actor, "activity.update", "filing", filing_id,
                           activity_id=activity_id, **{k: str(v) for k, v in changes.items()})
        await indexing.changed("activity", activity_id)
    return await _get_activity(filing_id, activity_id)


async def delete_activity(actor: Principal, filing_id: int, activity_id: int) -> None:
    """Remove an activity from a draft or returned filing."""
    async with editing.change(actor, filing_id):
        current = await _get_activity(filing_id, activity_id)
        await FiledActivity.delete().where(FiledActivity.id == activity_id)
        await audit.record(actor, "activity.delete", "filing", filing_id,
                           activity_id=activity_id, title=current.title)
        await indexing.changed("activity", activity_id)


async def separately_filed(
    actor: Principal, year: int, *, limit: int = 50, offset: int = 0
) -> tuple[list[s.IndividualActivityOut], int]:
    """Activities filed one by one after their county's plan was accepted (city only),
    newest first; two queries."""
    require_city(actor)
    rows = await FiledActivity.select(
        *_ACTIVITY_COLUMNS,
        FiledActivity.filing.county.as_alias("county_id"),
        FiledActivity.filing._.county.name.as_alias("county_name"),
    ).where(
        (FiledActivity.filing.year == year) & (FiledActivity.filed_separately == True)  # noqa: E712
    ).order_by(FiledActivity.filed_at, ascending=False).limit(limit).offset(offset)
    total = await FiledActivity.count().where(
        (FiledActivity.filing.year == year) & (FiledActivity.filed_separately == True)  # noqa: E712
    )
    for r in rows:
        r["filed_at"] = clock.local(r["filed_at"])
    return [msgspec.convert(r, s.IndividualActivityOut) for r in rows], total


_DIRECTION_COLUMNS = (
    FilingDirection.id,
    FilingDirection.filing.as_alias("filing_id"),
    FilingDirection.direction,
    FilingDirection.problem,
    FilingDirection.expected_results,
)


async def list_directions(
    actor: Principal, filing_id: int, *, limit: int = 50, offset: int = 0
) -> tuple[list[s.DirectionOut], int]:
    """The research-direction suggestions of a filing the caller may read; two queries."""
    await queries.filing_row(actor, filing_id)
    rows = await FilingDirection.select(*_DIRECTION_COLUMNS).where(
        FilingDirection.filing == filing_id
    ).order_by(FilingDirection.id).limit(limit).offset(offset)
    total = await FilingDirection.count().where(FilingDirection.filing == filing_id)
    return [msgspec.convert(r, s.DirectionOut) for r in rows], total


async def add_direction(actor: Principal, filing_id: int, data: s.DirectionIn) -> s.DirectionOut:
    """Add a research-direction suggestion to a draft or returned filing."""
    now = clock.now()
    async with editing.change(actor, filing_id):
        row = (
            await FilingDirection.insert(
                FilingDirection(filing=filing_id, direction=data.direction, problem=data.problem,
                                expected_results=data.expected_results, created_at=now)
            )
        )[0]
        await Filing.update({Filing.updated_at: now}).where(Filing.id == filing_id)
        await audit.record(actor, "direction.create", "filing", filing_id,
                           direction_id=row["id"], direction=data.direction)
    found = await FilingDirection.select(*_DIRECTION_COLUMNS).where(
        FilingDirection.id == row["id"]
    ).first()
    return msgspec.convert(found, s.DirectionOut)


async def delete_direction(actor: Principal, filing_id: int, direction_id: int) -> None:
    """Remove a direction from a draft or returned filing."""
    async with editing.change(actor, filing_id):
        if not await FilingDirection.exists().where(
            (FilingDirection.id == direction_id) & (FilingDirection.filing == filing_id)
        ):
            raise NotFound("direction.not_found", "没有找到该教研方向建议。")
        await FilingDirection.delete().where(FilingDirection.id == direction_id)
        await audit.record(actor, "direction.delete", "filing", filing_id,
                           direction_id=direction_id)
