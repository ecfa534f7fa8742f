"""Annual filings (备案): the filing, its activities (附件2), directions (附件3), the regional
plan document, coverage reasons, and the draft → submitted → accepted / returned lifecycle.

Every function takes the caller as ``actor`` and raises ``lianyan.errors`` exceptions; the
rules themselves (one-week rule, lateness) are in ``lianyan.filings.rules``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import IO, Any

import msgspec
from piccolo.query.functions.aggregate import Count

from lianyan import clock
from lianyan.audit import services as audit
from lianyan.db import atomic
from lianyan.errors import Conflict, InvalidInput, NotFound
from lianyan.files import services as files
from lianyan.files.sniff import Limits
from lianyan.files.store import ObjectStore
from lianyan.filings import leadership, notices, rules, themes
from lianyan.filings import schemas as s
from lianyan.filings.access import (
    filing_scope,
    require_city,
    require_county_officer,
    sees_unpublished,
)
from lianyan.filings.tables import (
    AnnualTheme,
    CoverageReason,
    FiledActivity,
    Filing,
    FilingDirection,
    FilingEvent,
)
from lianyan.labels import FILING_STATUS
from lianyan.org import services as org
from lianyan.org.tables import County, Kindergarten, Zone
from lianyan.principal import Principal
from lianyan.topics import services as topics

#: States in which the county edits its filing.
EDITABLE = ("draft", "returned")
#: What each action may start from, and where it leads.
TRANSITIONS = {
    "submit": (EDITABLE, "submitted"),
    "accept": (("submitted",), "accepted"),
    "return": (("submitted",), "returned"),
}
NEXT_STEPS = {
    "draft": "报送（submit）",
    "returned": "修改后重新报送（submit）",
    "submitted": "由市教育局备案（accept）或退回（return）",
    "accepted": "无（已备案；之后新增的活动单独备案）",
}
ACTION_NAMES = {"submit": "报送", "accept": "备案", "return": "退回"}

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


def _local(value: dt.datetime | None) -> dt.datetime | None:
    return value.astimezone(clock.CITY_TZ) if value is not None else None


# Reading filings ---------------------------------------------------------------------------


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
        first = _local(r["first_submitted_at"])
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
                last_submitted_at=_local(r["last_submitted_at"]),
                accepted_at=_local(r["accepted_at"]),
                returned_reason=r["returned_reason"],
                plan_document=documents.get(r["plan_file_id"]),
                activity_count=counts[0],
                large_activity_count=counts[1],
                direction_count=direction_counts.get(r["id"], 0),
                created_at=_local(r["created_at"]),  # type: ignore[arg-type]
                updated_at=_local(r["updated_at"]),  # type: ignore[arg-type]
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
    query = Filing.select(*_FILING_COLUMNS)
    count = Filing.count()
    for condition in conditions:
        if condition is not None:
            query = query.where(condition)
            count = count.where(condition)
    rows = await query.order_by(Filing.year, ascending=False).order_by(
        Filing.county.code
    ).limit(limit).offset(offset)
    return await _filing_outs(rows), await count


async def _filing_row(actor: Principal, filing_id: int) -> dict[str, Any]:
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
    row = await _filing_row(actor, filing_id)
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
        r["at"] = _local(r["at"])
    return [msgspec.convert(r, s.FilingEventOut) for r in rows]


async def _editable(
    actor: Principal, filing_id: int, *, allow: tuple[str, ...] = EDITABLE
) -> dict[str, Any]:
    """The filing row if the caller may change it in its current state."""
    row = await _filing_row(actor, filing_id)
    require_county_officer(actor, row["county_id"])
    if row["status"] not in allow:
        raise _locked(row["status"])
    return row


def _lock_name(filing: dict[str, Any]) -> str:
    """The lock every change of a filing's content or state takes (``filing:county:year``)."""
    return f"filing:{filing['county_id']}:{filing['year']}"


