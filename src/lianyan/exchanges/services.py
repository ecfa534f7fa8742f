"""Rules of exchanges: creating them, inviting experts, pairing and confirming groups.

Designs and their versions are in ``designs``; comments, notes, scores and the comparison in
``reviews``; highlights and the library in ``highlights``; notices in ``notifications``. Every
function takes the caller as ``actor`` and raises ``lianyan.errors`` exceptions; what the
caller may see is decided in ``visibility``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping
from itertools import combinations
from typing import Any

import msgspec
from piccolo.query.functions.aggregate import Count

from lianyan import clock, indexing
from lianyan.audit import services as audit
from lianyan.db import atomic, filtered
from lianyan.errors import Conflict, Forbidden, InvalidInput, NotFound
from lianyan.exchanges import pairing
from lianyan.exchanges import schemas as s
from lianyan.exchanges.access import Standing, involved_exchanges, standing_in
from lianyan.exchanges.notifications import Notice, send
from lianyan.exchanges.tables import (
    Comment,
    Design,
    Exchange,
    ExchangeExpert,
    ExchangeGroup,
    Highlight,
    Participant,
    Score,
)
from lianyan.labels import book
from lianyan.org.tables import County, Kindergarten, Person, RoleAssignment
from lianyan.principal import Principal, Role
from lianyan.schemas import unset_to_dict

NOT_FOUND = ("exchange.not_found", "没有找到该交流活动。")

_COLUMNS = (
    Exchange.id,
    Exchange.title,
    Exchange.content,
    Exchange.age_group,
    Exchange.domain,
    Exchange.mode,
    Exchange.starts_at,
    Exchange.place,
    Exchange.meeting_link,
    Exchange.host.as_alias("host_id"),
    Exchange.host.name.as_alias("host_name"),
    Exchange.county.as_alias("county_id"),
    Exchange.county.name.as_alias("county_name"),
    Exchange.design_deadline,
    Exchange.comment_deadline,
    Exchange.blind,
    Exchange.groups_confirmed_at,
    Exchange.created_at,
)
_TIMES = ("starts_at", "design_deadline", "comment_deadline", "groups_confirmed_at", "created_at")


def aware(value: dt.datetime) -> dt.datetime:
    """A time from a request; without an offset it is taken as the city's local time."""
    return value.replace(tzinfo=clock.CITY_TZ) if value.tzinfo is None else value


def phase(design_deadline: dt.datetime, comment_deadline: dt.datetime, now: dt.datetime) -> str:
    """``designing`` / ``reviewing`` / ``finished`` at ``now``."""
    if now < design_deadline:
        return "designing"
    return "reviewing" if now < comment_deadline else "finished"


def _out(row: dict[str, Any], highlight_status: str | None, now: dt.datetime) -> s.ExchangeOut:
    for key in _TIMES:
        row[key] = clock.local(row[key])
    row["phase"] = phase(row["design_deadline"], row["comment_deadline"], now)
    row["highlight_status"] = highlight_status
    return msgspec.convert(row, s.ExchangeOut)


async def _highlight_statuses(exchange_ids: list[int]) -> dict[int, str]:
    if not exchange_ids:
        return {}
    rows = await Highlight.select(Highlight.exchange, Highlight.status).where(
        Highlight.exchange.is_in(exchange_ids)
    )
    return {r["exchange"]: r["status"] for r in rows}


async def visible_exchange(actor: Principal, exchange_id: int) -> tuple[s.ExchangeOut, Standing]:
    """The exchange and the caller's standing in it; 404 when the caller may not see it."""
    row = await Exchange.select(*_COLUMNS).where(Exchange.id == exchange_id).first()
    if row is None:
        raise NotFound(*NOT_FOUND)
    statuses = await _highlight_statuses([exchange_id])
    standing = await standing_in(actor, exchange_id, row["county_id"],
                                 library=statuses.get(exchange_id) == "accepted")
    if not standing.sees_exchange:
        raise NotFound(*NOT_FOUND)
    return _out(row, statuses.get(exchange_id), clock.now()), standing


async def get_exchange(actor: Principal, exchange_id: int) -> s.ExchangeOut:
    """One exchange the caller may see."""
    exchange, _ = await visible_exchange(actor, exchange_id)
    return exchange


