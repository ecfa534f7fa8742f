"""Roles, their scopes and their Chinese names (domain.md §1)."""

from __future__ import annotations

from enum import StrEnum


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
