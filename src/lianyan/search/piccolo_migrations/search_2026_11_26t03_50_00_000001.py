"""A design's exchange and group on its search document, for the blind rule without joins."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-11-26T03:50:00:000001"
VERSION = "1.38.0"
DESCRIPTION = "search_doc.exchange_id, group_id"

STATEMENTS = [
    "ALTER TABLE search_doc ADD COLUMN exchange_id INTEGER NULL",
    "ALTER TABLE search_doc ADD COLUMN group_id INTEGER NULL",
    "DELETE FROM search_gram",  # rebuilt with the columns filled (lianyan migrate: ensure)
    "DELETE FROM search_doc",
]


async def forwards() -> MigrationManager:
    """Add the two columns; empty the index so that ``lianyan migrate`` rebuilds it."""
    manager = MigrationManager(migration_id=ID, app_name="search", description=DESCRIPTION)

    async def run() -> None:
        engine = engine_finder()
        assert engine is not None
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