@asynccontextmanager
async def _editing(
    actor: Principal, filing_id: int, *, allow: tuple[str, ...] = EDITABLE
) -> AsyncIterator[dict[str, Any]]:
    """A write transaction on a filing the caller may change, yielding its row.

    Checks scope and role, then takes the filing's lock (the one submit, accept and return
    take) and reads the status again inside the transaction, so a submission or acceptance
    that lands between the first check and the write refuses the change (``filing.locked``).
    """
    row = await _editable(actor, filing_id, allow=allow)
    async with atomic(lock=_lock_name(row)):
        row["status"] = await _still_editable(filing_id, allow)
        yield row


async def _still_editable(filing_id: int, allow: tuple[str, ...]) -> str:
    """The filing's status read again under its lock; ``filing.locked`` unless in ``allow``."""
    current = await Filing.select(Filing.status).where(Filing.id == filing_id).first()
    if current is None:
        raise NotFound("filing.not_found", "没有找到该备案，或您无权查看。")
    if current["status"] not in allow:
        raise _locked(current["status"])
    return str(current["status"])


def _locked(status: str) -> Conflict:
    if status == "submitted":
        return Conflict(
            "filing.locked",
            "备案已报送，正在等待市教育局审核，暂时不能修改；如需修改，请联系市教育局退回。",
            filing_status=status,
        )
    return Conflict(
        "filing.locked",
        "备案已由市教育局备案，不能再修改；新增的教研活动可以单独报备。",
        filing_status=status,
    )


# Creating and changing a filing ------------------------------------------------------------


async def create_filing(actor: Principal, data: s.FilingIn) -> s.FilingDetail:
    """Open the filing of a county for a year (its officers); one per county and year.

    Side effects: one ``Filing`` row and an audit entry.
    """
    await org.get_county(actor, data.county_id)
    require_county_officer(actor, data.county_id)
    now = clock.now()
    async with atomic(lock=f"filing:{data.county_id}:{data.year}"):
        existing = await Filing.select(Filing.id).where(
            (Filing.county == data.county_id) & (Filing.year == data.year)
        ).first()
        if existing is not None:
            raise Conflict(
                "filing.exists",
                f"本县（市、区）{data.year} 年的备案已经建立，请直接打开继续填写。",
                filing_id=existing["id"],
            )
        row = (
            await Filing.insert(
                Filing(county=data.county_id, year=data.year, status="draft", note=data.note,
                       created_at=now, updated_at=now)
            )
        )[0]
        await audit.record(actor, "filing.create", "filing", row["id"], year=data.year)
    return await get_filing(actor, row["id"])


async def update_filing(actor: Principal, filing_id: int, data: s.FilingPatch) -> s.FilingDetail:
    """Change a draft or returned filing's note."""
    values = s_unset(data)
    async with _editing(actor, filing_id):
        if values:
            await Filing.update({**values, Filing.updated_at: clock.now()}).where(
                Filing.id == filing_id
            )
        await audit.record(actor, "filing.update", "filing", filing_id, **values)
    return await get_filing(actor, filing_id)


def s_unset(patch: msgspec.Struct) -> dict[Any, Any]:
    """The fields of a PATCH body that were actually sent."""
    return {
        f: getattr(patch, f)
        for f in patch.__struct_fields__
        if getattr(patch, f) is not msgspec.UNSET
    }


async def upload_plan(
    actor: Principal,
    store: ObjectStore,
    filing_id: int,
    *,
    fileobj: IO[bytes],
    filename: str,
    limits: Limits,
) -> s.FilingDetail:
    """Store the regional plan document (区域方案, docx or pdf, checked by content).

    Side effects: one object in the store, one ``StoredFile`` row (owner ``filing``), the
    filing now points at it (an earlier upload stays stored, no longer current), an audit entry.
    """
    row = await _editable(actor, filing_id)

    async def write(stored: files.FileOut) -> None:
        await _still_editable(filing_id, EDITABLE)
        await Filing.update(
            {Filing.plan_file_id: stored.id, Filing.updated_at: clock.now()}
        ).where(Filing.id == filing_id)
        await audit.record(actor, "filing.plan_document", "filing", filing_id,
                           file_id=stored.id, name=stored.original_name)

    await files.attach(
        store, kind="filing_document", fileobj=fileobj, filename=filename, limits=limits,
        uploader_id=actor.person_id, owner_type="filing", owner_id=filing_id,
        lock=_lock_name(row), write=write,
    )
    return await get_filing(actor, filing_id)


