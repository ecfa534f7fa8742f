"""JSON API of reports: ask for one (202 with the job), follow it, download it."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Response, get, post
from litestar.params import Parameter
from litestar.response import Redirect

from lianyan.files.store import ObjectStore
from lianyan.principal import Principal
from lianyan.reports import services
from lianyan.reports.access import REPORTERS
from lianyan.reports.content import Context
from lianyan.reports.schemas import ReportAccepted, ReportIn, ReportJobOut
from lianyan.schemas import Page
from lianyan.settings import Settings
from lianyan.web.access import access

#: Who asks for reports: the city, and county officers for their county.


class ReportController(Controller):
    """``/api/v1/reports``."""

    path = "/api/v1/reports"
    tags = ["reports"]

    @post("/", opt=access(*REPORTERS), status_code=202)
    async def request_report(self, actor: Principal, settings: Settings,
                             data: ReportIn) -> Response[ReportAccepted]:
        """Queue a report; poll ``GET /api/v1/reports/{id}`` until it is done or failed."""
        accepted = await services.request_report(actor, data, context=Context.from_settings(settings))
        return Response(accepted, status_code=202,
                        headers={"Location": f"/api/v1/reports/{accepted.id}"})

    @get("/", opt=access(*REPORTERS))
    async def list_jobs(
        self, actor: Principal, limit: Annotated[int, Parameter(ge=1, le=200)] = 50,
        offset: Annotated[int, Parameter(ge=0)] = 0,
    ) -> Page[ReportJobOut]:
        """The caller's visible report jobs, newest first."""
        items, total = await services.list_jobs(actor, limit=limit, offset=offset)
        return Page(items=items, total=total)

    @get("/{job_id:int}", opt=access(*REPORTERS))
    async def get_job(self, actor: Principal, job_id: int) -> ReportJobOut:
        """One job: ``queued`` / ``running`` / ``done`` (with its file) / ``failed`` (with why)."""
        return await services.get_job(actor, job_id)

    @get("/{job_id:int}/download", opt=access(*REPORTERS))
    async def download(self, actor: Principal, store: ObjectStore, job_id: int) -> Redirect:
        """302 to a short-lived URL that saves the .docx under its Chinese name."""
        return Redirect(await services.download_url(actor, store, job_id))
