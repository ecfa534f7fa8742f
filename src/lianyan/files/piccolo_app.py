"""Piccolo app of files."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from lianyan.files.tables import MediaPreview, StoredFile, Upload

APP_CONFIG = AppConfig(
    app_name="files",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[StoredFile, Upload, MediaPreview],
    migration_dependencies=[],
    commands=[],
)
