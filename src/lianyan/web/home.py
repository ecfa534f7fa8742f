"""The home dashboard: one page, sections chosen by the caller's roles."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any, NamedTuple

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


class _Cached(NamedTuple):
    version: str
    stored: float
    context: dict[str, Any]


#: Seconds a dashboard may be reused while the data stands still (its texts count days).
DASHBOARD_TTL = 30.0
_dashboards: OrderedDict[bytes, _Cached] = OrderedDict()


async def _dashboard(actor: Principal) -> dict[str, Any]:
    """Everything the dashboard shows, reused while nothing has been committed since.

    A city or county dashboard runs some twenty aggregate queries; refreshed by many people
    at a meeting, or polled, it would keep a core busy. The result is kept per caller (their
    grants included) and day, under ``db.data_version()``: any commit by anyone changes the
    version, so what is shown is never older than the last write.
    """
    version = await db.data_version()
    key = msgspec.msgpack.encode((actor, clock.today()))
    found = _dashboards.get(key)
    if found is not None and found.version == version and (
            time.monotonic() - found.stored < DASHBOARD_TTL):
        _dashboards.move_to_end(key)
        return found.context
    figures = await dashboard.figures(actor)
    sections = []
    for template, build in SECTIONS:
        built = await build(actor)
        if built is not None:
            sections.append((template, built))
    tasks, upcoming = await next_steps(actor)
    context = {"figures": figures, "sections": sections, "tasks": tasks, "upcoming": upcoming,
               "today": clock.today()}
    _dashboards[key] = _Cached(version, time.monotonic(), context)
    while len(_dashboards) > 1000:
        _dashboards.popitem(last=False)
    return context
