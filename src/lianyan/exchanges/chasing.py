"""Progress of one exchange and chasing the late ones (催办).

``exchange_progress`` shows, per group and participant, whether the design is in, how many
versions, and how many expert comments and score forms it has received, with "x of y designs
in"; and per invited expert, what they still owe. ``nudge`` reminds the late teachers (no
version yet, before the design deadline) or the late experts (a design they have not
commented on or scored, before the comment deadline): at most once per person per day,
sharing the keys of the one-click reminders (``progress.nudge``, ``remind_expert``), so the
unique ``notification.dedupe_key`` holds the limit whichever button was used.
Docs: docs/exchanges.md, "Progress and chasing".
"""

from __future__ import annotations

from typing import Any

from piccolo.query.functions.aggregate import Count

from lianyan import clock
from lianyan.audit import services as audit
from lianyan.db import atomic
from lianyan.errors import Conflict, Forbidden, InvalidInput
from lianyan.exchanges import schemas as s
from lianyan.exchanges.notifications import Notice, missing_reviews, send
from lianyan.exchanges.services import list_experts, visible_exchange
from lianyan.exchanges.tables import (
    Comment,
    Design,
    ExchangeGroup,
    Notification,
    Participant,
    Score,
)
from lianyan.labels import book
from lianyan.principal import Principal


async def exchange_progress(actor: Principal, exchange_id: int) -> s.ExchangeProgressOut:
    """Where the exchange stands, for everyone who sees it; a constant number of queries."""
    exchange, standing = await visible_exchange(actor, exchange_id)
    now = clock.now()
    groups = await ExchangeGroup.select(ExchangeGroup.id, ExchangeGroup.number).where(
        ExchangeGroup.exchange == exchange_id
    ).order_by(ExchangeGroup.number)
    members = await Participant.select(
        Participant.id, Participant.group.as_alias("group_id"),
        Participant.kindergarten.as_alias("kindergarten_id"),
        Participant.kindergarten.name.as_alias("kindergarten_name"),
        Participant.county.name.as_alias("county_name"),
        Participant.teacher.as_alias("teacher_id"),
        Participant.teacher.name.as_alias("teacher_name"),
    ).where(Participant.exchange == exchange_id).order_by(Participant.id)
    designs = {
        r["participant"]: r for r in await Design.select(
            Design.id, Design.participant, Design.latest_version, Design.updated_at
        ).where(Design.exchange == exchange_id)
    }
    comments = {
        r["design"]: r["n"] for r in await Comment.select(Comment.design, Count(alias="n")).where(
            (Comment.design.exchange == exchange_id) & (Comment.role == "expert")
        ).group_by(Comment.design)
    }
    scores = {
        r["design"]: r["n"] for r in await Score.select(Score.design, Count(alias="n")).where(
            Score.design.exchange == exchange_id
        ).group_by(Score.design)
    }
    late_design = now < exchange.design_deadline
    by_group: dict[int | None, list[s.ParticipantProgress]] = {}
    for m in members:
        design = designs.get(m["id"])
        versions = design["latest_version"] if design else 0
        design_id = design["id"] if design else None
        by_group.setdefault(m["group_id"], []).append(s.ParticipantProgress(
            participant_id=m["id"], kindergarten_id=m["kindergarten_id"],
            kindergarten_name=m["kindergarten_name"], county_name=m["county_name"],
            teacher_id=m["teacher_id"], teacher_name=m["teacher_name"], design_id=design_id,
            versions=versions,
            submitted_at=clock.local(design["updated_at"]) if design and versions else None,
            comments=comments.get(design_id, 0) if design_id else 0,
            scores=scores.get(design_id, 0) if design_id else 0,
            late=not versions,
            may_nudge=standing.organiser and late_design and not versions,
        ))
    experts = await list_experts(actor, exchange_id)
    owing = (await missing_reviews([exchange_id])).get(exchange_id, {})
    open_reviews = now < exchange.comment_deadline
    designs_in = sum(1 for d in designs.values() if d["latest_version"] > 0)
    return s.ExchangeProgressOut(
        exchange_id=exchange_id, participants=len(members), designs_in=designs_in,
        groups=[s.GroupProgress(number=g["number"], members=by_group.get(g["id"], []))
                for g in groups],
        experts=[s.ExpertProgress(
            person_id=e.person_id, name=e.name, comments=e.comments, scores=e.scores,
            owing=owing.get(e.person_id, 0),
            may_nudge=standing.organiser and open_reviews and owing.get(e.person_id, 0) > 0,
        ) for e in experts],
    )


def _today_key(prefix: str) -> str:
    return f"{prefix}:{clock.now().astimezone(clock.CITY_TZ):%Y-%m-%d}"


