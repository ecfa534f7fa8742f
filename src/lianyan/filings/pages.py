"""Pages of filings: the county's workspace with its checklist, the city's inbox, one filing,
the published plans and the compliance board. Forms post here; a refused form shows the same
Chinese message the API would give, with what the user typed still in place."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Annotated, Any

import msgspec
from litestar import Controller, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template

from lianyan import clock
from lianyan.auth.principal import Principal
from lianyan.auth.roles import Role
from lianyan.errors import InvalidInput, LianyanError
from lianyan.files.services import limits_from
from lianyan.files.store import ObjectStore
from lianyan.filings import compliance, leadership, services, themes
from lianyan.filings import schemas as s
from lianyan.filings.access import sees_unpublished
from lianyan.filings.api import OptionalYear, YearParam
from lianyan.labels import ACTIVITY_FORM, FILING_STATUS, POSITION
from lianyan.org import services as org
from lianyan.settings import Settings
from lianyan.web.access import SIGNED_IN, access
from lianyan.web.forms import int_or_none
from lianyan.web.home import register_section
from lianyan.web.pages import page

Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
#: Empty roster rows offered under the filled ones (at least this many rows in all).
MIN_ROSTER_ROWS = 5
FIELD_NAMES = {
    "title": "活动名称", "theme_id": "主题活动", "form": "活动形式", "starts_on": "开始日期",
    "ends_on": "结束日期", "zone_id": "组织责任区", "place": "活动地点",
    "participants": "预计参加人数", "is_large": "大型专题活动", "description": "活动内容",
    "direction": "教研方向", "problem": "针对的问题", "expected_results": "预期成果",
    "position": "职务", "name": "姓名", "unit": "单位", "phone": "电话", "reason": "原因",
    "due_on": "截止日期", "year": "年度",
}


@dataclass
class DocumentUpload:
    """The plan upload form."""

    file: UploadFile
    _csrf_token: str = ""


def _one(value: Any) -> str:
    """A form value that may have been sent more than once: the last one."""
    if isinstance(value, list):
        return str(value[-1]) if value else ""
    return "" if value is None else str(value).strip()


def _convert(values: dict[str, Any], schema: type[Any]) -> Any:
    """Validate form values with the API's schema; name the field that is wrong in Chinese."""
    try:
        return msgspec.convert(values, schema, strict=False)
    except msgspec.ValidationError as exc:
        message = str(exc)
        row = re.search(r"\$\.members\[(\d+)\]\.(\w+)", message)
        if row:
            label = FIELD_NAMES.get(row.group(2), row.group(2))
            raise InvalidInput(
                "request.invalid", f"领导小组名单第 {int(row.group(1)) + 1} 行的“{label}”填写不正确，请检查。"
            ) from None
        field = re.search(r"\$\.(\w+)", message)
        label = FIELD_NAMES.get(field.group(1), field.group(1)) if field else "表单"
        raise InvalidInput("request.invalid", f"请检查“{label}”的填写。") from None


def _default_county(actor: Principal, county_id: int | None) -> int | None:
    """The county asked for, else the caller's own (as county officer, then zone officer)."""
    if county_id is not None:
        return county_id
    own = sorted(actor.counties(Role.COUNTY_OFFICER)) or sorted(
        actor.counties(Role.ZONE_OFFICER)
    )
    return own[0] if own else None


def _year(value: str) -> int | None:
    """A year typed into a form (2000–2100), or ``None`` when left empty."""
    year = int_or_none(value)
    if year is not None and not 2000 <= year <= 2100:
        raise InvalidInput("request.invalid", f"年度“{year}”不在 2000–2100 之间，请检查后重新填写。")
    return year


def _required(data: Any, name: str, label: str) -> int:
    """A number the form must carry (a hidden field): 400 when it is missing."""
    value = int_or_none(_one(data.get(name)))
    if value is None:
        raise InvalidInput("request.invalid", f"缺少{label}，请刷新页面后重试。")
    return value


def _back(county_id: int, year: int, anchor: str = "") -> Redirect:
    return Redirect(
        f"/filings/workspace?county_id={county_id}&year={year}" + (f"#{anchor}" if anchor else ""),
        status_code=303,
    )


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


def _roster_from_form(form: dict[str, Any]) -> tuple[list[dict[str, str]], dict[str, Any]]:
    """The filled rows of the roster form, and the body the API would receive."""
    indexes = sorted({int(k.split("_")[-1]) for k in form if re.fullmatch(r"name_\d+", k)})
    rows = []
    for i in indexes:
        row = {f: _one(form.get(f"{f}_{i}")) for f in ("position", "name", "unit", "title",
                                                        "phone")}
        if row["name"] or row["unit"]:
            rows.append(row)
    return rows, {"members": rows}


