"""JSON API of the statistics: the figures, each chart as SVG, each chart's table as xlsx."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Response, get
from litestar.params import Parameter

from lianyan.files.store import content_disposition
from lianyan.principal import Principal
from lianyan.settings import Settings
from lianyan.statistics import services
from lianyan.statistics.access import VIEWERS
from lianyan.statistics.schemas import StatisticsOut
from lianyan.web.access import access

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SVG = "image/svg+xml"

Year = Annotated[int | None, Parameter(description="年度，默认今年；超出范围为 400 statistics.year_out_of_range")]


class StatisticsController(Controller):
    """``/api/v1/statistics``."""

    path = "/api/v1/statistics"
    tags = ["statistics"]

    @get("/", opt=access(*VIEWERS))
    async def statistics(
        self, actor: Principal, settings: Settings, year: Year = None,
        county_id: int | None = None, zone_id: int | None = None,
        limit: Annotated[int, Parameter(ge=0, le=1000)] = 100,
        offset: Annotated[int, Parameter(ge=0)] = 0,
    ) -> StatisticsOut:
        """The year's figures of the caller's scope by county and by month, and the
        kindergartens (乡村 first) that took part in no exchange (``limit``/``offset`` page them)."""
        return await services.statistics(actor, year=year, county_id=county_id, zone_id=zone_id,
                                         city_name=settings.city_name, limit=limit, offset=offset)

    @get("/charts/{chart:str}/svg", opt=access(*VIEWERS),
         response_description="the chart as an SVG document, with a Chinese file name")
    async def chart_svg(
        self, actor: Principal, settings: Settings, chart: str, year: Year = None,
        county_id: int | None = None, zone_id: int | None = None,
    ) -> Response[str]:
        """One chart of the statistics page as ``image/svg+xml``."""
        filename, svg = await services.download_svg(actor, chart, year=year, county_id=county_id,
                                                    zone_id=zone_id, city_name=settings.city_name)
        return Response(svg, media_type=f"{SVG}; charset=utf-8",
                        headers={"Content-Disposition": content_disposition(filename)})

    @get("/charts/{chart:str}/xlsx", opt=access(*VIEWERS),
         response_description="the chart's table as an xlsx, with a Chinese file name")
    async def chart_xlsx(
        self, actor: Principal, settings: Settings, chart: str, year: Year = None,
        county_id: int | None = None, zone_id: int | None = None,
    ) -> Response[bytes]:
        """One chart's table (or ``not-participating``: every kindergarten without an
        exchange this year) as an xlsx."""
        filename, data = await services.download_xlsx(actor, chart, year=year,
                                                      county_id=county_id, zone_id=zone_id,
                                                      city_name=settings.city_name)
        return Response(data, media_type=XLSX,
                        headers={"Content-Disposition": content_disposition(filename)})
