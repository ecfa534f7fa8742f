"""The sign-in change counter: one row every worker reads to know its cached callers are
still good (``lianyan.auth.cache``).

Triggers bump it in the same transaction as any change that can end or narrow a caller's
access — a token revoked or deleted, an account's password, username, active flag, one-time
password flag or credentials version changed,
a role granted, changed or withdrawn, a person's name or county changed — whichever code
makes the change. The table is not a Piccolo ``Table``: emptying the tables between tests
must not remove its row.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder
from piccolo.engine.postgres import PostgresEngine

ID = "2026-11-25T22:00:00:000001"
VERSION = "1.38.0"
DESCRIPTION = "sign-in change counter"

#: (trigger name, the event it follows).
EVENTS = (
    ("auth_change_token_update", "UPDATE OF revoked_at, expires_at ON auth_token"),
    ("auth_change_token_delete", "DELETE ON auth_token"),
    ("auth_change_account_update", "UPDATE OF password_hash, username, is_active, person,"
     " must_change_password, credentials_version ON account"),
    ("auth_change_account_delete", "DELETE ON account"),
    ("auth_change_role_insert", "INSERT ON role_assignment"),
    ("auth_change_role_update", "UPDATE ON role_assignment"),
    ("auth_change_role_delete", "DELETE ON role_assignment"),
    ("auth_change_person_update", "UPDATE OF name, county ON person"),
)

BUMP = "UPDATE auth_change SET counter = counter + 1 WHERE id = 1"


def statements(postgres: bool) -> list[str]:
    """The DDL for one engine."""
    done = [
        "CREATE TABLE IF NOT EXISTS auth_change (id INTEGER PRIMARY KEY, counter BIGINT NOT NULL)",
        "INSERT INTO auth_change (id, counter) VALUES (1, 0) ON CONFLICT (id) DO NOTHING",
    ]
    if postgres:
        done.append(
            "CREATE OR REPLACE FUNCTION auth_change_bump() RETURNS trigger AS $$ BEGIN "
            f"{BUMP}; RETURN NULL; END $$ LANGUAGE plpgsql"
        )
        for name, event in EVENTS:
            done.append(f"DROP TRIGGER IF EXISTS {name} ON {event.rsplit(' ', 1)[1]}")
            done.append(
                f"CREATE TRIGGER {name} AFTER {event} FOR EACH STATEMENT "
                "EXECUTE FUNCTION auth_change_bump()"
            )
    else:
        # SQLite has row triggers only; a bump per changed row is still one counter.
        for name, event in EVENTS:
            done.append(
                f"CREATE TRIGGER IF NOT EXISTS {name} AFTER {event} FOR EACH ROW "
                f"BEGIN {BUMP}; END"
            )
    return done


async def forwards() -> MigrationManager:
    """Create the counter and its triggers."""
    manager = MigrationManager(migration_id=ID, app_name="auth", description=DESCRIPTION)

    async def run() -> None:
        engine = engine_finder()
        assert engine is not None
        for statement in statements(isinstance(engine, PostgresEngine)):
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
