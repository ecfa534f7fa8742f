"""Following the designing teachers: progress, nudges and the director's nomination.

Whom a caller follows (``followed``): a director the participations of the kindergarten they
direct; a zone officer those of the zone's kindergartens; a county officer those of the
county; the city all. For them the caller sees the teacher, the design's state and the
deadline, may nudge a teacher who has not uploaded (once per participation per day), and a
director (or the exchange's organiser) may hand the design over to another teacher of the
kindergarten (``nominate``). Docs: docs/exchanges.md, "Following the teachers".
"""

from __future__ import annotations

import datetime as dt
from functools import reduce
from typing import Any

from lianyan import clock
from lianyan.audit import services as audit
from lianyan.db import atomic
from lianyan.errors import Conflict, Forbidden, InvalidInput, NotFound
from lianyan.exchanges import schemas as s
from lianyan.exchanges.notifications import Notice, missing_comments, send
from lianyan.exchanges.tables import Design, Exchange, ExchangeExpert, Notification, Participant
from lianyan.labels import book
from lianyan.org.tables import RoleAssignment
from lianyan.principal import Principal, Role
from lianyan.todo import Todo

NOT_FOUND = ("participant.not_found", "没有找到该参与园，或不在您跟进的范围内。")


def followed(actor: Principal) -> Any | None:
    """The condition on ``Participant`` of the participations the caller follows.

    ``None`` when the caller follows none; the city follows every one.
    """
    if actor.is_city:
        return Participant.id > 0
    conditions: list[Any] = []
    directed = actor.kindergartens(Role.DIRECTOR)
    if directed:
        conditions.append(Participant.kindergarten.is_in(sorted(directed)))
    zones = actor.zones(Role.ZONE_OFFICER)
    if zones:
        conditions.append(Participant.kindergarten.zone.is_in(sorted(zones)))
    counties = actor.counties(Role.COUNTY_OFFICER)
    if counties:
        conditions.append(Participant.county.is_in(sorted(counties)))
    return reduce(lambda a, b: a | b, conditions) if conditions else None


def may_nominate(actor: Principal, *, kindergarten_id: int, organiser_county: int | None) -> bool:
    """The kindergarten's director, or the exchange's organiser, may change its teacher."""
    if kindergarten_id in actor.kindergartens(Role.DIRECTOR):
        return True
    return actor.is_city or (
        organiser_county is not None and organiser_county in actor.counties(Role.COUNTY_OFFICER)
    )


_COLUMNS = (
    Participant.id,
    Participant.exchange.as_alias("exchange_id"),
    Participant.exchange.title.as_alias("exchange_title"),
    Participant.exchange.county.as_alias("organiser_county"),
    Participant.exchange.design_deadline.as_alias("design_deadline"),
    Participant.exchange.comment_deadline.as_alias("comment_deadline"),
    Participant.kindergarten.as_alias("kindergarten_id"),
    Participant.kindergarten.name.as_alias("kindergarten_name"),
    Participant.teacher.as_alias("teacher_id"),
    Participant.teacher.name.as_alias("teacher_name"),
    Participant.group.number.as_alias("group_number"),
)


async def progress(
    actor: Principal, *, exchange_id: int | None = None, current: bool = False,
    limit: int = 200, offset: int = 0,
) -> tuple[list[s.ProgressOut], int]:
    """The participations the caller follows with each design's state, nearest deadline
    first; ``current`` keeps those whose comment deadline has not passed. Three queries."""
    scope = followed(actor)
    if scope is None:
        return [], 0
    now = clock.now()
    condition: Any = scope
    if exchange_id is not None:
        condition = condition & (Participant.exchange == exchange_id)
    if current:
        condition = condition & (Participant.exchange.comment_deadline > now)
    rows = await Participant.select(*_COLUMNS).where(condition).order_by(
        Participant.exchange.design_deadline
    ).order_by(Participant.exchange).order_by(Participant.id).limit(limit).offset(offset)
    total = await Participant.count().where(condition)
    designs = {
        r["participant"]: r
        for r in await Design.select(
            Design.id, Design.participant, Design.latest_version, Design.updated_at
        ).where(Design.participant.is_in([r["id"] for r in rows] or [0]))
    }
    items = []
    for r in rows:
        design = designs.get(r["id"])
        versions = design["latest_version"] if design else 0
        items.append(s.ProgressOut(
            participant_id=r["id"], exchange_id=r["exchange_id"],
            exchange_title=r["exchange_title"], kindergarten_id=r["kindergarten_id"],
            kindergarten_name=r["kindergarten_name"], teacher_id=r["teacher_id"],
            teacher_name=r["teacher_name"], group_number=r["group_number"],
            design_id=design["id"] if design else None, versions=versions,
            submitted_at=(design["updated_at"].astimezone(clock.CITY_TZ)
                          if design and versions else None),
            design_deadline=r["design_deadline"].astimezone(clock.CITY_TZ),
            days_left=(r["design_deadline"].astimezone(clock.CITY_TZ).date()
                       - now.astimezone(clock.CITY_TZ).date()).days,
            overdue=not versions and now >= r["design_deadline"],
            may_nudge=not versions and now < r["design_deadline"],
            may_nominate=now < r["comment_deadline"] and may_nominate(
                actor, kindergarten_id=r["kindergarten_id"],
                organiser_county=r["organiser_county"],
            ),
        ))
    return items, total


