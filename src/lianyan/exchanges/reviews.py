"""Expert comments (专家点评), peer observation notes (听课记录), score forms and comparison.

Rules: invited experts comment and score; the design's teacher replies in the thread
(``parent_id``); participants write observation notes, kept apart from expert comments;
nobody edits another person's comment; everything closes at the comment deadline (409).
"""

from __future__ import annotations

from typing import Any

import msgspec

from lianyan import clock, db
from lianyan.audit import services as audit
from lianyan.db import atomic
from lianyan.errors import Conflict, Forbidden, InvalidInput, NotFound
from lianyan.exchanges import designs, notifications
from lianyan.exchanges import schemas as s
from lianyan.exchanges.access import Standing, sees_design, sees_other_scores
from lianyan.exchanges.notifications import Notice, send
from lianyan.exchanges.services import visible_exchange
from lianyan.exchanges.tables import (
    Comment,
    Design,
    ExchangeExpert,
    ExchangeGroup,
    Notification,
    ObservationNote,
    Score,
)
from lianyan.labels import book
from lianyan.principal import Principal

_COMMENT_COLUMNS = (
    Comment.id,
    Comment.design.as_alias("design_id"),
    Comment.version.number.as_alias("version"),
    Comment.parent.as_alias("parent_id"),
    Comment.author.as_alias("author_id"),
    Comment.author.name.as_alias("author_name"),
    Comment.role,
    Comment.body,
    Comment.at_seconds,
    Comment.created_at,
    Comment.edited_at,
)


def _comment_out(row: dict[str, Any]) -> s.CommentOut:
    row["created_at"] = clock.local(row["created_at"])
    row["edited_at"] = clock.local(row["edited_at"])
    return msgspec.convert(row, s.CommentOut)


def _closed(context: designs.DesignContext, what: str, code: str) -> None:
    deadline = context.exchange.comment_deadline
    if clock.now() >= deadline:
        raise Conflict(
            code,
            f"本次活动的点评已于 {deadline:%Y-%m-%d %H:%M} 截止，不能再{what}。",
            deadline=deadline.isoformat(),
        )


async def list_comments(
    actor: Principal, design_id: int, *, limit: int = 200, offset: int = 0
) -> tuple[list[s.CommentOut], int]:
    """The comment thread of a design, oldest first (replies carry ``parent_id``)."""
    await designs.design_context(actor, design_id)
    rows = await Comment.select(*_COMMENT_COLUMNS).where(Comment.design == design_id).order_by(
        Comment.id
    ).limit(limit).offset(offset)
    total = await db.page_total(rows, Comment.count().where(Comment.design == design_id),
                                limit=limit, offset=offset)
    return [_comment_out(r) for r in rows], total


async def post_comment(actor: Principal, design_id: int, data: s.CommentIn) -> s.CommentOut:
    """Comment on a design (invited experts) or reply in its thread (experts, its teacher).

    Side effects: a ``comment`` row, a notice to the design's teacher (for an expert's
    comment) or to the author of the comment replied to, an audit entry.
    """
    context = await designs.design_context(actor, design_id)
    if context.standing.expert:
        role = "expert"
    elif context.is_teacher:
        role = "teacher"
        if data.parent_id is None:
            raise InvalidInput(
                "comment.reply_only", "执教教师可以回复专家的点评，请在点评下方回复。"
            )
    else:
        raise Forbidden(
            "comment.forbidden",
            "只有受邀专家可以点评；本设计的执教教师可以回复。参加活动的老师请写听课记录。",
        )
    _closed(context, "发表点评或回复", "comment.closed")
    parent = None
    if data.parent_id is not None:
        parent = await Comment.select(
            Comment.id, Comment.author, Comment.version, Comment.version.number.as_alias("n")
        ).where((Comment.id == data.parent_id) & (Comment.design == design_id)).first()
        if parent is None:
            raise InvalidInput("comment.parent", "要回复的点评不存在或不属于该设计。")
    if data.version is None and parent is not None:
        version_id, number = parent["version"], parent["n"]
    else:
        version_id, number = await designs.version_id_of(design_id, data.version)
    await designs.check_moment(design_id, version_id, data.at_seconds, code="comment.at_seconds")
    async with atomic():
        row = (
            await Comment.insert(
                Comment(
                    design=design_id, version=version_id, parent=data.parent_id,
                    author=actor.person_id, role=role, body=data.body.strip(),
                    at_seconds=data.at_seconds, created_at=clock.now(),
                )
            )
        )[0]
        await audit.record(
            actor, "comment.create", "design", design_id, comment_id=row["id"], version=number,
            at_seconds=data.at_seconds,
        )
        await send(_comment_notices(actor, context, role, parent, number))
    found = await Comment.select(*_COMMENT_COLUMNS).where(Comment.id == row["id"]).first()
    assert found is not None
    return _comment_out(found)


