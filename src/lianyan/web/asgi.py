"""ASGI entry for servers with several workers: ``uvicorn --factory lianyan.web.asgi:create``."""

from __future__ import annotations

from litestar import Litestar

from lianyan.settings import Settings
from lianyan.web.app import create_app


def create() -> Litestar:
    """Build the app from the environment (called once per worker)."""
    return create_app(Settings.from_env())
