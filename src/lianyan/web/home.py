"""The home dashboard: one page, sections chosen by the caller's roles."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from litestar import Controller, get
from litestar.response import Template

from lianyan.auth.principal import Principal
from lianyan.org import dashboard
from lianyan.web.access import SIGNED_IN, access
from lianyan.web.pages import page

#: Extra dashboard sections registered by domains: (template, async context builder).
SECTIONS: list[tuple[str, Callable[[Principal], Awaitable[dict[str, Any] | None]]]] = []


def register_section(
    template: str, build: Callable[[Principal], Awaitable[dict[str, Any] | None]]
) -> None:
    """Add a dashboard section; ``build`` returns None when the section does not apply."""
    if all(t != template for t, _ in SECTIONS):
        SECTIONS.append((template, build))


class HomePages(Controller):
    """``/``: the dashboard."""

    path = "/"
    include_in_schema = False

    @get("/", opt=access(SIGNED_IN))
    async def home(self, actor: Principal) -> Template:
        """The caller's dashboard."""
        figures = await dashboard.figures(actor)
        sections = []
        for template, build in SECTIONS:
            context = await build(actor)
            if context is not None:
                sections.append((template, context))
        return page("home.html", actor, figures=figures, sections=sections)
