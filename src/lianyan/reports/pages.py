"""The reports page: what the caller can generate (a form per kind) and their past reports.

Rows still queued or running refresh themselves (``static/reports/reports.js`` polls the JSON
API); without JavaScript the page refreshes itself every few seconds while one is pending.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.params import Parameter
from litestar.response import Template
from litestar.static_files import create_static_files_router

from lianyan import clock
from lianyan.principal import Principal, Role
from lianyan.reports import services
from lianyan.reports.access import REPORTERS
from lianyan.reports.content import Context
from lianyan.reports.kinds import KINDS, NUMBERED_KINDS, ReportKind
from lianyan.reports.schemas import ReportIn
from lianyan.settings import Settings
from lianyan.web.access import PUBLIC, access
from lianyan.web.forms import Form, read_form, submit
from lianyan.web.pages import page, pager

#: Topics and exchanges offered in the forms' lists (the newest ones).
CHOICES = 200

#: ``/static/reports/reports.js``: refreshes pending rows of the job list.
report_static = create_static_files_router(
    path="/static/reports", directories=[Path(__file__).parent / "static"],
    name="reports-static", opt=access(PUBLIC), include_in_schema=False,
)


FORMAT_NAMES = {"docx": "Word 文档（.docx）", "xlsx": "Excel 表格（.xlsx）"}


def kinds_for(actor: Principal) -> list[ReportKind]:
    """The kinds the caller may generate: everything for the city, county kinds otherwise."""
    return [k for k in KINDS.values() if actor.is_city or not k.city_only]


def _report_body(form: Form) -> dict[str, Any]:
    """The form's fields as the API's request; blank fields are left out."""
    params = {name: form.text(name)
              for name in ("county_id", "year", "topic_id", "exchange_id", "doc_number", "format")
              if form.text(name)}
    return {"kind": form.text("kind"), "params": params}


class ReportPages(Controller):
    """``/reports``."""

    path = "/reports"
    include_in_schema = False

    async def _page(self, actor: Principal, *, limit: int = 20, offset: int = 0,
                    error: str | None = None, chosen: dict[str, Any] | None = None,
                    queued: int | None = None, status_code: int = 200) -> Template:
        from lianyan.exchanges import services as exchanges
        from lianyan.org import services as org
        from lianyan.topics import queries as topics

        jobs, total = await services.list_jobs(actor, limit=limit, offset=offset)
        counties = [c for c in await org.list_counties(actor) if actor.officer_of_county(c.id)]
        topic_rows, _ = await topics.list_topics(actor, limit=CHOICES)
        exchange_rows, _ = await exchanges.list_exchanges(actor, limit=CHOICES)
        this_year = clock.today().year
        return page(
            "reports/reports.html", actor, status_code=status_code,
            kinds=kinds_for(actor), jobs=jobs, pager=pager(total, limit, offset),
            counties=counties,
            topics=[t for t in topic_rows if actor.officer_of_county(t.county_id)],
            exchanges=exchange_rows, years=list(range(this_year + 1, this_year - 6, -1)),
            this_year=this_year, error=error, chosen=chosen or {}, queued=queued,
            pending=any(j.status in ("queued", "running") for j in jobs),
            is_city=actor.is_city, is_officer=actor.has(Role.COUNTY_OFFICER),
            numbered=NUMBERED_KINDS, format_names=FORMAT_NAMES,
        )

    @get("/", opt=access(*REPORTERS))
    async def reports(
        self, actor: Principal, queued: int | None = None,
        limit: Annotated[int, Parameter(ge=1, le=200)] = 20,
        offset: Annotated[int, Parameter(ge=0)] = 0,
    ) -> Template:
        """Forms to generate reports, and the caller's past reports with their status."""
        return await self._page(actor, limit=limit, offset=offset, queued=queued)

    @post("/", opt=access(*REPORTERS))
    async def request_report(self, actor: Principal, settings: Settings,
                             request: Request[Any, Any, Any]) -> Any:
        """Queue the report of one form; back to the list, or the form's error in Chinese."""
        form = await read_form(request, "report")
        return await submit(
            form,
            lambda: services.request_report(actor, form.bind(ReportIn, _report_body),
                                            context=Context.from_settings(settings)),
            done=lambda accepted: f"/reports?queued={accepted.id}",
            again=lambda posted: self._page(
                actor, error=posted.message, status_code=posted.status,
                chosen={name: posted.text(name) for name in posted.values}),
        )
