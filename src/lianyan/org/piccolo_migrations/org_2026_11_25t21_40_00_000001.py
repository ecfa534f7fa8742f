"""Each county's education bureau as an issuing unit: its name, document-number prefix, seal text.

A report a county files or issues is signed by its bureau (灵宝市教育体育局, 灵教体〔2026〕3号),
not by its leadership group, which cannot issue or seal documents. ``add_column`` is
``ALTER TABLE … ADD COLUMN`` on both engines (SQLite can add a column with a constant default;
what it cannot do is alter one), and it records the columns for later ``--auto`` migrations.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-25T21:40:00:000001"
VERSION = "1.38.0"
DESCRIPTION = "county bureau: name, document-number prefix, seal text"

COLUMNS = (("bureau", 100), ("doc_prefix", 20), ("seal", 100))


async def forwards() -> MigrationManager:
    """Add the three columns, empty for existing counties."""
    manager = MigrationManager(migration_id=ID, app_name="org", description=DESCRIPTION)
    for name, length in COLUMNS:
        manager.add_column(
            table_class_name="County",
            tablename="county",
            column_name=name,
            db_column_name=name,
            column_class_name="Varchar",
            column_class=Varchar,
            params={
                "length": length,
                "default": "",
                "null": False,
                "primary_key": False,
                "unique": False,
                "index": False,
                "index_method": IndexMethod.btree,
                "choices": None,
                "db_column_name": None,
                "secret": False,
            },
            schema=None,
        )
    return manager
