"""Pages of filings: the county's workspace with its checklist, the city's inbox, one filing,
the published plans and the compliance board. Forms post here; a refused form shows the same
Chinese message the API would give, with what the user typed still in place."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from lianyan import clock
from lianyan.errors import InvalidInput
from lianyan.files.services import limits_from
from lianyan.files.store import ObjectStore
from lianyan.filings import activities as filing_activities
from lianyan.filings import compliance, coverage, leadership, lifecycle, queries, themes
from lianyan.filings import schemas as s
from lianyan.filings.access import sees_unpublished
from lianyan.labels import ACTIVITY_FORM, FILING_STATUS, POSITION
from lianyan.org import services as org
from lianyan.principal import Principal, Role
from lianyan.settings import Settings
from lianyan.web import sections as home_cards
from lianyan.web.access import SIGNED_IN, access
from lianyan.web.forms import NO_FORM, Form, FormState, int_or_none, read_form, submit
from lianyan.web.pages import page
from lianyan.web.params import OptionalYear, YearParam
from lianyan.web.sections import register_section

#: Empty roster rows offered under the filled ones (at least this many rows in all).
MIN_ROSTER_ROWS = 5
ROSTER_FIELDS = ("position", "name", "unit", "title", "phone")
AnyRequest = Request[Any, Any, Any]


def _default_county(actor: Principal, county_id: int | None) -> int | None:
    """The county asked for, else the caller's own (as county officer, then zone officer)."""
    if county_id is not None:
        return county_id
    own = sorted(actor.counties(Role.COUNTY_OFFICER)) or sorted(
        actor.counties(Role.ZONE_OFFICER)
    )
    return own[0] if own else None


def _workspace_path(county_id: int, year: int, anchor: str = "") -> str:
    return f"/filings/workspace?county_id={county_id}&year={year}" + (f"#{anchor}" if anchor else "")


def _roster_rows(members: list[Any]) -> list[dict[str, str]]:
    rows = [
        {"position": m["position"] if isinstance(m, dict) else m.position,
         "name": m["name"] if isinstance(m, dict) else m.name,
         "unit": m["unit"] if isinstance(m, dict) else m.unit,
         "title": m["title"] if isinstance(m, dict) else m.title,
         "phone": (m["phone"] if isinstance(m, dict) else m.phone) or ""}
        for m in members
    ]
    while len(rows) < max(MIN_ROSTER_ROWS, len(members) + 2):
        rows.append({"position": "member", "name": "", "unit": "", "title": "", "phone": ""})
    return rows


def _roster_from_form(form: Form) -> list[dict[str, str]]:
    """The filled rows of the roster form (rows without a name or unit are left out)."""
    indexes = sorted({int(k.split("_")[-1]) for k in form.values if re.fullmatch(r"name_\d+", k)})
    rows = [{f: form.text(f"{f}_{i}") for f in ROSTER_FIELDS} for i in indexes]
    return [row for row in rows if row["name"] or row["unit"]]


def _coverage_body(form: Form) -> dict[str, Any]:
    return {"reasons": [
        {"kindergarten_id": key.removeprefix("reason_"), "reason": form.text(key)}
        for key in form.values if re.fullmatch(r"reason_\d+", key)
    ]}  # fmt: skip


def _number(text: str) -> int | None:
    """A number from a form for choosing the page to show again; never refuses."""
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else None


def _year_or_none(text: str) -> int | None:
    """A year from a form for choosing the page to show again; never refuses."""
    return int(text) if text.isascii() and text.isdigit() and 2000 <= int(text) <= 2100 else None


