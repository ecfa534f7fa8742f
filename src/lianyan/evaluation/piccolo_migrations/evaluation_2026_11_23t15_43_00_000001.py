"""Composite uniqueness of the evaluation app, as unique indexes.

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
    "CREATE UNIQUE INDEX IF NOT EXISTS evaluation_score_item"
    " ON evaluation_score (evaluator, candidate_kind, candidate_id, indicator)",
    "CREATE UNIQUE INDEX IF NOT EXISTS evaluation_evaluator_year_person"
    " ON evaluation_evaluator (year, person)",
    "CREATE UNIQUE INDEX IF NOT EXISTS evaluation_award_year_candidate"
    " ON evaluation_award (year, kind, candidate_id)",
    "CREATE INDEX IF NOT EXISTS evaluation_score_candidate"
    " ON evaluation_score (year, candidate_kind, candidate_id)",
)


async def forwards() -> MigrationManager:
    """Create the indexes."""
    manager = MigrationManager(migration_id=ID, app_name="evaluation", description=DESCRIPTION)

    async def run() -> None:
        engine = engine_finder()
        assert engine is not None
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
