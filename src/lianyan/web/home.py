"""The home dashboard: one page, sections chosen by the caller's roles."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from litestar import Controller, get
from litestar.response import Template

from lianyan import clock
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
        figures = await dashboard.figures(actor)
        sections = []
        for template, build in SECTIONS:
            context = await build(actor)
            if context is not None:
                sections.append((template, context))
        tasks, upcoming = await next_steps(actor)
        return page("home.html", actor, figures=figures, sections=sections, tasks=tasks,
                    upcoming=upcoming, today=clock.today())
