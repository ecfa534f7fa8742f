"""Composite uniqueness of the filings app, as unique indexes.

SQLite cannot ``ALTER TABLE … ADD CONSTRAINT``, so Piccolo's ``Unique`` constraint cannot be
migrated there; ``CREATE UNIQUE INDEX`` means the same on SQLite and PostgreSQL. This runs after
the tables exist (raw steps run before a migration's own table steps, hence a second file).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-11-23T15:43:00:000001"
VERSION = "1.38.0"
DESCRIPTION = "unique indexes"

STATEMENTS = (
    "CREATE UNIQUE INDEX IF NOT EXISTS filing_county_year ON filing (county, year)",
    "CREATE UNIQUE INDEX IF NOT EXISTS coverage_reason_filing_kindergarten"
    " ON coverage_reason (filing, kindergarten)",
    "CREATE INDEX IF NOT EXISTS leadership_member_county_year"
    " ON leadership_member (county, year)",
)


async def forwards() -> MigrationManager:
    """Create the indexes."""
    manager = MigrationManager(migration_id=ID, app_name="filings", description=DESCRIPTION)

    async def run() -> None:
        engine = engine_finder()
        assert engine is not None
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