async def list_exchanges(
    actor: Principal, *, q: str | None = None, limit: int = 50, offset: int = 0
) -> tuple[list[s.ExchangeOut], int]:
    """Exchanges the caller is involved in, newest start first, in three queries."""
    conditions: list[Any] = [involved_exchanges(actor)]
    if q:
        conditions.append(
            Exchange.title.like(f"%{q.strip()}%") | Exchange.content.like(f"%{q.strip()}%")
        )
    query, count = filtered(Exchange.select(*_COLUMNS), Exchange.count(), conditions)
    rows = await query.order_by(Exchange.starts_at, ascending=False).order_by(
        Exchange.id, ascending=False
    ).limit(limit).offset(offset)
    statuses = await _highlight_statuses([r["id"] for r in rows])
    now = clock.now()
    return [_out(r, statuses.get(r["id"]), now) for r in rows], await count


async def organised_exchange(actor: Principal, exchange_id: int) -> s.ExchangeOut:
    """The exchange, for its organisers only (``exchange.not_organiser`` otherwise)."""
    exchange, standing = await visible_exchange(actor, exchange_id)
    _require_organiser(standing)
    return exchange


def _require_organiser(standing: Standing) -> None:
    if not standing.organiser:
        raise Forbidden(
            "exchange.not_organiser", "只有活动的组织者（创建活动的县区或市教育局）可以进行此操作。"
        )


async def _check_fields(values: dict[str, Any]) -> None:
    """Cross-field rules of an exchange, on the values it would have after the change."""
    if values["design_deadline"] >= values["comment_deadline"]:
        raise InvalidInput("exchange.deadlines", "点评截止时间必须晚于教学设计提交截止时间。",
                           field="comment_deadline")
    link = values.get("meeting_link") or ""
    if link and not link.lower().startswith(("https://", "http://")):
        raise InvalidInput("exchange.meeting_link", "会议链接须以 http:// 或 https:// 开头。",
                           field="meeting_link")
    if values["mode"] in ("onsite", "hybrid") and not (values.get("place") or "").strip():
        raise InvalidInput("exchange.place", "现场或混合方式的活动请填写活动地点。", field="place")
    if values["mode"] in ("online", "hybrid") and not link:
        raise InvalidInput("exchange.meeting_link", "线上或混合方式的活动请填写会议链接。",
                           field="meeting_link")
    host = values.get("host")
    if host is not None and not await Person.exists().where(Person.id == host):
        raise InvalidInput("exchange.host", "没有找到主持人。")


def _organising_county(actor: Principal, county_id: int | None) -> int | None:
    if actor.is_city:
        return county_id
    counties = actor.counties(Role.COUNTY_OFFICER)
    if county_id is None:
        if len(counties) != 1:
            raise InvalidInput("exchange.county", "请选择组织活动的县（市、区）。")
        return next(iter(counties))
    if county_id not in counties:
        raise Forbidden("exchange.county", "您只能以本县（市、区）的名义创建交流活动。")
    return county_id


async def create_exchange(actor: Principal, data: s.ExchangeIn) -> s.ExchangeOut:
    """Create an exchange (a county officer for their county, or the city).

    Side effects: an ``exchange`` row and an audit entry.
    """
    if not (actor.is_city or actor.has(Role.COUNTY_OFFICER)):
        raise Forbidden("auth.forbidden", "只有县区教研负责人或市教育局可以创建交流活动。")
    county_id = _organising_county(actor, data.county_id)
    if county_id is not None and not await County.exists().where(County.id == county_id):
        raise InvalidInput("exchange.county", "没有找到该县（市、区）。")
    values: dict[str, Any] = {
        "title": data.title.strip(),
        "content": data.content.strip(),
        "age_group": data.age_group,
        "domain": data.domain,
        "mode": data.mode,
        "starts_at": aware(data.starts_at),
        "place": data.place.strip(),
        "meeting_link": data.meeting_link.strip(),
        "host": data.host_id,
        "county": county_id,
        "design_deadline": aware(data.design_deadline),
        "comment_deadline": aware(data.comment_deadline),
        "blind": data.blind,
    }
    await _check_fields(values)
    async with atomic():
        row = (
            await Exchange.insert(
                Exchange(**values, created_by=actor.person_id, created_at=clock.now())
            )
        )[0]
        await audit.record(actor, "exchange.create", "exchange", row["id"], title=data.title)
    return await get_exchange(actor, row["id"])


#: Fields whose change is announced to the participants' teachers and the experts.
_ANNOUNCED = {
    "starts_at": "活动时间",
    "design_deadline": "教学设计提交截止时间",
    "comment_deadline": "专家点评截止时间",
}


