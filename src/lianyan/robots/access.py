"""Who may register and see group robots (docs/robots.md).

The city: every robot. A county officer: the robots of their county and of its zones. A zone
leader (责任区教研员): their zone's. Everyone else: none (the routes refuse them).
"""

from __future__ import annotations

from typing import Any

from lianyan.principal import Principal, Role
from lianyan.robots.tables import Robot

#: Who opens the 群机器人 page and the API.
MANAGERS = (Role.CITY_ADMIN, Role.COUNTY_OFFICER, Role.ZONE_OFFICER)


def may_manage(actor: Principal, county_id: int, zone_id: int | None) -> bool:
    """Whether the caller may add or remove a robot of this county (and zone)."""
    if actor.is_city or county_id in actor.counties(Role.COUNTY_OFFICER):
        return True
    return zone_id is not None and zone_id in actor.zones(Role.ZONE_OFFICER)


def scope(actor: Principal) -> Any:
    """The robots the caller sees, as a condition (None: every robot)."""
    if actor.is_city:
        return None
    counties = sorted(actor.counties(Role.COUNTY_OFFICER))
    zones = sorted(actor.zones(Role.ZONE_OFFICER))
    return Robot.county.is_in(counties or [0]) | Robot.zone.is_in(zones or [0])
