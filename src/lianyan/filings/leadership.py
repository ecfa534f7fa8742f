"""The leadership group of a county for a year (区域教研领导小组名单, 附件1).

A roster is saved whole: exactly one 组长, exactly one 副组长 and at least one 成员, or nothing
is saved (``leadership.composition``). It is read by every signed-in user (it is filed with the
plan), but phone numbers only inside the county and by the city.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from lianyan import clock
from lianyan.audit import services as audit
from lianyan.db import atomic
from lianyan.errors import Conflict, InvalidInput
from lianyan.filings import rules
from lianyan.filings import schemas as s
from lianyan.filings.access import require_county_officer, sees_phones
from lianyan.filings.tables import Filing, LeadershipMember
from lianyan.labels import POSITION
from lianyan.org import services as org
from lianyan.principal import Principal

#: 组长, 副组长, then members, each in the order entered.
_POSITION_ORDER = {"leader": 0, "deputy": 1, "member": 2}


async def get_roster(actor: Principal, county_id: int, year: int) -> s.LeadershipOut:
    """The county's leadership group for ``year`` (empty when none was saved)."""
    await org.get_county(actor, county_id)
    rows = await LeadershipMember.select().where(
        (LeadershipMember.county == county_id) & (LeadershipMember.year == year)
    ).order_by(LeadershipMember.sort)
    phones = sees_phones(actor, county_id)
    members = [
        s.LeaderOut(position=r["position"], name=r["name"], unit=r["unit"], title=r["title"],
                    phone=r["phone"] if phones else None)
        for r in rows
    ]
    updated = max((r["updated_at"] for r in rows), default=None)
    return s.LeadershipOut(
        county_id=county_id,
        year=year,
        members=members,
        complete=bool(rows) and not rules.composition_problems(r["position"] for r in rows),
        updated_at=updated.astimezone(clock.CITY_TZ) if updated else None,
    )


def check_composition(members: list[s.LeaderIn]) -> None:
    """Refuse a group without exactly one 组长, one 副组长 and at least one 成员."""
    problems = rules.composition_problems(m.position for m in members)
    if problems:
        raise InvalidInput(
            "leadership.composition",
            "领导小组名单不符合要求：" + "；".join(problems) + "。",
            problems=problems,
        )


async def _refuse_while_filed(county_id: int, year: int) -> None:
    """Refuse to change the roster once the year's filing is with the city or accepted.

    Takes the filing's lock (``filing:county:year``, the one submit and accept take), so the
    state read here cannot change before the roster is written.
    """
    async with atomic(lock=f"filing:{county_id}:{year}"):
        filing = await Filing.select(Filing.status).where(
            (Filing.county == county_id) & (Filing.year == year)
        ).first()
    status = filing["status"] if filing else None
    if status == "submitted":
        raise Conflict(
            "filing.locked",
            f"{year} 年的备案已报送，正在等待市教育局审核，领导小组名单暂时不能修改；"
            "如需修改，请联系市教育局退回。",
            filing_status=status,
        )
    if status == "accepted":
        raise Conflict(
            "filing.locked",
            f"{year} 年的备案已由市教育局备案，领导小组名单不能再修改；"
            "如需修改，请先联系市教育局将备案退回。",
            filing_status=status,
        )


async def _replace(
    county_id: int, year: int, members: list[s.LeaderIn], now: dt.datetime
) -> None:
    await LeadershipMember.delete().where(
        (LeadershipMember.county == county_id) & (LeadershipMember.year == year)
    )
    ordered = sorted(enumerate(members), key=lambda p: (_POSITION_ORDER[p[1].position], p[0]))
    if ordered:
        await LeadershipMember.insert(
            *[
                LeadershipMember(
                    county=county_id, year=year, position=m.position, name=m.name.strip(),
                    unit=m.unit.strip(), title=m.title.strip(), phone=m.phone.strip(),
                    sort=index, updated_at=now,
                )
                for index, (_, m) in enumerate(ordered)
            ]
        )


async def save_roster(
    actor: Principal, county_id: int, year: int, data: s.LeadershipIn
) -> s.LeadershipOut:
    """Replace the county's group for ``year`` (its officers), after checking composition.

    Side effects: the year's ``LeadershipMember`` rows are replaced; an audit entry.
    """
    await org.get_county(actor, county_id)
    require_county_officer(actor, county_id)
    check_composition(data.members)
    async with atomic(lock=f"leadership:{county_id}:{year}"):
        await _refuse_while_filed(county_id, year)
        await _replace(county_id, year, data.members, clock.now())
        await audit.record(actor, "leadership.save", "county", county_id, year=year,
                           members=len(data.members))
    return await get_roster(actor, county_id, year)


async def copy_previous(actor: Principal, county_id: int, year: int) -> s.LeadershipOut:
    """Start ``year``'s group from the most recent earlier year's (its officers).

    Refused when ``year`` already has a group (``leadership.exists``) or no earlier year has
    one (``leadership.no_previous``). Side effects: new rows for ``year``; an audit entry.
    """
    await org.get_county(actor, county_id)
    require_county_officer(actor, county_id)
    async with atomic(lock=f"leadership:{county_id}:{year}"):
        await _refuse_while_filed(county_id, year)
        if await LeadershipMember.exists().where(
            (LeadershipMember.county == county_id) & (LeadershipMember.year == year)
        ):
            raise Conflict(
                "leadership.exists",
                f"{year} 年的领导小组名单已经填写，不能再复制往年名单；请直接修改。",
            )
        previous = await LeadershipMember.select(LeadershipMember.year).where(
            (LeadershipMember.county == county_id) & (LeadershipMember.year < year)
        ).order_by(LeadershipMember.year, ascending=False).first()
        if previous is None:
            raise Conflict("leadership.no_previous", "没有找到往年的领导小组名单，请直接填写。")
        rows = await LeadershipMember.select().where(
            (LeadershipMember.county == county_id) & (LeadershipMember.year == previous["year"])
        ).order_by(LeadershipMember.sort)
        members = [
            s.LeaderIn(position=r["position"], name=r["name"], unit=r["unit"],
                       title=r["title"], phone=r["phone"])
            for r in rows
        ]
        await _replace(county_id, year, members, clock.now())
        await audit.record(actor, "leadership.copy", "county", county_id, year=year,
                           from_year=previous["year"])
    return await get_roster(actor, county_id, year)


async def summary(county_ids: list[int] | None, year: int) -> dict[int, tuple[int, list[str]]]:
    """Per county: (members, composition problems) of ``year``'s group, in one query.

    Counties without a roster are absent; ``None`` means every county.
    """
    query = LeadershipMember.select(LeadershipMember.county, LeadershipMember.position).where(
        LeadershipMember.year == year
    )
    if county_ids is not None:
        query = query.where(LeadershipMember.county.is_in(county_ids or [0]))
    positions: dict[int, list[str]] = defaultdict(list)
    for r in await query:
        positions[r["county"]].append(r["position"])
    return {c: (len(p), rules.composition_problems(p)) for c, p in positions.items()}


def position_name(code: str) -> str:
    """组长 / 副组长 / 成员."""
    return POSITION.get(code, code)