async def _followed_row(actor: Principal, participant_id: int) -> dict[str, Any]:
    scope = followed(actor)
    if scope is None:
        raise NotFound(*NOT_FOUND)
    row = await Participant.select(*_COLUMNS).where(
        (Participant.id == participant_id) & scope
    ).first()
    if row is None:
        raise NotFound(*NOT_FOUND)
    return row


def _when(value: dt.datetime) -> str:
    return value.astimezone(clock.CITY_TZ).strftime("%Y-%m-%d %H:%M")


async def nudge(actor: Principal, participant_id: int) -> s.RemindOut:
    """Remind a followed teacher to upload the design (once per participation per day).

    Refused once the design is uploaded (``nudge.done``) or the deadline passed
    (``nudge.closed``). Side effects: a notice and an outbox message; an audit entry.
    """
    row = await _followed_row(actor, participant_id)
    now = clock.now()
    if now >= row["design_deadline"]:
        raise Conflict("nudge.closed", "教学设计提交已经截止，无需再提醒。")
    uploaded = await Design.exists().where(
        (Design.participant == participant_id) & (Design.latest_version > 0)
    )
    if uploaded:
        raise Conflict("nudge.done", f"{row['teacher_name']}已经提交了教学设计，无需提醒。")
    key = f"nudge:{participant_id}:{now.astimezone(clock.CITY_TZ):%Y-%m-%d}"
    async with atomic(lock=key):
        if await Notification.exists().where(Notification.dedupe_key == key):
            raise Conflict(
                "nudge.already_sent", f"今天已经提醒过{row['teacher_name']}，请明天再提醒。"
            )
        await send([Notice(
            person_id=row["teacher_id"], kind="nudge",
            title=f"{actor.name}提醒您提交{book(row['exchange_title'])}教学设计",
            body=f"教学设计提交截止时间：{_when(row['design_deadline'])}。",
            link=f"/exchanges/{row['exchange_id']}", dedupe_key=key,
        )])
        await audit.record(actor, "exchange.nudge", "participant", participant_id,
                           teacher_id=row["teacher_id"])
    return s.RemindOut(sent={"nudge": 1})


async def teacher_choices(actor: Principal, kindergarten_id: int) -> list[dict[str, Any]]:
    """The teachers of a kindergarten (active teacher role), by name; for the nomination."""
    rows = await RoleAssignment.select(
        RoleAssignment.person.as_alias("id"), RoleAssignment.person.name.as_alias("name")
    ).where(
        (RoleAssignment.kindergarten == kindergarten_id) & (RoleAssignment.role == Role.TEACHER)
        & (RoleAssignment.active == True)  # noqa: E712
    ).order_by(RoleAssignment.person.name)
    seen: dict[int, dict[str, Any]] = {}
    for r in rows:
        seen.setdefault(r["id"], r)
    return list(seen.values())


