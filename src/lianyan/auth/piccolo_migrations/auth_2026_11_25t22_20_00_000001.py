"""Auth: the ``login_throttle`` table, counters of login attempts shared by every worker.

A new table (no ``ALTER``), created through the migration manager on both engines.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import Column
from piccolo.columns.column_types import Integer, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-25T22:20:00:000001"
VERSION = "1.38.0"
DESCRIPTION = "login attempts counted in the database"


def _params(**extra):
    return {
        "null": False, "primary_key": False, "unique": False, "index": False,
        "index_method": IndexMethod.btree, "choices": None, "db_column_name": None,
        "secret": False, **extra,
    }


async def forwards() -> MigrationManager:
    """Create ``login_throttle``."""
    manager = MigrationManager(migration_id=ID, app_name="auth", description=DESCRIPTION)
    manager.add_table(class_name="LoginThrottle", tablename="login_throttle", schema=None,
                      columns=None)
    columns: list[tuple[str, type[Column], dict]] = [
        ("key", Varchar, _params(length=200, default="", unique=True)),
        ("attempts", Integer, _params(default=0)),
        ("window_start", Timestamptz, _params(default=TimestamptzNow())),
        ("locked_until", Timestamptz, _params(default=None, null=True)),
    ]
    for name, column_class, params in columns:
        manager.add_column(
            table_class_name="LoginThrottle", tablename="login_throttle", column_name=name,
            db_column_name=name, column_class_name=column_class.__name__,
            column_class=column_class, params=params, schema=None,
        )
    return manager