# Activities (附件2) ----------------------------------------------------------------------------

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
    row["filed_at"] = _local(row["filed_at"])
    return msgspec.convert(row, s.ActivityOut)


async def list_activities(
    actor: Principal, filing_id: int, *, limit: int = 50, offset: int = 0
) -> tuple[list[s.ActivityOut], int]:
    """The activities of a filing the caller may read, by start date; two queries."""
    await _filing_row(actor, filing_id)
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


def check_one_week(title: str, starts_on: dt.date, filed_at: dt.datetime) -> None:
    """Refuse a large special activity filed less than seven days before it starts."""
    if not rules.is_timely(starts_on, filed_at):
        earliest = rules.earliest_start(filed_at)
        raise Conflict(
            "activity.too_late",
            rules.too_late_message(title, starts_on, filed_at),
            field="starts_on",
            starts_on=starts_on.isoformat(),
            earliest_start=earliest.isoformat(),
        )


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
    filing = await _editable(actor, filing_id, allow=(*EDITABLE, "accepted"))
    values = msgspec.structs.asdict(data)
    await _check_activity(filing, values)
    now = clock.now()
    if data.is_large:
        check_one_week(data.title, data.starts_on, now)
    separately = filing["status"] == "accepted"
    async with atomic(lock=_lock_name(filing)):
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
    return await _get_activity(filing_id, row["id"])


async def update_activity(
    actor: Principal, filing_id: int, activity_id: int, data: s.ActivityPatch
) -> s.ActivityOut:
    """Change an activity of a draft or returned filing.

    A new start date (or turning it into a large activity) files it anew with the next
    submission, so the one-week rule is checked again.
    """
    changes = s_unset(data)
    async with _editing(actor, filing_id) as filing:
        current = await _get_activity(filing_id, activity_id)
        merged = {**msgspec.structs.asdict(current), **changes}
        await _check_activity(filing, merged)
        refile = "starts_on" in changes or ("is_large" in changes and changes["is_large"])
        now = clock.now()
        if merged["is_large"] and refile:
            check_one_week(merged["title"], merged["starts_on"], now)
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
    return await _get_activity(filing_id, activity_id)


async def delete_activity(actor: Principal, filing_id: int, activity_id: int) -> None:
    """Remove an activity from a draft or returned filing."""
    async with _editing(actor, filing_id):
        current = await _get_activity(filing_id, activity_id)
        await FiledActivity.delete().where(FiledActivity.id == activity_id)
        await audit.record(actor, "activity.delete", "filing", filing_id,
                           activity_id=activity_id, title=current.title)


# Directions (附件3) ----------------------------------------------------------------------------

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
    await _filing_row(actor, filing_id)
    rows = await FilingDirection.select(*_DIRECTION_COLUMNS).where(
        FilingDirection.filing == filing_id
    ).order_by(FilingDirection.id).limit(limit).offset(offset)
    total = await FilingDirection.count().where(FilingDirection.filing == filing_id)
    return [msgspec.convert(r, s.DirectionOut) for r in rows], total


async def add_direction(actor: Principal, filing_id: int, data: s.DirectionIn) -> s.DirectionOut:
    """Add a research-direction suggestion to a draft or returned filing."""
    now = clock.now()
    async with _editing(actor, filing_id):
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
    async with _editing(actor, filing_id):
        if not await FilingDirection.exists().where(
            (FilingDirection.id == direction_id) & (FilingDirection.filing == filing_id)
        ):
            raise NotFound("direction.not_found", "没有找到该教研方向建议。")
        await FilingDirection.delete().where(FilingDirection.id == direction_id)
        await audit.record(actor, "direction.delete", "filing", filing_id,
                           direction_id=direction_id)


# Coverage (全面覆盖) ----------------------------------------------------------------------------


async def filing_coverage(actor: Principal, filing_id: int) -> s.FilingCoverage:
    """Coverage of the filing's county with the reasons recorded on this filing."""
    filing = await _filing_row(actor, filing_id)
    if not sees_unpublished(actor, filing["county_id"]):
        raise NotFound("filing.not_found", "没有找到该备案，或您无权查看。")
    return await _coverage(actor, filing)


