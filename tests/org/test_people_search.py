"""``GET /api/v1/people?q=``: one or more characters of a name, or four digits of a phone,
found through the gram index and kept right when people are renamed or removed."""

from __future__ import annotations

from lianyan.db import count_queries
from lianyan.org.tables import Person
from tests.builders import org as f


async def _names(client, headers, q: str) -> list[str]:
    response = await client.get("/api/v1/people", params={"q": q}, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["total"] == len(response.json()["items"])
    return sorted(p["name"] for p in response.json()["items"])


async def test_people_search_by_name_part_phone_digits_and_latin(client):
    # Arrange
    await f.user("city", "city_admin", name="市教育局")
    headers = await f.bearer(client, "city")
    await f.user("a", "teacher", name="王芳", phone="13800001111")
    await f.user("b", "teacher", name="王小芳", phone="13900002222")
    await f.user("c", "teacher", name="欧阳芳华")
    await f.user("d", "teacher", name="Li Ming")
    # Act / Assert
    assert await _names(client, headers, "王") == ["王小芳", "王芳"]
    assert await _names(client, headers, "芳") == ["欧阳芳华", "王小芳", "王芳"]
    assert await _names(client, headers, "王芳") == ["王芳"]
    assert await _names(client, headers, "欧阳芳") == ["欧阳芳华"]
    assert await _names(client, headers, "0000222") == ["王小芳"]
    assert await _names(client, headers, "13800001111") == ["王芳"]
    assert await _names(client, headers, "ming") == ["Li Ming"]
    assert await _names(client, headers, "张") == []
    assert await _names(client, headers, "%") == []


async def test_people_search_follows_renames_and_removals(client):
    # Arrange
    await f.user("city", "city_admin", name="市教育局")
    headers = await f.bearer(client, "city")
    person = await f.user("a", "teacher", name="王芳", phone="13800001111")
    other = await f.user("b", "teacher", name="李静")
    # Act
    await Person.update({Person.name: "赵芳", Person.phone: "13755550000"}).where(
        Person.id == person
    )
    await Person.delete().where(Person.id == other)
    # Assert
    assert await _names(client, headers, "王芳") == []
    assert await _names(client, headers, "赵芳") == ["赵芳"]
    assert await _names(client, headers, "1111") == []
    assert await _names(client, headers, "5555") == ["赵芳"]
    assert await _names(client, headers, "李") == []


async def test_people_search_runs_the_same_queries_for_1_and_30_matches(client):
    # Arrange
    await f.user("city", "city_admin", name="市教育局")
    headers = await f.bearer(client, "city")
    await f.user("p0", "teacher", name="张明0")
    await client.get("/api/v1/people", params={"q": "张明"}, headers=headers)
    with count_queries() as one:
        await client.get("/api/v1/people", params={"q": "张明"}, headers=headers)
    for i in range(1, 30):
        await Person.insert(Person(name=f"张明{i}", created_at=(await Person.select(
            Person.created_at).first())["created_at"]))
    await client.get("/api/v1/people", params={"q": "张明"}, headers=headers)
    # Act
    with count_queries() as thirty:
        names = await _names(client, headers, "张明")
    # Assert
    assert len(names) == 30
    assert one[0] == thirty[0]
