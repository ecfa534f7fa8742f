"""The OpenAPI schema is served with its own assets; health probes answer."""

from __future__ import annotations


async def test_schema_page_uses_assets_served_by_the_app(client):
    page = await client.get("/schema")
    assert page.status_code == 200
    assert "/schema/assets/swagger-ui-bundle.js" in page.text
    assert "cdn" not in page.text.lower()
    asset = await client.get("/schema/assets/swagger-ui-bundle.js")
    assert asset.status_code == 200
    assert len(asset.content) > 100_000


async def test_openapi_document_lists_the_contract_paths(client):
    document = (await client.get("/schema/openapi.json")).json()
    for path in ("/api/v1/auth/login", "/api/v1/me", "/api/v1/counties",
                 "/api/v1/counties/{county_id}/coverage", "/api/v1/kindergartens",
                 "/api/v1/imports/kindergartens"):
        assert path in document["paths"], path


async def test_health_ready_checks_database_and_store(client):
    live = await client.get("/health/live")
    ready = await client.get("/health/ready")
    assert live.json() == {"status": "ok"}
    assert ready.json() == {"status": "ok", "database": "ok", "object_store": "ok"}


async def test_demo_loads_once(clean_db):
    from lianyan import demo
    from lianyan.org.tables import County, Kindergarten

    assert await demo.load() is True
    counties, kindergartens = await County.count(), await Kindergarten.count()
    assert await demo.load() is False
    assert (await County.count(), await Kindergarten.count()) == (counties, kindergartens)
    names = {r["name"] for r in await County.select(County.name)}
    assert names == {"湖滨区", "陕州区", "渑池县", "卢氏县", "义马市", "灵宝市"}
    assert 140 <= kindergartens <= 160
    locales = {r["locale"] for r in await Kindergarten.select(Kindergarten.locale)}
    assert locales == {"urban", "town", "rural"}


async def test_openapi_documents_problem_answers_and_multipart_bodies(client):
    document = (await client.get("/schema/openapi.json")).json()
    problem = document["components"]["schemas"]["Problem"]
    assert {"code", "detail", "status"} <= set(problem["required"])
    login = document["paths"]["/api/v1/auth/login"]["post"]["responses"]
    for status in ("400", "401", "429"):
        assert "application/problem+json" in login[status]["content"], status
    versions = document["paths"]["/api/v1/designs/{design_id}/versions"]["post"]
    form = versions["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert form["properties"]["file"]["format"] == "binary"
    upload = document["paths"]["/api/v1/topics/{topic_id}/files"]["post"]
    assert "multipart/form-data" in upload["requestBody"]["content"]