async def nudge(actor: Principal, exchange_id: int, data: s.NudgeIn) -> s.NudgeOut:
    """Remind the late teachers or experts of an exchange (its organisers), each at most once
    a day; ``person_ids`` narrows it to some of them.

    Refusals: ``nudge.closed`` (409) after the deadline that matters, ``nudge.unknown_person``
    (400) for a person who is not a participant's teacher / an invited expert,
    ``nudge.nobody_late`` (409) when nobody chosen is late, ``nudge.already_sent`` (409) when
    every late one was reminded today already. Side effects: a notice and an outbox message
    per person reminded; an audit entry.
    """
    exchange, standing = await visible_exchange(actor, exchange_id)
    if not standing.organiser:
        raise Forbidden("exchange.not_organiser", "只有活动的组织者可以催办。")
    now = clock.now()
    wanted = set(data.person_ids) if data.person_ids is not None else None
    candidates: dict[int, dict[str, Any]] = {}
    if data.to == "teachers":
        if now >= exchange.design_deadline:
            raise Conflict("nudge.closed", "教学设计提交已经截止，无需再提醒教师。")
        rows = await Participant.select(
            Participant.id, Participant.teacher, Participant.teacher.name.as_alias("name")
        ).where(Participant.exchange == exchange_id)
        done = {
            r["participant"] for r in await Design.select(Design.participant).where(
                (Design.exchange == exchange_id) & (Design.latest_version > 0)
            )
        }
        for r in rows:
            candidates[r["teacher"]] = {
                "name": r["name"], "late": r["id"] not in done,
                "key": _today_key(f"nudge:{r['id']}"),
                "title": f"{actor.name}提醒您提交{book(exchange.title)}教学设计",
                "body": f"教学设计提交截止时间：{exchange.design_deadline:%Y-%m-%d %H:%M}。",
                "link": f"/exchanges/{exchange_id}", "kind": "nudge",
            }
    else:
        if now >= exchange.comment_deadline:
            raise Conflict("nudge.closed", "专家点评已经截止，无需再提醒专家。")
        owing = (await missing_reviews([exchange_id])).get(exchange_id, {})
        for e in await list_experts(actor, exchange_id):
            count = owing.get(e.person_id, 0)
            candidates[e.person_id] = {
                "name": e.name, "late": count > 0,
                "key": _today_key(f"expert_reminder:{exchange_id}:{e.person_id}"),
                "title": f"{actor.name}提醒您点评{book(exchange.title)}",
                "body": f"还有 {count} 份教学设计等待您点评或评分，点评截止时间："
                f"{exchange.comment_deadline:%Y-%m-%d %H:%M}。",
                "link": "/reviews", "kind": "expert_reminder",
            }
    if wanted is not None:
        unknown = sorted(wanted - set(candidates))
        if unknown:
            who = "参与本次活动的执教教师" if data.to == "teachers" else "本次活动的受邀专家"
            raise InvalidInput("nudge.unknown_person", f"所选人员中有人不是{who}。",
                               field="person_ids", person_ids=unknown)
    chosen = {p: c for p, c in candidates.items() if wanted is None or p in wanted}
    late = {p: c for p, c in chosen.items() if c["late"]}
    if not late:
        what = "提交了教学设计" if data.to == "teachers" else "完成了点评和评分"
        raise Conflict("nudge.nobody_late", f"所选人员都已{what}，无需提醒。")
    async with atomic(lock=f"nudge:{exchange_id}"):
        keys = [c["key"] for c in late.values()]
        sent_before = {
            r["dedupe_key"] for r in await Notification.select(Notification.dedupe_key).where(
                Notification.dedupe_key.is_in(keys)
            )
        }
        fresh = {p: c for p, c in late.items() if c["key"] not in sent_before}
        if not fresh:
            raise Conflict("nudge.already_sent",
                           "今天已经提醒过这些人员，每人每天最多提醒一次，请明天再提醒。",
                           person_ids=sorted(late))
        await send([
            Notice(person_id=p, kind=c["kind"], title=c["title"], body=c["body"],
                   link=c["link"], dedupe_key=c["key"])
            for p, c in fresh.items()
        ])
        await audit.record(actor, "exchange.nudge", "exchange", exchange_id, to=data.to,
                           person_ids=sorted(fresh))
    return s.NudgeOut(
        to=data.to,
        sent=[s.PersonRef(person_id=p, name=c["name"]) for p, c in sorted(fresh.items())],
        already_sent=[s.PersonRef(person_id=p, name=late[p]["name"])
                      for p in sorted(set(late) - set(fresh))],
        not_late=[s.PersonRef(person_id=p, name=c["name"])
                  for p, c in sorted(chosen.items()) if not c["late"]],
    )
