"""Dashboard sections that domains' pages register for the home page (``web/home.py``).

Kept apart from ``home.py``, which gathers every domain, so a domain's pages register a section
without importing the page that imports them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from lianyan.principal import Principal

#: Extra dashboard sections registered by domains: (template, async context builder).
SECTIONS: list[tuple[str, Callable[[Principal], Awaitable[dict[str, Any] | None]]]] = []


def register_section(
    template: str, build: Callable[[Principal], Awaitable[dict[str, Any] | None]]
) -> None:
    """Add a dashboard section; ``build`` returns None when the section does not apply."""
    if all(t != template for t, _ in SECTIONS):
        SECTIONS.append((template, build))
