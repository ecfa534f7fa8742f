"""Jinja set-up shared by every page: Chinese labels, dates and the navigation."""

from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple

from litestar.contrib.jinja import JinjaTemplateEngine

from lianyan import clock, labels
from lianyan.labels import human_size
from lianyan.principal import ROLE_NAMES, Role
from lianyan.web.access import allows, page_rules
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


class NavEntry(NamedTuple):
    """One link of the navigation; it shows when the caller passes its page's access rule."""

    label: str
    path: str
    #: Where the menu offers the page to fewer roles than its route lets in (a page a role may
    #: open from a link, but that is not theirs to work in): those roles only. Must lie within
    #: the route's rule (checked at start-up).
    only: tuple[str, ...] | None = None


_EVERY_ROLE_BUT_ADMIN = (Role.CITY_ADMIN, Role.COUNTY_OFFICER, Role.ZONE_OFFICER, Role.DIRECTOR,
                         Role.TEACHER, Role.EXPERT)

#: The navigation, in order. Who sees an entry is the ``opt=access(...)`` of its page's route.
NAVIGATION: list[NavEntry] = [
    NavEntry("首页", "/"),
    NavEntry("县（市、区）", "/org/counties"),
    NavEntry("幼儿园", "/org/kindergartens"),
    NavEntry("账号与人员", "/org/people"),
    NavEntry("导入", "/org/import"),
    # The city opens a county's workspace from 备案审核; its own entry is the inbox.
    NavEntry("备案", "/filings/workspace", only=(Role.COUNTY_OFFICER, Role.ZONE_OFFICER)),
    NavEntry("备案审核", "/filings/inbox"),
    NavEntry("教研计划", "/filings/plans"),
    NavEntry("合规看板", "/filings/compliance"),
    NavEntry("评估表彰", "/evaluation",
             only=(Role.CITY_ADMIN, Role.EXPERT, Role.COUNTY_OFFICER)),
    NavEntry("同研异构", "/exchanges", only=_EVERY_ROLE_BUT_ADMIN),
    NavEntry("教师进度", "/exchanges/progress",
             only=(Role.COUNTY_OFFICER, Role.ZONE_OFFICER, Role.DIRECTOR)),
    NavEntry("点评任务", "/reviews"),
    NavEntry("资源库", "/library"),
    NavEntry("通知", "/notifications"),
    NavEntry("课题", "/topics", only=_EVERY_ROLE_BUT_ADMIN),
    NavEntry("报表", "/reports"),
    NavEntry("群机器人", "/robots"),
]

#: path → access rule of each navigation entry's page, learnt from the app (``learn_pages``).
_PAGE_RULES: dict[str, Any] = {}


def register_nav(label: str, path: str, only: tuple[str, ...] | None = None) -> None:
    """Add an entry to the navigation (domains call this from their pages module)."""
    if all(e.path != path for e in NAVIGATION):
        NAVIGATION.append(NavEntry(label, path, only))


def learn_pages(app: Any) -> None:
    """Read each entry's access rule from the app's routes; refuse an entry the routes contradict."""
    rules = page_rules(app)
    for entry in NAVIGATION:
        if entry.path not in rules:
            raise RuntimeError(f"navigation entry {entry.path} has no page")
        rule = rules[entry.path]
        if entry.only is not None and isinstance(rule, frozenset) and not rule >= set(entry.only):
            raise RuntimeError(f"navigation entry {entry.path} offers roles its route refuses")
        _PAGE_RULES[entry.path] = rule


def _nav(user: Any) -> list[tuple[str, str]]:
    if user is None:
        return []
    return [
        (e.label, e.path) for e in NAVIGATION
        if allows(_PAGE_RULES.get(e.path), user) and (e.only is None or user.has(*e.only))
    ]


def configure(engine: JinjaTemplateEngine) -> None:
    """Register filters and globals on the Jinja environment."""
    env = engine.engine
    env.filters["label"] = _label
    env.filters["date"] = _date
    env.filters["filesize"] = human_size
    env.filters["sentence"] = labels.sentence
    env.filters["moment"] = labels.moment
    env.globals["role_names"] = ROLE_NAMES
    env.globals["nav_for"] = _nav
    env.globals["labels"] = labels
    # A refused form shown again overrides this with its values and messages.
    env.globals["posted"] = NO_FORM
