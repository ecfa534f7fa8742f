"""Piccolo app of the robots domain."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from lianyan.robots.tables import Robot, RobotMessage

APP_CONFIG = AppConfig(
    app_name="robots",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[Robot, RobotMessage],
    migration_dependencies=["lianyan.org.piccolo_app"],
    commands=[],
)
