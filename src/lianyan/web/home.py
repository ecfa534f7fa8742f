"""The home dashboard: one page, sections chosen by the caller's roles."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import msgspec
from litestar import Controller, get
from litestar.response import Template

from lianyan import clock, db
from lianyan.exchanges import progress
from lianyan.filings import todo as filing_todo
from lianyan.org import dashboard
from lianyan.principal import Principal
from lianyan.todo import Todo
from lianyan.web.access import SIGNED_IN, access
from lianyan.web.pages import page
from lianyan.web.sections import SECTIONS

#: Where each domain says what the caller must do next.
TODO_SOURCES: list[Callable[[Principal], Awaitable[list[Todo]]]] = [
    filing_todo.todo,
    progress.todo,
]


async def next_steps(actor: Principal) -> tuple[list[Todo], list[Todo]]:
    """The caller's tasks (nearest deadline first, undated last) and informative items."""
    found: list[Todo] = []
    for source in TODO_SOURCES:
        found.extend(await source(actor))
    tasks = sorted(
        (t for t in found if t.kind == "task"),
        key=lambda t: (t.due is None, t.due.timestamp() if t.due else 0.0),
    )
    return tasks, [t for t in found if t.kind != "task"]


class HomePages(Controller):
    """``/``: the dashboard."""

    path = "/"
    include_in_schema = False

    @get("/", opt=access(SIGNED_IN))
    async def home(self, actor: Principal) -> Template:
        """The caller's dashboard."""
        return page("home.html", actor, **await _dashboard(actor))


#: Seconds a dashboard may be reused while the data stands still (its texts count days).
DASHBOARD_TTL = 30.0


async def _dashboard(actor: Principal) -> dict[str, Any]:
    """Everything the dashboard shows, reused while nothing has been committed since.

    A city or county dashboard runs some twenty aggregate queries; refreshed by many people
    at a meeting, or polled, it would keep a core busy. The result is kept per caller (their
    grants included) and day under ``db.reused``: any commit by anyone rebuilds it, so what is
    shown is never older than the last write.
    """

    async def build() -> dict[str, Any]:
        figures = await dashboard.figures(actor)
        sections = []
        for _, template, section in SECTIONS:
            built = await section(actor)
            if built is not None:
                sections.append((template, built))
        tasks, upcoming = await next_steps(actor)
        return {"figures": figures, "sections": sections, "tasks": tasks,
                "upcoming": upcoming, "today": clock.today()}

    key = ("dashboard", msgspec.msgpack.encode((actor, clock.today())))
    return await db.reused(key, build, seconds=DASHBOARD_TTL)
