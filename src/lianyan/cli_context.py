"""What every ``lianyan`` sub-command needs: the settings and a started database.

Shared by ``lianyan.cli`` and the domains' own commands (``reminders.py``,
``reports/cli.py``), so a domain's command never imports the top-level CLI.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Coroutine
from typing import Any

from lianyan.settings import Settings, SettingsError


def load_settings() -> Settings:
    """Read the settings (exit with the reason when one is bad) and export what Piccolo reads."""
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        sys.exit(f"lianyan: bad setting: {exc}")
    os.environ.setdefault("PICCOLO_CONF", "lianyan.piccolo_conf")
    os.environ.setdefault("LIANYAN_DATA_DIR", str(settings.data_dir))
    os.environ.setdefault("LIANYAN_DATABASE_URL", settings.database_url)
    return settings


async def with_db(work: Callable[[], Coroutine[Any, Any, Any]]) -> Any:
    """Run ``work`` with the database started, and stop it afterwards."""
    from lianyan import db

    await db.start()
    try:
        return await work()
    finally:
        await db.stop()
