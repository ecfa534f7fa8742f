"""Piccolo app of the organisation."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from lianyan.org.tables import County, Kindergarten, Person, RoleAssignment, Zone

APP_CONFIG = AppConfig(
    app_name="org",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[County, Zone, Kindergarten, Person, RoleAssignment],
    migration_dependencies=[],
    commands=[],
)