def check_moved_deadlines(
    changes: dict[str, Any], current: s.ExchangeOut, now: dt.datetime
) -> None:
    """A deadline that is moved cannot be moved to a time already past
    (``exchange.deadline_past``, naming the field); leaving it where it is stays allowed."""
    for key in ("design_deadline", "comment_deadline"):
        value = changes.get(key)
        if value is not None and value != getattr(current, key) and value <= now:
            label = _ANNOUNCED[key]
            raise InvalidInput(
                "exchange.deadline_past",
                f"{label}不能改到现在（{clock.local(now):%Y-%m-%d %H:%M}）之前，请选择以后的时间。",
                field=key,
            )


async def update_exchange(
    actor: Principal, exchange_id: int, data: s.ExchangePatch
) -> s.ExchangeOut:
    """Change an exchange (its organisers): what it is, when and where, host, deadlines,
    experts.

    Rules: a moved deadline cannot go before now (``exchange.deadline_past``), the comment
    deadline stays after the design deadline (``exchange.deadlines``), place and link as on
    creation; an expert who already commented or scored cannot be withdrawn
    (``exchange.expert_has_reviews``). Side effects: the row; invitations and withdrawals;
    a notice ``exchange_changed`` to every participant's teacher and invited expert when the
    time or a deadline changed, and ``invited`` to new experts; an audit entry with the old
    and new values of what changed.
    """
    current, standing = await visible_exchange(actor, exchange_id)
    _require_organiser(standing)
    now = clock.now()
    changes: dict[Any, Any] = unset_to_dict(data)
    expert_ids = changes.pop("expert_ids", None)
    for key in ("starts_at", "design_deadline", "comment_deadline"):
        if key in changes:
            changes[key] = aware(changes[key])
    for key in ("title", "content", "place", "meeting_link"):
        if key in changes:
            changes[key] = changes[key].strip()
    if "host_id" in changes:
        changes["host"] = changes.pop("host_id")
    check_moved_deadlines(changes, current, now)
    merged = {
        "design_deadline": current.design_deadline,
        "comment_deadline": current.comment_deadline,
        "mode": current.mode,
        "place": current.place,
        "meeting_link": current.meeting_link,
        **changes,
    }
    await _check_fields(merged)
    old = {**msgspec.structs.asdict(current), "host": current.host_id}
    changed = {k: v for k, v in changes.items() if old.get(k) != v}
    async with atomic(lock=f"exchange-experts:{exchange_id}"):
        if changed:
            await Exchange.update(changed).where(Exchange.id == exchange_id)
            await indexing.changed("exchange", exchange_id)
        invited, withdrawn = (
            await _set_experts(actor, current, expert_ids) if expert_ids is not None else ([], [])
        )
        await audit.record(
            actor, "exchange.update", "exchange", exchange_id, fields=sorted(changed),
            before={k: _plain(old.get(k)) for k in changed},
            after={k: _plain(v) for k, v in changed.items()},
            invited=invited, withdrawn=withdrawn,
        )
        announced = [k for k in _ANNOUNCED if k in changed]
        if announced:
            await send(await _change_notices(current, changed, announced))
    return await get_exchange(actor, exchange_id)


def _plain(value: Any) -> Any:
    return clock.local(value).isoformat() if isinstance(value, dt.datetime) else value


async def _change_notices(
    current: s.ExchangeOut, changed: dict[str, Any], announced: list[str]
) -> list[Notice]:
    """``exchange_changed`` to every participant's teacher and every invited expert."""
    teachers = await Participant.select(Participant.teacher).where(
        Participant.exchange == current.id
    )
    experts = await ExchangeExpert.select(ExchangeExpert.expert).where(
        ExchangeExpert.exchange == current.id
    )
    people = sorted({r["teacher"] for r in teachers} | {r["expert"] for r in experts})
    lines = "；".join(
        f"{_ANNOUNCED[k]}由 {getattr(current, k):%Y-%m-%d %H:%M} 改为 "
        f"{clock.local(changed[k]):%Y-%m-%d %H:%M}"
        for k in announced
    )
    title = f"同研异构活动{book(current.title)}的" + "、".join(
        _ANNOUNCED[k].removesuffix("时间") for k in announced
    ) + "有变动"
    return [
        Notice(person_id=p, kind="exchange_changed", title=title, body=lines + "。",
               link=f"/exchanges/{current.id}")
        for p in people
    ]