def _comment_notices(
    actor: Principal,
    context: designs.DesignContext,
    role: str,
    parent: dict[str, Any] | None,
    number: int,
) -> list[Notice]:
    design = context.design
    link = f"/designs/{design.id}#comments"
    notices = []
    told: set[int] = {actor.person_id}
    if design.teacher_id not in told:
        what = "点评了" if parent is None else "回复了点评，"
        notices.append(
            Notice(
                person_id=design.teacher_id, kind="comment",
                title=f"{actor.name}{what}您的教学设计{book(design.title)}（第{number}版）",
                link=link,
            )
        )
        told.add(design.teacher_id)
    if parent is not None and parent["author"] not in told:
        notices.append(
            Notice(
                person_id=parent["author"], kind="comment",
                title=f"{actor.name}回复了您对{book(design.title)}的点评",
                link=link,
            )
        )
    return notices


async def edit_comment(actor: Principal, comment_id: int, data: s.CommentPatch) -> s.CommentOut:
    """Change the text of one's own comment before the comment deadline.

    Side effects: the row's ``body`` and ``edited_at``, an audit entry.
    """
    row = await Comment.select(Comment.design, Comment.author).where(
        Comment.id == comment_id
    ).first()
    if row is None:
        raise NotFound("comment.not_found", "没有找到该点评。")
    try:
        context = await designs.design_context(actor, row["design"])
    except NotFound:
        raise NotFound("comment.not_found", "没有找到该点评。") from None
    if row["author"] != actor.person_id:
        raise Forbidden("comment.not_author", "只能修改自己发表的点评或回复。")
    _closed(context, "修改点评", "comment.closed")
    async with atomic():
        await Comment.update(
            {Comment.body: data.body.strip(), Comment.edited_at: clock.now()}
        ).where(Comment.id == comment_id)
        await audit.record(actor, "comment.edit", "design", row["design"], comment_id=comment_id)
    found = await Comment.select(*_COMMENT_COLUMNS).where(Comment.id == comment_id).first()
    assert found is not None
    return _comment_out(found)


# Observation notes ---------------------------------------------------------------------------

_NOTE_COLUMNS = (
    ObservationNote.id,
    ObservationNote.design.as_alias("design_id"),
    ObservationNote.version.number.as_alias("version"),
    ObservationNote.author.as_alias("author_id"),
    ObservationNote.author.name.as_alias("author_name"),
    ObservationNote.author.unit.as_alias("author_unit"),
    ObservationNote.body,
    ObservationNote.at_seconds,
    ObservationNote.created_at,
)


def _note_out(row: dict[str, Any]) -> s.NoteOut:
    row["created_at"] = clock.local(row["created_at"])
    return msgspec.convert(row, s.NoteOut)


async def list_notes(
    actor: Principal, design_id: int, *, limit: int = 200, offset: int = 0
) -> tuple[list[s.NoteOut], int]:
    """Peer observation notes on a design, oldest first."""
    await designs.design_context(actor, design_id)
    condition = ObservationNote.design == design_id
    rows = await ObservationNote.select(*_NOTE_COLUMNS).where(condition).order_by(
        ObservationNote.id
    ).limit(limit).offset(offset)
    return [_note_out(r) for r in rows], await ObservationNote.count().where(condition)


async def post_note(actor: Principal, design_id: int, data: s.NoteIn) -> s.NoteOut:
    """Write a peer observation note (participants of the exchange).

    Side effects: an ``observation_note`` row and an audit entry.
    """
    context = await designs.design_context(actor, design_id)
    if not context.standing.participant:
        raise Forbidden("note.forbidden", "听课记录由参加本次活动的幼儿园填写。")
    _closed(context, "填写听课记录", "note.closed")
    version_id, number = await designs.version_id_of(design_id, data.version)
    await designs.check_moment(design_id, version_id, data.at_seconds, code="note.at_seconds")
    async with atomic():
        row = (
            await ObservationNote.insert(
                ObservationNote(
                    design=design_id, version=version_id, author=actor.person_id,
                    body=data.body.strip(), at_seconds=data.at_seconds, created_at=clock.now(),
                )
            )
        )[0]
        await audit.record(actor, "note.create", "design", design_id, note_id=row["id"],
                           version=number)
    found = await ObservationNote.select(*_NOTE_COLUMNS).where(
        ObservationNote.id == row["id"]
    ).first()
    assert found is not None
    return _note_out(found)


# Scores --------------------------------------------------------------------------------------

