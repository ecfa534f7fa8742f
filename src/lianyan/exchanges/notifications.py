"""In-app notices, the outbox a mail/SMS sender drains, and the deadline reminders.

Every notice is one ``notification`` row for the person and one ``outbox_message`` row for a
sender outside the app. Notices of the kinds in ``ROBOT_KINDS`` also go to the group robots
of the recipients' counties and zones (``lianyan.robots.outbox``): one message per event,
not one per person, written in the same transaction. Notices that must happen once (pairing, reminders) carry a
``dedupe_key``: a second attempt with the same key writes nothing, so ``due_reminders`` may run
as often as anyone likes (the app's own scheduler, ``exchanges/scheduler.py``, or ``lianyan remind``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import msgspec

from lianyan import clock
from lianyan.db import atomic
from lianyan.errors import NotFound
from lianyan.exchanges import schemas as s
from lianyan.exchanges.tables import (
    Comment,
    Design,
    Exchange,
    ExchangeExpert,
    Notification,
    OutboxMessage,
    Participant,
    Score,
)
from lianyan.labels import book
from lianyan.org.tables import Person
from lianyan.principal import Principal
from lianyan.robots import outbox as robots

#: When the scheduled reminders go out, as (kind, how long before the deadline). Each goes
#: once per exchange, person and deadline; a reminder first seen inside a nearer window is
#: sent as the nearer one only (an app that was down three days before sends the one-day one).
DESIGN_REMINDERS = (("design_deadline_1d", dt.timedelta(days=1)),
                    ("design_deadline_3d", dt.timedelta(days=3)))
COMMENT_REMINDERS = (("comment_deadline_2d", dt.timedelta(days=2)),)
#: The widest window of each deadline (kept for the callers that read one lead time).
REMINDER_LEAD = dt.timedelta(days=3)

KIND_NAMES = {
    "paired": "分组通知",
    "invited": "专家邀请",
    "comment": "点评与回复",
    "design_deadline": "设计提交提醒",
    "expert_late": "点评提醒",
    "expert_reminder": "点评催办",
    "filing_submitted": "备案报送",
    "filing_accepted": "备案通过",
    "filing_returned": "备案退回",
    "filing_deadline": "备案截止提醒",
    "nudge": "催办提醒",
    "nominated": "设计教师推荐",
    "proposal": "参与园推荐",
    "exchange_changed": "活动变更",
}


#: Notices that also go to the county's and zone's group robots (docs/robots.md): deadlines and
#: reminders, filings accepted or returned, nudges.
ROBOT_KINDS = frozenset({
    "design_deadline", "expert_late", "filing_deadline", "filing_accepted", "filing_returned",
    "nudge", "expert_reminder",
})


@dataclass(frozen=True, slots=True)
class Notice:
    """One notice to write."""

    person_id: int
    kind: str
    title: str
    body: str = ""
    link: str = ""
    dedupe_key: str | None = None


async def send(notices: list[Notice]) -> int:
    """Write notices and their outbox messages; skip those whose ``dedupe_key`` exists.

    Side effects: ``notification`` and ``outbox_message`` rows, in the caller's transaction
    if there is one. Returns how many were written.
    """
    if not notices:
        return 0
    keys = [n.dedupe_key for n in notices if n.dedupe_key]
    async with atomic(lock="notifications"):
        seen: set[str] = set()
        if keys:
            rows = await Notification.select(Notification.dedupe_key).where(
                Notification.dedupe_key.is_in(keys)
            )
            seen = {r["dedupe_key"] for r in rows}
        phones = {
            r["id"]: r["phone"] or ""
            for r in await Person.select(Person.id, Person.phone).where(
                Person.id.is_in(sorted({n.person_id for n in notices}))
            )
        }
        written = 0
        events: dict[tuple[str, str, str, str], list[int]] = {}
        now = clock.now()
        for notice in notices:
            if notice.dedupe_key:
                if notice.dedupe_key in seen:
                    continue
                seen.add(notice.dedupe_key)
            if notice.person_id not in phones:
                continue
            row = (
                await Notification.insert(
                    Notification(
                        person=notice.person_id, kind=notice.kind, title=notice.title,
                        body=notice.body, link=notice.link, dedupe_key=notice.dedupe_key,
                        created_at=now,
                    )
                )
            )[0]
            await OutboxMessage.insert(
                OutboxMessage(
                    notification=row["id"], person=notice.person_id, channel="sms",
                    address=phones[notice.person_id], subject=notice.title,
                    body=notice.body, created_at=now,
                )
            )
            written += 1
            if notice.kind in ROBOT_KINDS:
                key = (notice.kind, notice.title, notice.body, notice.link)
                events.setdefault(key, []).append(notice.person_id)
        await robots.post(
            robots.Event(kind=kind, title=title, body=body, link=link, person_ids=tuple(people))
            for (kind, title, body, link), people in events.items()
        )
    return written


# Reading -------------------------------------------------------------------------------------

_COLUMNS = (
    Notification.id,
    Notification.kind,
    Notification.title,
    Notification.body,
    Notification.link,
    Notification.created_at,
    Notification.read_at,
)


def _out(row: dict) -> s.NotificationOut:
    row["created_at"] = row["created_at"].astimezone(clock.CITY_TZ)
    if row["read_at"] is not None:
        row["read_at"] = row["read_at"].astimezone(clock.CITY_TZ)
    return msgspec.convert(row, s.NotificationOut)


async def list_notifications(
    actor: Principal, *, unread: bool = False, limit: int = 50, offset: int = 0
) -> s.NotificationPage:
    """The caller's notices, newest first, with the unread count (three queries)."""
    mine = Notification.person == actor.person_id
    condition = mine & Notification.read_at.is_null() if unread else mine
    rows = await Notification.select(*_COLUMNS).where(condition).order_by(
        Notification.id, ascending=False
    ).limit(limit).offset(offset)
    total = await Notification.count().where(condition)
    unread_count = await unread_count_of(actor)
    return s.NotificationPage(items=[_out(r) for r in rows], total=total, unread=unread_count)


