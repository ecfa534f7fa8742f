"""Who may see and do what with a topic (docs/topics.md, "Who may do what").

* read (``scope``): the city; county and zone officers of the topic's county; the director of
  the host's kindergarten; the host and the members; experts invited to review it. Anyone else
  gets 404.
* manage (``may_manage``: edit a draft, upload documents, submit, open, midterm, withdraw a
  draft): the host, the director of the host's kindergarten, the county's officers, and the city
  acting for them. Withdrawing a topic once it is submitted is for the county's officers and the
  city only (``may_take``).
* decide (approve, reject, return, conclude with a grade; invite experts): the city only.
* create (``may_create``; the route's roles ``CREATORS``): the city, the county's officers, or
  the host's kindergarten (its director, or a teacher there who hosts the topic themselves).
"""

from __future__ import annotations

from typing import Any

from lianyan.errors import Forbidden
from lianyan.principal import Principal, Role
from lianyan.topics import rules
from lianyan.topics import schemas as s
from lianyan.topics.rules import DOCUMENT_STATES
from lianyan.topics.tables import Topic, TopicMember, TopicReview

#: Who may open the new-topic form and create one (the services check the scope).
CREATORS = (Role.CITY_ADMIN, Role.COUNTY_OFFICER, Role.DIRECTOR, Role.TEACHER)


def scope(actor: Principal) -> Any:
    """Which topics the caller may read, as a condition (None: all). Sub-selects, no queries."""
    if actor.is_city:
        return None
    condition: Any = (
        (Topic.host == actor.person_id)
        | Topic.id.is_in(
            TopicMember.select(TopicMember.topic).where(TopicMember.person == actor.person_id)
        )
        | Topic.id.is_in(
            TopicReview.select(TopicReview.topic).where(TopicReview.expert == actor.person_id)
        )
    )
    if counties := actor.counties(Role.COUNTY_OFFICER, Role.ZONE_OFFICER):
        condition = condition | Topic.county.is_in(sorted(counties))
    if kindergartens := actor.kindergartens(Role.DIRECTOR):
        condition = condition | Topic.kindergarten.is_in(sorted(kindergartens))
    return condition


def may_manage(actor: Principal, topic: s.TopicOut) -> bool:
    """The topic's own side: host, host's director, county officers; the city may act too."""
    return (
        actor.officer_of_county(topic.county_id)
        or (topic.host_id is not None and topic.host_id == actor.person_id)
        or (
            topic.kindergarten_id is not None
            and topic.kindergarten_id in actor.kindergartens(Role.DIRECTOR)
        )
    )


def may_take(actor: Principal, topic: s.TopicOut, step: rules.Step) -> bool:
    if step.side == "city":
        return actor.is_city
    if step.name == "withdraw" and topic.status != "draft":
        # Once submitted, a topic is the county's commitment to the city.
        return actor.officer_of_county(topic.county_id)
    return may_manage(actor, topic)


def refusal(topic: s.TopicOut, step: rules.Step) -> Forbidden:
    if step.side == "city":
        return Forbidden("auth.forbidden", f"只有市教育局学前教育科可以对课题“{step.label}”。")
    if step.name == "withdraw" and topic.status != "draft":
        return Forbidden(
            "auth.forbidden", "课题申报后，只有本县（市、区）教研负责人或市教育局可以撤销。"
        )
    return Forbidden(
        "auth.forbidden",
        f"只有课题主持人、主持人所在幼儿园园长、本县（市、区）教研负责人或市教育局可以"
        f"对课题“{step.label}”。",
    )


def allowed_actions(actor: Principal, topic: s.TopicOut, *, invited: bool = False) -> list[str]:
    """What the caller may press on this topic now: lifecycle steps, then page actions.

    Steps are those the diagram allows from the current state and the caller's role allows;
    a step may still be refused for what it needs (a document, a grade, the last-active rule)
    with a message saying what is missing. Page actions: ``edit``, ``delete``, ``upload``,
    ``invite`` (experts), ``review`` (own score form), ``read_reviews``.
    """
    actions = [
        step.name
        for step in rules.steps_from(topic.status)
        if may_take(actor, topic, step)
    ]
    manages = may_manage(actor, topic)
    if manages and topic.status == "draft":
        actions += ["edit", "delete"]
    if manages and any(topic.status in states for states in DOCUMENT_STATES.values()):
        actions.append("upload")
    if actor.is_city and topic.status == "submitted":
        actions.append("invite")
    if invited and topic.status == "submitted":
        actions.append("review")
    if actor.is_city or invited:
        actions.append("read_reviews")
    return actions


def may_create(
    actor: Principal, county_id: int, host_id: int | None, host_kindergarten: int | None
) -> bool:
    """The city, the county's officers, or the host's kindergarten (its director, or a teacher
    there who hosts the topic themselves)."""
    if actor.officer_of_county(county_id):
        return True
    if host_id is None or host_kindergarten is None:
        return False
    if host_kindergarten in actor.kindergartens(Role.DIRECTOR):
        return True
    return host_id == actor.person_id and host_kindergarten in actor.kindergartens(Role.TEACHER)


CREATE_REFUSAL = (
    "只有市教育局、本县（市、区）教研负责人，或主持人所在幼儿园（园长，或主持课题的教师本人）"
    "可以创建或修改该课题。"
)


async def can_read_file(actor: Principal, topic_id: int) -> bool:
    """Files of a topic (owner type ``topic``) are readable by whoever may read the topic."""
    condition: Any = Topic.id == topic_id
    visible = scope(actor)
    if visible is not None:
        condition = condition & visible
    return bool(await Topic.exists().where(condition))