def _activity_fields(form: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {
        k: _one(form.get(k))
        for k in ("title", "form", "starts_on", "zone_id", "place", "participants",
                  "description")
    }
    values["theme_id"] = _one(form.get("theme_id")) or None
    values["ends_on"] = _one(form.get("ends_on")) or None
    values["is_large"] = _one(form.get("is_large")) in ("true", "on", "1")
    return values


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
        self,
        actor: Principal,
        county_id: int | None,
        year: int | None,
        *,
        error: str | None = None,
        section: str | None = None,
        entered: dict[str, Any] | None = None,
        status_code: int = 200,
    ) -> Template:
        year = year or clock.today().year
        county_id = _default_county(actor, county_id)
        if county_id is None or not sees_unpublished(actor, county_id):
            return page("filings/no_county.html", actor, status_code=403)
        county = await org.get_county(actor, county_id)
        filing = await services.find_filing(actor, county_id, year)
        roster = await leadership.get_roster(actor, county_id, year)
        deadline = await themes.get_deadline(actor, year)
        year_themes, _ = await themes.list_themes(actor, year=year, limit=200)
        zones, _ = await org.list_zones(actor, county_id=county_id, limit=200, offset=0)
        context: dict[str, Any] = {
            "county": county, "year": year, "filing": filing, "roster": roster,
            "deadline": deadline, "themes": year_themes, "zones": zones,
            "error": error, "section": section, "entered": entered or {},
            "forms": ACTIVITY_FORM, "positions": POSITION, "statuses": FILING_STATUS,
            "may_edit": county_id in actor.counties(Role.COUNTY_OFFICER),
            "roster_rows": _roster_rows(
                (entered or {}).get("roster") or roster.members
            ),
        }
        if filing is not None:
            context["detail"] = await services.get_filing(actor, filing.id)
            context["checklist"] = await services.checklist(actor, filing.id)
            context["activities"], _ = await services.list_activities(actor, filing.id, limit=200)
            context["directions"], _ = await services.list_directions(actor, filing.id, limit=200)
            context["coverage"] = await services.filing_coverage(actor, filing.id)
        return page("filings/workspace.html", actor, status_code=status_code, **context)

    @get("/workspace", opt=access(Role.COUNTY_OFFICER, Role.CITY_ADMIN, Role.ZONE_OFFICER))
    async def workspace(
        self, actor: Principal, county_id: int | None = None, year: OptionalYear = None
    ) -> Template:
        """The county's filing of a year: checklist, roster, plan, activities, directions."""
        return await self._workspace(actor, county_id, year)

    async def _attempt(
        self, actor: Principal, county_id: int, year: int, section: str, action: Any,
        entered: dict[str, Any] | None = None,
    ) -> Template | Redirect:
        try:
            await action()
        except LianyanError as exc:
            return await self._workspace(
                actor, county_id, year, error=exc.detail, section=section, entered=entered,
                status_code=exc.status,
            )
        return _back(county_id, year, section)

    @post("/workspace/create", opt=access(Role.COUNTY_OFFICER))
    async def create(self, actor: Principal, data: Form) -> Template | Redirect:
        """Open the filing of the county and year."""
        county_id = _required(data, "county_id", "县（市、区）")
        year = _year(_one(data.get("year")))
        if year is None:
            raise InvalidInput("request.invalid", "请填写备案年度，例如 2026。")

        async def action() -> None:
            await services.create_filing(actor, s.FilingIn(county_id=county_id, year=year))

        return await self._attempt(actor, county_id, year, "checklist", action)

    @post("/roster/{county_id:int}/{year:int}", opt=access(Role.COUNTY_OFFICER))
    async def save_roster(
        self, actor: Principal, county_id: int, year: YearParam, data: Form
    ) -> Template | Redirect:
        """Save the leadership group from the form rows."""
        rows, body = _roster_from_form(data)

        async def action() -> None:
            await leadership.save_roster(actor, county_id, year, _convert(body, s.LeadershipIn))

        return await self._attempt(actor, county_id, year, "roster", action,
                                   entered={"roster": rows})

    @post("/roster/{county_id:int}/{year:int}/copy", opt=access(Role.COUNTY_OFFICER))
    async def copy_roster(
        self, actor: Principal, county_id: int, year: YearParam
    ) -> Template | Redirect:
        """Start the year's group from last year's."""

        async def action() -> None:
            await leadership.copy_previous(actor, county_id, year)

        return await self._attempt(actor, county_id, year, "roster", action)

    async def _filing_action(
        self, actor: Principal, filing_id: int, section: str, action: Any,
        entered: dict[str, Any] | None = None,
    ) -> Template | Redirect:
        filing = await services.get_filing(actor, filing_id)
        return await self._attempt(actor, filing.county_id, filing.year, section, action,
                                   entered=entered)

    @post("/{filing_id:int}/document", opt=access(Role.COUNTY_OFFICER))
    async def upload_plan(
        self,
        actor: Principal,
        store: ObjectStore,
        settings: Settings,
        filing_id: int,
        data: Annotated[DocumentUpload, Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> Template | Redirect:
        """Upload the regional plan document."""
        content = await data.file.read()

        async def action() -> None:
            await services.upload_plan(
                actor, store, filing_id, fileobj=io.BytesIO(content),
                filename=data.file.filename, limits=limits_from(settings.uploads),
            )

        return await self._filing_action(actor, filing_id, "plan", action)

    @post("/{filing_id:int}/activities", opt=access(Role.COUNTY_OFFICER))
    async def add_activity(
        self, actor: Principal, filing_id: int, data: Form
    ) -> Template | Redirect:
        """Add an activity from the form (the one-week rule shows its message here)."""
        values = _activity_fields(data)

        async def action() -> None:
            await services.add_activity(actor, filing_id, _convert(values, s.ActivityIn))

        return await self._filing_action(actor, filing_id, "activities", action,
                                         entered={"activity": values})

    @post("/{filing_id:int}/activities/{activity_id:int}/delete",
          opt=access(Role.COUNTY_OFFICER))
    async def delete_activity(
        self, actor: Principal, filing_id: int, activity_id: int
    ) -> Template | Redirect:
        """Remove an activity."""

        async def action() -> None:
            await services.delete_activity(actor, filing_id, activity_id)

        return await self._filing_action(actor, filing_id, "activities", action)

    @post("/{filing_id:int}/directions", opt=access(Role.COUNTY_OFFICER))
    async def add_direction(
        self, actor: Principal, filing_id: int, data: Form
    ) -> Template | Redirect:
        """Add a research-direction suggestion."""
        values = {k: _one(data.get(k)) for k in ("direction", "problem", "expected_results")}

        async def action() -> None:
            await services.add_direction(actor, filing_id, _convert(values, s.DirectionIn))

        return await self._filing_action(actor, filing_id, "directions", action,
                                         entered={"direction": values})

    @post("/{filing_id:int}/directions/{direction_id:int}/delete",
          opt=access(Role.COUNTY_OFFICER))
    async def delete_direction(
        self, actor: Principal, filing_id: int, direction_id: int
    ) -> Template | Redirect:
        """Remove a direction."""

        async def action() -> None:
            await services.delete_direction(actor, filing_id, direction_id)

        return await self._filing_action(actor, filing_id, "directions", action)

    @post("/{filing_id:int}/coverage", opt=access(Role.COUNTY_OFFICER))
    async def coverage_reasons(
        self, actor: Principal, filing_id: int, data: Form
    ) -> Template | Redirect:
        """Record the reasons for uncovered kindergartens."""
        reasons = [
            {"kindergarten_id": int(key.removeprefix("reason_")), "reason": _one(value)}
            for key, value in data.items() if re.fullmatch(r"reason_\d+", key)
        ]

        async def action() -> None:
            await services.set_coverage_reasons(
                actor, filing_id, _convert({"reasons": reasons}, s.CoverageReasonsIn)
            )

        return await self._filing_action(actor, filing_id, "coverage", action)

    @post("/{filing_id:int}/submit", opt=access(Role.COUNTY_OFFICER))
    async def submit(self, actor: Principal, filing_id: int) -> Template | Redirect:
        """Send the filing to the city."""

        async def action() -> None:
            await services.submit(actor, filing_id)

        return await self._filing_action(actor, filing_id, "checklist", action)

    # One filing, the city's decisions ------------------------------------------------------

    async def _view(
        self, actor: Principal, filing_id: int, *, error: str | None = None,
        status_code: int = 200,
    ) -> Template:
        filing = await services.get_filing(actor, filing_id)
        activities, _ = await services.list_activities(actor, filing_id, limit=200)
        directions, _ = await services.list_directions(actor, filing_id, limit=200)
        roster = await leadership.get_roster(actor, filing.county_id, filing.year)
        checklist = (
            await services.checklist(actor, filing_id)
            if sees_unpublished(actor, filing.county_id) else None
        )
        return page(
            "filings/filing.html", actor, status_code=status_code, filing=filing,
            activities=activities, directions=directions, roster=roster, checklist=checklist,
            error=error, forms=ACTIVITY_FORM, positions=POSITION, statuses=FILING_STATUS,
            may_edit=filing.county_id in actor.counties(Role.COUNTY_OFFICER),
        )

    @get("/{filing_id:int}", opt=access(SIGNED_IN))
    async def view(self, actor: Principal, filing_id: int) -> Template:
        """One filing, read-only; the city decides here."""
        return await self._view(actor, filing_id)

    async def _decide(self, actor: Principal, filing_id: int, action: Any) -> Template | Redirect:
        try:
            await action()
        except LianyanError as exc:
            return await self._view(actor, filing_id, error=exc.detail, status_code=exc.status)
        return Redirect(f"/filings/{filing_id}", status_code=303)

    @post("/{filing_id:int}/accept", opt=access(Role.CITY_ADMIN))
    async def accept(self, actor: Principal, filing_id: int, data: Form) -> Template | Redirect:
        """Accept a submitted filing."""

        async def action() -> None:
            await services.accept(actor, filing_id, s.AcceptIn(note=_one(data.get("note"))))

        return await self._decide(actor, filing_id, action)

    @post("/{filing_id:int}/return", opt=access(Role.CITY_ADMIN))
    async def return_filing(
        self, actor: Principal, filing_id: int, data: Form
    ) -> Template | Redirect:
        """Return a submitted filing with the reason."""

        async def action() -> None:
            reason = _one(data.get("reason"))
            if not reason:
                raise InvalidInput("filing.reason", "退回时请写明原因，县（市、区）将据此修改。")
            await services.return_filing(actor, filing_id, s.ReturnIn(reason=reason))

        return await self._decide(actor, filing_id, action)

    # The city's inbox, themes and deadline -------------------------------------------------

    async def _inbox(
        self, actor: Principal, year: int | None, *, error: str | None = None,
        status_code: int = 200,
    ) -> Template:
        year = year or clock.today().year
        filings, _ = await services.list_filings(actor, year=year, limit=200)
        year_themes, _ = await themes.list_themes(actor, year=year, limit=200)
        return page(
            "filings/inbox.html", actor, status_code=status_code, year=year,
            waiting=[f for f in filings if f.status == "submitted"],
            others=[f for f in filings if f.status != "submitted"],
            themes=year_themes, deadline=await themes.get_deadline(actor, year),
            separately=(await services.separately_filed(actor, year))[0],
            statuses=FILING_STATUS, forms=ACTIVITY_FORM, error=error,
        )

    @get("/inbox", opt=access(Role.CITY_ADMIN))
    async def inbox(self, actor: Principal, year: OptionalYear = None) -> Template:
        """Submitted filings waiting for the city, the year's themes and deadline."""
        return await self._inbox(actor, year)

    async def _city_action(self, actor: Principal, year: int, action: Any) -> Template | Redirect:
        try:
            await action()
        except LianyanError as exc:
            return await self._inbox(actor, year, error=exc.detail, status_code=exc.status)
        return Redirect(f"/filings/inbox?year={year}", status_code=303)

    @post("/themes", opt=access(Role.CITY_ADMIN))
    async def create_theme(self, actor: Principal, data: Form) -> Template | Redirect:
        """Add a theme of the year."""
        values = {k: _one(data.get(k)) for k in ("year", "title", "description")}
        year = _year(values["year"]) or clock.today().year

        async def action() -> None:
            await themes.create_theme(actor, _convert(values, s.ThemeIn))

        return await self._city_action(actor, year, action)

    @post("/themes/{theme_id:int}/delete", opt=access(Role.CITY_ADMIN))
    async def delete_theme(self, actor: Principal, theme_id: int) -> Template | Redirect:
        """Remove a theme no activity uses."""
        theme = await themes.get_theme(actor, theme_id)

        async def action() -> None:
            await themes.delete_theme(actor, theme_id)

        return await self._city_action(actor, theme.year, action)

    @post("/deadline", opt=access(Role.CITY_ADMIN))
    async def set_deadline(self, actor: Principal, data: Form) -> Template | Redirect:
        """Set the year's deadline."""
        year_text = _one(data.get("year"))
        year = _year(year_text) or clock.today().year

        async def action() -> None:
            await themes.set_deadline(
                actor, year, _convert({"due_on": _one(data.get("due_on"))}, s.DeadlineIn)
            )

        return await self._city_action(actor, year, action)

    # Published plans and the compliance board ----------------------------------------------

    @get("/plans", opt=access(SIGNED_IN))
    async def plans(self, actor: Principal, year: OptionalYear = None) -> Template:
        """Every county's accepted plan of the year (公开本地教研活动计划)."""
        year = year or clock.today().year
        accepted, _ = await services.list_filings(actor, year=year, status="accepted", limit=200)
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
        waiting, _ = await services.list_filings(actor, year=year, status="submitted", limit=200)
        return {"year": year, "waiting": waiting, "deadline": await themes.get_deadline(actor, year)}
    own = sorted(actor.counties(Role.COUNTY_OFFICER))
    if not own:
        return None
    filing = await services.find_filing(actor, own[0], year)
    checklist = await services.checklist(actor, filing.id) if filing else None
    return {"year": year, "filing": filing, "checklist": checklist,
            "deadline": await themes.get_deadline(actor, year), "statuses": FILING_STATUS}


register_section("filings/_home.html", dashboard)
