"""The organisation API: counties, zones, kindergartens, people, roles and coverage."""

from __future__ import annotations

from lianyan.audit.tables import AuditEntry
from lianyan.db import count_queries
from lianyan.org.tables import Kindergarten
from tests.builders import org as f


async def _city(client):
    await f.user("city", "city_admin")
    return await f.bearer(client, "city")


async def test_create_county_then_read_it_and_its_audit(client):
    headers = await _city(client)
    created = await client.post(
        "/api/v1/counties", headers=headers,
        json={"code": "411282", "name": "灵宝市", "kind": "county_city"},
    )
    assert created.status_code == 201
    county = created.json()
    assert county == {"id": county["id"], "code": "411282", "name": "灵宝市", "kind": "county_city",
                      "bureau": "", "doc_prefix": "", "seal": ""}
    audit = await client.get(
        f"/api/v1/audit?object_type=county&object_id={county['id']}", headers=headers
    )
    assert [e["action"] for e in audit.json()["items"]] == ["county.create"]
    assert audit.json()["items"][0]["detail"] == {"code": "411282"}


async def test_county_bureau_is_set_and_changed_and_a_control_character_is_refused(client):
    headers = await _city(client)
    created = (await client.post(
        "/api/v1/counties", headers=headers,
        json={"code": "411282", "name": "灵宝市", "kind": "county_city",
              "bureau": "灵宝市教育局", "doc_prefix": "灵教"},
    )).json()

    changed = await client.patch(f"/api/v1/counties/{created['id']}", headers=headers,
                                 json={"bureau": "灵宝市教育体育局", "doc_prefix": "灵教体",
                                       "seal": "灵宝市教育体育局"})
    refused = await client.patch(f"/api/v1/counties/{created['id']}", headers=headers,
                                 json={"bureau": "灵宝市\u0000教育局"})
    bracket = await client.patch(f"/api/v1/counties/{created['id']}", headers=headers,
                                 json={"doc_prefix": "灵教体〔2026〕"})
    read = (await client.get("/api/v1/counties", headers=headers)).json()["items"]

    assert changed.status_code == 200
    assert (refused.status_code, refused.json()["fields"][0]["field"]) == (400, "bureau")
    assert bracket.status_code == 400
    assert [(c["bureau"], c["doc_prefix"], c["seal"]) for c in read] == [
        ("灵宝市教育体育局", "灵教体", "灵宝市教育体育局")]


async def test_duplicate_county_code_is_409_and_writes_nothing(client):
    headers = await _city(client)
    body = {"code": "411282", "name": "灵宝市", "kind": "county_city"}
    await client.post("/api/v1/counties", headers=headers, json=body)
    again = await client.post("/api/v1/counties", headers=headers, json=body)
    assert again.status_code == 409
    assert again.json()["code"] == "county.code_taken"
    assert "411282" in again.json()["detail"]
    assert await AuditEntry.count() == 1


async def test_bad_enum_value_is_400_naming_the_field(client):
    headers = await _city(client)
    county_id = await f.county()
    response = await client.post(
        "/api/v1/kindergartens", headers=headers,
        json={"county_id": county_id, "name": "新园", "locale": "city", "ownership": "public"},
    )
    assert response.status_code == 400
    assert response.json()["fields"][0]["field"] == "locale"
    assert await Kindergarten.count() == 0


async def test_kindergarten_in_zone_of_other_county_is_refused(client):
    headers = await _city(client)
    a, b = await f.county("411282", "灵宝市"), await f.county("411224", "卢氏县", "county")
    zone_b = await f.zone(b)
    response = await client.post(
        "/api/v1/kindergartens", headers=headers,
        json={"county_id": a, "zone_id": zone_b, "name": "新园", "locale": "rural",
              "ownership": "public"},
    )
    assert response.status_code == 400
    assert response.json()["code"] == "kindergarten.zone"


async def test_coverage_lists_uncovered_kindergartens(client):
    headers = await _city(client)
    county_id = await f.county()
    zone_id = await f.zone(county_id)
    await f.kindergarten(county_id, zone_id=zone_id, name="城关幼儿园")
    await f.kindergarten(county_id, name="阳平乡幼儿园", locale="rural")
    response = await client.get(f"/api/v1/counties/{county_id}/coverage?year=2026",
                                headers=headers)
    body = response.json()
    assert (body["total"], body["covered"]) == (2, 1)
    assert [k["name"] for k in body["uncovered"]] == ["阳平乡幼儿园"]


async def test_zone_with_lead_kindergarten_covers_it(client):
    headers = await _city(client)
    county_id = await f.county()
    kg = await f.kindergarten(county_id, name="核心园")
    zone = await client.post("/api/v1/zones", headers=headers,
                             json={"county_id": county_id, "name": "第一责任区",
                                   "lead_kindergarten_id": kg})
    assert zone.status_code == 201
    coverage = (await client.get(f"/api/v1/counties/{county_id}/coverage",
                                 headers=headers)).json()
    assert coverage["covered"] == 1


