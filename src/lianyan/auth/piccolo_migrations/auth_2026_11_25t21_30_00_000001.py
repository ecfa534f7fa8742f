"""Accounts: one-time passwords, a credentials version, and tokens issued together.

Added with plain ``ALTER TABLE … ADD COLUMN`` (Piccolo cannot alter tables on SQLite); the
statements mean the same on SQLite and PostgreSQL.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-11-25T21:30:00:000001"
VERSION = "1.38.0"
DESCRIPTION = "one-time passwords, credentials version, login key"

STATEMENTS = (
    "ALTER TABLE account ADD COLUMN must_change_password BOOLEAN NOT NULL DEFAULT false",
    "ALTER TABLE account ADD COLUMN credentials_version INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE auth_token ADD COLUMN login_key VARCHAR(32) NOT NULL DEFAULT ''",
    "CREATE INDEX IF NOT EXISTS auth_token_login_key ON auth_token (login_key)",
)


async def forwards() -> MigrationManager:
    """Add the columns and the index."""
    manager = MigrationManager(migration_id=ID, app_name="auth", description=DESCRIPTION)

    async def run() -> None:
        engine = engine_finder()
        assert engine is not None
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
