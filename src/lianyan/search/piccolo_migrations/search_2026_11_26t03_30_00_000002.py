"""The search index: ``search_doc`` and its grams ``search_gram`` (docs/search.md).

Written by hand, the same on both engines. ``search_gram`` has no id (it is the bulk of the
index); its ``(gram, doc)`` index answers "which documents have this gram" from the index
alone. The index is filled by ``lianyan migrate`` (when empty) or ``lianyan search reindex``.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder
from piccolo.engine.postgres import PostgresEngine

ID = "2026-11-26T03:30:00:000002"
VERSION = "1.38.0"
DESCRIPTION = "search index"


def statements(postgres: bool) -> list[str]:
    """The DDL of the index for one engine."""
    serial = "SERIAL PRIMARY KEY" if postgres else "INTEGER PRIMARY KEY"
    return [
        "CREATE TABLE IF NOT EXISTS search_doc ("
        f" id {serial},"
        " kind VARCHAR(20) NOT NULL, ref_id INTEGER NOT NULL,"
        " county_id INTEGER NULL, year INTEGER NULL,"
        " domain VARCHAR(10) NOT NULL DEFAULT '', age_group VARCHAR(10) NOT NULL DEFAULT '',"
        " title VARCHAR(300) NOT NULL DEFAULT '', body TEXT NOT NULL DEFAULT '',"
        " meta VARCHAR(300) NOT NULL DEFAULT '', link VARCHAR(300) NOT NULL DEFAULT '',"
        " updated_at TIMESTAMPTZ NOT NULL)",
        "CREATE UNIQUE INDEX IF NOT EXISTS search_doc_ref ON search_doc (kind, ref_id)",
        "CREATE TABLE IF NOT EXISTS search_gram ("
        " gram VARCHAR(4) NOT NULL,"
        " doc INTEGER NOT NULL REFERENCES search_doc (id) ON DELETE CASCADE)",
        "CREATE INDEX IF NOT EXISTS search_gram_gram ON search_gram (gram, doc)",
        "CREATE INDEX IF NOT EXISTS search_gram_doc ON search_gram (doc)",
    ]


async def forwards() -> MigrationManager:
    """Create the two tables and their indexes."""
    manager = MigrationManager(migration_id=ID, app_name="search", description=DESCRIPTION)

    async def run() -> None:
        engine = engine_finder()
        assert engine is not None
        for statement in statements(isinstance(engine, PostgresEngine)):
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
