"""Pages of the organisation: counties with coverage, kindergartens, people, imports."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Controller, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, Parameter
from litestar.response import Template

from lianyan.auth.principal import Principal
from lianyan.auth.roles import OFFICERS, Role
from lianyan.errors import LianyanError
from lianyan.org import dashboard, imports, services
from lianyan.settings import Settings
from lianyan.web.access import access
from lianyan.web.pages import page, pager


@dataclass
class ImportUpload:
    """The import form: which kind, and the file."""

    kind: str
    file: UploadFile
    _csrf_token: str = ""


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

    @get("/people", opt=access(Role.CITY_ADMIN, Role.COUNTY_OFFICER, Role.DIRECTOR, Role.ADMIN))
    async def people(
        self,
        actor: Principal,
        q: str | None = None,
        limit: Annotated[int, Parameter(ge=1, le=200)] = 50,
        offset: Annotated[int, Parameter(ge=0)] = 0,
    ) -> Template:
        """People in the caller's scope."""
        items, total = await services.list_people(actor, q=q, limit=limit, offset=offset)
        return page("org/people.html", actor, items=items, q=q or "",
                    pager=pager(total, limit, offset))

    @get("/import", opt=access(Role.CITY_ADMIN, Role.COUNTY_OFFICER, Role.ADMIN))
    async def import_page(self, actor: Principal) -> Template:
        """The Excel import page."""
        return page("org/import.html", actor, result=None, error=None, errors=[], kind=None)

    @post("/import", opt=access(Role.CITY_ADMIN, Role.COUNTY_OFFICER, Role.ADMIN))
    async def import_submit(
        self,
        actor: Principal,
        settings: Settings,
        data: Annotated[ImportUpload, Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> Template:
        """Run an import and show what it created, or every row error."""
        run = {"kindergartens": imports.import_kindergartens, "people": imports.import_people}
        context: dict[str, Any] = {"result": None, "error": None, "errors": [], "kind": data.kind}
        status = 200
        try:
            if data.kind not in run:
                raise LianyanError("import.kind", "请选择导入类型。")
            content = await data.file.read(settings.uploads.import_bytes + 1)
            context["result"] = await run[data.kind](
                actor, content, filename=data.file.filename,
                limit=settings.uploads.import_bytes,
            )
        except LianyanError as exc:
            context["error"] = exc.detail
            context["errors"] = exc.extra.get("errors", [])
            status = exc.status
        return page("org/import.html", actor, status_code=status, **context)
