"""Who sees what of an exchange (docs/exchanges.md, "Visibility").

A caller's *standing* in one exchange is worked out once per request (a handful of queries,
whatever the size of the exchange); the rules on it are plain functions a unit test can call.

* organisers (the city; the county officers of the organising county) see and change it;
* supervisors (county officers of a county that has a participant) see all of it;
* invited experts see all of it, and only the exchanges they are invited to;
* participants (the designing teacher, and the director of a participating kindergarten)
  see the exchange; while it is blind and before the design deadline, only their own group's
  designs; after the deadline (or when it is not blind) all designs;
* zone officers (责任区教研员) see the exchanges in which a kindergarten of their zone takes
  part, and those organised by their county (to propose participants); the blind rule applies
  to them as to a participant: before the deadline only the groups of their zone's
  kindergartens;
* once the city accepted it into the library, every signed-in user may read it;
* nobody else sees anything: 404.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import reduce
from typing import Any

from lianyan.exchanges.tables import (
    Design,
    Exchange,
    ExchangeExpert,
    Highlight,
    Participant,
)
from lianyan.principal import Principal, Role

#: Who organises exchanges (the city; a county officer for their county).
ORGANISERS = (Role.CITY_ADMIN, Role.COUNTY_OFFICER)
#: Who follows teachers' progress (``/exchanges/progress``), each within their scope.
FOLLOWERS = (Role.CITY_ADMIN, Role.COUNTY_OFFICER, Role.ZONE_OFFICER, Role.DIRECTOR)


@dataclass(frozen=True, slots=True)
class Standing:
    """What the caller is in one exchange."""

    organiser: bool = False
    supervisor: bool = False
    expert: bool = False
    #: Groups of the caller's own participations (as teacher or director).
    own_groups: frozenset[int] = frozenset()
    #: Participations in which the caller is the designing teacher.
    teaching: frozenset[int] = frozenset()
    #: Participations of a kindergarten the caller directs (or teaches for).
    participations: frozenset[int] = frozenset()
    #: Participations of kindergartens of the zones the caller is the officer of.
    zone_participations: frozenset[int] = frozenset()
    #: A zone officer of the organising county or of a participating kindergarten.
    zone_officer: bool = False
    library: bool = False

    @property
    def participant(self) -> bool:
        """The caller takes part (teacher or director of a participating kindergarten)."""
        return bool(self.participations)

    @property
    def sees_exchange(self) -> bool:
        """The exchange exists for the caller at all."""
        return (
            self.organiser or self.supervisor or self.expert or self.participant
            or self.zone_officer or self.library
        )

    @property
    def blind_reader(self) -> bool:
        """Reads designs under the blind rule: a participant or a zone officer."""
        return self.participant or self.zone_officer


def sees_every_design(
    standing: Standing, *, blind: bool, design_deadline: dt.datetime, now: dt.datetime
) -> bool:
    """True when the caller may read every design of the exchange."""
    if standing.organiser or standing.supervisor or standing.expert or standing.library:
        return True
    if not standing.blind_reader:
        return False
    return not blind or now >= design_deadline


def sees_design(
    standing: Standing,
    *,
    group_id: int | None,
    blind: bool,
    design_deadline: dt.datetime,
    now: dt.datetime,
) -> bool:
    """True when the caller may read a design of group ``group_id``."""
    if sees_every_design(standing, blind=blind, design_deadline=design_deadline, now=now):
        return True
    return standing.blind_reader and group_id is not None and group_id in standing.own_groups


def sees_other_scores(standing: Standing, *, has_own: bool) -> bool:
    """An invited expert reads the other experts' score forms only after giving their own,
    so that theirs is not anchored by the others; organisers (the city, the organising
    county) and everyone else who may read the design see them all."""
    if standing.organiser or not standing.expert:
        return True
    return has_own


def own_participants(actor: Principal) -> Any:
    """A condition on ``Participant``: the caller's own entries — those they teach, those of
    the kindergartens they direct and of the kindergartens in the zones they lead."""
    own: Any = Participant.teacher == actor.person_id
    directed = actor.kindergartens(Role.DIRECTOR)
    if directed:
        own = own | Participant.kindergarten.is_in(list(directed))
    zones = actor.zones(Role.ZONE_OFFICER)
    if zones:
        own = own | Participant.kindergarten.zone.is_in(list(zones))
    return own


async def standing_in(
    actor: Principal, exchange_id: int, county_id: int | None, *, library: bool | None = None
) -> Standing:
    """The caller's standing in one exchange, in at most four small queries.

    ``library``: whether the exchange's highlight is accepted, when the caller knows already.
    """
    officer_counties = actor.counties(Role.COUNTY_OFFICER)
    organiser = actor.is_city or (county_id is not None and county_id in officer_counties)
    own = own_participants(actor)
    directed = actor.kindergartens(Role.DIRECTOR)
    zones = actor.zones(Role.ZONE_OFFICER)
    found = await Participant.select(
        Participant.id, Participant.group, Participant.teacher, Participant.kindergarten,
        Participant.kindergarten.zone.as_alias("zone_id"),
    ).where((Participant.exchange == exchange_id) & own)
    rows = [
        r for r in found
        if r["teacher"] == actor.person_id or r["kindergarten"] in directed
    ]
    zone_rows = [r for r in found if r["zone_id"] in zones]
    supervisor = False
    if not organiser and officer_counties:
        supervisor = await Participant.exists().where(
            (Participant.exchange == exchange_id)
            & Participant.county.is_in(list(officer_counties))
        )
    expert = actor.has(Role.EXPERT) and await ExchangeExpert.exists().where(
        (ExchangeExpert.exchange == exchange_id) & (ExchangeExpert.expert == actor.person_id)
    )
    if library is None:
        library = await Highlight.exists().where(
            (Highlight.exchange == exchange_id) & (Highlight.status == "accepted")
        )
    return Standing(
        organiser=organiser,
        supervisor=supervisor,
        expert=bool(expert),
        own_groups=frozenset(r["group"] for r in found if r["group"] is not None),
        teaching=frozenset(r["id"] for r in rows if r["teacher"] == actor.person_id),
        participations=frozenset(r["id"] for r in rows),
        zone_participations=frozenset(r["id"] for r in zone_rows),
        zone_officer=bool(zone_rows) or (
            county_id is not None and county_id in actor.counties(Role.ZONE_OFFICER)
        ),
        library=library,
    )


def involved_exchanges(actor: Principal) -> Any | None:
    """A condition on ``Exchange`` for the exchanges the caller is involved in (None: all).

    The library is not included: accepted exchanges are browsed at ``/library``.
    """
    if actor.is_city:
        return None
    conditions: list[Any] = []
    officer_counties = list(actor.counties(Role.COUNTY_OFFICER))
    if officer_counties:
        conditions.append(Exchange.county.is_in(officer_counties))
        conditions.append(
            Exchange.id.is_in(
                Participant.select(Participant.exchange).where(
                    Participant.county.is_in(officer_counties)
                )
            )
        )
    if actor.has(Role.EXPERT):
        conditions.append(
            Exchange.id.is_in(
                ExchangeExpert.select(ExchangeExpert.exchange).where(
                    ExchangeExpert.expert == actor.person_id
                )
            )
        )
    zone_counties = list(actor.counties(Role.ZONE_OFFICER))
    if zone_counties:
        conditions.append(Exchange.county.is_in(zone_counties))
    own = own_participants(actor)
    conditions.append(Exchange.id.is_in(Participant.select(Participant.exchange).where(own)))
    return reduce(lambda a, b: a | b, conditions)


def visible_designs(actor: Principal, now: dt.datetime) -> Any | None:
    """A condition on ``Design`` for the designs the caller may read (None: all)."""
    return design_visibility(
        actor, now, exchange=Design.exchange, group=Design.participant.group
    )


def design_visibility(actor: Principal, now: dt.datetime, *, exchange: Any, group: Any) -> Any:
    """The blind rule over every exchange at once, as a condition on a design's ``exchange``
    and ``group`` columns (of ``Design``, or of a copy such as the search index); None: all.

    The set form of :func:`sees_design`, for lists across exchanges (the site-wide search):
    a design is readable when its exchange is in the library, when the caller organises,
    supervises or is invited as an expert to its exchange, or when the caller reads it as a
    participant or zone officer (``Standing.blind_reader``) and either the exchange is not
    blind, its design deadline has passed, or the design is of one of the caller's own groups.
    Sub-selects of exchange and group ids only (small sets), no queries.
    """
    if actor.is_city:
        return None
    library = Highlight.select(Highlight.exchange).where(Highlight.status == "accepted")
    conditions: list[Any] = [exchange.is_in(library)]
    officer_counties = sorted(actor.counties(Role.COUNTY_OFFICER))
    if officer_counties:
        conditions.append(exchange.is_in(
            Exchange.select(Exchange.id).where(Exchange.county.is_in(officer_counties))
        ))
        conditions.append(exchange.is_in(
            Participant.select(Participant.exchange).where(
                Participant.county.is_in(officer_counties)
            )
        ))
    if actor.has(Role.EXPERT):
        conditions.append(exchange.is_in(
            ExchangeExpert.select(ExchangeExpert.exchange).where(
                ExchangeExpert.expert == actor.person_id
            )
        ))
    own = own_participants(actor)
    reading: Any = exchange.is_in(Participant.select(Participant.exchange).where(own))
    zone_counties = sorted(actor.counties(Role.ZONE_OFFICER))
    if zone_counties:
        reading = reading | exchange.is_in(
            Exchange.select(Exchange.id).where(Exchange.county.is_in(zone_counties))
        )
    open_now = exchange.is_in(
        Exchange.select(Exchange.id).where(
            (Exchange.blind == False) | (Exchange.design_deadline <= now)  # noqa: E712
        )
    )
    own_groups = group.is_in(
        Participant.select(Participant.group).where(own & Participant.group.is_not_null())
    )
    conditions.append(reading & (open_now | own_groups))
    return reduce(lambda a, b: a | b, conditions)
