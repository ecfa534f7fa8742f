"""Every route declares an access rule; the organisation routes answer each role as designed.

Allowed → 2xx, forbidden → 403 (the role or scope does not allow it), not visible → 404 (the
object lies outside what the caller may see).
"""

from __future__ import annotations

import pytest
from litestar import get

from lianyan.web import app as app_module
from lianyan.web.access import routes_without_rule
from tests.builders import org as f


def test_every_route_declares_an_access_rule(app):
    # Arrange / Act
    missing = routes_without_rule(app)
    # Assert
    assert missing == []
    assert len(app.routes) > 20


def test_app_refuses_to_start_with_a_route_without_rule(settings, monkeypatch):
    @get("/api/v1/forgotten")
    async def forgotten() -> str:
        return "oops"

    original = app_module.route_handlers
    monkeypatch.setattr(app_module, "route_handlers", lambda: [*original(), forgotten])
    with pytest.raises(RuntimeError, match="/api/v1/forgotten"):
        app_module.create_app(settings)


ROLES = ["city", "admin", "officer_a", "zone_a", "director_a", "teacher_a", "expert_a"]


@pytest.fixture
async def world(client):
    """Two counties A and B, each with a zone, a kindergarten and staff; users for each role."""
    a = await f.county("411282", "灵宝市", "county_city")
    b = await f.county("411224", "卢氏县", "county")
    za, zb = await f.zone(a, "灵宝第一责任区"), await f.zone(b, "卢氏第一责任区")
    ka = await f.kindergarten(a, zone_id=za, name="灵宝实验幼儿园")
    kb = await f.kindergarten(b, zone_id=zb, name="卢氏城关幼儿园", locale="rural")
    ids = {"a": a, "b": b, "za": za, "zb": zb, "ka": ka, "kb": kb}
    ids["person_city"] = await f.user("city", "city_admin")
    ids["person_admin"] = await f.user("admin", "admin")
    ids["person_officer_a"] = await f.user("officer_a", "county_officer", county_id=a)
    ids["person_zone_a"] = await f.user("zone_a", "zone_officer", zone_id=za)
    ids["person_director_a"] = await f.user("director_a", "director", kindergarten_id=ka)
    ids["person_teacher_a"] = await f.user("teacher_a", "teacher", kindergarten_id=ka)
    ids["person_teacher_a2"] = await f.user("teacher_a2", "teacher", kindergarten_id=ka)
    ids["person_expert_a"] = await f.user("expert_a", "expert", county_id=a)
    ids["person_teacher_b"] = await f.user("teacher_b", "teacher", kindergarten_id=kb)
    ids["person_new_a"] = await f.person("新教师甲", "teacher", kindergarten_id=ka)
    ids["person_new_b"] = await f.person("新教师乙", "teacher", kindergarten_id=kb)
    headers = {role: await f.bearer(client, role) for role in ROLES}
    return ids, headers


def _expect(table: str) -> dict[str, int]:
    """Parse 'city=200 admin=403 …' into a mapping covering every role."""
    result = dict(item.split("=") for item in table.split())
    assert set(result) == set(ROLES), f"matrix row must name every role: {table}"
    return {k: int(v) for k, v in result.items()}