async def _set_experts(
    actor: Principal, exchange: s.ExchangeOut, expert_ids: list[int]
) -> tuple[list[int], list[int]]:
    """Make the invited experts exactly ``expert_ids``; returns (invited, withdrawn).

    Runs inside the caller's transaction (under the exchange's experts lock).
    """
    wanted = set(expert_ids)
    present = {
        r["expert"] for r in await ExchangeExpert.select(ExchangeExpert.expert).where(
            ExchangeExpert.exchange == exchange.id
        )
    }
    new = sorted(wanted - present)
    gone = sorted(present - wanted)
    if new:
        holders = {
            r["person"] for r in await RoleAssignment.select(RoleAssignment.person).where(
                RoleAssignment.person.is_in(new) & (RoleAssignment.role == Role.EXPERT)
                & (RoleAssignment.active == True)  # noqa: E712
            )
        }
        if set(new) - holders:
            raise InvalidInput("exchange.not_expert",
                               "所选人员中有人不是专家，请先为其授予“专家”角色。",
                               field="expert_ids", person_ids=sorted(set(new) - holders))
    if gone:
        reviewed = {
            r["author"] for r in await Comment.select(Comment.author).where(
                (Comment.design.exchange == exchange.id) & Comment.author.is_in(gone)
            )
        } | {
            r["expert"] for r in await Score.select(Score.expert).where(
                (Score.design.exchange == exchange.id) & Score.expert.is_in(gone)
            )
        }
        if reviewed:
            names = await Person.select(Person.name).where(Person.id.is_in(sorted(reviewed)))
            raise Conflict(
                "exchange.expert_has_reviews",
                f"{'、'.join(r['name'] for r in names)}已经点评或评分，不能取消邀请。",
                field="expert_ids", person_ids=sorted(reviewed),
            )
        await ExchangeExpert.delete().where(
            (ExchangeExpert.exchange == exchange.id) & ExchangeExpert.expert.is_in(gone)
        )
    now = clock.now()
    for person_id in new:
        await ExchangeExpert.insert(ExchangeExpert(
            exchange=exchange.id, expert=person_id, invited_by=actor.person_id, invited_at=now,
        ))
    await send([_invited_notice(exchange, p) for p in new])
    return new, gone


def _invited_notice(exchange: s.ExchangeOut, person_id: int) -> Notice:
    return Notice(
        person_id=person_id,
        kind="invited",
        title=f"您受邀点评同研异构活动{book(exchange.title)}",
        body=f"教学内容：{exchange.content}；点评截止："
        f"{exchange.comment_deadline:%Y-%m-%d %H:%M}。",
        link=f"/exchanges/{exchange.id}",
        dedupe_key=f"invited:{exchange.id}:{person_id}",
    )


async def host_choices(exchange: s.ExchangeOut) -> list[dict[str, Any]]:
    """People who may host the exchange: the organising county's officers and zone officers
    (every county's for a city-wide one), the city's officers and the experts; one query."""
    roles = [Role.COUNTY_OFFICER, Role.ZONE_OFFICER, Role.CITY_ADMIN, Role.EXPERT]
    condition = RoleAssignment.role.is_in(roles) & (RoleAssignment.active == True)  # noqa: E712
    if exchange.county_id is not None:
        condition = condition & (
            RoleAssignment.role.is_in([Role.CITY_ADMIN, Role.EXPERT])
            | (RoleAssignment.county == exchange.county_id)
            | (RoleAssignment.zone.county == exchange.county_id)
        )
    rows = await RoleAssignment.select(
        RoleAssignment.person.as_alias("id"), RoleAssignment.person.name.as_alias("name"),
        RoleAssignment.person.unit.as_alias("unit"),
    ).where(condition).order_by(RoleAssignment.person.name)
    seen: dict[int, dict[str, Any]] = {}
    for r in rows:
        seen.setdefault(r["id"], r)
    if exchange.host_id is not None and exchange.host_id not in seen:
        seen[exchange.host_id] = {"id": exchange.host_id, "name": exchange.host_name or "",
                                  "unit": ""}
    return list(seen.values())


# Experts -------------------------------------------------------------------------------------


async def list_experts(actor: Principal, exchange_id: int) -> list[s.ExpertOut]:
    """The invited experts with their review progress, in four queries."""
    await visible_exchange(actor, exchange_id)
    rows = await ExchangeExpert.select(
        ExchangeExpert.expert.as_alias("person_id"),
        ExchangeExpert.expert.name.as_alias("name"),
        ExchangeExpert.expert.unit.as_alias("unit"),
        ExchangeExpert.expert.professional_title.as_alias("professional_title"),
        ExchangeExpert.invited_at,
    ).where(ExchangeExpert.exchange == exchange_id).order_by(ExchangeExpert.id)
    comments = await Comment.select(Comment.author, Count(alias="n")).where(
        (Comment.design.exchange == exchange_id) & (Comment.role == "expert")
    ).group_by(Comment.author)
    scores = await Score.select(Score.expert, Count(alias="n")).where(
        Score.design.exchange == exchange_id
    ).group_by(Score.expert)
    comment_count = {r["author"]: r["n"] for r in comments}
    score_count = {r["expert"]: r["n"] for r in scores}
    return [
        s.ExpertOut(
            person_id=r["person_id"], name=r["name"], unit=r["unit"],
            professional_title=r["professional_title"], invited_at=clock.local(r["invited_at"]),
            comments=comment_count.get(r["person_id"], 0),
            scores=score_count.get(r["person_id"], 0),
        )
        for r in rows
    ]


