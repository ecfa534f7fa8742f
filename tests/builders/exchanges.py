"""Rows of exchanges (同研异构): the exchange, its participants, designs, versions, comments."""

from __future__ import annotations

import datetime as dt
from typing import Any

from lianyan import clock
from lianyan.exchanges.tables import Comment, Design, DesignVersion, Exchange, Participant
from tests.builders import insert


async def exchange(
    *,
    starts_at: dt.datetime | None = None,
    title: str = "中班语言《小兔乖乖》同研异构",
    content: str = "中班语言《小兔乖乖》",
    age_group: str = "middle",
    domain: str = "language",
    mode: str = "onsite",
    **columns: Any,
) -> int:
    """An exchange; the deadlines default to its start, which defaults to now. Other columns
    (``county``, ``host``, ``blind``, …) as keywords. Returns its id."""
    now = clock.now()
    at = starts_at or now
    return await insert(
        Exchange, title=title, content=content, age_group=age_group, domain=domain, mode=mode,
        starts_at=at,
        **{"design_deadline": at, "comment_deadline": at, "created_at": now, **columns},
    )


async def participant(
    exchange_id: int, kindergarten_id: int, county_id: int, teacher_id: int, **columns: Any
) -> int:
    """A kindergarten's teacher taking part (``group`` as a keyword); returns the row's id."""
    return await insert(
        Participant, exchange=exchange_id, kindergarten=kindergarten_id, county=county_id,
        teacher=teacher_id, **{"created_at": clock.now(), **columns},
    )


async def design(
    exchange_id: int, participant_id: int, *, latest_version: int = 1, **columns: Any
) -> int:
    """A participant's design; returns its id."""
    now = clock.now()
    return await insert(
        Design, exchange=exchange_id, participant=participant_id, latest_version=latest_version,
        **{"created_at": now, "updated_at": now, **columns},
    )


async def version(design_id: int, *, number: int = 1, change: str = "document",
                  **columns: Any) -> int:
    """A version of a design; returns its id."""
    return await insert(
        DesignVersion, design=design_id, number=number, change=change,
        **{"created_at": clock.now(), **columns},
    )


async def comment(
    design_id: int, version_id: int, author_id: int, *, role: str = "expert",
    body: str = "目标清楚。", **columns: Any,
) -> int:
    """A comment on a version of a design (``parent`` for a reply); returns its id."""
    return await insert(
        Comment, design=design_id, version=version_id, author=author_id, role=role, body=body,
        **{"created_at": clock.now(), **columns},
    )
