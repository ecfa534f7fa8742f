"""The database: engine construction, transactions, migrations and a query counter.

SQLite (the embedded default) runs in WAL mode with a busy timeout, and writes that read
before they write take an IMMEDIATE transaction so two writers never deadlock on the upgrade
from a read lock. PostgreSQL takes the same code path through Piccolo's asyncpg engine.
"""

from __future__ import annotations

import contextvars
import sqlite3
import zlib
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

from piccolo.engine.base import Engine
from piccolo.engine.finder import engine_finder
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType

#: Seconds a SQLite writer waits for the lock before giving up.
SQLITE_BUSY_TIMEOUT = 30

_query_count: contextvars.ContextVar[list[int] | None] = contextvars.ContextVar(
    "lianyan_query_count", default=None
)


def _count_query() -> None:
    counter = _query_count.get()
    if counter is not None:
        counter[0] += 1


class LianyanSQLiteEngine(SQLiteEngine):
    """SQLite with WAL, a busy timeout and a query counter."""

    async def run_querystring(self, querystring: Any, in_pool: bool = False) -> Any:
        """Run one query, counting it."""
        _count_query()
        return await super().run_querystring(querystring, in_pool=in_pool)

    async def run_ddl(self, ddl: str, in_pool: bool = False) -> Any:
        """Run DDL, counting it."""
        _count_query()
        return await super().run_ddl(ddl, in_pool=in_pool)


class LianyanPostgresEngine(PostgresEngine):
    """PostgreSQL with a query counter."""

    async def run_querystring(self, querystring: Any, in_pool: bool = True) -> Any:
        """Run one query, counting it."""
        _count_query()
        return await super().run_querystring(querystring, in_pool=in_pool)

    async def run_ddl(self, ddl: str, in_pool: bool = True) -> Any:
        """Run DDL, counting it."""
        _count_query()
        return await super().run_ddl(ddl, in_pool=in_pool)


def make_engine(database_url: str) -> Engine:
    """Build the engine for a ``sqlite:///path`` or ``postgresql://`` URL."""
    if database_url.startswith("sqlite:///"):
        path = Path(database_url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        _enable_wal(path)
        return LianyanSQLiteEngine(path=str(path), timeout=SQLITE_BUSY_TIMEOUT)
    return LianyanPostgresEngine(config={"dsn": database_url})


def _enable_wal(path: Path) -> None:
    # WAL is a property of the file: set once, every later connection uses it.
    with sqlite3.connect(path, timeout=SQLITE_BUSY_TIMEOUT) as connection:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")


def engine() -> Engine:
    """The engine configured in ``piccolo_conf``."""
    found = engine_finder()
    if found is None:
        raise RuntimeError("no Piccolo engine configured (PICCOLO_CONF)")
    return found


def is_sqlite() -> bool:
    """True when the configured engine is SQLite."""
    return isinstance(engine(), SQLiteEngine)


@asynccontextmanager
async def atomic(*, lock: str | None = None) -> AsyncIterator[None]:
    """Run the block in one write transaction.

    ``lock`` names a rule that must not race with itself (for example the last active topic
    of a county and year): on PostgreSQL it takes a transaction-scoped advisory lock on that
    name; on SQLite the IMMEDIATE transaction already serialises every writer.
    Nested calls join the outer transaction.
    """
    db = engine()
    if db.transaction_exists():
        if lock is not None and isinstance(db, PostgresEngine):
            await _advisory_lock(db, lock)
        yield
        return
    if isinstance(db, SQLiteEngine):
        async with db.transaction(transaction_type=TransactionType.immediate):
            yield
    else:
        async with db.transaction():
            if lock is not None:
                await _advisory_lock(db, lock)
            yield


async def _advisory_lock(db: Engine, name: str) -> None:
    from piccolo.querystring import QueryString

    key = zlib.crc32(name.encode()) - 2**31
    await db.run_querystring(QueryString("SELECT pg_advisory_xact_lock({})", key))


@contextmanager
def count_queries() -> Iterator[list[int]]:
    """Count the SQL statements run inside the block (``counter[0]``)."""
    counter = [0]
    token = _query_count.set(counter)
    try:
        yield counter
    finally:
        _query_count.reset(token)


async def start(db: Engine | None = None) -> bool:
    """Open the connection pool (PostgreSQL); True when this call opened it."""
    db = db or engine()
    if isinstance(db, PostgresEngine) and getattr(db, "pool", None) is None:
        await db.start_connection_pool(min_size=1, max_size=10)
        return True
    return False


async def stop(db: Engine | None = None) -> None:
    """Close connection pools (PostgreSQL)."""
    db = db or engine()
    if isinstance(db, PostgresEngine):
        await db.close_connection_pool()


async def migrate() -> None:
    """Run every app's migrations forward; idempotent."""
    from piccolo.apps.migrations.commands.forwards import run_forwards

    result = await run_forwards(app_name="all")
    if not result.success:
        raise RuntimeError(f"migration failed: {result.message}")


async def ping() -> None:
    """Raise if the database does not answer."""
    from piccolo.querystring import QueryString

    await engine().run_querystring(QueryString("SELECT 1"))
