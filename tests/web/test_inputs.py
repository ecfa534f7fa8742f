"""Input the database cannot hold is refused before it reaches it, the same on both engines.

Ids beyond an ``integer`` column, control characters in text, bodies that are not UTF-8 or
nest too deep: each is a clear 400 (or 404 for an id in the path), never a 500, and nothing
is stored.
"""

from __future__ import annotations

import msgspec
import pytest

from lianyan.org.tables import County
from lianyan.topics.schemas import TopicIn
from tests.builders import org as factories

TOO_BIG = 99_999_999_999


@pytest.fixture
async def city(client):
    await factories.user("city1", "city_admin")
    return await factories.bearer(client, "city1")


async def test_id_beyond_the_column_in_the_path_is_not_found(client, city):
    for path in (f"/api/v1/counties/{TOO_BIG}", f"/api/v1/topics/{TOO_BIG}",
                 f"/api/v1/counties/{-TOO_BIG}"):
        response = await client.get(path, headers=city)
        assert response.status_code == 404, path
        assert response.json()["code"] == "not_found"
    page = await client.get(f"/topics/{TOO_BIG}", headers=city)
    assert page.status_code == 404
    assert "没有找到" in page.text


async def test_id_beyond_the_column_in_the_query_is_a_bad_request(client, city):
    response = await client.get(f"/api/v1/kindergartens?county_id={TOO_BIG}", headers=city)
    assert response.status_code == 400
    problem = response.json()
    assert problem["code"] == "request.invalid"
    assert [f["field"] for f in problem["fields"]] == ["county_id"]
    assert "数值超出允许范围" in problem["detail"]


async def test_id_beyond_the_column_in_a_body_is_refused(client, city):
    response = await client.post("/api/v1/zones", headers=city,
                                 json={"county_id": TOO_BIG, "name": "第一责任区"})
    assert response.status_code == 400
    assert response.json()["code"] == "request.invalid"


async def test_nul_in_a_name_is_refused_and_nothing_is_stored(client, city):
    for name in ("灵宝\x00市", "灵宝\n市", "灵宝\x1b市", "灵宝\x85市"):
        response = await client.post("/api/v1/counties", headers=city,
                                     json={"code": "411282", "name": name, "kind": "county"})
        assert response.status_code == 400, repr(name)
        problem = response.json()
        assert problem["code"] == "request.invalid"
        assert problem["fields"][0]["field"] == "name"
        assert "控制字符" in problem["detail"]
    assert await County.count() == 0


async def test_control_character_in_a_query_is_a_bad_request(client, city):
    response = await client.get("/api/v1/people?q=%00", headers=city)
    assert response.status_code == 400
    assert response.json()["code"] == "request.invalid"
    assert "控制字符" in response.json()["detail"]


def test_long_text_keeps_tabs_and_line_breaks_but_not_nul():
    base = {"county_id": 1, "year": 2026, "title": "课题", "direction": "方向", "level": "county"}
    topic = msgspec.convert({**base, "abstract": "第一段\r\n\t第二段"}, TopicIn)
    assert topic.abstract == "第一段\r\n\t第二段"
    for bad in ({"abstract": "第一段\x00"}, {"title": "课\t题"}, {"keywords": ["游戏\x00"]}):
        with pytest.raises(msgspec.ValidationError, match="Control character"):
            msgspec.convert({**base, **bad}, TopicIn)


async def test_body_that_is_not_utf8_or_nests_too_deep_is_a_bad_request(client, city):
    headers = {**city, "content-type": "application/json"}
    not_utf8 = await client.post("/api/v1/counties", headers=headers,
                                 content=b'{"code": "411282", "name": "\xff\xfe", "kind": "county"}')
    deep = await client.post("/api/v1/counties", headers=headers,
                             content=b"[" * 100_000 + b"]" * 100_000)
    assert (not_utf8.status_code, not_utf8.json()["code"]) == (400, "request.invalid")
    assert "UTF-8" in not_utf8.json()["detail"]
    assert (deep.status_code, deep.json()["code"]) == (400, "request.invalid")
    assert "嵌套" in deep.json()["detail"]
    assert await County.count() == 0