async def invite_expert(actor: Principal, exchange_id: int, data: s.ExpertIn) -> s.ExpertOut:
    """Invite an expert (organisers); inviting twice changes nothing.

    Side effects: an ``exchange_expert`` row, a notice to the expert, an audit entry.
    """
    exchange, standing = await visible_exchange(actor, exchange_id)
    _require_organiser(standing)
    is_expert = await RoleAssignment.exists().where(
        (RoleAssignment.person == data.person_id)
        & (RoleAssignment.role == Role.EXPERT)
        & (RoleAssignment.active == True)  # noqa: E712
    )
    if not is_expert:
        raise InvalidInput("exchange.not_expert", "该人员不是专家，请先为其授予“专家”角色。")
    async with atomic(lock=f"exchange-experts:{exchange_id}"):
        exists = await ExchangeExpert.exists().where(
            (ExchangeExpert.exchange == exchange_id) & (ExchangeExpert.expert == data.person_id)
        )
        if not exists:
            await ExchangeExpert.insert(
                ExchangeExpert(
                    exchange=exchange_id, expert=data.person_id, invited_by=actor.person_id,
                    invited_at=clock.now(),
                )
            )
            await audit.record(
                actor, "exchange.invite_expert", "exchange", exchange_id, expert_id=data.person_id
            )
            await send([_invited_notice(exchange, data.person_id)])
    experts = await list_experts(actor, exchange_id)
    return next(e for e in experts if e.person_id == data.person_id)


async def expert_choices(actor: Principal) -> list[dict[str, Any]]:
    """People holding the expert role, for the invitation form."""
    rows = await RoleAssignment.select(
        RoleAssignment.person.as_alias("id"),
        RoleAssignment.person.name.as_alias("name"),
        RoleAssignment.person.unit.as_alias("unit"),
    ).where(
        (RoleAssignment.role == Role.EXPERT) & (RoleAssignment.active == True)  # noqa: E712
    ).order_by(RoleAssignment.person).distinct()
    return list(rows)


# Pairing -------------------------------------------------------------------------------------


async def candidates_by_id(kindergarten_ids: list[int]) -> dict[int, pairing.Candidate]:
    """Kindergartens as pairing candidates, with county names, in one query."""
    rows = await Kindergarten.select(
        Kindergarten.id,
        Kindergarten.name,
        Kindergarten.county.as_alias("county_id"),
        Kindergarten.county.name.as_alias("county_name"),
        Kindergarten.zone.as_alias("zone_id"),
        Kindergarten.locale,
    ).where(Kindergarten.id.is_in(kindergarten_ids or [0]))
    return {
        r["id"]: pairing.Candidate(
            kindergarten_id=r["id"], county_id=r["county_id"], zone_id=r["zone_id"],
            locale=r["locale"], name=r["name"], county_name=r["county_name"],
        )
        for r in rows
    }


async def pairing_history(
    kindergarten_ids: list[int], *, exclude_exchange: int
) -> Counter[frozenset[int]]:
    """Pairs of these kindergartens that met in the same group of another exchange (one query)."""
    rows = await Participant.select(Participant.group, Participant.kindergarten).where(
        Participant.kindergarten.is_in(kindergarten_ids or [0])
        & (Participant.exchange != exclude_exchange)
        & Participant.group.is_not_null()
    )
    by_group: dict[int, list[int]] = {}
    for row in rows:
        by_group.setdefault(row["group"], []).append(row["kindergarten"])
    history: Counter[frozenset[int]] = Counter()
    for members in by_group.values():
        for a, b in combinations(sorted(set(members)), 2):
            history[frozenset((a, b))] += 1
    return history


