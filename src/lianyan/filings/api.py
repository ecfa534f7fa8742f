"""JSON API of filings: rosters, themes, deadlines, filings and their parts, compliance."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Annotated, Literal

from litestar import Controller, Response, delete, get, patch, post, put
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, Parameter
from litestar.status_codes import HTTP_200_OK

from lianyan.files.services import limits_from
from lianyan.files.store import ObjectStore, content_disposition
from lianyan.filings import activities, compliance, coverage, leadership, lifecycle, queries, themes
from lianyan.filings import schemas as s
from lianyan.filings.access import WRITERS
from lianyan.principal import Principal, Role
from lianyan.schemas import Page
from lianyan.settings import Settings
from lianyan.web.access import SIGNED_IN, access
from lianyan.web.params import OptionalYear, YearParam

Limit = Annotated[int, Parameter(ge=1, le=200)]
Offset = Annotated[int, Parameter(ge=0)]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class LeadershipController(Controller):
    """``/api/v1/counties/{county_id}/leadership/{year}`` (附件1)."""

    path = "/api/v1/counties/{county_id:int}/leadership"
    tags = ["filings"]

    @get("/{year:int}", opt=access(SIGNED_IN))
    async def get_roster(self, actor: Principal, county_id: int, year: YearParam) -> s.LeadershipOut:
        """The county's leadership group for the year."""
        return await leadership.get_roster(actor, county_id, year)

    @put("/{year:int}", opt=access(*WRITERS))
    async def save_roster(
        self, actor: Principal, county_id: int, year: YearParam, data: s.LeadershipIn
    ) -> s.LeadershipOut:
        """Replace the group: one 组长, one 副组长, ≥ 1 成员 (``leadership.composition``)."""
        return await leadership.save_roster(actor, county_id, year, data)

    @post("/{year:int}/copy-previous", opt=access(*WRITERS))
    async def copy_previous(self, actor: Principal, county_id: int, year: YearParam) -> s.LeadershipOut:
        """Start the year's group from the most recent earlier year's."""
        return await leadership.copy_previous(actor, county_id, year)


class ThemeController(Controller):
    """``/api/v1/themes``: the city's yearly themes."""

    path = "/api/v1/themes"
    tags = ["filings"]

    @get("/", opt=access(SIGNED_IN))
    async def list_themes(
        self, actor: Principal, year: OptionalYear = None, limit: Limit = 50, offset: Offset = 0
    ) -> Page[s.ThemeOut]:
        """Themes of a year (``?year=``) or all."""
        items, total = await themes.list_themes(actor, year=year, limit=limit, offset=offset)
        return Page(items=items, total=total)

    @post("/", opt=access(Role.CITY_ADMIN))
    async def create_theme(self, actor: Principal, data: s.ThemeIn) -> s.ThemeOut:
        """Add a theme."""
        return await themes.create_theme(actor, data)

    @patch("/{theme_id:int}", opt=access(Role.CITY_ADMIN))
    async def update_theme(
        self, actor: Principal, theme_id: int, data: s.ThemePatch
    ) -> s.ThemeOut:
        """Change a theme."""
        return await themes.update_theme(actor, theme_id, data)

    @delete("/{theme_id:int}", opt=access(Role.CITY_ADMIN))
    async def delete_theme(self, actor: Principal, theme_id: int) -> None:
        """Remove a theme no activity links to."""
        await themes.delete_theme(actor, theme_id)


class DeadlineController(Controller):
    """``/api/v1/filing-deadlines/{year}``: the city's filing deadline (default 28 February)."""

    path = "/api/v1/filing-deadlines"
    tags = ["filings"]

    @get("/{year:int}", opt=access(SIGNED_IN))
    async def get_deadline(self, actor: Principal, year: YearParam) -> s.DeadlineOut:
        """The deadline of a year."""
        return await themes.get_deadline(actor, year)

    @put("/{year:int}", opt=access(Role.CITY_ADMIN))
    async def set_deadline(self, actor: Principal, year: YearParam, data: s.DeadlineIn) -> s.DeadlineOut:
        """Set the deadline of a year."""
        return await themes.set_deadline(actor, year, data)


