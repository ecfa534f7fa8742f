"""JSON API of the organisation: counties, zones, kindergartens, people, roles, imports."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from litestar import Controller, Response, get, patch, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, Parameter

from lianyan.org import imports, services
from lianyan.org import schemas as s
from lianyan.org.access import ACCOUNT_MANAGERS, UNIT_EDITORS
from lianyan.principal import OFFICERS, Principal, Role
from lianyan.schemas import Page
from lianyan.settings import Settings
from lianyan.web.access import SIGNED_IN, access

Limit = Annotated[int, Parameter(ge=1, le=200)]
Offset = Annotated[int, Parameter(ge=0)]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class CountyController(Controller):
    """``/api/v1/counties``."""

    path = "/api/v1/counties"
    tags = ["organisation"]

    @get("/", opt=access(SIGNED_IN))
    async def list_counties(self, actor: Principal) -> Page[s.CountyOut]:
        """Every county."""
        items = await services.list_counties(actor)
        return Page(items=items, total=len(items))

    @post("/", opt=access(Role.CITY_ADMIN))
    async def create_county(self, actor: Principal, data: s.CountyIn) -> s.CountyOut:
        """Add a county."""
        return await services.create_county(actor, data)

    @get("/{county_id:int}", opt=access(SIGNED_IN))
    async def get_county(self, actor: Principal, county_id: int) -> s.CountyOut:
        """One county."""
        return await services.get_county(actor, county_id)

    @patch("/{county_id:int}", opt=access(Role.CITY_ADMIN))
    async def update_county(
        self, actor: Principal, county_id: int, data: s.CountyPatch
    ) -> s.CountyOut:
        """Change a county."""
        return await services.update_county(actor, county_id, data)

    @get("/{county_id:int}/coverage", opt=access(*OFFICERS))
    async def coverage(
        self, actor: Principal, county_id: int, year: int | None = None
    ) -> s.Coverage:
        """Full coverage of the county (today's state; ``year`` is accepted for the contract)."""
        return await services.coverage(actor, county_id)


class ZoneController(Controller):
    """``/api/v1/zones``."""

    path = "/api/v1/zones"
    tags = ["organisation"]

    @get("/", opt=access(SIGNED_IN))
    async def list_zones(
        self, actor: Principal, county_id: int | None = None, limit: Limit = 50,
        offset: Offset = 0,
    ) -> Page[s.ZoneOut]:
        """Zones the caller may read."""
        items, total = await services.list_zones(
            actor, county_id=county_id, limit=limit, offset=offset
        )
        return Page(items=items, total=total)

    @post("/", opt=access(*UNIT_EDITORS))
    async def create_zone(self, actor: Principal, data: s.ZoneIn) -> s.ZoneOut:
        """Add a zone."""
        return await services.create_zone(actor, data)

    @get("/{zone_id:int}", opt=access(SIGNED_IN))
    async def get_zone(self, actor: Principal, zone_id: int) -> s.ZoneOut:
        """One zone."""
        return await services.get_zone(actor, zone_id)

    @patch("/{zone_id:int}", opt=access(*UNIT_EDITORS))
    async def update_zone(self, actor: Principal, zone_id: int, data: s.ZonePatch) -> s.ZoneOut:
        """Change a zone."""
        return await services.update_zone(actor, zone_id, data)


class KindergartenController(Controller):
    """``/api/v1/kindergartens``."""

    path = "/api/v1/kindergartens"
    tags = ["organisation"]

    @get("/", opt=access(SIGNED_IN))
    async def list_kindergartens(
        self,
        actor: Principal,
        county_id: int | None = None,
        zone_id: int | None = None,
        q: str | None = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> Page[s.KindergartenOut]:
        """Kindergartens the caller may read: ``?county_id=&zone_id=&q=``."""
        items, total = await services.list_kindergartens(
            actor, county_id=county_id, zone_id=zone_id, q=q, limit=limit, offset=offset
        )
        return Page(items=items, total=total)

    @post("/", opt=access(*UNIT_EDITORS))
    async def create_kindergarten(
        self, actor: Principal, data: s.KindergartenIn
    ) -> s.KindergartenOut:
        """Add a kindergarten."""
        return await services.create_kindergarten(actor, data)

    @get("/{kindergarten_id:int}", opt=access(SIGNED_IN))
    async def get_kindergarten(self, actor: Principal, kindergarten_id: int) -> s.KindergartenOut:
        """One kindergarten."""
        return await services.get_kindergarten(actor, kindergarten_id)

    @patch("/{kindergarten_id:int}", opt=access(*UNIT_EDITORS))
    async def update_kindergarten(
        self, actor: Principal, kindergarten_id: int, data: s.KindergartenPatch
    ) -> s.KindergartenOut:
        """Change a kindergarten."""
        return await services.update_kindergarten(actor, kindergarten_id, data)


class PeopleController(Controller):
    """``/api/v1/people`` and their roles."""

    path = "/api/v1/people"
    tags = ["organisation"]

    @get("/", opt=access(SIGNED_IN))
    async def list_people(
        self,
        actor: Principal,
        county_id: int | None = None,
        kindergarten_id: int | None = None,
        q: str | None = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> Page[s.PersonOut]:
        """People the caller may read."""
        items, total = await services.list_people(
            actor, county_id=county_id, kindergarten_id=kindergarten_id, q=q, limit=limit,
            offset=offset,
        )
        return Page(items=items, total=total)

    @post("/", opt=access(*ACCOUNT_MANAGERS))
    async def create_person(self, actor: Principal, data: s.PersonIn) -> s.PersonOut:
        """Add a person."""
        return await services.create_person(actor, data)

    @get("/{person_id:int}", opt=access(SIGNED_IN))
    async def get_person(self, actor: Principal, person_id: int) -> s.PersonOut:
        """One person."""
        return await services.get_person(actor, person_id)

    @patch(
        "/{person_id:int}",
        opt=access(*ACCOUNT_MANAGERS),
    )
    async def update_person(
        self, actor: Principal, person_id: int, data: s.PersonPatch
    ) -> s.PersonOut:
        """Change a person."""
        return await services.update_person(actor, person_id, data)

    @get("/{person_id:int}/roles", opt=access(SIGNED_IN))
    async def list_roles(self, actor: Principal, person_id: int) -> list[s.RoleOut]:
        """A person's roles."""
        return await services.list_roles(actor, person_id)

    @post(
        "/{person_id:int}/roles",
        opt=access(*ACCOUNT_MANAGERS),
    )
    async def grant_role(self, actor: Principal, person_id: int, data: s.RoleIn) -> s.RoleOut:
        """Grant a role in a scope."""
        return await services.grant_role(actor, person_id, data)


@dataclass
class ImportForm:
    """A spreadsheet upload: multipart field ``file``."""

    file: UploadFile


class ImportController(Controller):
    """``/api/v1/imports``: Excel imports, all or nothing."""

    path = "/api/v1/imports"
    tags = ["organisation"]
    opt = access(Role.CITY_ADMIN, Role.COUNTY_OFFICER, Role.ADMIN)

    @get("/kindergartens/template")
    async def kindergarten_template(self, actor: Principal) -> Response[bytes]:
        """The kindergarten template with dropdowns."""
        return _xlsx(await imports.kindergarten_template(actor), "幼儿园导入模板.xlsx")

    @get("/people/template")
    async def people_template(self, actor: Principal) -> Response[bytes]:
        """The people template with dropdowns."""
        return _xlsx(await imports.people_template(actor), "人员导入模板.xlsx")

    @post("/kindergartens")
    async def import_kindergartens(
        self,
        actor: Principal,
        settings: Settings,
        data: Annotated[ImportForm, Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> s.ImportResult:
        """Import kindergartens from the template; any row error imports nothing."""
        content = await data.file.read(settings.uploads.import_bytes + 1)
        return await imports.import_kindergartens(
            actor, content, filename=data.file.filename, limit=settings.uploads.import_bytes
        )

    @post("/people")
    async def import_people(
        self,
        actor: Principal,
        settings: Settings,
        data: Annotated[ImportForm, Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> s.ImportResult:
        """Import people from the template; any row error imports nothing."""
        content = await data.file.read(settings.uploads.import_bytes + 1)
        return await imports.import_people(
            actor, content, filename=data.file.filename, limit=settings.uploads.import_bytes
        )


def _xlsx(content: bytes, filename: str) -> Response[bytes]:
    from lianyan.files.store import content_disposition

    return Response(
        content, media_type=XLSX, headers={"Content-Disposition": content_disposition(filename)}
    )
