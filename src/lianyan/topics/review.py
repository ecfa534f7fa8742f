"""Application review (立项评审): the city invites experts without a conflict of interest, each
fills a score form, and the city sees the scores side by side before it decides.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from lianyan import clock
from lianyan.audit import services as audit
from lianyan.db import atomic
from lianyan.errors import Conflict, Forbidden, InvalidInput
from lianyan.labels import TOPIC_STATUS
from lianyan.org.tables import Person, RoleAssignment
from lianyan.principal import Principal, Role
from lianyan.topics import one_topic, queries, rules
from lianyan.topics import schemas as s
from lianyan.topics.tables import Topic, TopicReview


async def _expert_counties(person_ids: list[int]) -> dict[int, set[int]]:
    """Where each expert works: the person's county and the scope of their expert role."""
    where: dict[int, set[int]] = defaultdict(set)
    for r in await Person.select(Person.id, Person.county).where(Person.id.is_in(person_ids)):
        if r["county"] is not None:
            where[r["id"]].add(r["county"])
    for r in await RoleAssignment.select(RoleAssignment.person, RoleAssignment.county).where(
        RoleAssignment.person.is_in(person_ids)
        & (RoleAssignment.role == Role.EXPERT)
        & (RoleAssignment.active == True)  # noqa: E712
        & RoleAssignment.county.is_not_null()
    ):
        where[r["person"]].add(r["county"])
    return where


async def invite_reviewers(
    actor: Principal, topic_id: int, data: s.InviteIn
) -> s.ReviewBoard:
    """Invite experts to review a submitted topic's application (the city).

    An expert who works in the topic's county, or who hosts or is a member of the topic, has
    a conflict of interest and is refused with 409 ``review.conflict``; nobody is invited then.
    Inviting someone already invited changes nothing. Side effects: ``TopicReview`` rows and
    an audit entry.
    """
    topic = await queries.visible_topic(actor, topic_id)
    if not actor.is_city:
        raise Forbidden("auth.forbidden", "只有市教育局学前教育科可以邀请评审专家。")
    ids = list(dict.fromkeys(data.expert_ids))
    people = {
        r["id"]: r
        for r in await Person.select(Person.id, Person.name).where(Person.id.is_in(ids))
    }
    unknown = [i for i in ids if i not in people]
    if unknown:
        raise InvalidInput(
            "review.expert_unknown", f"没有找到编号为 {'、'.join(map(str, unknown))} 的人员。"
        )
    experts = {
        r["person"]
        for r in await RoleAssignment.select(RoleAssignment.person).where(
            RoleAssignment.person.is_in(ids)
            & (RoleAssignment.role == Role.EXPERT)
            & (RoleAssignment.active == True)  # noqa: E712
        )
    }
    not_experts = [people[i]["name"] for i in ids if i not in experts]
    if not_experts:
        raise InvalidInput(
            "review.not_expert", f"{'、'.join(not_experts)}不是平台登记的专家，不能邀请评审。"
        )
    where = await _expert_counties(ids)
    involved = {topic.host_id, *topic.member_ids}
    conflicted = [i for i in ids if topic.county_id in where.get(i, set()) or i in involved]
    if conflicted:
        names = "、".join(people[i]["name"] for i in conflicted)
        raise Conflict(
            "review.conflict",
            f"{names}在{topic.county_name}工作或参与该课题，与课题存在利益冲突，不能邀请评审；"
            f"请改邀其他县（市、区）的专家。",
            expert_ids=conflicted,
        )
    async with atomic(lock=one_topic.county_year_lock(topic.county_id, topic.year)):
        current = await Topic.select(Topic.status).where(Topic.id == topic_id).first()
        if current is None or current["status"] != "submitted":
            raise Conflict(
                "review.closed",
                f"课题当前状态为“{TOPIC_STATUS[current['status'] if current else topic.status]}”，"
                f"只有“已申报”且尚未作出立项决定的课题可以邀请专家评审。",
            )
        already = {
            r["expert"]
            for r in await TopicReview.select(TopicReview.expert).where(
                (TopicReview.topic == topic_id) & TopicReview.expert.is_in(ids)
            )
        }
        new = [i for i in ids if i not in already]
        if new:
            now = clock.now()
            await TopicReview.insert(
                *[
                    TopicReview(topic=topic_id, expert=i, invited_by=actor.person_id,
                                invited_at=now)
                    for i in new
                ]
            )
            await audit.record(actor, "topic.invite", "topic", topic_id, expert_ids=new)
    return await list_reviews(actor, topic_id)


