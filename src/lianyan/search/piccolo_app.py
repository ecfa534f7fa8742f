"""Piccolo app of the site-wide search index."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from lianyan.search.tables import SearchDoc

APP_CONFIG = AppConfig(
    app_name="search",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[SearchDoc],
    migration_dependencies=[
        "lianyan.exchanges.piccolo_app", "lianyan.topics.piccolo_app",
        "lianyan.filings.piccolo_app",
    ],
    commands=[],
)
