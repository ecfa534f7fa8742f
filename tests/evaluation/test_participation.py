"""Participation figures beside candidates: designs, comments and topics from other domains."""

from __future__ import annotations

from lianyan import clock
from lianyan.evaluation import participation
from lianyan.evaluation.schemas import Participation
from tests.builders import exchanges, topics
from tests.builders import org as f


async def test_designs_comments_and_topics_count_for_person_kindergarten_and_zone(clean_db):
    # Arrange: a teacher of a zone's kindergarten designs in a 2026 exchange, an expert
    # comments on it, and the teacher hosts an active 2026 topic.
    county_id = await f.county()
    zone_id = await f.zone(county_id)
    kg = await f.kindergarten(county_id, zone_id=zone_id, name="灵宝市实验幼儿园")
    teacher = await f.user("teacher1", "teacher", kindergarten_id=kg)
    expert = await f.user("expert1", "expert", county_id=county_id)
    at = clock.now().replace(year=2026, month=5, day=10)
    exchange = await exchanges.exchange(
        title="中班语言", content="《小兔乖乖》", starts_at=at, created_at=at
    )
    participant = await exchanges.participant(exchange, kg, county_id, teacher, created_at=at)
    design = await exchanges.design(exchange, participant, created_at=at, updated_at=at)
    version = await exchanges.version(design, created_at=at)
    for author, role in ((expert, "expert"), (teacher, "teacher")):
        await exchanges.comment(design, version, author, role=role, created_at=at)
    await topics.topic(county_id, year=2026, title="游戏化课程", direction="游戏", host=teacher,
                       kindergarten=kg, status="approved", created_at=at, updated_at=at)
    # Act
    people = await participation.for_people(2026, [teacher, expert])
    kindergartens = await participation.for_kindergartens(2026, [kg])
    zones = await participation.for_zones(2026, [zone_id])
    other_year = await participation.for_people(2025, [teacher])
    # Assert
    assert (people[teacher].designs, people[teacher].comments, people[teacher].topics) == (1, 1, 1)
    assert (people[expert].designs, people[expert].comments) == (0, 1)
    assert (kindergartens[kg].designs, kindergartens[kg].comments, kindergartens[kg].topics) == (
        1, 1, 1
    )
    assert (zones[zone_id].designs, zones[zone_id].comments, zones[zone_id].topics) == (1, 1, 1)
    assert other_year[teacher] == Participation(activities=0, designs=0, comments=0, topics=0)
