"""Two counties, a zone of each, kindergartens, officers, a zone leader and teachers."""

from __future__ import annotations

from typing import Any

from tests.builders import org as f


async def build(client: Any) -> tuple[dict[str, int], dict[str, dict[str, str]]]:
    a = await f.county("411282", "灵宝市", "county_city")
    b = await f.county("411224", "卢氏县", "county")
    za = await f.zone(a, "灵宝第一责任区")
    za2 = await f.zone(a, "灵宝第二责任区")
    zb = await f.zone(b, "卢氏第一责任区")
    ka = await f.kindergarten(a, zone_id=za, name="灵宝实验幼儿园")
    ka2 = await f.kindergarten(a, zone_id=za2, name="灵宝城关幼儿园")
    kb = await f.kindergarten(b, zone_id=zb, name="卢氏城关幼儿园", locale="rural")
    ids = {"a": a, "b": b, "za": za, "za2": za2, "zb": zb, "ka": ka, "ka2": ka2, "kb": kb}
    ids["city"] = await f.user("city", "city_admin")
    ids["officer_a"] = await f.user("officer_a", "county_officer", county_id=a, name="王科长")
    ids["officer_b"] = await f.user("officer_b", "county_officer", county_id=b)
    ids["zone_a"] = await f.user("zone_a", "zone_officer", zone_id=za)
    ids["teacher_a"] = await f.user("teacher_a", "teacher", kindergarten_id=ka, name="李老师")
    ids["teacher_a2"] = await f.user("teacher_a2", "teacher", kindergarten_id=ka2, name="赵老师")
    ids["teacher_b"] = await f.user("teacher_b", "teacher", kindergarten_id=kb, name="孙老师")
    headers = {name: await f.bearer(client, name)
               for name in ("city", "officer_a", "officer_b", "zone_a", "teacher_a")}
    return ids, headers
