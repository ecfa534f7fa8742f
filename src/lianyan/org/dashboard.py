"""Figures of the organisation for the home dashboards."""

from __future__ import annotations

import msgspec
from piccolo.query.functions.aggregate import Count

from lianyan.org.tables import County, Kindergarten, Person, Zone
from lianyan.principal import Principal, Role
from lianyan.schemas import Output


class CountyCoverageRow(Output, kw_only=True):
    """Coverage of one county for the dashboards."""

    county_id: int
    county_name: str
    zones: int
    kindergartens: int
    covered: int

    @property
    def percent(self) -> int:
        """Covered share, rounded down (100 only when complete)."""
        return 100 if self.kindergartens == 0 else self.covered * 100 // self.kindergartens


async def coverage_by_county(county_ids: list[int] | None) -> list[CountyCoverageRow]:
    """Zones, kindergartens and covered kindergartens per county, in three queries.

    The counting is done by the database (``GROUP BY``), limited to ``county_ids`` when
    given: a county officer's page never reads the rest of the province.
    """
    counties = County.select(County.id, County.name).order_by(County.code)
    zones = Zone.select(Zone.county, Count(Zone.id, alias="count")).group_by(Zone.county)
    kindergartens = Kindergarten.select(
        Kindergarten.county,
        Count(Kindergarten.id, alias="total"),
        Count(Kindergarten.zone, alias="covered"),
    ).group_by(Kindergarten.county)
    if county_ids is not None:
        wanted = county_ids or [0]
        counties = counties.where(County.id.is_in(wanted))
        zones = zones.where(Zone.county.is_in(wanted))
        kindergartens = kindergartens.where(Kindergarten.county.is_in(wanted))
    rows = await counties
    zone_counts = {r["county"]: r["count"] for r in await zones}
    totals = {r["county"]: (r["total"], r["covered"]) for r in await kindergartens}
    return [
        CountyCoverageRow(
            county_id=r["id"],
            county_name=r["name"],
            zones=zone_counts.get(r["id"], 0),
            kindergartens=totals.get(r["id"], (0, 0))[0],
            covered=totals.get(r["id"], (0, 0))[1],
        )
        for r in rows
    ]


class OrgFigures(msgspec.Struct):
    """What the dashboard shows of the organisation."""

    coverage: list[CountyCoverageRow]
    kindergarten_name: str | None = None
    colleagues: int = 0


async def figures(actor: Principal) -> OrgFigures:
    """Figures in the caller's scope."""
    if actor.is_city:
        coverage = await coverage_by_county(None)
    elif actor.has(Role.COUNTY_OFFICER, Role.ZONE_OFFICER):
        coverage = await coverage_by_county(
            list(actor.counties(Role.COUNTY_OFFICER, Role.ZONE_OFFICER))
        )
    else:
        coverage = []
    kg_ids = actor.kindergartens(Role.DIRECTOR, Role.TEACHER)
    name = None
    colleagues = 0
    if kg_ids:
        kg = await Kindergarten.select(Kindergarten.name).where(
            Kindergarten.id == min(kg_ids)
        ).first()
        name = kg["name"] if kg else None
        colleagues = await Person.count().where(Person.kindergarten == min(kg_ids))
    return OrgFigures(coverage=coverage, kindergarten_name=name, colleagues=colleagues)
