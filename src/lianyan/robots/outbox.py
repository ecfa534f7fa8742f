"""The robots' outbox: one message per event for every robot of the scopes it concerns.

``exchanges.notifications.send`` (and the domains above it) hand their events here inside the
transaction that writes the notices, so a message exists exactly when its notices do. An
event's scopes are the counties and zones of the people it notifies (where they work: their
kindergarten's county and zone, or the bureau of their county). Each robot gets one message
per event, naming the people of its own scope, never one message per person.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from lianyan import clock
from lianyan.org.tables import Person
from lianyan.robots import rules
from lianyan.robots.tables import Robot, RobotMessage
from lianyan.robots.wakeup import notify

#: The most names a message lists before "等 N 人".
NAMES_SHOWN = 10


@dataclass(frozen=True, slots=True)
class Event:
    """Something worth telling a chat group: the notice's title, body and link, and whom."""

    kind: str
    title: str
    body: str = ""
    link: str = ""
    person_ids: tuple[int, ...] = ()
    #: Scopes told whoever is notified (a report of a county, a highlight of an exchange).
    county_ids: tuple[int, ...] = field(default=())


def _names(names: list[str]) -> str:
    shown = "、".join(names[:NAMES_SHOWN])
    return shown + (f"等 {len(names)} 人" if len(names) > NAMES_SHOWN else "")


async def post(events: Iterable[Event]) -> int:
    """Queue each event's message for the robots of its scopes; return how many were queued.

    Two queries to find the people and the robots, one insert. Side effects: ``robot_message``
    rows (in the caller's transaction, if any); wakes this process's sender.
    """
    events = [e for e in events if e.person_ids or e.county_ids]
    if not events:
        return 0
    robots = await Robot.select(Robot.id, Robot.county, Robot.zone)
    if not robots:
        return 0
    people_ids = sorted({p for e in events for p in e.person_ids})
    people = {
        r["id"]: r
        for r in await Person.select(
            Person.id, Person.name, Person.county,
            Person.kindergarten.county.as_alias("k_county"),
            Person.kindergarten.zone.as_alias("k_zone"),
        ).where(Person.id.is_in(people_ids or [0]))
    }
    now = clock.now()
    rows = []
    for event in events:
        for robot in robots:
            if robot["zone"] is not None:
                concerned = [people[p]["name"] for p in event.person_ids
                             if p in people and people[p]["k_zone"] == robot["zone"]]
            else:
                concerned = [people[p]["name"] for p in event.person_ids
                             if p in people and robot["county"] in (people[p]["county"],
                                                                    people[p]["k_county"])]
            county_wide = robot["zone"] is None and robot["county"] in event.county_ids
            if not concerned and not county_wide:
                continue
            text = rules.escape(event.body)
            if concerned:
                text += ("\n\n" if text else "") + f"> 通知对象：{rules.escape(_names(concerned))}"
            rows.append(RobotMessage(
                robot=robot["id"], kind=event.kind, title=event.title[:200], text=text,
                link=event.link[:300], status="pending", attempts=0, next_at=now,
                created_at=now,
            ))
    if rows:
        await RobotMessage.insert(*rows)
        notify()
    return len(rows)
