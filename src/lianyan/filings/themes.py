"""The city's yearly themes (年度主题活动) and filing deadlines.

Themes are read by everyone signed in and written by the city; activities link to the themes
of their filing's year. A year's deadline is what the city set, else 28 February.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import msgspec

from lianyan import clock
from lianyan.audit import services as audit
from lianyan.db import atomic
from lianyan.errors import Conflict, InvalidInput, NotFound
from lianyan.filings import rules
from lianyan.filings import schemas as s
from lianyan.filings.access import require_city
from lianyan.filings.tables import AnnualTheme, FiledActivity, FilingDeadline
from lianyan.principal import Principal
from lianyan.schemas import unset_to_dict

_THEME_COLUMNS = (AnnualTheme.id, AnnualTheme.year, AnnualTheme.title, AnnualTheme.description)


async def list_themes(
    actor: Principal, *, year: int | None, limit: int = 50, offset: int = 0
) -> tuple[list[s.ThemeOut], int]:
    """The city's themes, of one year or all; two queries."""
    query = AnnualTheme.select(*_THEME_COLUMNS)
    count = AnnualTheme.count()
    if year:
        query = query.where(AnnualTheme.year == year)
        count = count.where(AnnualTheme.year == year)
    rows = await query.order_by(AnnualTheme.year, ascending=False).order_by(
        AnnualTheme.id
    ).limit(limit).offset(offset)
    return [msgspec.convert(r, s.ThemeOut) for r in rows], await count


async def get_theme(actor: Principal, theme_id: int) -> s.ThemeOut:
    """One theme."""
    row = await AnnualTheme.select(*_THEME_COLUMNS).where(AnnualTheme.id == theme_id).first()
    if row is None:
        raise NotFound("theme.not_found", "没有找到该主题活动。")
    return msgspec.convert(row, s.ThemeOut)


async def create_theme(actor: Principal, data: s.ThemeIn) -> s.ThemeOut:
    """Add a theme for a year (city only); titles are unique within a year."""
    require_city(actor)
    async with atomic(lock=f"theme:{data.year}"):
        if await AnnualTheme.exists().where(
            (AnnualTheme.year == data.year) & (AnnualTheme.title == data.title.strip())
        ):
            raise Conflict("theme.exists", f"{data.year} 年已有同名主题活动“{data.title}”。")
        row = (
            await AnnualTheme.insert(
                AnnualTheme(year=data.year, title=data.title.strip(),
                            description=data.description, created_at=clock.now())
            )
        )[0]
        await audit.record(actor, "theme.create", "theme", row["id"], title=data.title)
    return await get_theme(actor, row["id"])


async def update_theme(actor: Principal, theme_id: int, data: s.ThemePatch) -> s.ThemeOut:
    """Change a theme's title or description (city only)."""
    require_city(actor)
    await get_theme(actor, theme_id)
    values = unset_to_dict(data)
    async with atomic():
        if values:
            await AnnualTheme.update(values).where(AnnualTheme.id == theme_id)
        await audit.record(actor, "theme.update", "theme", theme_id, **values)
    return await get_theme(actor, theme_id)


async def delete_theme(actor: Principal, theme_id: int) -> None:
    """Remove a theme no activity links to (city only)."""
    require_city(actor)
    theme = await get_theme(actor, theme_id)
    async with atomic():
        linked = await FiledActivity.count().where(FiledActivity.theme == theme_id)
        if linked:
            raise Conflict(
                "theme.in_use",
                f"已有 {linked} 项教研活动关联了主题“{theme.title}”，不能删除；"
                "可以修改其名称或说明。",
            )
        await AnnualTheme.delete().where(AnnualTheme.id == theme_id)
        await audit.record(actor, "theme.delete", "theme", theme_id, title=theme.title)


# Deadlines -----------------------------------------------------------------------------------


async def due_dates(years: Iterable[int]) -> dict[int, dt.date]:
    """The deadline of each year in one query (28 February where the city set none)."""
    wanted = sorted(set(years))
    found = {
        r["year"]: r["due_on"]
        for r in await FilingDeadline.select(FilingDeadline.year, FilingDeadline.due_on).where(
            FilingDeadline.year.is_in(wanted or [0])
        )
    }
    return {y: found.get(y) or rules.default_due_on(y) for y in wanted}


async def get_deadline(actor: Principal | None, year: int) -> s.DeadlineOut:
    """The filing deadline of ``year`` and the days left until it (negative once past)."""
    row = await FilingDeadline.select(FilingDeadline.due_on).where(
        FilingDeadline.year == year
    ).first()
    due_on = row["due_on"] if row else rules.default_due_on(year)
    return s.DeadlineOut(year=year, due_on=due_on, is_default=row is None,
                         days_left=rules.days_to(due_on, clock.today()))


async def set_deadline(actor: Principal, year: int, data: s.DeadlineIn) -> s.DeadlineOut:
    """Set the filing deadline of ``year`` (city only); it must fall within that year.

    Lateness is judged against the current deadline, so moving it re-judges every filing.
    """
    require_city(actor)
    if data.due_on.year != year:
        raise InvalidInput(
            "deadline.year", f"{year} 年的报送截止日期须在 {year} 年内。", field="due_on"
        )
    now = clock.now()
    async with atomic(lock=f"deadline:{year}"):
        if await FilingDeadline.exists().where(FilingDeadline.year == year):
            await FilingDeadline.update(
                {FilingDeadline.due_on: data.due_on, FilingDeadline.updated_at: now}
            ).where(FilingDeadline.year == year)
        else:
            await FilingDeadline.insert(
                FilingDeadline(year=year, due_on=data.due_on, updated_at=now)
            )
        await audit.record(actor, "deadline.set", "filing_deadline", year,
                           due_on=data.due_on.isoformat())
    return await get_deadline(actor, year)