async def unread_count_of(actor: Principal) -> int:
    """How many of the caller's notices are unread (for the badge)."""
    return await Notification.count().where(
        (Notification.person == actor.person_id) & Notification.read_at.is_null()
    )


async def mark_read(actor: Principal, notification_id: int) -> s.NotificationOut:
    """Mark one of the caller's notices read; another person's is 404."""
    row = await Notification.select(Notification.id).where(
        (Notification.id == notification_id) & (Notification.person == actor.person_id)
    ).first()
    if row is None:
        raise NotFound("notification.not_found", "没有找到该通知。")
    async with atomic():
        await Notification.update({Notification.read_at: clock.now()}).where(
            (Notification.id == notification_id) & Notification.read_at.is_null()
        )
    found = await Notification.select(*_COLUMNS).where(Notification.id == notification_id).first()
    assert found is not None
    return _out(found)


async def mark_all_read(actor: Principal) -> int:
    """Mark every notice of the caller read; returns how many changed."""
    async with atomic():
        count = await unread_count_of(actor)
        await Notification.update({Notification.read_at: clock.now()}).where(
            (Notification.person == actor.person_id) & Notification.read_at.is_null()
        )
    return count


# Deadline reminders --------------------------------------------------------------------------


def deadline_text(value: dt.datetime) -> str:
    """A deadline as a notice shows it, in the city's time zone."""
    return value.astimezone(clock.CITY_TZ).strftime("%Y-%m-%d %H:%M")


async def due_reminders(now: dt.datetime) -> dict[str, int]:
    """Send the reminders due at ``now``; idempotent, and once only across app instances.

    * ``design_deadline``: the design deadline is 3 days away (again at 1 day) and a
      participant has not uploaded anything yet → their teacher;
    * ``expert_late``: the comment deadline is 2 days away and an invited expert has not
      commented on and scored every design that has a version → the expert.

    Each reminder's ``dedupe_key`` is ``reminder:<kind>:<exchange>:<person>:<deadline>``:
    the unique key on ``notification.dedupe_key``, written under the ``notifications`` lock
    in the transaction that checks it, makes a second scheduler (another app instance, a
    ``lianyan remind`` run) write nothing. A moved deadline makes new keys, so its reminders
    go out again. Side effects: notices and outbox messages. Returns how many of each went out.
    """
    return {
        "design_deadline": await _design_deadline_reminders(now),
        "expert_late": await _expert_late_reminders(now),
    }


def _window(deadline: dt.datetime, now: dt.datetime,
            schedule: tuple[tuple[str, dt.timedelta], ...]) -> str | None:
    """The nearest reminder window ``now`` is in before ``deadline`` (None: none)."""
    if deadline <= now:
        return None
    return next((kind for kind, lead in schedule if deadline - now <= lead), None)


def _stamp(deadline: dt.datetime) -> str:
    return deadline.astimezone(dt.UTC).strftime("%Y%m%dT%H%M")


