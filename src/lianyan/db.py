"""The database: engine construction, transactions, migrations and a query counter.

SQLite (the embedded default) runs in WAL mode on persistent connections: a few read-only
ones that read in parallel and one writer that writes are queued for, first come first
served (see ``LianyanSQLiteEngine``). Writes that read before they write take an IMMEDIATE
transaction. PostgreSQL takes the same code path through Piccolo's asyncpg engine.
"""

from __future__ import annotations

import asyncio
import contextvars
import fcntl
import itertools
import os
import sqlite3
import time
import weakref
import zlib
from collections import OrderedDict
from collections.abc import (
    AsyncIterator,
    Awaitable,
    Callable,
    Hashable,
    Iterable,
    Iterator,
    Sequence,
)
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any, Protocol, Self, TypeVar

from piccolo.columns.column_types import ForeignKey
from piccolo.engine.base import Engine
from piccolo.engine.finder import engine_finder
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType


def _own_attributes(self: ForeignKey[Any]) -> list[str]:
    """``dir()`` of a foreign-key column: its own attributes only (see below)."""
    return list(vars(self))


# Piccolo's ForeignKey.__getattribute__ calls ``dir(self)`` on every public attribute access
# (only to decide whether a lazy reference still needs its proxy columns): 55 µs a call, some
# 75 calls to build an exchange's queries, most of a list request's CPU. With ``dir()``
# limited to the column's own attributes the decision is the same (a miss only runs its cheap
# lazy-reference check) and costs a microsecond. tests/test_sqlite_pool.py checks the joins.
ForeignKey.__dir__ = _own_attributes  # type: ignore[method-assign,assignment]


class _Narrowable(Protocol):
    def where(self, *where: Any) -> Self: ...


Q = TypeVar("Q", bound=_Narrowable)
C = TypeVar("C", bound=_Narrowable)

#: Seconds a SQLite writer waits for the lock before giving up.
SQLITE_BUSY_TIMEOUT = 30

_query_count: contextvars.ContextVar[list[int] | None] = contextvars.ContextVar(
    "lianyan_query_count", default=None
)


def _count_query() -> None:
    counter = _query_count.get()
    if counter is not None:
        counter[0] += 1


