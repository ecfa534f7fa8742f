"""The caller and the roles, below every domain: who they are and what they may touch.

Every domain takes the caller as ``actor: Principal`` and checks ``Role`` codes; this module
imports nothing of Lianyan, so any domain (auth, org, audit, files, …) may import it.
Roles, their scopes and Chinese names follow domain.md §1.
"""

from __future__ import annotations

from enum import StrEnum

import msgspec


class Role(StrEnum):
    """A role code as it travels in the API."""

    CITY_ADMIN = "city_admin"
    COUNTY_OFFICER = "county_officer"
    ZONE_OFFICER = "zone_officer"
    DIRECTOR = "director"
    TEACHER = "teacher"
    EXPERT = "expert"
    ADMIN = "admin"


ROLE_NAMES: dict[str, str] = {
    Role.CITY_ADMIN: "市教育局学前教育科",
    Role.COUNTY_OFFICER: "县区教研负责人",
    Role.ZONE_OFFICER: "责任区教研员",
    Role.DIRECTOR: "园长",
    Role.TEACHER: "教师",
    Role.EXPERT: "专家",
    Role.ADMIN: "系统管理员",
}

#: Which scope each role is held in; an expert's optional scope records where they work.
ROLE_SCOPE: dict[str, str] = {
    Role.CITY_ADMIN: "city",
    Role.COUNTY_OFFICER: "county",
    Role.ZONE_OFFICER: "zone",
    Role.DIRECTOR: "kindergarten",
    Role.TEACHER: "kindergarten",
    Role.EXPERT: "any",
    Role.ADMIN: "city",
}

OFFICERS = (Role.CITY_ADMIN, Role.COUNTY_OFFICER, Role.ZONE_OFFICER)

class Grant(msgspec.Struct, frozen=True):
    """One role held within a scope; lower scopes also carry their county."""

    role: str
    county_id: int | None = None
    zone_id: int | None = None
    kindergarten_id: int | None = None


class Principal(msgspec.Struct, frozen=True):
    """An authenticated caller, passed to every service that checks scope."""

    account_id: int
    person_id: int
    username: str
    name: str
    grants: tuple[Grant, ...]
    #: The county the person works in (for experts: conflict of interest), if any.
    home_county_id: int | None = None
    #: Signed in with a one-time password: nothing but changing it is allowed.
    must_change_password: bool = False
    #: The account's credentials version when this caller was resolved (see ``Account``).
    credentials_version: int = 0

    def has(self, *roles: str) -> bool:
        """True when the caller holds any of ``roles``."""
        return any(g.role in roles for g in self.grants)

    @property
    def is_city(self) -> bool:
        """City-wide officer (市教育局学前教育科)."""
        return self.has(Role.CITY_ADMIN)

    def counties(self, *roles: str) -> frozenset[int]:
        """Counties in which the caller holds one of ``roles``."""
        return frozenset(
            g.county_id for g in self.grants if g.role in roles and g.county_id is not None
        )

    def zones(self, *roles: str) -> frozenset[int]:
        """Zones in which the caller holds one of ``roles``."""
        return frozenset(g.zone_id for g in self.grants if g.role in roles and g.zone_id)

    def kindergartens(self, *roles: str) -> frozenset[int]:
        """Kindergartens in which the caller holds one of ``roles``."""
        return frozenset(
            g.kindergarten_id for g in self.grants if g.role in roles and g.kindergarten_id
        )

    def officer_of_county(self, county_id: int) -> bool:
        """City officer, or county officer of ``county_id``."""
        return self.is_city or county_id in self.counties(Role.COUNTY_OFFICER)

    @property
    def member_counties(self) -> frozenset[int]:
        """Every county the caller holds any scoped role in."""
        return frozenset(g.county_id for g in self.grants if g.county_id is not None)