@dataclass
class DocumentForm:
    """The regional plan upload: multipart field ``file`` (docx or pdf)."""

    file: UploadFile


class FilingController(Controller):
    """``/api/v1/filings``: annual filings and their parts."""

    path = "/api/v1/filings"
    tags = ["filings"]

    @get("/", opt=access(SIGNED_IN))
    async def list_filings(
        self,
        actor: Principal,
        year: OptionalYear = None,
        county_id: int | None = None,
        status: Literal["draft", "submitted", "accepted", "returned"] | None = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> Page[s.FilingOut]:
        """Published plans and the caller's own county's filings."""
        items, total = await queries.list_filings(
            actor, year=year, county_id=county_id, status=status, limit=limit, offset=offset
        )
        return Page(items=items, total=total)

    @get("/individual-activities", opt=access(Role.CITY_ADMIN))
    async def individual_activities(
        self, actor: Principal, year: YearParam, limit: Limit = 50, offset: Offset = 0
    ) -> Page[s.IndividualActivityOut]:
        """Activities filed one by one after their county's plan was accepted."""
        items, total = await activities.separately_filed(actor, year, limit=limit, offset=offset)
        return Page(items=items, total=total)

    @post("/", opt=access(*WRITERS))
    async def create_filing(self, actor: Principal, data: s.FilingIn) -> s.FilingDetail:
        """Open the filing of a county and year (one each)."""
        return await lifecycle.create_filing(actor, data)

    @get("/{filing_id:int}", opt=access(SIGNED_IN))
    async def get_filing(self, actor: Principal, filing_id: int) -> s.FilingDetail:
        """One filing with its history."""
        return await queries.get_filing(actor, filing_id)

    @patch("/{filing_id:int}", opt=access(*WRITERS))
    async def update_filing(
        self, actor: Principal, filing_id: int, data: s.FilingPatch
    ) -> s.FilingDetail:
        """Change a draft's note."""
        return await lifecycle.update_filing(actor, filing_id, data)

    @post("/{filing_id:int}/document", opt=access(*WRITERS))
    async def upload_plan(
        self,
        actor: Principal,
        store: ObjectStore,
        settings: Settings,
        filing_id: int,
        data: Annotated[DocumentForm, Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> s.FilingDetail:
        """Upload the regional plan document (区域方案), Word or PDF."""
        content = await data.file.read()
        return await lifecycle.upload_plan(
            actor, store, filing_id, fileobj=io.BytesIO(content), filename=data.file.filename,
            limits=limits_from(settings.uploads),
        )

    @get("/{filing_id:int}/checklist", opt=access(SIGNED_IN))
    async def checklist(self, actor: Principal, filing_id: int) -> s.Checklist:
        """What is still missing before the filing can be submitted."""
        return await lifecycle.checklist(actor, filing_id)

    @get("/{filing_id:int}/coverage", opt=access(SIGNED_IN))
    async def coverage(self, actor: Principal, filing_id: int) -> s.FilingCoverage:
        """Coverage of the county with the reasons recorded on this filing."""
        return await coverage.filing_coverage(actor, filing_id)

    @put("/{filing_id:int}/coverage", opt=access(*WRITERS))
    async def set_coverage_reasons(
        self, actor: Principal, filing_id: int, data: s.CoverageReasonsIn
    ) -> s.FilingCoverage:
        """Record why each uncovered kindergarten is outside every zone."""
        return await coverage.set_coverage_reasons(actor, filing_id, data)

    @get("/{filing_id:int}/activities", opt=access(SIGNED_IN))
    async def list_activities(
        self, actor: Principal, filing_id: int, limit: Limit = 50, offset: Offset = 0
    ) -> Page[s.ActivityOut]:
        """The activity filing table (附件2)."""
        items, total = await activities.list_activities(
            actor, filing_id, limit=limit, offset=offset
        )
        return Page(items=items, total=total)

    @post("/{filing_id:int}/activities", opt=access(*WRITERS))
    async def add_activity(
        self, actor: Principal, filing_id: int, data: s.ActivityIn
    ) -> s.ActivityOut:
        """Add an activity; a large one at least 7 days ahead (``activity.too_late``)."""
        return await activities.add_activity(actor, filing_id, data)

    @patch("/{filing_id:int}/activities/{activity_id:int}", opt=access(*WRITERS))
    async def update_activity(
        self, actor: Principal, filing_id: int, activity_id: int, data: s.ActivityPatch
    ) -> s.ActivityOut:
        """Change an activity of a draft."""
        return await activities.update_activity(actor, filing_id, activity_id, data)

    @delete("/{filing_id:int}/activities/{activity_id:int}", opt=access(*WRITERS))
    async def delete_activity(self, actor: Principal, filing_id: int, activity_id: int) -> None:
        """Remove an activity from a draft."""
        await activities.delete_activity(actor, filing_id, activity_id)

    @get("/{filing_id:int}/directions", opt=access(SIGNED_IN))
    async def list_directions(
        self, actor: Principal, filing_id: int, limit: Limit = 50, offset: Offset = 0
    ) -> Page[s.DirectionOut]:
        """Research-direction suggestions (附件3)."""
        items, total = await activities.list_directions(
            actor, filing_id, limit=limit, offset=offset
        )
        return Page(items=items, total=total)

    @post("/{filing_id:int}/directions", opt=access(*WRITERS))
    async def add_direction(
        self, actor: Principal, filing_id: int, data: s.DirectionIn
    ) -> s.DirectionOut:
        """Add a research-direction suggestion."""
        return await activities.add_direction(actor, filing_id, data)

    @delete("/{filing_id:int}/directions/{direction_id:int}", opt=access(*WRITERS))
    async def delete_direction(
        self, actor: Principal, filing_id: int, direction_id: int
    ) -> None:
        """Remove a direction from a draft."""
        await activities.delete_direction(actor, filing_id, direction_id)

    @post("/{filing_id:int}/submit", opt=access(*WRITERS), status_code=HTTP_200_OK)
    async def submit(self, actor: Principal, filing_id: int) -> s.FilingDetail:
        """Send to the city (gated by ``filing.needs_topic``, ``filing.coverage``, …)."""
        return await lifecycle.submit(actor, filing_id)

    @post("/{filing_id:int}/accept", opt=access(Role.CITY_ADMIN), status_code=HTTP_200_OK)
    async def accept(
        self, actor: Principal, filing_id: int, data: s.AcceptIn | None = None
    ) -> s.FilingDetail:
        """Accept a submitted filing; it becomes a published plan."""
        return await lifecycle.accept(actor, filing_id, data or s.AcceptIn())

    @post("/{filing_id:int}/return", opt=access(Role.CITY_ADMIN), status_code=HTTP_200_OK)
    async def return_filing(
        self, actor: Principal, filing_id: int, data: s.ReturnIn
    ) -> s.FilingDetail:
        """Return a submitted filing with the reason."""
        return await lifecycle.return_filing(actor, filing_id, data)


class ComplianceController(Controller):
    """``/api/v1/compliance``: the city's compliance board and its Excel export."""

    path = "/api/v1/compliance"
    tags = ["filings"]
    opt = access(Role.CITY_ADMIN)

    @get("/")
    async def board(
        self,
        actor: Principal,
        year: YearParam,
        sort: compliance.SortKey = "topics",
        order: Literal["asc", "desc"] = "asc",
    ) -> s.ComplianceBoard:
        """Per county: roster, filing and lateness, topics, coverage, days to the deadline."""
        return await compliance.board(actor, year, sort=sort, descending=order == "desc")

    @get("/export")
    async def export(
        self,
        actor: Principal,
        year: YearParam,
        sort: compliance.SortKey = "topics",
        order: Literal["asc", "desc"] = "asc",
    ) -> Response[bytes]:
        """The board as an xlsx workbook."""
        content = await compliance.export_xlsx(
            actor, year, sort=sort, descending=order == "desc"
        )
        return Response(
            content, media_type=XLSX,
            headers={"Content-Disposition": content_disposition(f"{year}年合规情况.xlsx")},
        )
