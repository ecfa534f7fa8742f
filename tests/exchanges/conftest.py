"""Fixtures of the exchange tests: a same-loop client, a pinned clock and a small world.

The world is two counties that exchange (灵宝市 urban/town, 卢氏县 rural) and a third that
does not (湖滨区), with officers, teachers, a director, an invited and an uninvited expert, one
exchange organised by 灵宝市 with two confirmed groups: {A 灵宝, B 卢氏} and {C 灵宝, D 卢氏}.
Every test runs at ``T0`` unless it pins the clock elsewhere; the design deadline is a week
later and the comment deadline two weeks later.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from lianyan import clock
from tests.builders import org as f

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=clock.CITY_TZ)
DESIGN_DEADLINE = T0 + dt.timedelta(days=7)
COMMENT_DEADLINE = T0 + dt.timedelta(days=14)
BEFORE_DEADLINE = T0 + dt.timedelta(days=1)
AFTER_DESIGN_DEADLINE = DESIGN_DEADLINE + dt.timedelta(hours=1)
AFTER_COMMENT_DEADLINE = COMMENT_DEADLINE + dt.timedelta(hours=1)


@pytest.fixture
async def client(app: Any, store: Any, clean_db: None) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client running the app in the tests' event loop, on empty tables.

    Litestar's test client runs the app in another thread and loop, where the session's
    PostgreSQL pool cannot be used. The database is already started by the session; the
    store the lifespan would build is set here.
    """
    app.state.store = store
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://testserver.local"
    ) as test_client:
        yield test_client


@pytest.fixture
def at_t0() -> Iterator[dt.datetime]:
    """Pin the clock at ``T0`` for the whole test."""
    with clock.pinned(T0):
        yield T0


@dataclass
class World:
    """Ids of everything the exchange tests use."""

    counties: dict[str, int] = field(default_factory=dict)
    kgs: dict[str, int] = field(default_factory=dict)
    people: dict[str, int] = field(default_factory=dict)
    exchange_id: int = 0
    groups: dict[int, int] = field(default_factory=dict)

    async def actor(self, username: str) -> Any:
        """The ``Principal`` of a world user."""
        return await f.principal(username)


EXCHANGE = {
    "title": "中班语言《小兔乖乖》同研异构",
    "content": "中班语言《小兔乖乖》",
    "age_group": "middle",
    "domain": "language",
    "mode": "hybrid",
    "place": "灵宝市实验幼儿园多功能厅",
    "meeting_link": "https://meeting.example.cn/123",
}


def exchange_body(**changes: Any) -> dict[str, Any]:
    """A JSON body for ``POST /exchanges`` with the world's deadlines."""
    return {
        **EXCHANGE,
        "starts_at": (T0 + dt.timedelta(days=10)).isoformat(),
        "design_deadline": DESIGN_DEADLINE.isoformat(),
        "comment_deadline": COMMENT_DEADLINE.isoformat(),
        **changes,
    }


async def build_world(*, groups: bool = True, blind: bool = True) -> World:
    """Create the world's rows (and, with ``groups``, confirm the two groups)."""
    from lianyan.exchanges import schemas as s
    from lianyan.exchanges import services

    w = World()
    w.counties["lingbao"] = await f.county("411282", "灵宝市", "county_city")
    w.counties["lushi"] = await f.county("411224", "卢氏县", "county")
    w.counties["hubin"] = await f.county("411202", "湖滨区", "district")
    zone_l = await f.zone(w.counties["lingbao"], "灵宝第一教研责任区")
    zone_s = await f.zone(w.counties["lushi"], "卢氏第一教研责任区")
    kg = f.kindergarten
    w.kgs["A"] = await kg(w.counties["lingbao"], zone_id=zone_l, name="灵宝市实验幼儿园")
    w.kgs["B"] = await kg(w.counties["lushi"], zone_id=zone_s, name="卢氏县杜关东村幼儿园",
                          locale="rural")
    w.kgs["C"] = await kg(w.counties["lingbao"], zone_id=zone_l, name="灵宝市尹庄镇中心幼儿园",
                          locale="town")
    w.kgs["D"] = await kg(w.counties["lushi"], zone_id=zone_s, name="卢氏县范里西村幼儿园",
                          locale="rural")
    w.kgs["E"] = await kg(w.counties["hubin"], name="湖滨区第一幼儿园")
    w.people["city"] = await f.user("city", "city_admin", name="李飞")
    w.people["lingbao"] = await f.user("lingbao", "county_officer",
                                       county_id=w.counties["lingbao"], name="灵宝专干")
    w.people["lushi"] = await f.user("lushi", "county_officer", county_id=w.counties["lushi"],
                                     name="卢氏专干")
    w.people["hubin"] = await f.user("hubin", "county_officer", county_id=w.counties["hubin"],
                                     name="湖滨专干")
    for name, key in (("t1", "A"), ("t2", "B"), ("t3", "C"), ("t4", "D"), ("t5", "E")):
        w.people[name] = await f.user(name, "teacher", kindergarten_id=w.kgs[key],
                                      name=f"教师{name[1]}", phone=f"1390000000{name[1]}")
    w.people["director_a"] = await f.user("director_a", "director", kindergarten_id=w.kgs["A"],
                                          name="园长甲")
    w.people["expert1"] = await f.user("expert1", "expert", county_id=w.counties["hubin"],
                                       name="专家一", phone="13700000001")
    w.people["expert2"] = await f.user("expert2", "expert", name="专家二")
    lingbao = await f.principal("lingbao")
    exchange = await services.create_exchange(
        lingbao,
        s.ExchangeIn(
            **EXCHANGE,
            starts_at=T0 + dt.timedelta(days=10),
            design_deadline=DESIGN_DEADLINE,
            comment_deadline=COMMENT_DEADLINE,
            blind=blind,
        ),
    )
    w.exchange_id = exchange.id
    await services.invite_expert(lingbao, w.exchange_id, s.ExpertIn(person_id=w.people["expert1"]))
    if groups:
        result = await services.put_groups(
            lingbao,
            w.exchange_id,
            s.GroupsIn(
                groups=[
                    s.GroupIn(members=[
                        s.MemberIn(kindergarten_id=w.kgs["A"], teacher_id=w.people["t1"]),
                        s.MemberIn(kindergarten_id=w.kgs["B"], teacher_id=w.people["t2"]),
                    ]),
                    s.GroupIn(members=[
                        s.MemberIn(kindergarten_id=w.kgs["C"], teacher_id=w.people["t3"]),
                        s.MemberIn(kindergarten_id=w.kgs["D"], teacher_id=w.people["t4"]),
                    ]),
                ]
            ),
        )
        w.groups = {g.number: g.id for g in result.groups}
    return w


@pytest.fixture
async def world(clean_db: None, at_t0: dt.datetime) -> World:
    """The world with confirmed groups, at ``T0``."""
    return await build_world()



async def headers(client: httpx.AsyncClient, username: str) -> dict[str, str]:
    """Bearer headers of a world user, logging in once per test (argon2 is slow by design)."""
    tokens: dict[str, dict[str, str]] = client.__dict__.setdefault("_lianyan_tokens", {})
    if username not in tokens:
        tokens[username] = await f.bearer(client, username)
    return dict(tokens[username])
