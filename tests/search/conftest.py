"""Fixtures of the search tests: the exchanges' world (two counties exchanging, a third
outside), its client, and the search index hook installed."""

from __future__ import annotations

import pytest

from lianyan.search import index
from tests.exchanges.conftest import at_t0, client, world  # noqa: F401 - fixtures


@pytest.fixture(autouse=True)
def indexing_installed() -> None:
    """Changes made through the services reach the index (as in the app)."""
    index.install()
