"""Piccolo's configuration: the engine from ``LIANYAN_DATABASE_URL`` and every app.

Piccolo imports this module (``PICCOLO_CONF=lianyan.piccolo_conf``) when it first needs the
engine; the Lianyan entry points set the variable before that happens.
"""

from __future__ import annotations

import os
from pathlib import Path

from piccolo.conf.apps import AppRegistry

from lianyan.db import make_engine

_data_dir = Path(os.environ.get("LIANYAN_DATA_DIR", "var")).resolve()
DB = make_engine(
    os.environ.get("LIANYAN_DATABASE_URL") or f"sqlite:///{_data_dir / 'lianyan.db'}"
)

APP_REGISTRY = AppRegistry(
    apps=[
        "lianyan.org.piccolo_app",
        "lianyan.auth.piccolo_app",
        "lianyan.audit.piccolo_app",
        "lianyan.files.piccolo_app",
        "lianyan.filings.piccolo_app",
        "lianyan.evaluation.piccolo_app",
        "lianyan.topics.piccolo_app",
        "lianyan.exchanges.piccolo_app",
        "lianyan.reports.piccolo_app",
        "lianyan.search.piccolo_app",
        "lianyan.robots.piccolo_app",
    ]
)