async def test_person_takes_county_of_kindergarten_and_phone_is_unique(client):
    headers = await _city(client)
    county_id = await f.county()
    kg = await f.kindergarten(county_id, name="实验幼儿园")
    first = await client.post("/api/v1/people", headers=headers,
                              json={"name": "王芳", "phone": "13900000001", "kindergarten_id": kg})
    assert first.status_code == 201
    assert first.json()["county_id"] == county_id
    assert first.json()["unit"] == "实验幼儿园"
    again = await client.post("/api/v1/people", headers=headers,
                              json={"name": "王芳", "phone": "13900000001"})
    assert again.status_code == 409
    assert again.json()["code"] == "person.phone_taken"


async def test_grant_role_without_scope_is_refused_with_message(client):
    headers = await _city(client)
    person = await f.user("someone", None)
    response = await client.post(f"/api/v1/people/{person}/roles", headers=headers,
                                 json={"role": "county_officer"})
    assert response.status_code == 400
    assert response.json()["code"] == "role.scope"
    assert "县（市、区）" in response.json()["detail"]


async def test_granted_role_takes_effect_for_the_person(client):
    headers = await _city(client)
    county_id = await f.county()
    person = await f.user("newofficer", None)
    granted = await client.post(f"/api/v1/people/{person}/roles", headers=headers,
                                json={"role": "county_officer", "county_id": county_id})
    assert granted.status_code == 201
    me = await client.get("/api/v1/me", headers=await f.bearer(client, "newofficer"))
    assert me.json()["roles"] == [{"role": "county_officer", "county_id": county_id,
                                   "zone_id": None, "kindergarten_id": None}]


async def test_list_limit_over_200_is_refused(client):
    headers = await _city(client)
    response = await client.get("/api/v1/kindergartens?limit=201", headers=headers)
    assert response.status_code == 400
    assert response.json()["fields"][0]["field"] == "limit"


async def _list_queries(client, headers, path: str) -> int:
    with count_queries() as counter:
        response = await client.get(path, headers=headers)
    assert response.status_code == 200, response.text
    return counter[0]


async def test_lists_run_constant_queries_at_1_and_50_rows(client):
    # Arrange
    headers = await _city(client)
    county_id = await f.county()
    zone_id = await f.zone(county_id)
    await f.kindergarten(county_id, zone_id=zone_id, name="园0")
    await f.user("p0", "teacher", county_id=county_id)
    small = {p: await _list_queries(client, headers, p)
             for p in ("/api/v1/kindergartens", "/api/v1/people", "/api/v1/zones")}
    for i in range(1, 50):
        await f.kindergarten(county_id, zone_id=zone_id, name=f"园{i}")
        await f.zone(county_id, name=f"责任区{i}")
        await f.user(f"p{i}", "teacher", county_id=county_id)
    # Act
    large = {p: await _list_queries(client, headers, p)
             for p in ("/api/v1/kindergartens", "/api/v1/people", "/api/v1/zones")}
    page = await client.get("/api/v1/kindergartens?limit=50", headers=headers)
    # Assert
    assert len(page.json()["items"]) == 50
    # The same queries whatever the size; the count runs only once a page is full.
    assert all(large[p] - small[p] in (0, 1) for p in small), (small, large)
    assert all(1 <= n <= 6 for n in large.values()), large


async def test_officer_cannot_reach_another_county_through_a_mismatched_zone(client):
    # Arrange: an officer of county A, a kindergarten in A, a zone and a teacher in B
    a, b = await f.county("411282", "灵宝市"), await f.county("411224", "卢氏县", "county")
    kg_a = await f.kindergarten(a, zone_id=await f.zone(a), name="灵宝园")
    zone_b = await f.zone(b, "卢氏第一责任区")
    kg_b = await f.kindergarten(b, zone_id=zone_b, name="卢氏园")
    await f.user("teacher_b", "teacher", kindergarten_id=kg_b)
    await f.user("officer_a", "county_officer", county_id=a)
    helper = await f.user("helper_a", None, county_id=a)
    headers = await f.bearer(client, "officer_a")
    # Act
    response = await client.post(
        f"/api/v1/people/{helper}/roles", headers=headers,
        json={"role": "zone_officer", "kindergarten_id": kg_a, "zone_id": zone_b},
    )
    as_zone = await client.post(
        f"/api/v1/people/{helper}/roles", headers=headers,
        json={"role": "zone_officer", "zone_id": zone_b},
    )
    # Assert
    assert response.status_code == 400
    assert response.json()["code"] == "role.scope"
    assert as_zone.status_code in (403, 404)
    people = await client.get("/api/v1/people", headers=await f.bearer(client, "helper_a"))
    assert [p["name"] for p in people.json()["items"]] == ["helper_a"]


async def test_zone_officer_must_be_a_person_of_the_county(client):
    headers = await _city(client)
    a, b = await f.county("411282", "灵宝市"), await f.county("411224", "卢氏县", "county")
    outsider = await f.user("outsider", None, county_id=b)
    response = await client.post("/api/v1/zones", headers=headers,
                                 json={"county_id": a, "name": "第一责任区", "officer_id": outsider})
    assert response.status_code == 400
    assert response.json()["code"] == "zone.officer"