async def nominate(actor: Principal, participant_id: int, data: s.NominateIn) -> s.ProgressOut:
    """Hand a participation's design over to another teacher of the kindergarten.

    Only the kindergarten's director or the exchange's organiser (403 ``nominate.forbidden``);
    the teacher must teach at that kindergarten (400 ``nominate.not_teacher``); closed with
    the comment deadline (409 ``nominate.closed``). The design and its versions stay with the
    participation. Side effects: the participant's teacher, a notice to the new teacher, an
    audit entry.
    """
    row = await _followed_row(actor, participant_id)
    if not may_nominate(actor, kindergarten_id=row["kindergarten_id"],
                        organiser_county=row["organiser_county"]):
        raise Forbidden("nominate.forbidden", "只有本园园长或活动组织者可以更换设计教师。")
    if clock.now() >= row["comment_deadline"]:
        raise Conflict("nominate.closed", "本次活动已经结束，不能再更换设计教师。")
    teachers = {t["id"]: t["name"] for t in await teacher_choices(actor, row["kindergarten_id"])}
    if data.teacher_id not in teachers:
        raise InvalidInput("nominate.not_teacher",
                           f"所选人员不是{row['kindergarten_name']}的教师，请从本园教师中选择。",
                           field="teacher_id")
    if data.teacher_id != row["teacher_id"]:
        async with atomic(lock=f"exchange-groups:{row['exchange_id']}"):
            await Participant.update({Participant.teacher: data.teacher_id}).where(
                Participant.id == participant_id
            )
            await send([Notice(
                person_id=data.teacher_id, kind="nominated",
                title=f"{actor.name}推荐您为{book(row['exchange_title'])}的设计教师",
                body=f"请在 {_when(row['design_deadline'])} 前提交教学设计。",
                link=f"/exchanges/{row['exchange_id']}",
            )])
            await audit.record(actor, "exchange.nominate", "participant", participant_id,
                               teacher_id=data.teacher_id, previous=row["teacher_id"])
    items, _ = await progress(actor, exchange_id=row["exchange_id"])
    return next(i for i in items if i.participant_id == participant_id)



async def todo(actor: Principal) -> list[Todo]:
    """What the caller must do next in exchanges: upload a design (teacher), chase teachers
    who have not (director, zone and county officers), pair participants (organisers),
    comment (experts). A fixed number of queries."""
    now = clock.now()
    items: list[Todo] = []
    if actor.has(Role.TEACHER):
        rows = await Participant.select(
            Participant.id, Participant.exchange.as_alias("exchange_id"),
            Participant.exchange.title.as_alias("title"),
            Participant.exchange.design_deadline.as_alias("deadline"),
        ).where(
            (Participant.teacher == actor.person_id)
            & (Participant.exchange.comment_deadline > now)
        )
        uploaded = {
            r["participant"] for r in await Design.select(Design.participant).where(
                Design.participant.is_in([r["id"] for r in rows] or [0])
                & (Design.latest_version > 0)
            )
        }
        for r in rows:
            if r["id"] not in uploaded:
                items.append(Todo(
                    text=f"上传{book(r['title'])}的教学设计", link=f"/exchanges/{r['exchange_id']}",
                    due=r["deadline"].astimezone(clock.CITY_TZ),
                    detail="已过截止时间，请尽快联系组织者" if now >= r["deadline"] else "",
                ))
    if followed(actor) is not None and not actor.is_city:
        rows_, _ = await progress(actor, current=True)
        late: dict[int, list[s.ProgressOut]] = {}
        for p in rows_:
            if not p.versions and p.teacher_id != actor.person_id:
                late.setdefault(p.exchange_id, []).append(p)
        for group in late.values():
            first = group[0]
            items.append(Todo(
                text=f"{book(first.exchange_title)}还有 {len(group)} 位教师未提交教学设计",
                link="/exchanges/progress", due=first.design_deadline,
                detail="、".join(f"{p.kindergarten_name} {p.teacher_name}" for p in group[:3])
                + ("等" if len(group) > 3 else ""),
            ))
    organised: Any = None
    if actor.is_city:
        organised = Exchange.county.is_null()
    elif actor.counties(Role.COUNTY_OFFICER):
        organised = Exchange.county.is_in(sorted(actor.counties(Role.COUNTY_OFFICER)))
    if organised is not None:
        for r in await Exchange.select(Exchange.id, Exchange.title, Exchange.design_deadline).where(
            organised & Exchange.groups_confirmed_at.is_null() & (Exchange.design_deadline > now)
        ):
            items.append(Todo(
                text=f"为{book(r['title'])}配对参与园", link=f"/exchanges/{r['id']}/pairing",
                due=r["design_deadline"].astimezone(clock.CITY_TZ),
                detail="参与园确定后，设计教师才能上传教学设计",
            ))
    if actor.has(Role.EXPERT):
        invited = await ExchangeExpert.select(
            ExchangeExpert.exchange.as_alias("id"), ExchangeExpert.exchange.title.as_alias("title"),
            ExchangeExpert.exchange.comment_deadline.as_alias("deadline"),
        ).where(
            (ExchangeExpert.expert == actor.person_id)
            & (ExchangeExpert.exchange.comment_deadline > now)
        )
        missing = await missing_comments([r["id"] for r in invited]) if invited else {}
        for r in invited:
            count = missing.get(r["id"], {}).get(actor.person_id, 0)
            if count:
                items.append(Todo(
                    text=f"点评{book(r['title'])}的 {count} 份教学设计", link="/reviews",
                    due=r["deadline"].astimezone(clock.CITY_TZ),
                ))
    return items