# (method, path template, body, expected statuses per role)
MATRIX = [
    ("GET", "/api/v1/counties", None,
     "city=200 admin=200 officer_a=200 zone_a=200 director_a=200 teacher_a=200 expert_a=200"),
    ("POST", "/api/v1/counties", {"code": "411203", "name": "陕州区", "kind": "district"},
     "city=201 admin=403 officer_a=403 zone_a=403 director_a=403 teacher_a=403 expert_a=403"),
    ("PATCH", "/api/v1/counties/{a}", {"name": "灵宝市"},
     "city=200 admin=403 officer_a=403 zone_a=403 director_a=403 teacher_a=403 expert_a=403"),
    ("GET", "/api/v1/counties/{a}/coverage", None,
     "city=200 admin=403 officer_a=200 zone_a=200 director_a=403 teacher_a=403 expert_a=403"),
    ("GET", "/api/v1/counties/{b}/coverage", None,
     "city=200 admin=403 officer_a=403 zone_a=403 director_a=403 teacher_a=403 expert_a=403"),
    ("GET", "/api/v1/zones/{za}", None,
     "city=200 admin=200 officer_a=200 zone_a=200 director_a=200 teacher_a=200 expert_a=200"),
    ("GET", "/api/v1/zones/{zb}", None,
     "city=200 admin=200 officer_a=404 zone_a=404 director_a=404 teacher_a=404 expert_a=404"),
    ("POST", "/api/v1/zones", {"county_id": "{a}", "name": "灵宝第二责任区"},
     "city=201 admin=403 officer_a=201 zone_a=403 director_a=403 teacher_a=403 expert_a=403"),
    ("POST", "/api/v1/zones", {"county_id": "{b}", "name": "卢氏第二责任区"},
     "city=201 admin=403 officer_a=403 zone_a=403 director_a=403 teacher_a=403 expert_a=403"),
    ("PATCH", "/api/v1/zones/{za}", {"name": "灵宝第一责任区"},
     "city=200 admin=403 officer_a=200 zone_a=403 director_a=403 teacher_a=403 expert_a=403"),
    ("PATCH", "/api/v1/zones/{zb}", {"name": "卢氏第一责任区"},
     "city=200 admin=403 officer_a=404 zone_a=403 director_a=403 teacher_a=403 expert_a=403"),
    ("GET", "/api/v1/kindergartens/{ka}", None,
     "city=200 admin=200 officer_a=200 zone_a=200 director_a=200 teacher_a=200 expert_a=200"),
    ("GET", "/api/v1/kindergartens/{kb}", None,
     "city=200 admin=200 officer_a=200 zone_a=200 director_a=404 teacher_a=404 expert_a=404"),
    ("POST", "/api/v1/kindergartens",
     {"county_id": "{a}", "name": "灵宝新园", "locale": "town", "ownership": "public"},
     "city=201 admin=403 officer_a=201 zone_a=403 director_a=403 teacher_a=403 expert_a=403"),
    ("POST", "/api/v1/kindergartens",
     {"county_id": "{b}", "name": "卢氏新园", "locale": "rural", "ownership": "public"},
     "city=201 admin=403 officer_a=403 zone_a=403 director_a=403 teacher_a=403 expert_a=403"),
    ("PATCH", "/api/v1/kindergartens/{ka}", {"level": "grade2"},
     "city=200 admin=403 officer_a=200 zone_a=403 director_a=403 teacher_a=403 expert_a=403"),
    ("PATCH", "/api/v1/kindergartens/{kb}", {"level": "grade2"},
     "city=200 admin=403 officer_a=403 zone_a=403 director_a=403 teacher_a=403 expert_a=403"),
    ("GET", "/api/v1/people/{person_teacher_a}", None,
     "city=200 admin=200 officer_a=200 zone_a=200 director_a=200 teacher_a=200 expert_a=404"),
    ("GET", "/api/v1/people/{person_teacher_a2}", None,
     "city=200 admin=200 officer_a=200 zone_a=200 director_a=200 teacher_a=404 expert_a=404"),
    ("GET", "/api/v1/people/{person_teacher_b}", None,
     "city=200 admin=200 officer_a=404 zone_a=404 director_a=404 teacher_a=404 expert_a=404"),
    ("POST", "/api/v1/people", {"name": "新教师", "kindergarten_id": "{ka}"},
     "city=201 admin=201 officer_a=201 zone_a=403 director_a=201 teacher_a=403 expert_a=403"),
    ("POST", "/api/v1/people", {"name": "外县教师", "kindergarten_id": "{kb}"},
     "city=201 admin=201 officer_a=403 zone_a=403 director_a=403 teacher_a=403 expert_a=403"),
    ("PATCH", "/api/v1/people/{person_teacher_a2}", {"job_title": "教研组长"},
     "city=200 admin=200 officer_a=200 zone_a=403 director_a=200 teacher_a=403 expert_a=403"),
    ("PATCH", "/api/v1/people/{person_teacher_b}", {"job_title": "教研组长"},
     "city=200 admin=200 officer_a=404 zone_a=403 director_a=404 teacher_a=403 expert_a=403"),
    ("GET", "/api/v1/people/{person_teacher_a2}/roles", None,
     "city=200 admin=200 officer_a=200 zone_a=200 director_a=200 teacher_a=404 expert_a=404"),
    ("POST", "/api/v1/people/{person_teacher_a2}/roles", {"role": "director", "kindergarten_id": "{ka}"},
     "city=201 admin=201 officer_a=201 zone_a=403 director_a=403 teacher_a=403 expert_a=403"),
    ("POST", "/api/v1/people/{person_teacher_b}/roles", {"role": "director", "kindergarten_id": "{kb}"},
     "city=201 admin=201 officer_a=404 zone_a=403 director_a=404 teacher_a=403 expert_a=403"),
    ("GET", "/api/v1/imports/kindergartens/template", None,
     "city=200 admin=200 officer_a=200 zone_a=403 director_a=403 teacher_a=403 expert_a=403"),
    ("GET", "/api/v1/audit", None,
     "city=200 admin=200 officer_a=403 zone_a=403 director_a=403 teacher_a=403 expert_a=403"),
    ("POST", "/api/v1/people/{person_new_a}/account", {},
     "city=201 admin=201 officer_a=201 zone_a=403 director_a=201 teacher_a=403 expert_a=403"),
    ("POST", "/api/v1/people/{person_new_b}/account", {},
     "city=201 admin=201 officer_a=404 zone_a=403 director_a=404 teacher_a=403 expert_a=403"),
    ("PATCH", "/api/v1/people/{person_teacher_a2}/account", {"reset_password": True},
     "city=200 admin=200 officer_a=200 zone_a=403 director_a=200 teacher_a=403 expert_a=403"),
    ("PATCH", "/api/v1/people/{person_expert_a}/account", {"active": False},
     "city=200 admin=200 officer_a=200 zone_a=403 director_a=404 teacher_a=403 expert_a=403"),
    ("PATCH", "/api/v1/people/{person_officer_a}/account", {"active": False},
     "city=200 admin=200 officer_a=409 zone_a=403 director_a=404 teacher_a=403 expert_a=403"),
]


