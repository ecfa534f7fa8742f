"""Test session set-up: a real database (SQLite, or PostgreSQL when asked) and a real
``rclone serve s3``, both started once per session; every test starts from empty tables.

``LIANYAN_TEST_ENGINE=postgres`` with ``LIANYAN_TEST_POSTGRES_URL`` runs the suite on a fresh
PostgreSQL database created for the session and dropped after it.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

_TMP = Path(tempfile.mkdtemp(prefix="lianyan-test-"))
ENGINE = os.environ.get("LIANYAN_TEST_ENGINE", "sqlite")
_PG_DATABASE = f"lianyan_test_{uuid.uuid4().hex[:10]}"


def _postgres_url() -> str:
    base = os.environ.get("LIANYAN_TEST_POSTGRES_URL")
    if not base:
        raise RuntimeError("LIANYAN_TEST_ENGINE=postgres needs LIANYAN_TEST_POSTGRES_URL")
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path=f"/{_PG_DATABASE}"))


def _admin_sql(sql: str) -> None:
    import asyncpg

    async def run() -> None:
        connection = await asyncpg.connect(os.environ["LIANYAN_TEST_POSTGRES_URL"])
        try:
            await connection.execute(sql)
        finally:
            await connection.close()

    asyncio.run(run())


# The environment must be in place before anything imports lianyan.piccolo_conf.
os.environ["LIANYAN_DATA_DIR"] = str(_TMP / "data")
os.environ["PICCOLO_CONF"] = "lianyan.piccolo_conf"
os.environ["LIANYAN_SECRET_KEY"] = "test-secret-key-0123456789"
os.environ.pop("LIANYAN_S3_ENDPOINT", None)
if ENGINE == "postgres":
    _admin_sql(f'CREATE DATABASE "{_PG_DATABASE}"')
    os.environ["LIANYAN_DATABASE_URL"] = _postgres_url()
else:
    os.environ["LIANYAN_DATABASE_URL"] = f"sqlite:///{_TMP / 'data' / 'test.db'}"


def pytest_report_header(config: pytest.Config) -> list[str]:
    """Say which engine this run uses."""
    return [f"lianyan database engine: {ENGINE} ({os.environ['LIANYAN_DATABASE_URL']})"]


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Drop the session's PostgreSQL database and the temporary folder."""
    if ENGINE == "postgres":
        try:
            _admin_sql(f'DROP DATABASE IF EXISTS "{_PG_DATABASE}" WITH (FORCE)')
        except Exception as exc:  # the run's result matters more than the clean-up
            print(f"could not drop {_PG_DATABASE}: {exc}")
    shutil.rmtree(_TMP, ignore_errors=True)
    marker_dir = os.environ.get("LIANYAN_TEST_RAN_MARKER_DIR")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    distributing = bool(getattr(session.config.option, "numprocesses", None))
    if marker_dir and (worker != "main" or not distributing):
        # .ci/run reads these to prove each expected run really ran its tests (one file per
        # xdist worker; the controller, which runs none itself, writes nothing).
        Path(marker_dir, f"{ENGINE}-{worker}").write_text(f"{_RAN['all']} {exitstatus}\n")
        if _RAN["browser"]:
            Path(marker_dir, f"browser-{worker}").write_text(f"{_RAN['browser']}\n")


_RAN = {"all": 0, "browser": 0}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Count the tests this process really ran (passed or failed, not skipped)."""
    if report.when == "call":
        _RAN["all"] += 1
        if "browser" in report.keywords:
            _RAN["browser"] += 1


@pytest.fixture(scope="session")
def s3_server() -> Iterator[object]:
    """A real ``rclone serve s3`` for the whole session."""
    from lianyan.files.local_s3 import LocalS3Server

    server = LocalS3Server(_TMP / "s3", bucket="lianyan-test", allow_origin="*")
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def settings(s3_server: object) -> object:
    """Settings of the test app, pointing at the session's S3 server."""
    from lianyan.settings import Settings

    base = Settings.from_env()
    store = s3_server.settings()  # type: ignore[attr-defined]
    import msgspec

    return msgspec.structs.replace(base, store=store)


@pytest.fixture(scope="session")
async def migrated() -> AsyncIterator[None]:
    """Migrate the empty database once."""
    from lianyan import db

    await db.start()
    await db.migrate()
    yield
    await db.stop()


#: Tables that are not Piccolo ``Table`` classes (no id), emptied with the others.
RAW_TABLES = ["search_gram"]


def _tables() -> list[str]:
    from piccolo.conf.apps import Finder

    return [*RAW_TABLES, *(t._meta.tablename for t in Finder().get_table_classes())]


@pytest.fixture
async def clean_db(migrated: None) -> AsyncIterator[None]:
    """Empty every table before the test."""
    from lianyan import db

    tables = _tables()
    if ENGINE == "postgres":
        await db.engine().run_ddl(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
    else:
        path = os.environ["LIANYAN_DATABASE_URL"].removeprefix("sqlite:///")
        statements = "".join(f"DELETE FROM {t};" for t in tables)
        with sqlite3.connect(path, timeout=30) as connection:
            connection.executescript(
                f"PRAGMA foreign_keys=OFF;{statements}"
            )
    yield


@pytest.fixture
async def store(settings: object) -> object:
    """The real object store."""
    from lianyan.files.store import ObjectStore

    object_store = ObjectStore(settings.store)  # type: ignore[attr-defined]
    await object_store.ensure_bucket()
    return object_store


@pytest.fixture(scope="session")
def app(settings: object) -> object:
    """The app, built once."""
    from lianyan.web.app import create_app

    return create_app(settings)  # type: ignore[arg-type]


@pytest.fixture
async def client(app: object, clean_db: None, store: object) -> AsyncIterator[object]:
    """An HTTP client talking to the app in-process, on empty tables.

    The app runs on the test's own event loop (not in a portal thread), so it shares the
    session's PostgreSQL pool and ``db.count_queries()`` sees its queries.
    """
    import httpx

    # What the app's lifespan does, done here: Litestar's lifespan runs in an anyio task group
    # that pytest-asyncio would enter and leave from different tasks.
    app.state.store = store  # type: ignore[attr-defined]
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as c:
        yield c
