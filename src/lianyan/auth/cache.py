"""A short-lived cache of callers per token, checked against the sign-in change counter.

Resolving a token costs two queries (the token with its account and person, then the role
assignments). A cached caller is reused only while the database's ``auth_change`` counter is
the one it was resolved under; triggers bump that counter in the same transaction as a
logout, a password change, a deactivation or a role change (auth migration
``2026-11-25T22:00:00``), so the next request on every worker and instance sees the change.
A hit costs one primary-key read (on SQLite none while nothing was committed); entries also expire after ``TTL`` seconds and never
outlive their token.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import OrderedDict
from typing import NamedTuple

from piccolo.querystring import QueryString

from lianyan import clock, db
from lianyan.principal import Principal

#: Seconds a cached caller may be reused (even with no change counted).
TTL = 60.0
#: Tokens remembered per process; the least recently used go first.
SIZE = 10_000


class _Entry(NamedTuple):
    principal: Principal
    expires_at: dt.datetime
    counter: int
    stored: float


_entries: OrderedDict[str, _Entry] = OrderedDict()


#: The counter last read, with SQLite's data version at the time (None on PostgreSQL).
_last: tuple[str, int] | None = None


async def counter() -> int:
    """The current value of the sign-in change counter.

    On SQLite, while nothing has been committed since it was last read (``db.data_version``,
    a pragma, not a query) the counter cannot have moved, and is not read again.
    """
    global _last
    version = await db.data_version() if db.is_sqlite() else None
    if version is not None and _last is not None and _last[0] == version:
        return _last[1]
    rows = await db.engine().run_querystring(
        QueryString("SELECT counter FROM auth_change WHERE id = 1")
    )
    value = int(rows[0]["counter"]) if rows else -1
    _last = (version, value) if version is not None else None
    return value


def get(digest: str, current: int) -> Principal | None:
    """The cached caller of a token digest, if still good under counter ``current``."""
    entry = _entries.get(digest)
    if entry is None:
        return None
    if (
        entry.counter != current
        or current < 0
        or time.monotonic() - entry.stored > TTL
        or entry.expires_at <= clock.now()
    ):
        _entries.pop(digest, None)
        return None
    _entries.move_to_end(digest)
    return entry.principal


def put(digest: str, principal: Principal, *, expires_at: dt.datetime, current: int) -> None:
    """Remember the caller of a token digest, resolved under counter ``current``."""
    if current < 0:
        return
    _entries[digest] = _Entry(principal, expires_at, current, time.monotonic())
    _entries.move_to_end(digest)
    while len(_entries) > SIZE:
        _entries.popitem(last=False)


def clear() -> None:
    """Forget every cached caller (tests)."""
    global _last
    _entries.clear()
    _last = None
