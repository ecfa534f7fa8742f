"""Piccolo app of the 同研异构 exchanges."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from lianyan.exchanges.tables import (
    Comment,
    Design,
    DesignVersion,
    Exchange,
    ExchangeExpert,
    ExchangeGroup,
    Highlight,
    Notification,
    ObservationNote,
    OutboxMessage,
    Participant,
    ParticipantProposal,
    Score,
)

APP_CONFIG = AppConfig(
    app_name="exchanges",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[
        Exchange,
        ExchangeExpert,
        ExchangeGroup,
        Participant,
        ParticipantProposal,
        Design,
        DesignVersion,
        Comment,
        ObservationNote,
        Score,
        Highlight,
        Notification,
        OutboxMessage,
    ],
    migration_dependencies=["lianyan.org.piccolo_app"],
    commands=[],
)
