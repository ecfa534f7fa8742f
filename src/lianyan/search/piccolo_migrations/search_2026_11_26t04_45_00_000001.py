"""The index ``search_doc_filters``: a document's filters and the columns the owning domains'
visibility conditions read, beside its id, so that a search checks who may see each hit from
the index alone and reads only the visible documents' rows (docs/search.md, "The index").

Written by hand, the same on both engines (every column a key: SQLite has no ``INCLUDE``).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder
from piccolo.engine.postgres import PostgresEngine

ID = "2026-11-26T04:45:00:000001"
VERSION = "1.38.0"
DESCRIPTION = "search_doc_filters"

STATEMENT = (
    "CREATE INDEX IF NOT EXISTS search_doc_filters ON search_doc"
    " (id, kind, ref_id, county_id, year, domain, age_group, exchange_id, group_id)"
)


async def forwards() -> MigrationManager:
    """Create the index (on PostgreSQL, with fresh planner statistics)."""
    manager = MigrationManager(migration_id=ID, app_name="search", description=DESCRIPTION)

    async def run() -> None:
        engine = engine_finder()
        assert engine is not None
        await engine.run_ddl(STATEMENT)
        if isinstance(engine, PostgresEngine):
            await engine.run_ddl("ANALYZE search_doc")

    manager.add_raw(run)
    return manager
