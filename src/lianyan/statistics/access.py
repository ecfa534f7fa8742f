"""Who sees which statistics: the route's roles and the caller's scope as counties and zones.

The city sees every county and may narrow to one county or one zone; a county officer sees
their county (and may narrow to one of its zones); a zone officer sees their zone. Asking for a
county or zone outside that is refused (403 ``statistics.out_of_scope``), never widened.
"""

from __future__ import annotations

from dataclasses import dataclass

from lianyan.errors import Forbidden, InvalidInput, NotFound
from lianyan.org.tables import County, Zone
from lianyan.principal import Principal, Role

#: Who opens the statistics (each within their scope).
VIEWERS = (Role.CITY_ADMIN, Role.COUNTY_OFFICER, Role.ZONE_OFFICER)


@dataclass(frozen=True, slots=True)
class Scope:
    """What the figures cover: ``None`` lists mean no narrowing on that level."""

    #: Chinese name of the whole (三门峡市, 灵宝市, 灵宝市第一责任区).
    name: str
    county_ids: list[int] | None
    zone_ids: list[int] | None
    county_id: int | None = None
    zone_id: int | None = None


OUT_OF_SCOPE = "只能查看本人负责范围内的统计。"


async def resolve(actor: Principal, *, city_name: str, county_id: int | None,
                  zone_id: int | None) -> Scope:
    """The scope of the caller's request, or a refusal with a stable code.

    Raises ``Forbidden`` (``statistics.out_of_scope``) for a county or zone not the caller's,
    ``NotFound`` for one that does not exist (the city only: others are refused first), and
    ``InvalidInput`` (``statistics.zone_not_in_county``) for a zone of another county.
    """
    zone = None
    if zone_id is not None:
        zone = await Zone.select(Zone.id, Zone.name, Zone.county,
                                 Zone.county.name.as_alias("county_name")).where(
            Zone.id == zone_id).first()
    county = None
    if county_id is not None:
        county = await County.select(County.id, County.name).where(County.id == county_id).first()

    own_counties = actor.counties(Role.COUNTY_OFFICER)
    own_zones = actor.zones(Role.ZONE_OFFICER)
    if not actor.is_city:
        if county_id is not None and county_id not in own_counties and not (
                zone is None and any(_zone_county(actor, z) == county_id for z in own_zones)):
            raise Forbidden("statistics.out_of_scope", OUT_OF_SCOPE)
        if zone_id is not None and zone_id not in own_zones and (
                zone is None or zone["county"] not in own_counties):
            raise Forbidden("statistics.out_of_scope", OUT_OF_SCOPE)
    if county_id is not None and county is None:
        raise NotFound("county.not_found", "没有找到该县（市、区）。")
    if zone_id is not None and zone is None:
        raise NotFound("zone.not_found", "没有找到该教研责任区。")
    if zone is not None and county_id is not None and zone["county"] != county_id:
        raise InvalidInput("statistics.zone_not_in_county", "所选责任区不属于所选县（市、区）。")

    if zone is not None:
        return Scope(name=f"{zone['county_name']}{zone['name']}", county_ids=[zone["county"]],
                     zone_ids=[zone["id"]], county_id=zone["county"], zone_id=zone["id"])
    if county is not None:
        ids = [county["id"]]
        if actor.is_city or county["id"] in own_counties:
            return Scope(name=county["name"], county_ids=ids, zone_ids=None,
                         county_id=county["id"])
        return await _zones_scope(actor, sorted(z for z in own_zones
                                                if _zone_county(actor, z) == county["id"]))
    if actor.is_city:
        return Scope(name=city_name, county_ids=None, zone_ids=None)
    if own_counties:
        ids = sorted(own_counties)
        names = await County.select(County.name).where(County.id.is_in(ids)).order_by(County.code)
        return Scope(name="、".join(r["name"] for r in names), county_ids=ids, zone_ids=None,
                     county_id=ids[0] if len(ids) == 1 else None)
    return await _zones_scope(actor, sorted(own_zones))


def _zone_county(actor: Principal, zone_id: int) -> int | None:
    return next((g.county_id for g in actor.grants
                 if g.role == Role.ZONE_OFFICER and g.zone_id == zone_id), None)


async def _zones_scope(actor: Principal, zone_ids: list[int]) -> Scope:
    rows = await Zone.select(Zone.id, Zone.name, Zone.county,
                             Zone.county.name.as_alias("county_name")).where(
        Zone.id.is_in(zone_ids or [0])).order_by(Zone.id)
    if not rows:
        raise Forbidden("statistics.out_of_scope", OUT_OF_SCOPE)
    return Scope(name="、".join(f"{r['county_name']}{r['name']}" for r in rows),
                 county_ids=sorted({r["county"] for r in rows}), zone_ids=[r["id"] for r in rows],
                 county_id=rows[0]["county"] if len(rows) == 1 else None,
                 zone_id=rows[0]["id"] if len(rows) == 1 else None)