class _Connection:
    """One sqlite3 connection with a thread of its own: its calls run one after another."""

    def __init__(self, connect: Callable[[], sqlite3.Connection]) -> None:
        self._connect = connect
        self._raw: sqlite3.Connection | None = None
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lianyan-sqlite")

    async def call(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run ``fn(raw_connection, *args)`` on this connection's thread."""
        return await asyncio.get_running_loop().run_in_executor(
            self._thread, self._run, fn, args
        )

    def _run(self, fn: Callable[..., Any], args: tuple[Any, ...]) -> Any:
        if self._raw is None:
            self._raw = self._connect()
        return fn(self._raw, *args)

    async def fetchall(self, sql: str, args: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """Run one statement and return its rows as dicts."""
        return await self.call(_fetchall, sql, args)  # type: ignore[no-any-return]

    async def close(self) -> None:
        """Close the connection and end its thread."""
        if self._raw is not None:
            await self.call(lambda raw: raw.close())
            self._raw = None
        self._thread.shutdown(wait=False)


def _fetchall(raw: sqlite3.Connection, sql: str, args: Sequence[Any]) -> list[dict[str, Any]]:
    cursor = raw.execute(sql, args)
    try:
        return cursor.fetchall()
    finally:
        cursor.close()


def _dict_row(cursor: sqlite3.Cursor, row: tuple[Any, ...]) -> dict[str, Any]:
    return {column[0]: value for column, value in zip(cursor.description, row, strict=True)}


_POOL_SERIALS = itertools.count(1)


class _Pool:
    """The connections of one event loop: ``readers`` query-only ones, and one writer.

    Readers run in parallel (WAL lets them read while the writer writes). Writers queue on
    one FIFO lock, so within the process they are served first come, first served and
    never sleep in SQLite's busy handler; a file lock (``flock``) orders writers of other
    processes (``--workers``, the CLI) the same way before SQLite's own lock is tried.
    """

    def __init__(self, engine: LianyanSQLiteEngine, readers: int) -> None:
        self.engine = engine
        self.size = readers
        self.opened = 0
        self.idle: asyncio.Queue[_Connection] = asyncio.Queue()
        self.writer = _Connection(lambda: engine.connect(query_only=False))
        self.write_lock = asyncio.Lock()
        self.lock_fd: int | None = None
        self.closed = False
        self.inline: sqlite3.Connection | None = None
        self.serial = next(_POOL_SERIALS)  # data versions of two pools never compare equal
        self.slow: set[str] = set()
        self.interrupted: dict[str, int] = {}
        self.deadline = 0.0

    def _inline(self) -> sqlite3.Connection:
        if self.inline is None:
            self.inline = self.engine.connect(query_only=True, timeout=0)
            self.inline.set_progress_handler(self._overdue, 1000)
        return self.inline

    def _overdue(self) -> int:
        # SQLite's progress handler, every 1,000 steps of an inline read: non-zero interrupts.
        return time.perf_counter() > self.deadline

    def read_inline(self, sql: str, args: Sequence[Any]) -> list[dict[str, Any]] | None:
        """Run a short read on the event loop's own thread, or None to send it to a reader.

        Most reads (a page of a list, a count, one row) take tens of microseconds in SQLite
        and ten times that to hand to a thread and back. They run here, bounded: SQLite's
        progress handler interrupts a read that runs past ``INLINE_SECONDS``, and a read
        that was interrupted twice, or finds the database
        busy, goes to a reader thread from then on, so the loop is never held for long.
        """
        if sql in self.slow or self.closed:
            return None
        connection = self._inline()
        self.deadline = time.perf_counter() + INLINE_SECONDS
        try:
            return _fetchall(connection, sql, args)
        except sqlite3.OperationalError as error:
            if str(error) not in ("interrupted", "database is locked"):
                raise
            # Twice, so that a read merely preempted on a busy machine stays inline.
            if self.interrupted.get(sql, 0) >= 1:
                if len(self.slow) > 4096:
                    self.slow.clear()
                self.slow.add(sql)
            elif len(self.interrupted) > 4096:
                self.interrupted.clear()
            self.interrupted[sql] = self.interrupted.get(sql, 0) + 1
            return None

    def data_version(self) -> str:
        """SQLite's ``data_version`` of the inline connection: it changes with every commit
        of any other connection (this process's writer, other workers, the CLI)."""
        connection = self._inline()
        # Without the progress handler: the pragma is short, but a statement after another
        # connection changed the schema reloads it first, which a busy machine can stretch
        # past the inline budget (an interrupted pragma would fail the request).
        connection.set_progress_handler(None, 0)
        try:
            rows = connection.execute("PRAGMA data_version").fetchall()
        finally:
            connection.set_progress_handler(self._overdue, 1000)
        return f"{self.serial}:{rows[0]['data_version']}"

    @asynccontextmanager
    async def reader(self) -> AsyncIterator[_Connection]:
        """Borrow a read-only connection, opening one while fewer than ``size`` exist."""
        if self.idle.empty() and self.opened < self.size:
            self.opened += 1
            connection = _Connection(lambda: self.engine.connect(query_only=True))
        else:
            connection = await self.idle.get()
        try:
            yield connection
        finally:
            self.idle.put_nowait(connection)

    @asynccontextmanager
    async def writing(self) -> AsyncIterator[_Connection]:
        """Hold the writer: in the order asked for here, then across processes."""
        async with self.write_lock:
            await self.writer.call(self._flock, fcntl.LOCK_EX)
            try:
                yield self.writer
            finally:
                await self.writer.call(self._flock, fcntl.LOCK_UN)

    def _flock(self, raw: sqlite3.Connection, operation: int) -> None:
        # Runs on the writer's thread: a writer of another process makes it wait here, in
        # the kernel, instead of in SQLite's sleeping busy handler.
        if self.lock_fd is None:
            self.lock_fd = os.open(f"{self.engine.path}.writer", os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(self.lock_fd, operation)

    async def close(self) -> None:
        """Close every connection of the pool."""
        self.closed = True
        if self.inline is not None:
            self.inline.close()
            self.inline = None
        while not self.idle.empty():
            await self.idle.get_nowait().close()
        await self.writer.close()
        if self.lock_fd is not None:
            os.close(self.lock_fd)
            self.lock_fd = None


class PooledTransaction(SQLiteTransaction):
    """A transaction on the pool's writer, held from BEGIN to COMMIT or ROLLBACK."""

    async def __aenter__(self) -> PooledTransaction:
        if self._parent is not None:
            return self._parent  # type: ignore[return-value]
        engine: LianyanSQLiteEngine = self.engine  # type: ignore[assignment]
        self._writing = engine.pool().writing()
        self.connection = await self._writing.__aenter__()
        try:
            await self.begin()
        except BaseException:
            await self._writing.__aexit__(None, None, None)
            raise
        self.context = self.engine.current_transaction.set(self)
        return self

    async def begin(self) -> None:
        """BEGIN of the chosen kind (IMMEDIATE for writes)."""
        await self.connection.fetchall(f"BEGIN {self.transaction_type.value}")

    async def commit(self) -> None:
        """COMMIT."""
        await self.connection.fetchall("COMMIT")
        self._committed = True

    async def rollback(self) -> None:
        """ROLLBACK."""
        await self.connection.fetchall("ROLLBACK")
        self._rolled_back = True

    async def savepoint(self, name: str | None = None) -> Any:
        """Savepoints are not used by Lianyan."""
        raise NotImplementedError("savepoints are not supported by the pooled SQLite engine")

    async def __aexit__(self, exception_type: Any, exception: Any, traceback: Any) -> bool:
        if self._parent:
            return exception is None  # type: ignore[no-any-return]
        try:
            if exception:
                if not self._rolled_back:
                    await self.rollback()
            elif not self._committed and not self._rolled_back:
                try:
                    await self.commit()
                except BaseException:
                    await self.rollback()
                    raise
        finally:
            self.engine.current_transaction.reset(self.context)
            await self._writing.__aexit__(None, None, None)
        return exception is None  # type: ignore[no-any-return]


#: Read-only connections per event loop (each has a thread; reads run in parallel under WAL).
SQLITE_READERS = 4

#: How long a read may hold the event loop's thread before it is interrupted and sent to
#: a reader thread instead (its SQL then always goes there).
INLINE_SECONDS = 0.005

_READS = ("SELECT", "WITH")


class LianyanSQLiteEngine(SQLiteEngine):
    """SQLite with WAL, persistent pooled connections, one queued writer and a query counter.

    Piccolo's own engine opens a connection (and a thread) for every query run outside a
    transaction; this one keeps them, per event loop, for the life of the process.
    """

    def __init__(self, path: str, **kwargs: Any) -> None:
        super().__init__(path=path, **kwargs)
        self._pools: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Pool] = (
            weakref.WeakKeyDictionary()
        )

    def connect(self, *, query_only: bool, timeout: float | None = None) -> sqlite3.Connection:
        """A new raw connection with Piccolo's converters, foreign keys on."""
        kwargs = dict(self.connection_kwargs)
        if timeout is not None:
            kwargs["timeout"] = timeout
        raw = sqlite3.connect(**kwargs, check_same_thread=False, cached_statements=512)
        raw.row_factory = _dict_row
        raw.execute("PRAGMA foreign_keys = 1")
        if query_only:
            raw.execute("PRAGMA query_only = 1")
        return raw

    def pool(self) -> _Pool:
        """The pool of the running event loop, made on first use."""
        loop = asyncio.get_running_loop()
        found = self._pools.get(loop)
        if found is None or found.closed:
            found = self._pools[loop] = _Pool(self, SQLITE_READERS)
        return found

    def has_pool(self) -> bool:
        """True when the running loop already has its connections."""
        found = self._pools.get(asyncio.get_running_loop())
        return found is not None and not found.closed

    async def close_pool(self) -> None:
        """Close the running loop's connections (the next query opens new ones)."""
        found = self._pools.pop(asyncio.get_running_loop(), None)
        if found is not None:
            await found.close()

    def transaction(
        self,
        transaction_type: TransactionType = TransactionType.deferred,
        allow_nested: bool = True,
    ) -> SQLiteTransaction:
        """A transaction on the writer connection."""
        return PooledTransaction(
            engine=self, transaction_type=transaction_type, allow_nested=allow_nested
        )

    async def _execute(self, sql: str, args: Sequence[Any]) -> list[dict[str, Any]]:
        current = self.current_transaction.get()
        if current is not None:
            return await current.connection.fetchall(sql, args)  # type: ignore[no-any-return]
        pool = self.pool()
        if sql.lstrip()[:6].upper().startswith(_READS):
            rows = pool.read_inline(sql, args)
            if rows is not None:
                return rows
            async with pool.reader() as connection:
                return await connection.fetchall(sql, args)
        async with pool.writing() as connection:
            return await connection.fetchall(sql, args)

    async def run_querystring(self, querystring: Any, in_pool: bool = False) -> Any:
        """Run one query on a pooled connection, counting it."""
        _count_query()
        query_id = self.get_query_id()
        if self.log_queries:
            self.print_query(query_id=query_id, query=querystring.__str__())
        sql, args = querystring.compile_string(engine_type=self.engine_type)
        response = await self._execute(sql, args)
        if self.log_responses:
            self.print_response(query_id=query_id, response=response)
        return response

    async def run_ddl(self, ddl: str, in_pool: bool = False) -> Any:
        """Run DDL on the writer, counting it."""
        _count_query()
        if self.log_queries:
            self.print_query(query_id=self.get_query_id(), query=ddl)
        return await self._execute(ddl, ())

    async def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """Run one statement for many rows (bulk loading), inside the current transaction."""
        _count_query()
        current = self.current_transaction.get()
        if current is None:
            raise RuntimeError("executemany needs a transaction (db.atomic())")
        await current.connection.call(lambda raw: raw.executemany(sql, rows).close())


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

    async def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """Run one statement (``?`` placeholders, as on SQLite) for many rows, inside the
        current transaction."""
        _count_query()
        current = self.current_transaction.get()
        if current is None:
            raise RuntimeError("executemany needs a transaction (db.atomic())")
        parts = sql.split("?")
        numbered = parts[0] + "".join(f"${n}{part}" for n, part in enumerate(parts[1:], 1))
        await current.connection.executemany(numbered, rows)


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


async def page_total(rows: Sequence[Any], count: Any, *, limit: int, offset: int) -> int:
    """The length of a whole list of which ``rows`` is the page at ``offset``.

    ``count`` is the list's (not yet run) count query; it runs only when the page does not
    show where the list ends, so the first page of a short list costs one query, not two.
    """
    if 0 < len(rows) < limit or (offset == 0 and not rows):
        return offset + len(rows)
    return int(await count)


async def data_version() -> str:
    """A value that changes whenever committed data may have changed, cheap to ask.

    Whatever is read after asking is at least as new as the answer, so a result cached under
    an answer may be reused for as long as the answer stays the same. SQLite: the
    ``data_version`` pragma (no query is counted). PostgreSQL: the current snapshot
    (``xmin:xmax:in-progress``), which differs as soon as any write transaction starts or
    ends.
    """
    found = engine()
    if isinstance(found, LianyanSQLiteEngine):
        return found.pool().data_version()
    from piccolo.querystring import QueryString

    rows = await found.run_querystring(QueryString("SELECT pg_current_snapshot()::text AS v"))
    return str(rows[0]["v"])


def filtered(query: Q, count: C, conditions: Iterable[Any]) -> tuple[Q, C]:
    """A list's query and its count, both narrowed by every condition that is not None.

    ``rows, total = await q.limit(n).offset(k), await c`` then agree whatever the page.
    """
    for condition in conditions:
        if condition is not None:
            query = query.where(condition)
            count = count.where(condition)
    return query, count


_T = TypeVar("_T")
#: Results kept by ``reused``: key → (data version, when, result); the least recently used go.
_reused: OrderedDict[Hashable, tuple[str, float, Any]] = OrderedDict()


async def reused(key: Hashable, build: Callable[[], Awaitable[_T]], *, seconds: float) -> _T:
    """``build()``'s result, kept under ``key`` while ``data_version()`` stands still.

    What is returned is never older than the last commit; ``seconds`` also bounds how long it
    is kept (for results that count days or hours). ``key`` must hold everything the result
    depends on besides the data: the caller's scope, the parameters, the day.
    """
    version = await data_version()
    found = _reused.get(key)
    if found is not None and found[0] == version and time.monotonic() - found[1] < seconds:
        _reused.move_to_end(key)
        return found[2]  # type: ignore[no-any-return]
    result = await build()
    _reused[key] = (version, time.monotonic(), result)
    while len(_reused) > 2000:
        _reused.popitem(last=False)
    return result


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
    """Open the connection pool; True when this call opened it (and should close it)."""
    db = db or engine()
    if isinstance(db, PostgresEngine) and getattr(db, "pool", None) is None:
        await db.start_connection_pool(min_size=1, max_size=10)
        return True
    if isinstance(db, LianyanSQLiteEngine) and not db.has_pool():
        db.pool()
        return True
    return False


async def stop(db: Engine | None = None) -> None:
    """Close connection pools (PostgreSQL; SQLite: the running loop's connections)."""
    db = db or engine()
    if isinstance(db, PostgresEngine):
        await db.close_connection_pool()
    elif isinstance(db, LianyanSQLiteEngine):
        await db.close_pool()


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
