"""Pages of the organisation: counties with coverage, kindergartens, imports. The people page
with their logins (账号与人员) is auth's (``auth/account_pages.py``)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.params import Parameter
from litestar.response import Template

from lianyan.org import dashboard, imports, services
from lianyan.org.access import IMPORTERS
from lianyan.principal import OFFICERS, Principal, Role
from lianyan.settings import Settings
from lianyan.web.access import access
from lianyan.web.forms import FormState, read_form, submit
from lianyan.web.pages import page, pager


class OrgPages(Controller):
    """``/org/...``."""

    path = "/org"
    include_in_schema = False

    @get("/counties", opt=access(*OFFICERS))
    async def counties(self, actor: Principal) -> Template:
        """Counties with their zones and coverage."""
        scope = None if actor.is_city else list(actor.member_counties)
        rows = await dashboard.coverage_by_county(scope)
        return page("org/counties.html", actor, rows=rows)

    @get("/counties/{county_id:int}", opt=access(*OFFICERS))
    async def county(self, actor: Principal, county_id: int) -> Template:
        """One county: zones and the kindergartens outside any zone."""
        county = await services.get_county(actor, county_id)
        coverage = await services.coverage(actor, county_id)
        zones, _ = await services.list_zones(actor, county_id=county_id, limit=200, offset=0)
        return page("org/county.html", actor, county=county, coverage=coverage, zones=zones)

    @get(
        "/kindergartens",
        opt=access(Role.CITY_ADMIN, Role.COUNTY_OFFICER, Role.ZONE_OFFICER, Role.DIRECTOR),
    )
    async def kindergartens(
        self,
        actor: Principal,
        county_id: int | None = None,
        q: str | None = None,
        limit: Annotated[int, Parameter(ge=1, le=200)] = 50,
        offset: Annotated[int, Parameter(ge=0)] = 0,
    ) -> Template:
        """The kindergarten directory, filtered and paginated."""
        items, total = await services.list_kindergartens(
            actor, county_id=county_id, q=q, limit=limit, offset=offset
        )
        counties = await services.list_counties(actor)
        return page(
            "org/kindergartens.html", actor, items=items, counties=counties,
            county_id=county_id, q=q or "", pager=pager(total, limit, offset),
        )

    @get("/import", opt=access(*IMPORTERS))
    async def import_page(self, actor: Principal) -> Template:
        """The Excel import page."""
        return page("org/import.html", actor, result=None, error=None, errors=[], kind=None)

    @post("/import", opt=access(*IMPORTERS))
    async def import_submit(
        self, actor: Principal, settings: Settings, request: Request[Any, Any, Any]
    ) -> Any:
        """Run an import and show what it created, or every row error."""
        form = await read_form(request, "import")
        limit = settings.uploads.import_bytes

        async def run() -> Any:
            upload = form.file("file")
            try:
                content = await upload.read(limit + 1)
            finally:
                await upload.close()
            return await imports.run_import(actor, form.text("kind"), content,
                                            filename=upload.filename, limit=limit)

        return await submit(
            form, run,
            done=lambda result: page("org/import.html", actor, result=result, error=None,
                                     errors=[], kind=form.text("kind")),
            again=lambda posted: _refused_import(actor, posted),
        )


async def _refused_import(actor: Principal, posted: FormState) -> Template:
    return page("org/import.html", actor, result=None, error=posted.message,
                errors=posted.extra.get("errors", []), kind=posted.text("kind"), posted=posted)
