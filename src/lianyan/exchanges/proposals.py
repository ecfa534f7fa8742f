"""Zone officers propose kindergartens of their zone (with the teacher) for an exchange.

A proposal is a row the organisers see on the exchange page (and are told of by a notice);
they take it into the pairing or leave it. Only a zone officer proposes, only a kindergarten
of their zone, only a teacher of that kindergarten, only before the design deadline, once
per kindergarten and exchange, and not one that already takes part (docs/exchanges.md).
"""

from __future__ import annotations

from typing import Any

from lianyan import clock
from lianyan.audit import services as audit
from lianyan.db import atomic
from lianyan.errors import Conflict, Forbidden, InvalidInput
from lianyan.exchanges import schemas as s
from lianyan.exchanges.notifications import Notice, send
from lianyan.exchanges.services import visible_exchange
from lianyan.exchanges.tables import Participant, ParticipantProposal
from lianyan.labels import book
from lianyan.org.tables import Person, RoleAssignment
from lianyan.principal import Principal, Role


async def zone_teachers(actor: Principal) -> list[dict[str, Any]]:
    """The teachers of the caller's zones with their kindergarten, for the proposal form."""
    zones = sorted(actor.zones(Role.ZONE_OFFICER))
    if not zones:
        return []
    rows = await RoleAssignment.select(
        RoleAssignment.person.as_alias("teacher_id"),
        RoleAssignment.person.name.as_alias("teacher_name"),
        RoleAssignment.kindergarten.as_alias("kindergarten_id"),
        RoleAssignment.kindergarten.name.as_alias("kindergarten_name"),
    ).where(
        (RoleAssignment.role == Role.TEACHER) & (RoleAssignment.active == True)  # noqa: E712
        & RoleAssignment.kindergarten.zone.is_in(zones)
    ).order_by(RoleAssignment.kindergarten.name).order_by(RoleAssignment.person.name)
    return list(rows)


async def _organisers(county_id: int | None) -> list[int]:
    condition: Any = (RoleAssignment.active == True)  # noqa: E712
    if county_id is None:
        condition = condition & (RoleAssignment.role == Role.CITY_ADMIN)
    else:
        condition = condition & (RoleAssignment.role == Role.COUNTY_OFFICER) & (
            RoleAssignment.county == county_id
        )
    return sorted({r["person"] for r in await RoleAssignment.select(RoleAssignment.person).where(
        condition
    )})


async def propose(actor: Principal, exchange_id: int, data: s.ProposalIn) -> s.ProposalOut:
    """Propose a teacher of one of the caller's zone kindergartens for the exchange.

    Errors: 403 ``proposal.forbidden`` (not a zone officer here), 400 ``proposal.teacher``
    (not a teacher of the zone), 409 ``proposal.closed`` (design deadline passed), 409
    ``proposal.exists`` (already taking part or proposed). Side effects: a
    ``participant_proposal`` row, notices to the organisers, an audit entry.
    """
    exchange, standing = await visible_exchange(actor, exchange_id)
    if not standing.zone_officer:
        raise Forbidden("proposal.forbidden", "只有责任区教研员可以推荐本责任区的幼儿园参加。")
    teacher = next((t for t in await zone_teachers(actor) if t["teacher_id"] == data.teacher_id),
                   None)
    if teacher is None:
        raise InvalidInput("proposal.teacher", "请选择本责任区幼儿园的教师。", field="teacher_id")
    now = clock.now()
    if now >= exchange.design_deadline:
        raise Conflict("proposal.closed", "教学设计提交已经截止，不能再推荐参与园。")
    kg = teacher["kindergarten_id"]
    async with atomic(lock=f"exchange-groups:{exchange_id}"):
        taking_part = await Participant.exists().where(
            (Participant.exchange == exchange_id) & (Participant.kindergarten == kg)
        )
        proposed = await ParticipantProposal.exists().where(
            (ParticipantProposal.exchange == exchange_id)
            & (ParticipantProposal.kindergarten == kg)
        )
        if taking_part or proposed:
            raise Conflict(
                "proposal.exists",
                f"{teacher['kindergarten_name']}已{'参加' if taking_part else '被推荐参加'}本次活动。",
            )
        row = (await ParticipantProposal.insert(ParticipantProposal(
            exchange=exchange_id, kindergarten=kg, teacher=data.teacher_id, note=data.note,
            proposed_by=actor.person_id, proposed_at=now,
        )))[0]
        await send([
            Notice(person_id=p, kind="proposal",
                   title=f"{actor.name}推荐{teacher['kindergarten_name']}参加{book(exchange.title)}",
                   body=f"设计教师：{teacher['teacher_name']}。" + (data.note and f"说明：{data.note}"),
                   link=f"/exchanges/{exchange_id}")
            for p in await _organisers(exchange.county_id)
        ])
        await audit.record(actor, "exchange.propose", "exchange", exchange_id,
                           kindergarten_id=kg, teacher_id=data.teacher_id)
    return (await list_proposals(actor, exchange_id, only=row["id"]))[0]


async def list_proposals(
    actor: Principal, exchange_id: int, *, only: int | None = None
) -> list[s.ProposalOut]:
    """The proposals of an exchange, oldest first: for its organisers and zone officers."""
    _, standing = await visible_exchange(actor, exchange_id)
    if not (standing.organiser or standing.zone_officer):
        return []
    condition: Any = ParticipantProposal.exchange == exchange_id
    if only is not None:
        condition = condition & (ParticipantProposal.id == only)
    rows = await ParticipantProposal.select(
        ParticipantProposal.id, ParticipantProposal.kindergarten.as_alias("kindergarten_id"),
        ParticipantProposal.kindergarten.name.as_alias("kindergarten_name"),
        ParticipantProposal.teacher.as_alias("teacher_id"),
        ParticipantProposal.teacher.name.as_alias("teacher_name"),
        ParticipantProposal.note, ParticipantProposal.proposed_by, ParticipantProposal.proposed_at,
    ).where(condition).order_by(ParticipantProposal.id)
    names = {r["id"]: r["name"] for r in await Person.select(Person.id, Person.name).where(
        Person.id.is_in(sorted({r["proposed_by"] for r in rows if r["proposed_by"]}) or [0])
    )}
    taking_part = {r["kindergarten"] for r in await Participant.select(
        Participant.kindergarten).where(Participant.exchange == exchange_id)}
    return [
        s.ProposalOut(
            id=r["id"], kindergarten_id=r["kindergarten_id"],
            kindergarten_name=r["kindergarten_name"], teacher_id=r["teacher_id"],
            teacher_name=r["teacher_name"], note=r["note"],
            proposed_by_name=names.get(r["proposed_by"], ""),
            proposed_at=r["proposed_at"].astimezone(clock.CITY_TZ),
            taken=r["kindergarten_id"] in taking_part,
        )
        for r in rows
    ]
