"""A filing's life: opening it, its note and regional plan document (区域方案), the checklist
of what it still lacks, and draft → submitted → accepted / returned.

Submitting is refused while the county has no active topic (``one_topic``), while an uncovered
kindergarten has no reason (``coverage``), while a part is missing, or while a large activity
breaks the one-week rule (``rules.check_one_week``).
"""

from __future__ import annotations

import datetime as dt
from typing import IO, Any

from lianyan import clock
from lianyan.audit import services as audit
from lianyan.db import atomic
from lianyan.errors import Conflict, InvalidInput, NotFound
from lianyan.files import services as files
from lianyan.files.sniff import Limits
from lianyan.files.store import ObjectStore
from lianyan.filings import coverage as filing_coverage
from lianyan.filings import editing, leadership, notices, queries, rules, themes
from lianyan.filings import schemas as s
from lianyan.filings.access import (
    require_city,
    require_county_officer,
    sees_unpublished,
)
from lianyan.filings.tables import (
    FiledActivity,
    Filing,
    FilingDirection,
    FilingEvent,
)
from lianyan.labels import FILING_STATUS
from lianyan.org import services as org
from lianyan.principal import Principal
from lianyan.schemas import unset_to_dict
from lianyan.topics import one_topic

#: What each action may start from, and where it leads.
TRANSITIONS = {
    "submit": (editing.EDITABLE, "submitted"),
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
    return await queries.get_filing(actor, row["id"])


async def update_filing(actor: Principal, filing_id: int, data: s.FilingPatch) -> s.FilingDetail:
    """Change a draft or returned filing's note."""
    values = unset_to_dict(data)
    async with editing.change(actor, filing_id):
        if values:
            await Filing.update({**values, Filing.updated_at: clock.now()}).where(
                Filing.id == filing_id
            )
        await audit.record(actor, "filing.update", "filing", filing_id, **values)
    return await queries.get_filing(actor, filing_id)


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
    row = await editing.editable(actor, filing_id)

    async def write(stored: files.FileOut) -> None:
        await editing.still_editable(filing_id, editing.EDITABLE)
        await Filing.update(
            {Filing.plan_file_id: stored.id, Filing.updated_at: clock.now()}
        ).where(Filing.id == filing_id)
        await audit.record(actor, "filing.plan_document", "filing", filing_id,
                           file_id=stored.id, name=stored.original_name)

    await files.attach(
        store, kind="filing_document", fileobj=fileobj, filename=filename, limits=limits,
        uploader_id=actor.person_id, owner_type="filing", owner_id=filing_id,
        lock=editing.lock_name(row), write=write,
    )
    return await queries.get_filing(actor, filing_id)


async def checklist(actor: Principal, filing_id: int) -> s.Checklist:
    """What the filing still lacks before it can be submitted (for the county and the city)."""
    filing = await queries.filing_row(actor, filing_id)
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
    active_topics = (await one_topic.active_topic_counts(year)).get(county_id, 0)
    coverage = await filing_coverage.coverage_of(actor, filing)
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
    filing = await queries.filing_row(actor, filing_id)
    require_county_officer(actor, filing["county_id"])
    if filing["status"] not in editing.EDITABLE:
        raise _transition_error("submit", filing["status"])
    now = clock.now()
    async with atomic(lock=editing.lock_name(filing)):
        await one_topic.require_active_topic(filing["county_id"], filing["year"])
        coverage = await filing_coverage.coverage_of(actor, filing)
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
                rules.check_one_week(activity["title"], activity["starts_on"], now)
        first = filing["first_submitted_at"]
        await _move(
            actor, filing, "submit", note="", now=now,
            extra={Filing.last_submitted_at: now,
                   Filing.first_submitted_at: first if first is not None else now},
        )
        await FiledActivity.update({FiledActivity.filed_at: now}).where(
            (FiledActivity.filing == filing_id) & FiledActivity.filed_at.is_null()
        )
    return await queries.get_filing(actor, filing_id)


async def accept(actor: Principal, filing_id: int, data: s.AcceptIn) -> s.FilingDetail:
    """The city accepts a submitted filing; it becomes a published plan readable by all.

    Side effects: status ``accepted``, a history row and an audit entry.
    """
    require_city(actor)
    filing = await queries.filing_row(actor, filing_id)
    now = clock.now()
    async with atomic(lock=editing.lock_name(filing)):
        await _move(actor, filing, "accept", note=data.note, now=now,
                    extra={Filing.accepted_at: now})
    return await queries.get_filing(actor, filing_id)


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
    filing = await queries.filing_row(actor, filing_id)
    now = clock.now()
    async with atomic(lock=editing.lock_name(filing)):
        await _move(actor, filing, "return", note=reason, now=now,
                    extra={Filing.returned_reason: reason})
    return await queries.get_filing(actor, filing_id)
