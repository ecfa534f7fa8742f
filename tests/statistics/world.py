"""A small built world for the statistics: what counts beside what must not.

Two counties (灵宝市 411282 with zones 一区 and 二区, 卢氏县 411224 with 城关区). Counted:
two activities of an accepted filing, one held exchange on 1 April 00:30 city time (still
31 March in UTC), its urban–rural group, two uploaded designs and two expert comments of it,
two submitted topics. Not counted: an activity never sent, a filing still waiting for the city,
an exchange not held yet (and its design), one of last year, a design never uploaded, a
teacher's reply, topics in draft, back in draft, withdrawn.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from lianyan import clock
from lianyan.exchanges.tables import ExchangeGroup
from lianyan.filings.tables import FiledActivity
from lianyan.topics.tables import TopicEvent
from tests.builders import exchanges, filings, insert, topics
from tests.builders import org as f

YEAR = 2026
#: "Now" for the world: mid-June.
NOW = dt.datetime(2026, 6, 15, 12, 0, tzinfo=clock.CITY_TZ)


def city_time(month: int, day: int, hour: int = 9, minute: int = 0, year: int = YEAR) -> dt.datetime:
    """A moment in Asia/Shanghai."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=clock.CITY_TZ)


@dataclass
class World:
    """Ids of the world's rows the tests look at."""

    lingbao: int
    lushi: int
    zone_one: int
    zone_two: int
    zone_lushi: int
    kindergartens: dict[str, int]


async def activity(filing_id: int, zone_id: int, starts_on: dt.date, *,
                   filed_at: dt.datetime | None) -> int:
    """A filed activity (``filed_at`` None: still a draft's)."""
    return await insert(FiledActivity, filing=filing_id, title="教研活动", form="seminar",
                        starts_on=starts_on, zone=zone_id, place="实验幼儿园", participants=30,
                        is_large=False, filed_at=filed_at, created_at=clock.now())


async def submitted(topic_id: int, at: dt.datetime) -> None:
    """The topic's 提交申报 step at ``at``."""
    await insert(TopicEvent, topic=topic_id, action="submit", from_status="draft",
                 to_status="submitted", at=at)


async def build() -> World:
    """The world, with logins city, lingbao (灵宝市), zone1 (一区), teacher1 and expert1."""
    lingbao = await f.county("411282", "灵宝市")
    lushi = await f.county("411224", "卢氏县", "county")
    zone_one = await f.zone(lingbao, "一区")
    zone_two = await f.zone(lingbao, "二区")
    zone_lushi = await f.zone(lushi, "城关区")
    kg: dict[str, int] = {}
    for name, county, zone, locale in (
        ("灵宝城区园", lingbao, zone_one, "urban"),
        ("灵宝乡村园", lingbao, zone_one, "rural"),
        ("灵宝镇区园", lingbao, zone_two, "town"),
        ("灵宝乡村未参与园", lingbao, zone_two, "rural"),
        ("卢氏乡村园", lushi, zone_lushi, "rural"),
        ("卢氏镇区园", lushi, zone_lushi, "town"),
        ("卢氏城区未参与园", lushi, zone_lushi, "urban"),
        ("卢氏乡村未参与园", lushi, zone_lushi, "rural"),
        ("卢氏镇区未参与园", lushi, zone_lushi, "town"),
    ):
        kg[name] = await f.kindergarten(county, zone_id=zone, name=name, locale=locale)
    await f.user("city", "city_admin")
    await f.user("lingbao", "county_officer", county_id=lingbao)
    await f.user("lushi", "county_officer", county_id=lushi)
    await f.user("zone1", "zone_officer", zone_id=zone_one)
    teacher = await f.user("teacher1", "teacher", kindergarten_id=kg["灵宝城区园"])
    expert = await f.user("expert1", "expert")

    # Activities: two of an accepted filing (March, May); one never sent, and the activity
    # of another county's filing still waiting for the city.
    filing = await filings.filing(lingbao, year=YEAR, status="accepted")
    await activity(filing, zone_one, dt.date(2026, 3, 1), filed_at=city_time(2, 20))
    await activity(filing, zone_two, dt.date(2026, 5, 31), filed_at=city_time(2, 20))
    await activity(filing, zone_one, dt.date(2026, 3, 2), filed_at=None)
    waiting = await filings.filing(lushi, year=YEAR, status="submitted")
    await activity(waiting, zone_lushi, dt.date(2026, 4, 2), filed_at=city_time(3, 1))

    # The held exchange: 1 April 00:30 in Sanmenxia is 31 March 16:30 UTC.
    held = await exchanges.exchange(starts_at=city_time(4, 1, 0, 30), county=lingbao)
    mixed = await insert(ExchangeGroup, exchange=held, number=1)
    plain = await insert(ExchangeGroup, exchange=held, number=2)
    p_urban = await exchanges.participant(held, kg["灵宝城区园"], lingbao, teacher, group=mixed)
    p_rural = await exchanges.participant(held, kg["卢氏乡村园"], lushi, teacher, group=mixed)
    p_a_rural = await exchanges.participant(held, kg["灵宝乡村园"], lingbao, teacher, group=plain)
    await exchanges.participant(held, kg["卢氏镇区园"], lushi, teacher, group=plain)
    # Not held yet (September), and one of last year: neither counts, nor makes its
    # kindergartens take part this year.
    later = await exchanges.exchange(starts_at=city_time(9, 1), county=lingbao)
    p_later = await exchanges.participant(later, kg["灵宝镇区园"], lingbao, teacher)
    await exchanges.version(await exchanges.design(later, p_later))
    last_year = await exchanges.exchange(starts_at=city_time(12, 31, 23, 0, year=2025),
                                          county=lingbao)
    await exchanges.participant(last_year, kg["灵宝乡村未参与园"], lingbao, teacher)

    # Designs of the held exchange (counted in its month, April, as the year-end summary does,
    # whenever uploaded); one never uploaded.
    design_urban = await exchanges.design(held, p_urban)
    version_urban = await exchanges.version(design_urban, created_at=city_time(4, 30, 23, 30))
    design_rural = await exchanges.design(held, p_a_rural)
    version_rural = await exchanges.version(design_rural, created_at=city_time(5, 1, 0, 10))
    await exchanges.design(held, p_rural, latest_version=0)
    # Comments: experts' two (April, the exchange's month); a teacher's reply does not count.
    await exchanges.comment(design_urban, version_urban, expert, created_at=city_time(5, 31, 23, 59))
    await exchanges.comment(design_rural, version_rural, expert, created_at=city_time(6, 1, 8, 0))
    await exchanges.comment(design_urban, version_urban, teacher, role="teacher",
                            created_at=city_time(6, 2))

    # Topics: submitted in February (灵宝市, 一区) and approved after a March submission
    # (卢氏县); not counted: a draft, one returned to draft, one withdrawn.
    counted = await topics.topic(lingbao, status="submitted", kindergarten=kg["灵宝城区园"])
    await submitted(counted, city_time(2, 10))
    approved = await topics.topic(lushi, status="approved")
    await submitted(approved, city_time(3, 5))
    await topics.topic(lingbao, status="draft")
    returned = await topics.topic(lingbao, status="draft")
    await submitted(returned, city_time(3, 1))
    withdrawn = await topics.topic(lushi, status="withdrawn")
    await submitted(withdrawn, city_time(3, 2))
    return World(lingbao=lingbao, lushi=lushi, zone_one=zone_one, zone_two=zone_two,
                 zone_lushi=zone_lushi, kindergartens=kg)
