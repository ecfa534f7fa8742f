"""Piccolo app of research topics."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from lianyan.topics.tables import Topic, TopicDocument, TopicEvent, TopicMember, TopicReview

APP_CONFIG = AppConfig(
    app_name="topics",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[Topic, TopicMember, TopicEvent, TopicDocument, TopicReview],
    migration_dependencies=["lianyan.org.piccolo_app", "lianyan.files.piccolo_app"],
    commands=[],
)