_SCORE_COLUMNS = (
    Score.id,
    Score.design.as_alias("design_id"),
    Score.version.number.as_alias("version"),
    Score.expert.as_alias("expert_id"),
    Score.expert.name.as_alias("expert_name"),
    *(getattr(Score, f"{item}{suffix}") for item in s.SCORE_ITEMS for suffix in ("", "_reason")),
    Score.updated_at,
)


def _score_out(row: dict[str, Any]) -> s.ScoreOut:
    items = {
        item: s.ScoreItemOut(score=row[item], reason=row[f"{item}_reason"])
        for item in s.SCORE_ITEMS
    }
    return s.ScoreOut(
        id=row["id"], design_id=row["design_id"], version=row["version"],
        expert_id=row["expert_id"], expert_name=row["expert_name"],
        total=sum(i.score for i in items.values()), updated_at=clock.local(row["updated_at"]),
        **items,
    )


def averages(scores: list[s.ScoreOut]) -> dict[str, float | None]:
    """Average of each item and of the total, to one decimal; None without scores."""
    result: dict[str, float | None] = {}
    for item in (*s.SCORE_ITEMS, "total"):
        values = [
            getattr(sc, item).score if item != "total" else sc.total for sc in scores
        ]
        result[item] = round(sum(values) / len(values), 1) if values else None
    return result


async def _scores_of(design_ids: list[int]) -> dict[int, list[s.ScoreOut]]:
    rows = await Score.select(*_SCORE_COLUMNS).where(
        Score.design.is_in(design_ids or [0])
    ).order_by(Score.id)
    result: dict[int, list[s.ScoreOut]] = {}
    for row in rows:
        result.setdefault(row["design_id"], []).append(_score_out(row))
    return result


def shown_scores(
    actor: Principal, standing: Standing, scores: list[s.ScoreOut]
) -> tuple[list[s.ScoreOut], int]:
    """The score forms the caller may read now, and how many are held back."""
    has_own = any(sc.expert_id == actor.person_id for sc in scores)
    if sees_other_scores(standing, has_own=has_own):
        return scores, 0
    return [], len(scores)


async def list_scores(actor: Principal, design_id: int) -> s.ScoreList:
    """The experts' score forms of a design with the averages; an invited expert who has
    not scored it yet gets none of the others' (``hidden`` says how many)."""
    context = await designs.design_context(actor, design_id)
    every = (await _scores_of([design_id])).get(design_id, [])
    scores, hidden = shown_scores(actor, context.standing, every)
    return s.ScoreList(items=scores, total=len(scores), average=averages(scores), hidden=hidden)


async def put_score(actor: Principal, design_id: int, data: s.ScoreIn) -> s.ScoreOut:
    """Fill or change one's own score form for a design (invited experts).

    Side effects: the ``score`` row (one per expert and design) and an audit entry.
    """
    context = await designs.design_context(actor, design_id)
    if not context.standing.expert:
        raise Forbidden("score.forbidden", "只有受邀专家可以填写评课量表。")
    _closed(context, "填写或修改评课量表", "score.closed")
    version_id, number = await designs.version_id_of(design_id, data.version)
    values: dict[Any, Any] = {"version": version_id, "updated_at": clock.now()}
    for item in s.SCORE_ITEMS:
        part: s.ScoreItem = getattr(data, item)
        values[item] = part.score
        values[f"{item}_reason"] = part.reason.strip()
    async with atomic(lock=f"score:{design_id}:{actor.person_id}"):
        existing = await Score.select(Score.id).where(
            (Score.design == design_id) & (Score.expert == actor.person_id)
        ).first()
        if existing is None:
            score_id = (
                await Score.insert(
                    Score(design=design_id, expert=actor.person_id, created_at=clock.now(),
                          **values)
                )
            )[0]["id"]
        else:
            score_id = existing["id"]
            await Score.update(values).where(Score.id == score_id)
        await audit.record(
            actor, "score.put", "design", design_id, version=number,
            total=sum(values[i] for i in s.SCORE_ITEMS),
        )
    row = await Score.select(*_SCORE_COLUMNS).where(Score.id == score_id).first()
    assert row is not None
    return _score_out(row)


# Comparison ----------------------------------------------------------------------------------