async def _coverage(actor: Principal, filing: dict[str, Any]) -> s.FilingCoverage:
    coverage = await org.coverage(actor, filing["county_id"])
    reasons = {
        r["kindergarten"]: r["reason"]
        for r in await CoverageReason.select(CoverageReason.kindergarten, CoverageReason.reason)
        .where(CoverageReason.filing == filing["id"])
    }
    uncovered = [
        s.UncoveredOut(kindergarten_id=k.id, name=k.name, locale=k.locale,
                       reason=reasons.get(k.id))
        for k in coverage.uncovered
    ]
    total = coverage.total
    return s.FilingCoverage(
        total=total,
        covered=coverage.covered,
        percent=100 if total == 0 else coverage.covered * 100 // total,
        uncovered=uncovered,
        missing_reasons=sum(1 for u in uncovered if not u.reason),
    )


async def set_coverage_reasons(
    actor: Principal, filing_id: int, data: s.CoverageReasonsIn
) -> s.FilingCoverage:
    """Record why kindergartens are outside every zone; an empty reason removes one.

    Only kindergartens of the county that are uncovered right now take a reason.
    """
    ids = [r.kindergarten_id for r in data.reasons]
    now = clock.now()
    async with _editing(actor, filing_id) as filing:
        uncovered = {
            r["id"]
            for r in await Kindergarten.select(Kindergarten.id).where(
                Kindergarten.id.is_in(ids or [0])
                & (Kindergarten.county == filing["county_id"])
                & Kindergarten.zone.is_null()
            )
        }
        wrong = [i for i in ids if i not in uncovered]
        if wrong:
            raise InvalidInput(
                "coverage.not_uncovered",
                "只能为本县（市、区）尚未划入教研责任区的幼儿园填写未覆盖原因；"
                "请刷新页面查看最新的未覆盖名单。",
                kindergarten_ids=wrong,
            )
        for item in data.reasons:
            reason = item.reason.strip()
            await CoverageReason.delete().where(
                (CoverageReason.filing == filing_id)
                & (CoverageReason.kindergarten == item.kindergarten_id)
            )
            if reason:
                await CoverageReason.insert(
                    CoverageReason(filing=filing_id, kindergarten=item.kindergarten_id,
                                   reason=reason, updated_at=now)
                )
        await audit.record(actor, "filing.coverage_reasons", "filing", filing_id,
                           kindergarten_ids=ids)
    return await _coverage(actor, filing)


# Topics (the one-topic rule lives in the topics domain) --------------------------------------


async def topic_counts(year: int) -> dict[int, int]:
    """Active topics per county for a year, from the topics domain (every county a key)."""
    return await topics.active_topic_counts(year)


# Checklist and lifecycle ---------------------------------------------------------------------


async def checklist(actor: Principal, filing_id: int) -> s.Checklist:
    """What the filing still lacks before it can be submitted (for the county and the city)."""
    filing = await _filing_row(actor, filing_id)
    if not sees_unpublished(actor, filing["county_id"]):
        raise NotFound("filing.not_found", "没有找到该备案，或您无权查看。")
    return await _checklist(actor, filing, clock.now())


