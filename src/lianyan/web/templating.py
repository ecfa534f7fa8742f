"""Jinja set-up shared by every page: Chinese labels, dates and the navigation."""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar.contrib.jinja import JinjaTemplateEngine

from lianyan import clock, labels
from lianyan.labels import human_size
from lianyan.principal import ROLE_NAMES, Role
from lianyan.web.forms import NO_FORM


def _label(value: Any, table: str) -> str:
    mapping = getattr(labels, table.upper())
    return mapping.get(value, value or "")


def _date(value: Any, fmt: str = "%Y-%m-%d") -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        return value.astimezone(clock.CITY_TZ).strftime(fmt if fmt != "%Y-%m-%d" else "%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.strftime(fmt)
    return str(value)


#: The navigation: (label, path, roles that see it; empty means everyone signed in).
NAVIGATION: list[tuple[str, str, tuple[str, ...]]] = [
    ("首页", "/", ()),
    ("县（市、区）", "/org/counties", (Role.CITY_ADMIN, Role.COUNTY_OFFICER, Role.ZONE_OFFICER)),
    ("幼儿园", "/org/kindergartens", (Role.CITY_ADMIN, Role.COUNTY_OFFICER, Role.ZONE_OFFICER,
                                    Role.DIRECTOR)),
    ("账号与人员", "/org/people",
     (Role.CITY_ADMIN, Role.COUNTY_OFFICER, Role.DIRECTOR, Role.ADMIN)),
    ("导入", "/org/import", (Role.CITY_ADMIN, Role.COUNTY_OFFICER, Role.ADMIN)),
    ("备案", "/filings/workspace", (Role.COUNTY_OFFICER, Role.ZONE_OFFICER)),
    ("备案审核", "/filings/inbox", (Role.CITY_ADMIN,)),
    ("教研计划", "/filings/plans", ()),
    ("合规看板", "/filings/compliance", (Role.CITY_ADMIN,)),
    ("评估表彰", "/evaluation", (Role.CITY_ADMIN, Role.EXPERT, Role.COUNTY_OFFICER)),
    ("同研异构", "/exchanges", (Role.CITY_ADMIN, Role.COUNTY_OFFICER, Role.ZONE_OFFICER,
                              Role.DIRECTOR, Role.TEACHER, Role.EXPERT)),
    ("教师进度", "/exchanges/progress", (Role.COUNTY_OFFICER, Role.ZONE_OFFICER, Role.DIRECTOR)),
    ("点评任务", "/reviews", (Role.EXPERT,)),
    ("资源库", "/library", ()),
    ("通知", "/notifications", ()),
    ("课题", "/topics", (Role.CITY_ADMIN, Role.COUNTY_OFFICER, Role.ZONE_OFFICER, Role.DIRECTOR,
                       Role.TEACHER, Role.EXPERT)),
    ("报表", "/reports", (Role.CITY_ADMIN, Role.COUNTY_OFFICER)),
]


def register_nav(label: str, path: str, roles: tuple[str, ...] = ()) -> None:
    """Add an entry to the navigation (domains call this from their pages module)."""
    if all(p != path for _, p, _ in NAVIGATION):
        NAVIGATION.append((label, path, roles))


def _nav(user: Any) -> list[tuple[str, str]]:
    if user is None:
        return []
    return [(label, path) for label, path, roles in NAVIGATION if not roles or user.has(*roles)]


def configure(engine: JinjaTemplateEngine) -> None:
    """Register filters and globals on the Jinja environment."""
    env = engine.engine
    env.filters["label"] = _label
    env.filters["date"] = _date
    env.filters["filesize"] = human_size
    env.filters["sentence"] = labels.sentence
    env.globals["role_names"] = ROLE_NAMES
    env.globals["nav_for"] = _nav
    env.globals["labels"] = labels
    # A refused form shown again overrides this with its values and messages.
    env.globals["posted"] = NO_FORM