def _fill(value, ids):
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return ids[value[1:-1]]
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    return value


@pytest.mark.parametrize("role", ROLES)
async def test_organisation_routes_answer_each_role(client, world, role):
    # Arrange
    ids, headers = world
    failures = []
    # Act
    for method, template, body, table in MATRIX:
        path = template.format(**ids)
        expected = _expect(table)[role]
        response = await client.request(
            method, path, json=_fill(body, ids) if body is not None else None,
            headers=headers[role],
        )
        if response.status_code != expected:
            failures.append(f"{method} {template}: {response.status_code} != {expected} "
                            f"({response.text[:120]})")
    # Assert
    assert failures == []


async def test_anonymous_caller_gets_401_on_every_api_route_but_login_and_health(client, app):
    anonymous_ok = {"/api/v1/auth/login"}
    for route in app.routes:
        if not route.path.startswith("/api/v1") or route.path in anonymous_ok:
            continue
        for method in sorted(getattr(route, "methods", set()) - {"OPTIONS", "HEAD"}):
            path = route.path.replace("{", "").replace("}", "")
            path = "/".join("1" if ":int" in part else part for part in path.split("/"))
            response = await client.request(method, path)
            assert response.status_code in (401, 404, 405), (method, route.path)
            if response.status_code != 404:
                assert response.status_code == 401, (method, route.path)