async def _checklist(actor: Principal, filing: dict[str, Any], now: dt.datetime) -> s.Checklist:
    county_id, year, filing_id = filing["county_id"], filing["year"], filing["id"]
    roster = await leadership.summary([county_id], year)
    members, problems = roster.get(county_id, (0, rules.composition_problems([])))
    activities = await FiledActivity.select(
        FiledActivity.title, FiledActivity.starts_on, FiledActivity.is_large,
        FiledActivity.filed_at,
    ).where(FiledActivity.filing == filing_id)
    late_large = [
        a for a in activities
        if a["is_large"] and a["filed_at"] is None and not rules.is_timely(a["starts_on"], now)
    ]
    directions = await FilingDirection.count().where(FilingDirection.filing == filing_id)
    active_topics = (await topic_counts(year)).get(county_id, 0)
    coverage = await _coverage(actor, filing)
    large = sum(1 for a in activities if a["is_large"])
    items = [
        s.ChecklistItem(
            key="roster", label="区域教研领导小组名单（附件1）", done=not problems,
            detail=f"已填 {members} 人" if not problems else "；".join(problems),
        ),
        s.ChecklistItem(
            key="plan_document", label="区域方案", done=filing["plan_file_id"] is not None,
            detail="已上传" if filing["plan_file_id"] else "尚未上传区域方案（Word 或 PDF）",
        ),
        s.ChecklistItem(
            key="activities", label="教研活动备案表（附件2）",
            done=bool(activities) and not late_large,
            detail=(
                "尚未填写教研活动" if not activities
                else f"{len(late_large)} 项大型专题活动距开始已不足 7 天，请调整日期或删除："
                + "、".join(a["title"] for a in late_large) if late_large
                else f"共 {len(activities)} 项，其中大型专题活动 {large} 项"
            ),
        ),
        s.ChecklistItem(
            key="directions", label="教研方向建议表（附件3）", done=directions > 0,
            detail=f"共 {directions} 条" if directions else "尚未填写教研方向建议",
        ),
        s.ChecklistItem(
            key="topic", label="至少 1 项课题", done=active_topics > 0,
            detail=f"{year} 年已申报的课题 {active_topics} 项" if active_topics
            else f"{year} 年尚无已申报的课题（每个县市区至少开展 1 项课题研究）",
        ),
        s.ChecklistItem(
            key="coverage", label="全面覆盖", done=coverage.missing_reasons == 0,
            detail=(
                f"覆盖率 {coverage.percent}%（{coverage.covered}/{coverage.total}）"
                + (f"，{coverage.missing_reasons} 所未覆盖幼儿园尚未说明原因"
                   if coverage.missing_reasons else "")
            ),
        ),
    ]
    return s.Checklist(items=items, ready=all(i.done for i in items))


def _transition_error(action: str, status: str) -> Conflict:
    return Conflict(
        "filing.transition",
        f"备案当前状态为“{FILING_STATUS[status]}”，不能{ACTION_NAMES[action]}。"
        f"下一步可以：{NEXT_STEPS[status]}。",
        filing_status=status,
    )


async def _move(
    actor: Principal, filing: dict[str, Any], action: str, *, note: str, now: dt.datetime,
    extra: dict[Any, Any],
) -> None:
    """Write a transition: the filing's new state, its history row, the audit entry and the
    notices (submitted → the city; accepted / returned → the county's officers)."""
    allowed, target = TRANSITIONS[action]
    current = await Filing.select(Filing.status).where(Filing.id == filing["id"]).first()
    if current is None or current["status"] not in allowed:
        raise _transition_error(action, current["status"] if current else filing["status"])
    await Filing.update({**extra, Filing.status: target, Filing.updated_at: now}).where(
        Filing.id == filing["id"]
    )
    due_on = (await themes.due_dates({filing["year"]}))[filing["year"]]
    late = action == "submit" and rules.is_late(now, due_on)
    await FilingEvent.insert(
        FilingEvent(filing=filing["id"], action=action, from_status=current["status"],
                    to_status=target, note=note, late=late, actor_person_id=actor.person_id,
                    actor_name=actor.name, at=now)
    )
    await audit.record(actor, f"filing.{action}", "filing", filing["id"], note=note,
                       to_status=target, late=late)
    if action == "submit":
        await notices.submitted(filing, late=late)
    else:
        await notices.decided(filing, action, note)