async def _design_deadline_reminders(now: dt.datetime) -> int:
    widest = max(lead for _, lead in DESIGN_REMINDERS)
    exchanges = await Exchange.select(
        Exchange.id, Exchange.title, Exchange.design_deadline
    ).where((Exchange.design_deadline > now) & (Exchange.design_deadline <= now + widest))
    if not exchanges:
        return 0
    by_id = {e["id"]: e for e in exchanges}
    participants = await Participant.select(
        Participant.id, Participant.exchange, Participant.teacher
    ).where(Participant.exchange.is_in(list(by_id)))
    documented = {
        r["participant"]
        for r in await Design.select(Design.participant).where(
            Design.exchange.is_in(list(by_id)) & (Design.latest_version > 0)
        )
    }
    notices = []
    for p in participants:
        exchange = by_id[p["exchange"]]
        kind = _window(exchange["design_deadline"], now, DESIGN_REMINDERS)
        if p["id"] in documented or kind is None:
            continue
        left = "明天" if kind == "design_deadline_1d" else "3 天后"
        notices.append(
            Notice(
                person_id=p["teacher"],
                kind="design_deadline",
                title=f"{book(exchange['title'])}教学设计将于 "
                f"{deadline_text(exchange['design_deadline'])} 截止提交",
                body=f"您还没有上传教学设计，{left}截止，请在截止前上传。",
                link=f"/exchanges/{exchange['id']}",
                dedupe_key=f"reminder:{kind}:{exchange['id']}:{p['teacher']}:"
                f"{_stamp(exchange['design_deadline'])}",
            )
        )
    return await send(notices)


async def _expert_late_reminders(now: dt.datetime) -> int:
    widest = max(lead for _, lead in COMMENT_REMINDERS)
    exchanges = await Exchange.select(
        Exchange.id, Exchange.title, Exchange.comment_deadline
    ).where((Exchange.comment_deadline > now) & (Exchange.comment_deadline <= now + widest))
    if not exchanges:
        return 0
    notices = []
    for exchange_id, missing in (await missing_reviews([e["id"] for e in exchanges])).items():
        exchange = next(e for e in exchanges if e["id"] == exchange_id)
        kind = _window(exchange["comment_deadline"], now, COMMENT_REMINDERS)
        if kind is None:
            continue
        for expert_id, count in missing.items():
            notices.append(
                Notice(
                    person_id=expert_id,
                    kind="expert_late",
                    title=f"{book(exchange['title'])}专家点评将于 "
                    f"{deadline_text(exchange['comment_deadline'])} 截止",
                    body=f"还有 {count} 份教学设计等待您点评或评分。",
                    link="/reviews",
                    dedupe_key=f"reminder:{kind}:{exchange_id}:{expert_id}:"
                    f"{_stamp(exchange['comment_deadline'])}",
                )
            )
    return await send(notices)


async def missing_reviews(exchange_ids: list[int]) -> dict[int, dict[int, int]]:
    """Per exchange, per invited expert, how many uploaded designs still lack their comment
    or their score form."""
    if not exchange_ids:
        return {}
    experts = await ExchangeExpert.select(ExchangeExpert.exchange, ExchangeExpert.expert).where(
        ExchangeExpert.exchange.is_in(exchange_ids)
    )
    designs = await Design.select(Design.id, Design.exchange).where(
        Design.exchange.is_in(exchange_ids) & (Design.latest_version > 0)
    )
    commented = await Comment.select(Comment.design, Comment.author).where(
        Comment.design.exchange.is_in(exchange_ids) & (Comment.role == "expert")
    ).distinct()
    scored = await Score.select(Score.design, Score.expert).where(
        Score.design.exchange.is_in(exchange_ids)
    )
    done_c = {(r["design"], r["author"]) for r in commented}
    done_s = {(r["design"], r["expert"]) for r in scored}
    result: dict[int, dict[int, int]] = {}
    for e in experts:
        count = sum(
            1 for d in designs
            if d["exchange"] == e["exchange"]
            and ((d["id"], e["expert"]) not in done_c or (d["id"], e["expert"]) not in done_s)
        )  # fmt: skip
        if count:
            result.setdefault(e["exchange"], {})[e["expert"]] = count
    return result


async def missing_comments(exchange_ids: list[int]) -> dict[int, dict[int, int]]:
    """Per exchange, per invited expert, how many uploaded designs lack their comment."""
    experts = await ExchangeExpert.select(ExchangeExpert.exchange, ExchangeExpert.expert).where(
        ExchangeExpert.exchange.is_in(exchange_ids)
    )
    designs = await Design.select(Design.id, Design.exchange).where(
        Design.exchange.is_in(exchange_ids) & (Design.latest_version > 0)
    )
    commented = await Comment.select(Comment.design, Comment.author).where(
        Comment.design.exchange.is_in(exchange_ids) & (Comment.role == "expert")
    ).distinct()
    done = {(r["design"], r["author"]) for r in commented}
    result: dict[int, dict[int, int]] = {}
    for e in experts:
        count = sum(
            1 for d in designs
            if d["exchange"] == e["exchange"] and (d["id"], e["expert"]) not in done
        )  # fmt: skip
        if count:
            result.setdefault(e["exchange"], {})[e["expert"]] = count
    return result
