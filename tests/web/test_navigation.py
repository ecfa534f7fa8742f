"""The navigation is built from the routes' own access rules (``web/templating.NAVIGATION``)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from lianyan.principal import Grant, Principal, Role
from lianyan.web import templating
from lianyan.web.access import SIGNED_IN, access


def _caller(*roles: Role) -> Principal:
    return Principal(account_id=1, person_id=1, username="u", name="用户",
                     grants=tuple(Grant(role=r, county_id=1) for r in roles))


def _app(rules: dict[str, Any]) -> Any:
    """Just enough of an app for ``learn_pages``: one GET handler per path."""
    return SimpleNamespace(routes=[
        SimpleNamespace(path=path, route_handlers=[
            SimpleNamespace(http_methods={"GET"}, opt=rule)
        ])
        for path, rule in rules.items()
    ])


@pytest.fixture
def pages(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Every navigation page open to everyone signed in, as a starting point."""
    monkeypatch.setattr(templating, "_PAGE_RULES", {})
    return {entry.path: access(SIGNED_IN) for entry in templating.NAVIGATION}


def test_an_entry_shows_exactly_when_its_route_lets_the_caller_in(pages):
    # Arrange: the reports page is opened to teachers only
    pages["/reports"] = access(Role.TEACHER)
    templating.learn_pages(_app(pages))
    # Act
    teacher = dict(templating._nav(_caller(Role.TEACHER)))
    city = dict(templating._nav(_caller(Role.CITY_ADMIN)))
    # Assert
    assert "报表" in teacher
    assert "报表" not in city
    assert "首页" in city


def test_a_narrower_entry_shows_only_to_its_roles(pages):
    templating.learn_pages(_app(pages))
    admin = dict(templating._nav(_caller(Role.ADMIN)))
    teacher = dict(templating._nav(_caller(Role.TEACHER)))
    assert "课题" not in admin
    assert "课题" in teacher


def test_an_entry_offering_roles_its_route_refuses_stops_the_start(pages):
    pages["/exchanges/progress"] = access(Role.DIRECTOR)
    with pytest.raises(RuntimeError, match="/exchanges/progress"):
        templating.learn_pages(_app(pages))


def test_an_entry_without_a_page_stops_the_start(pages):
    del pages["/library"]
    with pytest.raises(RuntimeError, match="/library"):
        templating.learn_pages(_app(pages))
