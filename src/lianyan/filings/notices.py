"""Notices of filings, through the exchanges' notice and outbox machinery (docs/filings.md).

* submitted → the city's officers;
* accepted, returned (with the city's reason) → the county's officers;
* the filing deadline 7 days and 1 day ahead → the officers of every county that has not
  submitted yet; once each (a ``dedupe_key`` per year, deadline, lead and person), so
  ``due_reminders`` may run as often as anyone likes (``lianyan remind``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from lianyan import clock
from lianyan.exchanges.notifications import Notice, send
from lianyan.filings import rules, themes
from lianyan.filings.tables import Filing
from lianyan.labels import sentence
from lianyan.org.tables import County, RoleAssignment
from lianyan.principal import Role

#: Days before the deadline on which the reminder goes out, nearest first.
REMINDER_DAYS = (1, 7)
#: Filings in these states still owe the city a submission.
OWING = ("draft", "returned")


async def _holders(role: str, county_ids: list[int] | None = None) -> dict[int | None, list[int]]:
    """People holding ``role`` (active), by county; one query."""
    condition: Any = (RoleAssignment.role == role) & (RoleAssignment.active == True)  # noqa: E712
    if county_ids is not None:
        condition = condition & RoleAssignment.county.is_in(county_ids or [0])
    rows = await RoleAssignment.select(RoleAssignment.person, RoleAssignment.county).where(
        condition
    )
    found: dict[int | None, list[int]] = {}
    for r in rows:
        people = found.setdefault(r["county"], [])
        if r["person"] not in people:
            people.append(r["person"])
    return found


def _title(filing: dict[str, Any]) -> str:
    return f"{filing['county_name']}{filing['year']}年度教研工作备案"


async def submitted(filing: dict[str, Any], *, late: bool) -> int:
    """Tell the city's officers a county submitted its filing. Side effects: notices."""
    city = (await _holders(Role.CITY_ADMIN)).values()
    people = sorted({p for group in city for p in group})
    body = "已超过报送截止日期。" if late else ""
    return await send([
        Notice(person_id=p, kind="filing_submitted", title=f"{_title(filing)}已报送，请审核",
               body=body + "请在“备案审核”中备案或退回。", link=f"/filings/{filing['id']}")
        for p in people
    ])


async def decided(filing: dict[str, Any], action: str, note: str) -> int:
    """Tell the county's officers the city accepted or returned their filing (with the reason).

    Side effects: notices.
    """
    officers = (await _holders(Role.COUNTY_OFFICER, [filing["county_id"]])).get(
        filing["county_id"], []
    )
    if action == "return":
        title = f"{_title(filing)}被市教育局退回"
        body = f"退回原因：{sentence(note)}请修改后重新报送。"
        kind = "filing_returned"
    else:
        title = f"{_title(filing)}已由市教育局备案"
        body = f"市教育局意见：{sentence(note)}" if note else ""
        body += "计划已向各县（市、区）公开。"
        kind = "filing_accepted"
    return await send([
        Notice(person_id=p, kind=kind, title=title, body=body,
               link=f"/filings/workspace?county_id={filing['county_id']}&year={filing['year']}")
        for p in officers
    ])


async def due_reminders(now: dt.datetime) -> int:
    """Remind the officers of counties that have not submitted, 7 days and 1 day before the
    deadline (city dates). Idempotent. Side effects: notices. Returns how many were written."""
    today = now.astimezone(clock.CITY_TZ).date()
    due = await themes.due_dates({today.year, today.year + 1})
    notices: list[Notice] = []
    for year, due_on in sorted(due.items()):
        days = rules.days_to(due_on, today)
        lead = next((d for d in REMINDER_DAYS if 0 <= days <= d), None)
        if lead is None:
            continue
        done = {
            r["county"]
            for r in await Filing.select(Filing.county).where(
                (Filing.year == year) & Filing.status.not_in(list(OWING))
            )
        }
        counties = await County.select(County.id, County.name).where(
            County.id.not_in(sorted(done) or [0])
        )
        officers = await _holders(Role.COUNTY_OFFICER, [c["id"] for c in counties])
        when = "明天" if days == 1 else ("今天" if days == 0 else f" {days} 天后")
        for county in counties:
            for person in officers.get(county["id"], []):
                notices.append(Notice(
                    person_id=person, kind="filing_deadline",
                    title=f"{year}年度教研工作备案将于{when}（{rules.chinese_date(due_on)}）截止",
                    body=f"{county['name']}尚未报送{year}年度备案材料，请在截止前报送市教育局。",
                    link=f"/filings/workspace?county_id={county['id']}&year={year}",
                    dedupe_key=f"filing_deadline:{year}:{due_on.isoformat()}:{lead}:"
                    f"{county['id']}:{person}",
                ))
    return await send(notices)