async def suggest_pairing(actor: Principal, exchange_id: int, data: s.SuggestIn) -> s.SuggestOut:
    """A pairing suggestion for the candidates (organisers); writes nothing."""
    _, standing = await visible_exchange(actor, exchange_id)
    _require_organiser(standing)
    ids = sorted(set(data.candidate_ids))
    candidates = await candidates_by_id(ids)
    unknown = [i for i in ids if i not in candidates]
    if unknown:
        raise InvalidInput(
            "pairing.unknown_kindergarten", "候选名单中有不存在的幼儿园，请刷新页面后重新选择。",
            kindergarten_ids=unknown,
        )
    history = await pairing_history(ids, exclude_exchange=exchange_id)
    result = pairing.suggest_groups(
        list(candidates.values()), group_size=data.group_size, history=history
    )
    return s.SuggestOut(
        groups=[
            s.SuggestedGroup(kindergarten_ids=list(g.kindergarten_ids), reason=g.reason)
            for g in result.groups
        ],
        unpaired=[
            s.UnpairedOut(kindergarten_id=u.kindergarten_id, reason=u.reason)
            for u in result.unpaired
        ],
        history_pairs=len(history),
    )


# Groups --------------------------------------------------------------------------------------

_MEMBER_COLUMNS = (
    Participant.id.as_alias("participant_id"),
    Participant.group.as_alias("group_id"),
    Participant.kindergarten.as_alias("kindergarten_id"),
    Participant.kindergarten.name.as_alias("kindergarten_name"),
    Participant.kindergarten.locale.as_alias("locale"),
    Participant.county.as_alias("county_id"),
    Participant.county.name.as_alias("county_name"),
    Participant.teacher.as_alias("teacher_id"),
    Participant.teacher.name.as_alias("teacher_name"),
)


async def get_groups(actor: Principal, exchange_id: int) -> s.GroupsOut:
    """The groups of an exchange and their members, in four queries."""
    exchange, _ = await visible_exchange(actor, exchange_id)
    return await _groups(exchange_id, exchange.groups_confirmed_at)


async def _groups(exchange_id: int, confirmed_at: dt.datetime | None) -> s.GroupsOut:
    groups = await ExchangeGroup.select(
        ExchangeGroup.id, ExchangeGroup.number, ExchangeGroup.reason
    ).where(ExchangeGroup.exchange == exchange_id).order_by(ExchangeGroup.number)
    members = await Participant.select(*_MEMBER_COLUMNS).where(
        Participant.exchange == exchange_id
    ).order_by(Participant.id)
    designs = {
        r["participant"]: r["id"]
        for r in await Design.select(Design.id, Design.participant).where(
            Design.exchange == exchange_id
        )
    }
    by_group: dict[int, list[s.MemberOut]] = {}
    for m in members:
        group_id = m.pop("group_id")
        m["design_id"] = designs.get(m["participant_id"])
        by_group.setdefault(group_id, []).append(msgspec.convert(m, s.MemberOut))
    return s.GroupsOut(
        confirmed_at=confirmed_at,
        groups=[
            s.GroupOut(id=g["id"], number=g["number"], reason=g["reason"],
                       members=by_group.get(g["id"], []))
            for g in groups
        ],
    )


def _teacher_problems(
    data: s.GroupsIn, candidates: Mapping[int, pairing.Candidate],
    teachers: Mapping[int, dict[str, Any]],
) -> list[dict[str, Any]]:
    """Each member whose teacher does not teach at its kindergarten, or teaches for another."""
    problems: list[dict[str, Any]] = []
    first_for: dict[int, int] = {}
    for number, group in enumerate(data.groups, start=1):
        for m in group.members:
            kg = candidates.get(m.kindergarten_id)
            if kg is None:
                continue  # pairing.unknown_kindergarten says it
            teacher = teachers.get(m.teacher_id)
            if teacher is None or m.kindergarten_id not in teacher["kindergartens"]:
                message = f"第{number}组：所选执教教师不是{kg.name}的教师，请重新选择"
            elif m.teacher_id in first_for and first_for[m.teacher_id] != m.kindergarten_id:
                other = candidates[first_for[m.teacher_id]].name
                message = (f"第{number}组：{kg.name}的执教教师已代表{other}执教，"
                           "同一位教师只能代表一所幼儿园执教")
            else:
                first_for.setdefault(m.teacher_id, m.kindergarten_id)
                continue
            problems.append({"code": "pairing.teacher", "message": message, "group": number,
                             "kindergarten_ids": [m.kindergarten_id],
                             "teacher_id": m.teacher_id})
    return problems


