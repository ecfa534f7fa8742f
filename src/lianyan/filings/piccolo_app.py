"""Piccolo app of the filings domain."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from lianyan.filings.tables import (
    AnnualTheme,
    CoverageReason,
    FiledActivity,
    Filing,
    FilingDeadline,
    FilingDirection,
    FilingEvent,
    LeadershipMember,
)

APP_CONFIG = AppConfig(
    app_name="filings",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[
        LeadershipMember,
        AnnualTheme,
        FilingDeadline,
        Filing,
        FilingEvent,
        FiledActivity,
        FilingDirection,
        CoverageReason,
    ],
    migration_dependencies=["lianyan.org.piccolo_app"],
    commands=[],
)
