"""Dashboard sections that domains' pages register for the home page (``web/home.py``).

Kept apart from ``home.py``, which gathers every domain, so a domain's pages register a section
without importing the page that imports them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from lianyan.principal import Principal

#: Extra dashboard sections registered by domains: (place, template, async context builder),
#: kept in the order of ``place``.
SECTIONS: list[tuple[int, str, Callable[[Principal], Awaitable[dict[str, Any] | None]]]] = []

#: Where each domain's card stands on the home page, top to bottom: the work of the week
#: (exchanges, filings) first, then accounts to open, then research topics.
EXCHANGES, FILINGS, ACCOUNTS, TOPICS = 10, 20, 30, 40


def register_section(
    template: str, build: Callable[[Principal], Awaitable[dict[str, Any] | None]], *,
    place: int,
) -> None:
    """Add a dashboard section at ``place`` (the constants above); ``build`` returns None when
    the section does not apply. The order never depends on which module was imported first."""
    if all(t != template for _, t, _ in SECTIONS):
        SECTIONS.append((place, template, build))
        SECTIONS.sort(key=lambda section: section[0])
