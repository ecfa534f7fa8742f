"""The clock: the server's time in the city's time zone, injectable for tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import overload
from zoneinfo import ZoneInfo

CITY_TZ = ZoneInfo("Asia/Shanghai")

_pinned: dt.datetime | None = None


def now() -> dt.datetime:
    """The current time as an aware datetime in the city's time zone."""
    value = _pinned if _pinned is not None else dt.datetime.now(dt.UTC)
    return value.astimezone(CITY_TZ)


@overload
def local(value: dt.datetime) -> dt.datetime: ...
@overload
def local(value: None) -> None: ...
def local(value: dt.datetime | None) -> dt.datetime | None:
    """A stored time shown in the city's time zone (None stays None)."""
    return value.astimezone(CITY_TZ) if value is not None else None


def today() -> dt.date:
    """Today's date in the city's time zone."""
    return now().date()


@contextmanager
def pinned(at: dt.datetime) -> Iterator[None]:
    """Pin the clock at ``at`` (aware) for the duration of the block, process-wide."""
    global _pinned
    if at.tzinfo is None:
        raise ValueError("pinned() needs an aware datetime")
    previous = _pinned
    _pinned = at
    try:
        yield
    finally:
        _pinned = previous
