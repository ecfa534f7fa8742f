"""Piccolo app of accounts."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from lianyan.auth.tables import Account, AuthToken, LoginThrottle

APP_CONFIG = AppConfig(
    app_name="auth",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[Account, AuthToken, LoginThrottle],
    migration_dependencies=["lianyan.org.piccolo_app"],
    commands=[],
)
