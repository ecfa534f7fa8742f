"""Piccolo app of evaluation and awards."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from lianyan.evaluation.tables import (
    EvaluationAward,
    EvaluationEvaluator,
    EvaluationIndicator,
    EvaluationScore,
    EvaluationYear,
)

APP_CONFIG = AppConfig(
    app_name="evaluation",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[
        EvaluationYear,
        EvaluationIndicator,
        EvaluationEvaluator,
        EvaluationScore,
        EvaluationAward,
    ],
    migration_dependencies=["lianyan.org.piccolo_app"],
    commands=[],
)
