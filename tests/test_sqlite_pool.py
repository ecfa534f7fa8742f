"""The embedded engine's reads: short ones on the event loop's thread, long ones on a reader.

These build their own SQLite engine on a temporary file, whatever engine the suite runs on.
"""

from __future__ import annotations

from pathlib import Path

from piccolo.querystring import QueryString

from lianyan.db import LianyanSQLiteEngine, make_engine

LONG = ("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000000) "
        "SELECT count(*) AS c FROM n")


def _engine(tmp_path: Path) -> LianyanSQLiteEngine:
    engine = make_engine(f"sqlite:///{tmp_path / 'pool.db'}")
    assert isinstance(engine, LianyanSQLiteEngine)
    return engine


async def test_a_short_read_opens_no_reader_thread(tmp_path: Path) -> None:
    engine = _engine(tmp_path)
    try:
        assert await engine.run_querystring(QueryString("SELECT 1 AS one")) == [{"one": 1}]
        pool = engine.pool()
        assert pool.inline is not None
        assert pool.opened == 0
    finally:
        await engine.close_pool()


async def test_a_long_read_is_interrupted_and_answered_by_a_reader(tmp_path: Path) -> None:
    engine = _engine(tmp_path)
    try:
        pool = engine.pool()
        assert await engine.run_querystring(QueryString(LONG)) == [{"c": 3000000}]
        assert pool.opened == 1
        assert LONG not in pool.slow  # once may be a busy machine
        assert await engine.run_querystring(QueryString(LONG)) == [{"c": 3000000}]
        assert LONG in pool.slow  # twice: it goes straight to a reader from now on
        assert await engine.run_querystring(QueryString(LONG)) == [{"c": 3000000}]
        assert await engine.run_querystring(QueryString("SELECT 2 AS two")) == [{"two": 2}]
    finally:
        await engine.close_pool()


async def test_an_inline_read_sees_what_the_writer_committed(tmp_path: Path) -> None:
    engine = _engine(tmp_path)
    try:
        await engine.run_ddl("CREATE TABLE t (x INTEGER)")
        assert await engine.run_querystring(QueryString("SELECT count(*) AS c FROM t")) == [
            {"c": 0}]
        async with engine.transaction():
            await engine.run_querystring(QueryString("INSERT INTO t VALUES (1)"))
            # Inside the transaction a read goes to the writer and sees its own insert.
            assert await engine.run_querystring(
                QueryString("SELECT count(*) AS c FROM t")) == [{"c": 1}]
        assert await engine.run_querystring(QueryString("SELECT count(*) AS c FROM t")) == [
            {"c": 1}]
    finally:
        await engine.close_pool()


async def test_data_version_moves_with_a_commit_and_never_is_interrupted(tmp_path: Path) -> None:
    engine = _engine(tmp_path)
    try:
        for n in range(200):  # a schema that takes SQLite many steps to load
            await engine.run_ddl(f"CREATE TABLE t{n} (x INTEGER, y TEXT, z REAL)")
        await engine.run_ddl("CREATE TABLE t (x INTEGER)")
        pool = engine.pool()
        pool.data_version()
        await engine.run_ddl("CREATE TABLE u (x INTEGER)")  # the next statement reloads
        pool._overdue = lambda: 1  # type: ignore[method-assign]  # a read would be interrupted
        pool._inline().set_progress_handler(pool._overdue, 1)
        before = pool.data_version()
        assert pool.data_version() == before
        async with engine.transaction():
            await engine.run_querystring(QueryString("INSERT INTO t VALUES (1)"))
        assert pool.data_version() != before
    finally:
        await engine.close_pool()
