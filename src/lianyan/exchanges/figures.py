"""What the exchanges domain counts for other domains (evaluation's participation figures).

Each function runs one query whatever the number of ids asked about.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from piccolo.query.functions.aggregate import Count

from lianyan.exchanges.tables import Comment, Design


async def designs_by_kindergarten_and_teacher(
    start: dt.datetime, end: dt.datetime, *, kindergarten_ids: list[int], teacher_ids: list[int]
) -> tuple[dict[int, int], dict[int, int]]:
    """Designs uploaded (≥ 1 version) in exchanges starting in [start, end): per kindergarten
    of ``kindergarten_ids`` and per designing teacher of ``teacher_ids``."""
    if not (kindergarten_ids or teacher_ids):
        return {}, {}
    condition: Any = (
        (Design.latest_version > 0)
        & (Design.exchange.starts_at >= start)
        & (Design.exchange.starts_at < end)
    )
    who: Any = None
    if kindergarten_ids:
        who = Design.participant.kindergarten.is_in(kindergarten_ids)
    if teacher_ids:
        by_teacher = Design.participant.teacher.is_in(teacher_ids)
        who = by_teacher if who is None else who | by_teacher
    rows = await Design.select(
        Design.participant.kindergarten.as_alias("kg"),
        Design.participant.teacher.as_alias("teacher"),
    ).where(condition & who)
    by_kg: dict[int, int] = defaultdict(int)
    by_teacher_count: dict[int, int] = defaultdict(int)
    for r in rows:
        by_kg[r["kg"]] += 1
        by_teacher_count[r["teacher"]] += 1
    return by_kg, by_teacher_count


async def comments_by_author(
    start: dt.datetime, end: dt.datetime, person_ids: list[int]
) -> dict[int, int]:
    """Comments (expert comments and replies) written in [start, end) by each of ``person_ids``."""
    if not person_ids:
        return {}
    rows = await Comment.select(Comment.author, Count(Comment.id, alias="n")).where(
        Comment.author.is_in(person_ids)
        & (Comment.created_at >= start)
        & (Comment.created_at < end)
    ).group_by(Comment.author)
    return {r["author"]: r["n"] for r in rows}