class FilingPages(Controller):
    """``/filings/...``."""

    path = "/filings"
    include_in_schema = False

    @get("/", opt=access(SIGNED_IN))
    async def index(self, actor: Principal) -> Redirect:
        """The caller's way into filings: workspace, inbox or the published plans."""
        if actor.has(Role.COUNTY_OFFICER):
            return Redirect("/filings/workspace")
        if actor.is_city:
            return Redirect("/filings/inbox")
        return Redirect("/filings/plans")

    # The county's workspace ----------------------------------------------------------------

    async def _workspace(
        self, actor: Principal, county_id: int | None, year: int | None,
        posted: FormState = NO_FORM,
    ) -> Template:
        year = year or clock.today().year
        county_id = _default_county(actor, county_id)
        if county_id is None or not sees_unpublished(actor, county_id):
            return page("filings/no_county.html", actor, status_code=403)
        county = await org.get_county(actor, county_id)
        filing = await queries.find_filing(actor, county_id, year)
        roster = await leadership.get_roster(actor, county_id, year)
        deadline = await themes.get_deadline(actor, year)
        year_themes, _ = await themes.list_themes(actor, year=year, limit=200)
        zones, _ = await org.list_zones(actor, county_id=county_id, limit=200, offset=0)
        entered = {k: posted.text(k) for k in posted.values}
        context: dict[str, Any] = {
            "county": county, "year": year, "filing": filing, "roster": roster,
            "deadline": deadline, "themes": year_themes, "zones": zones,
            "error": posted.message, "section": posted.name, "posted": posted,
            "entered": {posted.name: entered} if posted else {},
            "forms": ACTIVITY_FORM, "positions": POSITION, "statuses": FILING_STATUS,
            "may_edit": county_id in actor.counties(Role.COUNTY_OFFICER),
            "roster_rows": _roster_rows(
                _roster_from_form(Form("roster", dict(posted.values)))
                if posted.name == "roster" else roster.members
            ),
        }
        if filing is not None:
            context["detail"] = await queries.get_filing(actor, filing.id)
            context["checklist"] = await lifecycle.checklist(actor, filing.id)
            context["activities"], _ = await filing_activities.list_activities(actor, filing.id, limit=200)
            context["directions"], _ = await filing_activities.list_directions(actor, filing.id, limit=200)
            context["coverage"] = await coverage.filing_coverage(actor, filing.id)
        return page("filings/workspace.html", actor, **context)

    @get("/workspace", opt=access(Role.COUNTY_OFFICER, Role.CITY_ADMIN, Role.ZONE_OFFICER))
    async def workspace(
        self, actor: Principal, county_id: int | None = None, year: OptionalYear = None
    ) -> Template:
        """The county's filing of a year: checklist, roster, plan, activities, directions."""
        return await self._workspace(actor, county_id, year)

    async def _in_workspace(
        self, actor: Principal, request: AnyRequest, section: str,
        action: Callable[[Form], Awaitable[Any]], *, county_id: int | None = None,
        year: int | None = None, filing_id: int | None = None,
    ) -> Any:
        """A form of the workspace: run it and go back to its section, or show it refused."""
        if filing_id is not None:
            filing = await queries.get_filing(actor, filing_id)
            county_id, year = filing.county_id, filing.year
        form = await read_form(request, section)
        county = county_id if county_id is not None else _number(form.text("county_id"))
        when = year if year is not None else _year_or_none(form.text("year"))
        return await submit(
            form, lambda: action(form),
            done=lambda _: _workspace_path(county or 0, when or clock.today().year, section),
            again=lambda posted: self._workspace(actor, county, when, posted),
        )

    @post("/workspace/create", opt=access(Role.COUNTY_OFFICER))
    async def create(self, actor: Principal, request: AnyRequest) -> Any:
        """Open the filing of the county and year."""
        return await self._in_workspace(
            actor, request, "checklist",
            lambda form: lifecycle.create_filing(actor, form.bind(s.FilingIn)),
        )

    @post("/roster/{county_id:int}/{year:int}", opt=access(Role.COUNTY_OFFICER))
    async def save_roster(
        self, actor: Principal, county_id: int, year: YearParam, request: AnyRequest
    ) -> Any:
        """Save the leadership group from the form rows."""
        return await self._in_workspace(
            actor, request, "roster",
            lambda form: leadership.save_roster(
                actor, county_id, year,
                form.bind(s.LeadershipIn, lambda f: {"members": _roster_from_form(f)}),
            ),
            county_id=county_id, year=year,
        )

    @post("/roster/{county_id:int}/{year:int}/copy", opt=access(Role.COUNTY_OFFICER))
    async def copy_roster(
        self, actor: Principal, county_id: int, year: YearParam, request: AnyRequest
    ) -> Any:
        """Start the year's group from last year's."""
        return await self._in_workspace(
            actor, request, "roster", lambda form: leadership.copy_previous(actor, county_id, year),
            county_id=county_id, year=year,
        )

    @post("/{filing_id:int}/document", opt=access(Role.COUNTY_OFFICER))
    async def upload_plan(
        self, actor: Principal, store: ObjectStore, settings: Settings, filing_id: int,
        request: AnyRequest,
    ) -> Any:
        """Upload the regional plan document."""

        async def upload(form: Form) -> Any:
            chosen = form.file("file")
            try:
                return await lifecycle.upload_plan(
                    actor, store, filing_id, fileobj=chosen.file, filename=chosen.filename,
                    limits=limits_from(settings.uploads),
                )
            finally:
                await chosen.close()

        return await self._in_workspace(actor, request, "plan", upload, filing_id=filing_id)

    @post("/{filing_id:int}/activities", opt=access(Role.COUNTY_OFFICER))
    async def add_activity(self, actor: Principal, filing_id: int, request: AnyRequest) -> Any:
        """Add an activity from the form (the one-week rule shows its message here)."""
        return await self._in_workspace(
            actor, request, "activities",
            lambda form: filing_activities.add_activity(actor, filing_id, form.bind(s.ActivityIn)),
            filing_id=filing_id,
        )

    @post("/{filing_id:int}/activities/{activity_id:int}/delete",
          opt=access(Role.COUNTY_OFFICER))
    async def delete_activity(
        self, actor: Principal, filing_id: int, activity_id: int, request: AnyRequest
    ) -> Any:
        """Remove an activity."""
        return await self._in_workspace(
            actor, request, "activities",
            lambda form: filing_activities.delete_activity(actor, filing_id, activity_id),
            filing_id=filing_id,
        )

    @post("/{filing_id:int}/directions", opt=access(Role.COUNTY_OFFICER))
    async def add_direction(self, actor: Principal, filing_id: int, request: AnyRequest) -> Any:
        """Add a research-direction suggestion."""
        return await self._in_workspace(
            actor, request, "directions",
            lambda form: filing_activities.add_direction(actor, filing_id, form.bind(s.DirectionIn)),
            filing_id=filing_id,
        )

    @post("/{filing_id:int}/directions/{direction_id:int}/delete",
          opt=access(Role.COUNTY_OFFICER))
    async def delete_direction(
        self, actor: Principal, filing_id: int, direction_id: int, request: AnyRequest
    ) -> Any:
        """Remove a direction."""
        return await self._in_workspace(
            actor, request, "directions",
            lambda form: filing_activities.delete_direction(actor, filing_id, direction_id),
            filing_id=filing_id,
        )

    @post("/{filing_id:int}/coverage", opt=access(Role.COUNTY_OFFICER))
    async def coverage_reasons(self, actor: Principal, filing_id: int, request: AnyRequest) -> Any:
        """Record the reasons for uncovered kindergartens."""
        return await self._in_workspace(
            actor, request, "coverage",
            lambda form: coverage.set_coverage_reasons(
                actor, filing_id, form.bind(s.CoverageReasonsIn, _coverage_body)),
            filing_id=filing_id,
        )

    @post("/{filing_id:int}/submit", opt=access(Role.COUNTY_OFFICER))
    async def submit(self, actor: Principal, filing_id: int, request: AnyRequest) -> Any:
        """Send the filing to the city."""
        return await self._in_workspace(
            actor, request, "checklist", lambda form: lifecycle.submit(actor, filing_id),
            filing_id=filing_id,
        )

    # One filing, the city's decisions ------------------------------------------------------

    async def _view(
        self, actor: Principal, filing_id: int, posted: FormState = NO_FORM
    ) -> Template:
        filing = await queries.get_filing(actor, filing_id)
        activities, _ = await filing_activities.list_activities(actor, filing_id, limit=200)
        directions, _ = await filing_activities.list_directions(actor, filing_id, limit=200)
        roster = await leadership.get_roster(actor, filing.county_id, filing.year)
        checklist = (
            await lifecycle.checklist(actor, filing_id)
            if sees_unpublished(actor, filing.county_id) else None
        )
        return page(
            "filings/filing.html", actor, filing=filing,
            activities=activities, directions=directions, roster=roster, checklist=checklist,
            error=posted.message, posted=posted, forms=ACTIVITY_FORM, positions=POSITION,
            statuses=FILING_STATUS,
            may_edit=filing.county_id in actor.counties(Role.COUNTY_OFFICER),
        )

    @get("/{filing_id:int}", opt=access(SIGNED_IN))
    async def view(self, actor: Principal, filing_id: int) -> Template:
        """One filing, read-only; the city decides here."""
        return await self._view(actor, filing_id)

    async def _decide(
        self, actor: Principal, filing_id: int, request: AnyRequest, name: str,
        action: Callable[[Form], Awaitable[Any]],
    ) -> Any:
        form = await read_form(request, name)
        return await submit(
            form, lambda: action(form), done=f"/filings/{filing_id}",
            again=lambda posted: self._view(actor, filing_id, posted),
        )

    @post("/{filing_id:int}/accept", opt=access(Role.CITY_ADMIN))
    async def accept(self, actor: Principal, filing_id: int, request: AnyRequest) -> Any:
        """Accept a submitted filing."""
        return await self._decide(
            actor, filing_id, request, "accept",
            lambda form: lifecycle.accept(actor, filing_id, form.bind(s.AcceptIn)),
        )

    @post("/{filing_id:int}/return", opt=access(Role.CITY_ADMIN))
    async def return_filing(self, actor: Principal, filing_id: int, request: AnyRequest) -> Any:
        """Return a submitted filing with the reason."""
        return await self._decide(
            actor, filing_id, request, "return",
            lambda form: lifecycle.return_filing(actor, filing_id, form.bind(s.ReturnIn)),
        )

    # The city's inbox, themes and deadline -------------------------------------------------

    async def _inbox(
        self, actor: Principal, year: int | None, posted: FormState = NO_FORM
    ) -> Template:
        year = year or clock.today().year
        filings, _ = await queries.list_filings(actor, year=year, limit=200)
        year_themes, _ = await themes.list_themes(actor, year=year, limit=200)
        return page(
            "filings/inbox.html", actor, year=year,
            waiting=[f for f in filings if f.status == "submitted"],
            others=[f for f in filings if f.status != "submitted"],
            themes=year_themes, deadline=await themes.get_deadline(actor, year),
            separately=(await filing_activities.separately_filed(actor, year))[0],
            statuses=FILING_STATUS, forms=ACTIVITY_FORM, error=posted.message, posted=posted,
        )

    @get("/inbox", opt=access(Role.CITY_ADMIN))
    async def inbox(self, actor: Principal, year: OptionalYear = None) -> Template:
        """Submitted filings waiting for the city, the year's themes and deadline."""
        return await self._inbox(actor, year)

    async def _city_action(
        self, actor: Principal, request: AnyRequest, name: str,
        action: Callable[[Form], Awaitable[Any]], year: int | None = None,
    ) -> Any:
        form = await read_form(request, name)
        when = year or _year_or_none(form.text("year")) or clock.today().year
        return await submit(
            form, lambda: action(form), done=f"/filings/inbox?year={when}",
            again=lambda posted: self._inbox(actor, when, posted),
        )

    @post("/themes", opt=access(Role.CITY_ADMIN))
    async def create_theme(self, actor: Principal, request: AnyRequest) -> Any:
        """Add a theme of the year."""
        return await self._city_action(
            actor, request, "theme", lambda form: themes.create_theme(actor, form.bind(s.ThemeIn))
        )

    @post("/themes/{theme_id:int}/delete", opt=access(Role.CITY_ADMIN))
    async def delete_theme(self, actor: Principal, theme_id: int, request: AnyRequest) -> Any:
        """Remove a theme no activity uses."""
        theme = await themes.get_theme(actor, theme_id)
        return await self._city_action(
            actor, request, "theme", lambda form: themes.delete_theme(actor, theme_id),
            year=theme.year,
        )

    @post("/deadline", opt=access(Role.CITY_ADMIN))
    async def set_deadline(self, actor: Principal, request: AnyRequest) -> Any:
        """Set the year's deadline."""

        async def set_due(form: Form) -> Any:
            year = int_or_none(form.text("year"))
            if year is None or not 2000 <= year <= 2100:
                raise InvalidInput("request.invalid", "请填写 2000–2100 之间的年度，例如 2026。",
                                   field="year")
            return await themes.set_deadline(actor, year, form.bind(s.DeadlineIn))

        return await self._city_action(actor, request, "deadline", set_due)

    # Published plans and the compliance board ----------------------------------------------

    @get("/plans", opt=access(SIGNED_IN))
    async def plans(self, actor: Principal, year: OptionalYear = None) -> Template:
        """Every county's accepted plan of the year (公开本地教研活动计划)."""
        year = year or clock.today().year
        accepted, _ = await queries.list_filings(actor, year=year, status="accepted", limit=200)
        return page("filings/plans.html", actor, year=year, filings=accepted)

    @get("/compliance", opt=access(Role.CITY_ADMIN))
    async def compliance_board(
        self, actor: Principal, year: OptionalYear = None, sort: str = "topics",
        order: str = "asc",
    ) -> Template:
        """The compliance board with sortable columns and the Excel export."""
        year = year or clock.today().year
        sort = sort if sort in compliance.SORT_KEYS else "topics"
        board = await compliance.board(actor, year, sort=sort, descending=order == "desc")
        return page("filings/compliance.html", actor, board=board, year=year, sort=sort,
                    order=order, statuses=FILING_STATUS)


async def dashboard(actor: Principal) -> dict[str, Any] | None:
    """The filings card of the home page: the county's checklist, or the city's inbox."""
    year = clock.today().year
    if actor.is_city:
        waiting, _ = await queries.list_filings(actor, year=year, status="submitted", limit=200)
        return {"year": year, "waiting": waiting, "deadline": await themes.get_deadline(actor, year)}
    own = sorted(actor.counties(Role.COUNTY_OFFICER))
    if not own:
        return None
    filing = await queries.find_filing(actor, own[0], year)
    checklist = await lifecycle.checklist(actor, filing.id) if filing else None
    return {"year": year, "filing": filing, "checklist": checklist,
            "deadline": await themes.get_deadline(actor, year), "statuses": FILING_STATUS}


register_section("filings/_home.html", dashboard, place=home_cards.FILINGS)
