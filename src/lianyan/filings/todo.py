"""What filings ask of the caller next, for the home page: the county's filing to send or
correct, the city's submissions to review, the zone's upcoming filed activities."""

from __future__ import annotations

import datetime as dt

from lianyan import clock
from lianyan.filings import lifecycle, queries, rules, themes
from lianyan.filings.tables import FiledActivity, Filing
from lianyan.principal import Principal, Role
from lianyan.todo import Todo

#: How far ahead a zone officer's home page lists the zone's filed activities.
AHEAD = dt.timedelta(days=30)


def _last_moment(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(23, 59), tzinfo=clock.CITY_TZ)


async def todo(actor: Principal) -> list[Todo]:
    """The filing tasks of the current year in the caller's scope; a few queries."""
    today = clock.today()
    year = today.year
    due_on = (await themes.due_dates([year]))[year]
    items: list[Todo] = []
    if actor.is_city:
        waiting = await Filing.select(Filing.county.name.as_alias("county")).where(
            (Filing.year == year) & (Filing.status == "submitted")
        ).order_by(Filing.last_submitted_at)
        if waiting:
            items.append(Todo(
                text=f"审核 {len(waiting)} 份已报送的 {year} 年度备案",
                link=f"/filings/inbox?year={year}",
                detail="、".join(r["county"] for r in waiting[:5])
                + ("等" if len(waiting) > 5 else ""),
            ))
    link = f"/filings/workspace?year={year}"
    for county_id in sorted(actor.counties(Role.COUNTY_OFFICER)):
        filing = await queries.find_filing(actor, county_id, year)
        if filing is None:
            items.append(Todo(text=f"建立并报送 {year} 年度教研工作备案", link=link,
                              due=_last_moment(due_on)))
        elif filing.status == "returned":
            items.append(Todo(text=f"修改被市教育局退回的 {year} 年度备案，重新报送", link=link,
                              due=_last_moment(due_on),
                              detail=f"退回原因：{filing.returned_reason or '（未写明）'}"))
        elif filing.status == "draft":
            checklist = await lifecycle.checklist(actor, filing.id)
            missing = [i.label for i in checklist.items if not i.done]
            items.append(Todo(
                text=f"报送 {year} 年度教研工作备案", link=link, due=_last_moment(due_on),
                detail=("还缺：" + "、".join(missing)) if missing else "材料已齐，可以报送",
            ))
    zones = sorted(actor.zones(Role.ZONE_OFFICER))
    if zones:
        rows = await FiledActivity.select(
            FiledActivity.title, FiledActivity.starts_on, FiledActivity.place,
            FiledActivity.is_large, FiledActivity.filing.as_alias("filing_id"),
        ).where(
            FiledActivity.zone.is_in(zones) & (FiledActivity.starts_on >= today)
            & (FiledActivity.starts_on <= today + AHEAD)
        ).order_by(FiledActivity.starts_on).limit(10)
        for r in rows:
            items.append(Todo(
                kind="info", text=f"{rules.chinese_date(r['starts_on'])} {r['title']}",
                link=f"/filings/{r['filing_id']}",
                due=dt.datetime.combine(r["starts_on"], dt.time(0), tzinfo=clock.CITY_TZ),
                detail=("大型专题活动 · " if r["is_large"] else "") + (r["place"] or ""),
            ))
    return items