async def compare(actor: Principal, exchange_id: int, group_id: int) -> s.CompareOut:
    """The designs of one group side by side by section, with their expert scores.

    Reads sections stored at upload; a constant number of queries for any group size.
    """
    exchange, standing = await visible_exchange(actor, exchange_id)
    group = await ExchangeGroup.select(ExchangeGroup.id, ExchangeGroup.number).where(
        (ExchangeGroup.id == group_id) & (ExchangeGroup.exchange == exchange_id)
    ).first()
    if group is None or not sees_design(
        standing, group_id=group_id, blind=exchange.blind,
        design_deadline=exchange.design_deadline, now=clock.now(),
    ):
        raise NotFound("group.not_found", "没有找到该组，或该组的教学设计还不能查看。")
    rows = await Design.select(*designs.DESIGN_COLUMNS).where(
        (Design.exchange == exchange_id) & (Design.participant.group == group_id)
    ).order_by(Design.participant.county).order_by(Design.id)
    design_list = [designs.design_out(r) for r in rows]
    ids = [d.id for d in design_list]
    latest = await designs.latest_versions(ids)
    scores = await _scores_of(ids)
    columns = []
    for design in design_list:
        version = latest.get(design.id)
        design_scores, hidden = shown_scores(actor, standing, scores.get(design.id, []))
        columns.append(
            s.CompareColumn(
                design=design,
                version=version.number if version else None,
                sections=version.sections if version else s.Sections(),
                sections_note=version.sections_note if version else "尚未上传任何版本。",
                scores=design_scores,
                average=averages(design_scores),
                hidden_scores=hidden,
                document=version.document if version else None,
                slides=version.slides if version else None,
                video=version.video if version else None,
            )
        )
    return s.CompareOut(
        exchange_id=exchange_id, group_id=group_id, group_number=group["number"],
        section_names=dict(s.SECTION_NAMES), columns=columns,
    )


async def review_queue(actor: Principal) -> list[dict[str, Any]]:
    """Designs of the exchanges the caller is invited to, with their own progress on each."""
    invited = ExchangeExpert.select(ExchangeExpert.exchange).where(
        ExchangeExpert.expert == actor.person_id
    )
    rows = await Design.select(
        *designs.DESIGN_COLUMNS,
        Design.exchange.title.as_alias("exchange_title"),
        Design.exchange.comment_deadline.as_alias("comment_deadline"),
    ).where(Design.exchange.is_in(invited) & (Design.latest_version > 0)).order_by(
        Design.exchange.comment_deadline
    ).order_by(Design.id)
    ids = [r["id"] for r in rows] or [0]
    commented = {
        r["design"]
        for r in await Comment.select(Comment.design).where(
            Comment.design.is_in(ids) & (Comment.author == actor.person_id)
        )
    }
    scored = {
        r["design"]
        for r in await Score.select(Score.design).where(
            Score.design.is_in(ids) & (Score.expert == actor.person_id)
        )
    }
    now = clock.now()
    queue = []
    for row in rows:
        deadline = clock.local(row.pop("comment_deadline"))
        title = row.pop("exchange_title")
        design = designs.design_out(row)
        queue.append(
            {
                "design": design, "exchange_title": title, "comment_deadline": deadline,
                "open": now < deadline, "commented": design.id in commented,
                "scored": design.id in scored,
            }
        )
    return queue


async def remind_expert(actor: Principal, exchange_id: int, expert_id: int) -> s.RemindOut:
    """One-click reminder from an organiser to an invited expert (once per expert per day).

    Side effects: a notice and an outbox message; an audit entry.
    """
    exchange, standing = await visible_exchange(actor, exchange_id)
    if not standing.organiser:
        raise Forbidden("exchange.not_organiser", "只有活动的组织者可以提醒专家。")
    invited = await ExchangeExpert.exists().where(
        (ExchangeExpert.exchange == exchange_id) & (ExchangeExpert.expert == expert_id)
    )
    if not invited:
        raise NotFound("expert.not_found", "该专家没有受邀参加本次活动。")
    now = clock.now()
    if now >= exchange.comment_deadline:
        raise Conflict("reminder.closed", "专家点评已经截止，无需再提醒。")
    missing_by_exchange = await notifications.missing_comments([exchange_id])
    missing = missing_by_exchange.get(exchange_id, {}).get(expert_id, 0)
    key = f"expert_reminder:{exchange_id}:{expert_id}:{now:%Y-%m-%d}"
    async with atomic(lock=key):
        if await Notification.exists().where(Notification.dedupe_key == key):
            raise Conflict("reminder.already_sent", "今天已经提醒过这位专家，请明天再提醒。")
        body = (
            f"还有 {missing} 份教学设计等待您点评，" if missing else "请您尽快完成点评和评分，"
        ) + f"点评截止时间：{notifications.deadline_text(exchange.comment_deadline)}。"
        await send(
            [
                Notice(
                    person_id=expert_id,
                    kind="expert_reminder",
                    title=f"{actor.name}提醒您点评{book(exchange.title)}",
                    body=body,
                    link="/reviews",
                    dedupe_key=key,
                )
            ]
        )
        await audit.record(actor, "exchange.remind_expert", "exchange", exchange_id,
                           expert_id=expert_id)
    return s.RemindOut(sent={"expert_reminder": 1})