async def save_review(actor: Principal, topic_id: int, data: s.ReviewIn) -> s.ReviewOut:
    """Fill in or change the caller's own score form while the city has not decided.

    Side effects: the caller's ``TopicReview`` scores and comment, and an audit entry.
    """
    topic = await queries.visible_topic(actor, topic_id)
    if not await queries.is_invited(actor, topic_id):
        raise Forbidden("review.not_invited", "只有受邀的评审专家可以为该课题评分。")
    if actor.home_county_id == topic.county_id:
        raise Conflict(
            "review.conflict",
            f"您在{topic.county_name}工作，与该课题存在利益冲突，不能评审。",
        )
    async with atomic(lock=one_topic.county_year_lock(topic.county_id, topic.year)):
        current = await Topic.select(Topic.status).where(Topic.id == topic_id).first()
        if current is None or current["status"] != "submitted":
            raise Conflict(
                "review.closed", "市教育局已对该课题作出立项决定，评审意见不能再填写或修改。"
            )
        now = clock.now()
        existing = await TopicReview.select(TopicReview.submitted_at).where(
            (TopicReview.topic == topic_id) & (TopicReview.expert == actor.person_id)
        ).first()
        await TopicReview.update(
            {
                TopicReview.value: data.value,
                TopicReview.design: data.design,
                TopicReview.feasibility: data.feasibility,
                TopicReview.outcomes: data.outcomes,
                TopicReview.comment: data.comment.strip(),
                TopicReview.submitted_at: (existing or {}).get("submitted_at") or now,
                TopicReview.updated_at: now,
            }
        ).where((TopicReview.topic == topic_id) & (TopicReview.expert == actor.person_id))
        await audit.record(
            actor, "topic.review", "topic", topic_id, total=data.value + data.design
            + data.feasibility + data.outcomes,
        )
    board = await list_reviews(actor, topic_id)
    return next(r for r in board.items if r.expert_id == actor.person_id)


def _review_out(r: dict[str, Any]) -> s.ReviewOut:
    submitted = r["submitted_at"] is not None
    scores = [r[k] for k in rules.REVIEW_ITEMS]
    return s.ReviewOut(
        expert_id=r["expert_id"], expert_name=r["expert_name"], expert_unit=r["expert_unit"] or "",
        invited_at=clock.local(r["invited_at"]),
        submitted=submitted,
        value=r["value"], design=r["design"], feasibility=r["feasibility"],
        outcomes=r["outcomes"], total=sum(scores) if submitted else None,
        comment=r["comment"] or "", submitted_at=clock.local(r["submitted_at"]),
        updated_at=clock.local(r["updated_at"]),
    )


async def list_reviews(actor: Principal, topic_id: int) -> s.ReviewBoard:
    """The reviews of a topic the caller may see, side by side, with totals and means.

    The city sees every review. An invited expert sees their own, and the others only once
    they have submitted their own. Anyone else is refused (403 ``review.forbidden``).
    """
    topic = await queries.visible_topic(actor, topic_id)
    rows = await TopicReview.select(
        TopicReview.expert.as_alias("expert_id"),
        TopicReview.expert.name.as_alias("expert_name"),
        TopicReview.expert.unit.as_alias("expert_unit"),
        TopicReview.invited_at, TopicReview.value, TopicReview.design, TopicReview.feasibility,
        TopicReview.outcomes, TopicReview.comment, TopicReview.submitted_at,
        TopicReview.updated_at,
    ).where(TopicReview.topic == topic_id).order_by(TopicReview.id)
    reviews = [_review_out(r) for r in rows]
    own = next((r for r in reviews if r.expert_id == actor.person_id), None)
    hidden = 0
    if actor.is_city:
        visible = reviews
    elif own is not None:
        visible = reviews if own.submitted else [own]
        hidden = len(reviews) - len(visible)
    else:
        raise Forbidden("review.forbidden", "专家评审意见仅市教育局和受邀评审专家可以查看。")
    done = [r for r in visible if r.submitted]
    means: dict[str, float | None] = {
        k: round(sum(getattr(r, k) for r in done) / len(done), 2) if done else None
        for k in rules.REVIEW_ITEMS
    }
    return s.ReviewBoard(
        items=visible,
        total=len(visible),
        invited=len(reviews),
        submitted=sum(1 for r in reviews if r.submitted),
        hidden=hidden,
        mean_total=round(sum(r.total or 0 for r in done) / len(done), 2) if done else None,
        means=means,
        status=topic.status,
    )


async def invitable_experts(actor: Principal, topic_id: int) -> list[dict[str, Any]]:
    """Experts the city could invite to a topic: active experts not from its county."""
    topic = await queries.visible_topic(actor, topic_id)
    if not actor.is_city:
        return []
    rows = await RoleAssignment.select(
        RoleAssignment.person.as_alias("id"),
        RoleAssignment.person.name.as_alias("name"),
        RoleAssignment.person.unit.as_alias("unit"),
        RoleAssignment.person.county.as_alias("county_id"),
        RoleAssignment.county.as_alias("role_county_id"),
    ).where(
        (RoleAssignment.role == Role.EXPERT) & (RoleAssignment.active == True)  # noqa: E712
    ).order_by(RoleAssignment.person)
    invited = {
        r["expert"]
        for r in await TopicReview.select(TopicReview.expert).where(TopicReview.topic == topic_id)
    }
    seen: dict[int, dict[str, Any]] = {}
    for r in rows:
        entry = seen.setdefault(r["id"], {**r, "conflict": False, "invited": r["id"] in invited})
        if topic.county_id in (r["county_id"], r["role_county_id"]) or r["id"] in {
            topic.host_id, *topic.member_ids
        }:
            entry["conflict"] = True
    return list(seen.values())