def _refuse_pairing_problems(
    structural: list[pairing.GroupProblem], teacher: list[dict[str, Any]]
) -> None:
    """Refuse a grouping with every problem at once: ``problems`` lists each group's messages.

    The error's ``code`` (and so its status) is the first structural problem's, else
    ``pairing.teacher``, as it was when only the first problem was reported.
    """
    problems = [
        {"code": p.code, "message": p.message, "group": p.group_index + 1,
         "kindergarten_ids": list(p.kindergarten_ids)}
        for p in structural
    ] + teacher
    if not problems:
        return
    lead = problems[0]
    problems.sort(key=lambda p: p["group"])  # stable: a group's own problems keep their order
    detail = "；".join(p["message"] for p in problems) + "。"
    error = Conflict if lead["code"] == "pairing.same_county" else InvalidInput
    extra: dict[str, Any] = {}
    if lead["code"] == "pairing.teacher":
        extra = {"kindergarten_id": lead["kindergarten_ids"][0], "teacher_id": lead["teacher_id"]}
    raise error(lead["code"], detail, problems=problems, **extra)


async def _teachers_of(teacher_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Teachers by id with their kindergarten, if they hold an active teacher role."""
    rows = await RoleAssignment.select(
        RoleAssignment.person.as_alias("id"),
        RoleAssignment.person.name.as_alias("name"),
        RoleAssignment.person.kindergarten.as_alias("person_kindergarten"),
        RoleAssignment.kindergarten.as_alias("kindergarten"),
    ).where(
        RoleAssignment.person.is_in(teacher_ids or [0])
        & (RoleAssignment.role == Role.TEACHER)
        & (RoleAssignment.active == True)  # noqa: E712
    )
    teachers: dict[int, dict[str, Any]] = {}
    for r in rows:
        entry = teachers.setdefault(r["id"], {"name": r["name"], "kindergartens": set()})
        entry["kindergartens"].update(
            k for k in (r["kindergarten"], r["person_kindergarten"]) if k is not None
        )
    return teachers


async def teacher_choices(kindergarten_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """Teachers of each kindergarten (for the pairing editor), in one query."""
    rows = await RoleAssignment.select(
        RoleAssignment.person.as_alias("id"),
        RoleAssignment.person.name.as_alias("name"),
        RoleAssignment.kindergarten.as_alias("kindergarten"),
    ).where(
        RoleAssignment.kindergarten.is_in(kindergarten_ids or [0])
        & (RoleAssignment.role == Role.TEACHER)
        & (RoleAssignment.active == True)  # noqa: E712
    ).order_by(RoleAssignment.person)
    result: dict[int, list[dict[str, Any]]] = {}
    for r in rows:
        result.setdefault(r["kindergarten"], []).append({"id": r["id"], "name": r["name"]})
    return result


async def put_groups(actor: Principal, exchange_id: int, data: s.GroupsIn) -> s.GroupsOut:
    """Confirm (or edit) the groups of an exchange (organisers); replaces the grouping.

    Rules: no group inside one county (``pairing.same_county``), at least two counties in
    the exchange, every teacher teaches at their kindergarten, a participant who already
    uploaded a design stays with the same teacher, nothing changes after the design deadline.
    Side effects: groups and participants rewritten, a notice to each teacher whose group is
    new or changed, an audit entry.
    """
    exchange, standing = await visible_exchange(actor, exchange_id)
    _require_organiser(standing)
    now = clock.now()
    async with atomic(lock=f"exchange-groups:{exchange_id}"):
        # Everything below is read under the lock: create_design takes it too, so a design
        # started meanwhile is seen (and its participant kept) instead of being cascaded away.
        fresh = await Exchange.select(
            Exchange.design_deadline, Exchange.groups_confirmed_at
        ).where(Exchange.id == exchange_id).first()
        if fresh is None or clock.now() >= fresh["design_deadline"]:
            raise Conflict("pairing.closed", "教学设计提交已经截止，不能再调整分组。")
        layout = [[m.kindergarten_id for m in g.members] for g in data.groups]
        kg_ids = sorted({k for group in layout for k in group})
        existing = await Participant.select(
            Participant.id, Participant.kindergarten, Participant.teacher, Participant.group
        ).where(Participant.exchange == exchange_id)
        # Current participants too: a refusal to drop one names it.
        candidates = await candidates_by_id(
            sorted({*kg_ids, *(r["kindergarten"] for r in existing)})
        )
        wanted = {m.kindergarten_id: m.teacher_id for g in data.groups for m in g.members}
        teachers = await _teachers_of(sorted(set(wanted.values())))
        _refuse_pairing_problems(
            pairing.validate_groups(layout, {k: candidates[k] for k in kg_ids if k in candidates}),
            _teacher_problems(data, candidates, teachers),
        )
        if len({candidates[k].county_id for k in kg_ids}) < 2:
            raise Conflict(
                "pairing.one_county", "同研异构活动至少需要两个县（市、区）的幼儿园参加。"
            )
        with_design = {
            r["participant"]
            for r in await Design.select(Design.participant).where(Design.exchange == exchange_id)
        }
        current = {r["kindergarten"]: r for r in existing}
        for kg_id, row in current.items():
            if row["id"] in with_design and wanted.get(kg_id) != row["teacher"]:
                name = candidates[kg_id].name
                raise Conflict(
                    "pairing.has_design",
                    f"{name}已经开始上传教学设计，不能移出本次活动或更换执教教师。",
                    kindergarten_id=kg_id,
                )
        before = await _groups(exchange_id, fresh["groups_confirmed_at"])
        old_mates = {
            m.kindergarten_id: (m.teacher_id, frozenset(x.kindergarten_id for x in g.members))
            for g in before.groups for m in g.members
        }  # fmt: skip
        old_groups = await ExchangeGroup.select(ExchangeGroup.id, ExchangeGroup.number).where(
            ExchangeGroup.exchange == exchange_id
        )
        group_ids: dict[int, int] = {g["number"]: g["id"] for g in old_groups}
        for number, group in enumerate(data.groups, start=1):
            if number in group_ids:
                await ExchangeGroup.update({ExchangeGroup.reason: group.reason}).where(
                    ExchangeGroup.id == group_ids[number]
                )
            else:
                group_ids[number] = (
                    await ExchangeGroup.insert(
                        ExchangeGroup(exchange=exchange_id, number=number, reason=group.reason)
                    )
                )[0]["id"]
        for number, group in enumerate(data.groups, start=1):
            for member in group.members:
                previous = current.get(member.kindergarten_id)
                values: dict[Any, Any] = {
                    "group": group_ids[number], "teacher": member.teacher_id
                }
                if previous is None:
                    await Participant.insert(
                        Participant(
                            exchange=exchange_id, kindergarten=member.kindergarten_id,
                            county=candidates[member.kindergarten_id].county_id,
                            created_at=now, **values,
                        )
                    )
                elif (previous["group"], previous["teacher"]) != (
                    values["group"], values["teacher"]
                ):
                    await Participant.update(values).where(Participant.id == previous["id"])
        removed = [r["id"] for k, r in current.items() if k not in wanted]
        if removed:
            await Participant.delete().where(Participant.id.is_in(removed))
        surplus = [gid for number, gid in group_ids.items() if number > len(data.groups)]
        if surplus:
            await ExchangeGroup.delete().where(ExchangeGroup.id.is_in(surplus))
        await Exchange.update({Exchange.groups_confirmed_at: now}).where(
            Exchange.id == exchange_id
        )
        await indexing.changed("exchange", exchange_id)  # designs' groups moved
        await audit.record(
            actor, "exchange.groups", "exchange", exchange_id,
            groups=[[m.kindergarten_id for m in g.members] for g in data.groups],
        )
        await send(_pairing_notices(exchange, data, candidates, old_mates))
    return await get_groups(actor, exchange_id)


def _pairing_notices(
    exchange: s.ExchangeOut,
    data: s.GroupsIn,
    candidates: dict[int, pairing.Candidate],
    old_mates: dict[int, tuple[int, frozenset[int]]],
) -> list[Notice]:
    """A notice to every teacher whose group (or role as its teacher) is new."""
    notices = []
    for number, group in enumerate(data.groups, start=1):
        mates = frozenset(m.kindergarten_id for m in group.members)
        for member in group.members:
            if old_mates.get(member.kindergarten_id) == (member.teacher_id, mates):
                continue
            others = "、".join(
                f"{candidates[k].name}（{candidates[k].county_name}）"
                for k in sorted(mates - {member.kindergarten_id})
            )
            signature = "-".join(str(k) for k in sorted(mates))
            notices.append(
                Notice(
                    person_id=member.teacher_id,
                    kind="paired",
                    title=f"您已分组参加同研异构活动{book(exchange.title)}（第{number}组）",
                    body=f"同组：{others}。教学内容：{exchange.content}；教学设计提交截止："
                    f"{exchange.design_deadline:%Y-%m-%d %H:%M}。",
                    link=f"/exchanges/{exchange.id}",
                    dedupe_key=(
                        f"paired:{exchange.id}:{member.kindergarten_id}:"
                        f"{member.teacher_id}:{signature}"
                    )[:200],
                )
            )
    return notices