async def submit(actor: Principal, filing_id: int) -> s.FilingDetail:
    """Send the filing to the city.

    Refused while the county has no active topic for the year (``filing.needs_topic``), while
    an uncovered kindergarten has no recorded reason (``filing.coverage``), while a part is
    missing (``filing.incomplete``), or while a large activity not yet filed starts in less
    than seven days (``activity.too_late``). Side effects: the filing becomes ``submitted``;
    activities not yet filed are filed now; a history row and an audit entry.
    """
    filing = await _filing_row(actor, filing_id)
    require_county_officer(actor, filing["county_id"])
    if filing["status"] not in EDITABLE:
        raise _transition_error("submit", filing["status"])
    now = clock.now()
    async with atomic(lock=_lock_name(filing)):
        await topics.require_active_topic(filing["county_id"], filing["year"])
        coverage = await _coverage(actor, filing)
        if coverage.missing_reasons:
            names = "、".join(u.name for u in coverage.uncovered if not u.reason)
            raise Conflict(
                "filing.coverage",
                f"全面覆盖未达到 100%（{coverage.covered}/{coverage.total}）：以下幼儿园尚未划入"
                f"教研责任区，也没有说明原因——{names}。请先把它们划入责任区，或逐一填写未覆盖原因。",
                uncovered=[u.kindergarten_id for u in coverage.uncovered if not u.reason],
            )
        listed = await _checklist(actor, filing, now)
        missing = [i for i in listed.items if not i.done and i.key != "activities"]
        activities = await FiledActivity.select(
            FiledActivity.id, FiledActivity.title, FiledActivity.starts_on,
            FiledActivity.is_large, FiledActivity.filed_at,
        ).where(FiledActivity.filing == filing_id).order_by(FiledActivity.starts_on)
        if not activities:
            missing.append(next(i for i in listed.items if i.key == "activities"))
        if missing:
            raise Conflict(
                "filing.incomplete",
                "备案材料还不完整，暂不能报送：" + "；".join(
                    f"{i.label}——{i.detail}" for i in missing) + "。",
                missing=[i.key for i in missing],
            )
        for activity in activities:
            if activity["is_large"] and activity["filed_at"] is None:
                check_one_week(activity["title"], activity["starts_on"], now)
        first = filing["first_submitted_at"]
        await _move(
            actor, filing, "submit", note="", now=now,
            extra={Filing.last_submitted_at: now,
                   Filing.first_submitted_at: first if first is not None else now},
        )
        await FiledActivity.update({FiledActivity.filed_at: now}).where(
            (FiledActivity.filing == filing_id) & FiledActivity.filed_at.is_null()
        )
    return await get_filing(actor, filing_id)


async def accept(actor: Principal, filing_id: int, data: s.AcceptIn) -> s.FilingDetail:
    """The city accepts a submitted filing; it becomes a published plan readable by all.

    Side effects: status ``accepted``, a history row and an audit entry.
    """
    require_city(actor)
    filing = await _filing_row(actor, filing_id)
    now = clock.now()
    async with atomic(lock=_lock_name(filing)):
        await _move(actor, filing, "accept", note=data.note, now=now,
                    extra={Filing.accepted_at: now})
    return await get_filing(actor, filing_id)


async def return_filing(actor: Principal, filing_id: int, data: s.ReturnIn) -> s.FilingDetail:
    """The city returns a submitted filing with its reason; the county edits and resubmits.

    Side effects: status ``returned`` (editable like a draft), the reason on the filing and in
    its history, an audit entry.
    """
    require_city(actor)
    reason = data.reason.strip()
    if not reason:
        raise InvalidInput(
            "filing.reason", "退回时请写明原因，县（市、区）将据此修改。", field="reason"
        )
    filing = await _filing_row(actor, filing_id)
    now = clock.now()
    async with atomic(lock=_lock_name(filing)):
        await _move(actor, filing, "return", note=reason, now=now,
                    extra={Filing.returned_reason: reason})
    return await get_filing(actor, filing_id)


async def separately_filed(
    actor: Principal, year: int, *, limit: int = 50, offset: int = 0
) -> tuple[list[s.IndividualActivityOut], int]:
    """Activities filed one by one after their county's plan was accepted (city only),
    newest first; two queries."""
    require_city(actor)
    rows = await FiledActivity.select(
        *_ACTIVITY_COLUMNS,
        FiledActivity.filing.county.as_alias("county_id"),
        FiledActivity.filing.county.name.as_alias("county_name"),
    ).where(
        (FiledActivity.filing.year == year) & (FiledActivity.filed_separately == True)  # noqa: E712
    ).order_by(FiledActivity.filed_at, ascending=False).limit(limit).offset(offset)
    total = await FiledActivity.count().where(
        (FiledActivity.filing.year == year) & (FiledActivity.filed_separately == True)  # noqa: E712
    )
    for r in rows:
        r["filed_at"] = _local(r["filed_at"])
    return [msgspec.convert(r, s.IndividualActivityOut) for r in rows], total


# For other domains -------------------------------------------------------------------------


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
