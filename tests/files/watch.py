"""Watching uploads to the real object store: was a database transaction open meanwhile?

Not a fake: :func:`watch_puts` wraps ``ObjectStore.put`` so that every upload still goes to
the real store, and records, at the moment it starts, whether the uploading task was inside
a transaction and (SQLite) whether the process's write lock was held. While the lock is free
it also lets another task write a row and waits for it, so a test shows that other writes go
on during an upload.
"""

from __future__ import annotations

import asyncio
import contextvars
from dataclasses import dataclass
from typing import Any

import pytest

from lianyan import clock, db
from lianyan.files.store import ObjectStore
from lianyan.org.tables import County


@dataclass
class Put:
    """One upload as it began."""

    key: str
    in_transaction: bool
    writer_held: bool
    other_write_done: bool


def _writer_held() -> bool:
    engine = db.engine()
    return isinstance(engine, db.LianyanSQLiteEngine) and engine.pool().write_lock.locked()


async def _write_elsewhere(n: int) -> None:
    await County.insert(
        County(code=f"9{n:05d}", name=f"上传期间写入{n}", kind="county", created_at=clock.now())
    )


def watch_puts(monkeypatch: pytest.MonkeyPatch) -> list[Put]:
    """Record every ``ObjectStore.put`` of the test (see the module docstring)."""
    seen: list[Put] = []
    original = ObjectStore.put

    async def put(self: ObjectStore, key: str, *args: Any, **kwargs: Any) -> Any:
        in_transaction = db.engine().transaction_exists()
        held = _writer_held()
        done = False
        if not in_transaction and not held:
            # Another request's write, in a context of its own (no transaction inherited).
            await asyncio.get_running_loop().create_task(
                _write_elsewhere(len(seen)), context=contextvars.Context()
            )
            done = True
        seen.append(Put(key, in_transaction, held, done))
        return await original(self, key, *args, **kwargs)

    monkeypatch.setattr(ObjectStore, "put", put)
    return seen


def assert_uploaded_outside_transactions(seen: list[Put]) -> None:
    """Every watched upload ran with no transaction open and another write completed."""
    assert seen, "no upload went to the store"
    for put in seen:
        assert not put.in_transaction, f"{put.key} was uploaded inside a transaction"
        assert not put.writer_held, f"{put.key} was uploaded holding the SQLite write lock"
        assert put.other_write_done
