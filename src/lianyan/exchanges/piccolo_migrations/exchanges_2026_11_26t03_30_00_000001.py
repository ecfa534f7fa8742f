"""A design version keeps its Word document's whole text, for the site-wide search."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Text
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-26T03:30:00:000001"
VERSION = "1.38.0"
DESCRIPTION = "design_version.text"


async def forwards() -> MigrationManager:
    """Add ``design_version.text`` (empty for versions uploaded before)."""
    manager = MigrationManager(migration_id=ID, app_name="exchanges", description=DESCRIPTION)
    manager.add_column(
        table_class_name="DesignVersion",
        tablename="design_version",
        column_name="text",
        db_column_name="text",
        column_class_name="Text",
        column_class=Text,
        params={
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
