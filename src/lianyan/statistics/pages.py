"""The 统计 page: the year's figures of the caller's scope as charts, tables and downloads.

A GET form (year, county, zone) reloads the page; a refused choice shows the page again with the
message and the form as typed (status 400/403/404). The charts are inline SVG drawn by the
server; ``static/statistics/statistics.js`` only adds a "PNG" button that draws a chart's SVG
into a canvas (same origin, nothing inline: the Content-Security-Policy holds).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar import Controller, get
from litestar.response import Template
from litestar.static_files import create_static_files_router

from lianyan.errors import InvalidInput, LianyanError
from lianyan.principal import Principal, Role
from lianyan.settings import Settings
from lianyan.statistics import services
from lianyan.statistics.access import VIEWERS
from lianyan.web.access import PUBLIC, access
from lianyan.web.pages import page
from lianyan.web.templating import register_nav

register_nav("统计", "/statistics")

#: Kindergartens without an exchange listed on the page (all of them in the xlsx).
IDLE_ON_PAGE = 50

#: ``/static/statistics/statistics.js``: the PNG export of each chart.
statistics_static = create_static_files_router(
    path="/static/statistics", directories=[Path(__file__).parent / "static"],
    name="statistics-static", opt=access(PUBLIC), include_in_schema=False,
)


def _choice(text: str, what: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    if not text.isdigit() or len(text) > 9:
        raise InvalidInput("statistics.bad_choice", f"所选{what}有误，请从列表中选择。")
    return int(text)


class StatisticsPages(Controller):
    """``/statistics``."""

    path = "/statistics"
    include_in_schema = False

    @get("/", opt=access(*VIEWERS))
    async def statistics(self, actor: Principal, settings: Settings, year: str = "",
                         county_id: str = "", zone_id: str = "") -> Template:
        """The charts of the year (this year unless chosen) for the caller's scope."""
        from lianyan.org import services as org

        chosen = {"year": year, "county_id": county_id, "zone_id": zone_id}
        stats, error, status = None, None, 200
        try:
            stats = await services.statistics(
                actor, year=services.parse_year(year), county_id=_choice(county_id, "县（市、区）"),
                zone_id=_choice(zone_id, "责任区"), city_name=settings.city_name,
                limit=IDLE_ON_PAGE)
        except LianyanError as refused:
            error, status = refused.detail, refused.status
        counties = []
        if actor.is_city or actor.has(Role.COUNTY_OFFICER):
            counties = [c for c in await org.list_counties(actor) if actor.officer_of_county(c.id)]
        zone_county = stats.county_id if stats else None
        zones: list[Any] = []
        if zone_county is not None:
            zones, _ = await org.list_zones(actor, county_id=zone_county, limit=500, offset=0)
            if not (actor.is_city or actor.officer_of_county(zone_county)):
                zones = [z for z in zones if z.id in actor.zones(Role.ZONE_OFFICER)]
        charts = services.charts(stats) if stats else []
        first, last = services.year_range()
        return page(
            "statistics/statistics.html", actor, status_code=status, stats=stats, error=error,
            chosen=chosen, counties=counties, zones=zones, first_year=first, last_year=last,
            charts=[(c, services.chart_svg(c).split("\n", 1)[1]) for c in charts],
            rules=services.RULES, idle_key=services.IDLE_KEY,
            query=_query(stats) if stats else "",
        )


def _query(stats: Any) -> str:
    """The download links' query: the same year and scope as the page."""
    parts = [f"year={stats.year}"]
    if stats.zone_id is not None:
        parts.append(f"zone_id={stats.zone_id}")
    elif stats.county_id is not None:
        parts.append(f"county_id={stats.county_id}")
    return "&".join(parts)
