"""Indexes for the look-ups that grew with the province: roles by name, and people by any
one or two characters of their name or four digits of their phone (``person_gram``).

``person_gram`` holds, for every person, each character and each pair of adjacent
characters of the name (lower-cased) and each run of four digits of the phone (``#`` first).
Triggers keep it in step with ``person`` on both engines, whichever code writes; the search
(``org.services.people_search``) narrows by one or two of these grams through the index and
then checks the real ``LIKE``, so a stale gram can cost time but never a wrong answer. It is
not a Piccolo ``Table``: nothing but the triggers writes it.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder
from piccolo.engine.postgres import PostgresEngine

ID = "2026-11-25T22:00:00:000001"
VERSION = "1.38.0"
DESCRIPTION = "role and people-search indexes"

COMMON = [
    "CREATE INDEX IF NOT EXISTS role_assignment_role ON role_assignment (role, active)",
    "CREATE INDEX IF NOT EXISTS role_assignment_county ON role_assignment (county)",
    "CREATE TABLE IF NOT EXISTS person_gram ("
    " person INTEGER NOT NULL REFERENCES person (id) ON DELETE CASCADE,"
    " gram VARCHAR(8) NOT NULL)",
    "CREATE INDEX IF NOT EXISTS person_gram_gram ON person_gram (gram, person)",
    "CREATE INDEX IF NOT EXISTS person_gram_person ON person_gram (person)",
]

#: Positions 0..49 (a name has at most 50 characters), for SQLite's ``json_each``.
_POSITIONS = "'[" + ",".join(str(n) for n in range(50)) + "]'"


def _sqlite_grams(row: str) -> str:
    """SELECT of the grams of ``row`` (``NEW`` in a trigger, or every ``person``) for SQLite."""
    each = f"json_each({_POSITIONS}) AS n"
    if row == "person":
        each = f"person, {each}"
    return (
        f"SELECT {row}.id, lower(substr({row}.name, n.key + 1, 1)) FROM {each}"
        f" WHERE n.key < length({row}.name)"
        f" UNION SELECT {row}.id, lower(substr({row}.name, n.key + 1, 2)) FROM {each}"
        f" WHERE n.key < length({row}.name) - 1"
        f" UNION SELECT {row}.id, '#' || substr({row}.phone, n.key + 1, 4) FROM {each}"
        f" WHERE {row}.phone IS NOT NULL AND n.key < length({row}.phone) - 3"
    )


def _postgres_grams(row: str) -> str:
    """SELECT of the grams of ``row`` for PostgreSQL."""
    return (
        f"SELECT {row}.id, lower(substr({row}.name, n, 1))"
        f" FROM generate_series(1, length({row}.name)) AS n"
        f" UNION SELECT {row}.id, lower(substr({row}.name, n, 2))"
        f" FROM generate_series(1, length({row}.name) - 1) AS n"
        f" UNION SELECT {row}.id, '#' || substr({row}.phone, n, 4)"
        f" FROM generate_series(1, coalesce(length({row}.phone), 0) - 3) AS n"
    )


def backfill(postgres: bool) -> str:
    """One statement that (re)builds every person's grams (after a bulk load, too)."""
    if postgres:
        return (
            "INSERT INTO person_gram (person, gram)"
            " SELECT p.id, g.gram FROM person AS p CROSS JOIN LATERAL ("
            " SELECT lower(substr(p.name, n, 1)) AS gram FROM generate_series(1, length(p.name)) n"
            " UNION SELECT lower(substr(p.name, n, 2)) FROM generate_series(1, length(p.name) - 1) n"
            " UNION SELECT '#' || substr(p.phone, n, 4)"
            " FROM generate_series(1, coalesce(length(p.phone), 0) - 3) n) AS g"
        )
    return f"INSERT INTO person_gram (person, gram) {_sqlite_grams('person')}"


def statements(postgres: bool) -> list[str]:
    """The DDL for one engine."""
    done = [*COMMON, "DELETE FROM person_gram", backfill(postgres)]
    if postgres:
        done += [
            "CREATE OR REPLACE FUNCTION person_gram_sync() RETURNS trigger AS $$ BEGIN"
            " IF TG_OP <> 'INSERT' THEN DELETE FROM person_gram WHERE person = OLD.id; END IF;"
            " IF TG_OP <> 'DELETE' THEN INSERT INTO person_gram (person, gram) "
            f"{_postgres_grams('NEW')}; END IF;"
            " RETURN NULL; END $$ LANGUAGE plpgsql",
            "DROP TRIGGER IF EXISTS person_gram_sync ON person",
            "CREATE TRIGGER person_gram_sync AFTER INSERT OR DELETE OR UPDATE OF name, phone"
            " ON person FOR EACH ROW EXECUTE FUNCTION person_gram_sync()",
        ]
    else:
        done += [
            "CREATE TRIGGER IF NOT EXISTS person_gram_insert AFTER INSERT ON person BEGIN"
            f" INSERT INTO person_gram (person, gram) {_sqlite_grams('NEW')}; END",
            "CREATE TRIGGER IF NOT EXISTS person_gram_update AFTER UPDATE OF name, phone"
            " ON person BEGIN DELETE FROM person_gram WHERE person = OLD.id;"
            f" INSERT INTO person_gram (person, gram) {_sqlite_grams('NEW')}; END",
            "CREATE TRIGGER IF NOT EXISTS person_gram_delete AFTER DELETE ON person BEGIN"
            " DELETE FROM person_gram WHERE person = OLD.id; END",
        ]
    return done


async def forwards() -> MigrationManager:
    """Create the indexes, the gram table, its triggers, and fill it."""
    manager = MigrationManager(migration_id=ID, app_name="org", description=DESCRIPTION)

    async def run() -> None:
        engine = engine_finder()
        assert engine is not None
        for statement in statements(isinstance(engine, PostgresEngine)):
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
