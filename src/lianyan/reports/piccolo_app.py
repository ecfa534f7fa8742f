"""Piccolo app of the reports domain."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from lianyan.reports.tables import ReportJob

APP_CONFIG = AppConfig(
    app_name="reports",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[ReportJob],
    migration_dependencies=[],
    commands=[],
)
