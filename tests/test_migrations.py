"""Migrations run forward from empty on this engine and produce exactly the declared tables."""

from __future__ import annotations

from piccolo.conf.apps import Finder
from piccolo.querystring import QueryString

from lianyan import db
from tests.conftest import ENGINE


async def _columns(table: str) -> dict[str, bool]:
    """Column name → nullable, as the database has them."""
    engine = db.engine()
    if ENGINE == "postgres":
        rows = await engine.run_querystring(
            QueryString(
                "SELECT column_name, is_nullable FROM information_schema.columns "
                "WHERE table_schema = 'public' AND table_name = {}",
                table,
            )
        )
        return {r["column_name"]: r["is_nullable"] == "YES" for r in rows}
    rows = await engine.run_querystring(QueryString(f"PRAGMA table_info({table})"))
    return {r["name"]: not r["notnull"] for r in rows}


async def test_migrated_schema_matches_every_table_class(migrated):
    # Arrange
    tables = Finder().get_table_classes()
    problems = []
    # Act
    for table in tables:
        actual = await _columns(table._meta.tablename)
        declared = {c._meta.db_column_name: c._meta.null for c in table._meta.columns}
        # Assert (collected, so one run names every drift)
        if not actual:
            problems.append(f"{table._meta.tablename}: table missing")
            continue
        if set(actual) != set(declared):
            problems.append(
                f"{table._meta.tablename}: columns differ, "
                f"missing {sorted(set(declared) - set(actual))}, "
                f"extra {sorted(set(actual) - set(declared))}"
            )
            continue
        for name, nullable in declared.items():
            if name != "id" and actual[name] != nullable:
                problems.append(f"{table._meta.tablename}.{name}: nullable {actual[name]} != {nullable}")
    assert problems == []
    assert len(tables) >= 10


async def test_migrations_run_again_change_nothing(migrated):
    from piccolo.apps.migrations.tables import Migration

    before = await Migration.count()
    await db.migrate()
    assert await Migration.count() == before
