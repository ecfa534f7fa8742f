"""Builders for filing tests: a county with zones and an officer, a complete filing, topics."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from lianyan import clock
from tests.builders import org as f
from tests.builders import topics
from tests.builders.files import plan_docx

YEAR = 2026
ROSTER = {
    "members": [
        {"position": "leader", "name": "王建国", "unit": "灵宝市教育局", "title": "副局长",
         "phone": "13800000001"},
        {"position": "deputy", "name": "李红", "unit": "灵宝市教研室", "title": "主任",
         "phone": "0398-2816691"},
        {"position": "member", "name": "张敏", "unit": "灵宝市实验幼儿园", "title": "园长",
         "phone": ""},
    ]
}


@dataclass
class County:
    """A county ready to file: its id, zones, kindergartens and the officer's headers."""

    id: int
    zones: list[int]
    kindergartens: list[int]
    officer: dict[str, str]
    username: str


async def county(
    client: Any, *, code: str = "411282", name: str = "灵宝市", username: str = "lingbao",
    uncovered: int = 0,
) -> County:
    """A county with two zones, three covered kindergartens (plus ``uncovered`` outside any
    zone) and a logged-in county officer."""
    county_id = await f.county(code, name)
    zones = [await f.zone(county_id, f"{name[:-1]}第一责任区"),
             await f.zone(county_id, f"{name[:-1]}第二责任区")]
    kgs = [await f.kindergarten(county_id, zone_id=zones[i % 2], name=f"{name}幼儿园{i}")
           for i in range(3)]
    kgs += [await f.kindergarten(county_id, name=f"{name}未覆盖幼儿园{i}", locale="rural")
            for i in range(uncovered)]
    await f.user(username, "county_officer", county_id=county_id, name=f"{name}教研负责人")
    return County(county_id, zones, kgs, await f.bearer(client, username), username)


async def city(client: Any, username: str = "city") -> dict[str, str]:
    """A city officer's headers."""
    await f.user(username, "city_admin", name="李飞")
    return await f.bearer(client, username)


async def active_topic(county_id: int, year: int = YEAR, status: str = "submitted") -> int:
    """A topic row of the county in ``status`` (submitted counts as active)."""
    return await topics.topic(county_id, year=year, title="区域联盟教研实践研究", status=status)


def activity(zone_id: int, **changes: Any) -> dict[str, Any]:
    """An activity body; ``starts_on`` defaults to well ahead in the filing year."""
    body = {
        "title": "幼儿园户外游戏专题研讨", "form": "seminar", "starts_on": "2026-05-20",
        "zone_id": zone_id, "place": "灵宝市实验幼儿园", "participants": 60,
        "is_large": False,
    }
    body.update(changes)
    return body


DIRECTION = {
    "direction": "幼儿园游戏化课程建设",
    "problem": "乡村幼儿园游戏材料单一，教师组织游戏的能力不足。",
    "expected_results": "形成游戏案例集，每个责任区推出 2 个示范游戏。",
}


async def open_filing(client: Any, c: County, year: int = YEAR) -> int:
    """Create the county's filing; returns its id."""
    response = await client.post(
        "/api/v1/filings", json={"county_id": c.id, "year": year}, headers=c.officer
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


async def complete_filing(
    client: Any, c: County, *, year: int = YEAR, topic: bool = True
) -> int:
    """A filing with roster, plan document, one activity and one direction; and, unless
    ``topic=False``, an active topic for the county. Returns the filing id."""
    filing_id = await open_filing(client, c, year)
    response = await client.put(
        f"/api/v1/counties/{c.id}/leadership/{year}", json=ROSTER, headers=c.officer
    )
    assert response.status_code == 200, response.text
    response = await client.post(
        f"/api/v1/filings/{filing_id}/document",
        files={"file": ("灵宝市区域方案.docx", plan_docx())}, headers=c.officer,
    )
    assert response.status_code == 201, response.text
    response = await client.post(
        f"/api/v1/filings/{filing_id}/activities",
        json=activity(c.zones[0], starts_on=f"{year}-05-20"), headers=c.officer,
    )
    assert response.status_code == 201, response.text
    response = await client.post(
        f"/api/v1/filings/{filing_id}/directions", json=DIRECTION, headers=c.officer
    )
    assert response.status_code == 201, response.text
    if topic:
        await active_topic(c.id, year)
    return filing_id


def shanghai(*args: int) -> dt.datetime:
    """An aware datetime in city time."""
    return dt.datetime(*args, tzinfo=clock.CITY_TZ)  # type: ignore[misc]
