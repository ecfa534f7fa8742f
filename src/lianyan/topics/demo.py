"""Demo topics of 三门峡市 for 2026: every county in a different state, two at zero.

灵宝市 has one topic opened and one draft (teacher1 hosts both), 卢氏县 one submitted that
expert1 (who works in 湖滨区, so without a conflict) is invited to review, 渑池县 one approved,
义马市 one at its midterm check; 陕州区 withdrew its only topic and 湖滨区 had its topic
rejected, so both are at zero active topics and the compliance board has something to show.
灵宝市 also concluded a 2025 topic. Rows only: the demo has no documents (they would need the
object store), so its topics stand in states their steps would otherwise gate on documents.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from lianyan import clock
from lianyan.org.tables import Person, RoleAssignment
from lianyan.topics.tables import Topic, TopicEvent, TopicMember, TopicReview

#: (county code, year, title, direction, level, status, grade, host login or None)
TOPICS = [
    ("411282", 2026, "幼儿园户外自主游戏中教师支持策略的研究", "游戏活动与教师支持", "county",
     "opened", None, "teacher1"),
    ("411282", 2026, "大班幼儿绘本阅读中提问策略的实践研究", "早期阅读", "kindergarten",
     "draft", None, "teacher1"),
    ("411224", 2026, "乡村幼儿园利用本土资源开展区域活动的实践研究", "乡土资源与区域活动",
     "county", "submitted", None, "teacher2"),
    ("411221", 2026, "幼小衔接背景下大班幼儿学习品质培养的研究", "幼小衔接", "city",
     "approved", None, None),
    ("411281", 2026, "幼儿园一日生活中劳动教育的实践研究", "劳动教育", "county",
     "midterm", None, None),
    ("411203", 2026, "混龄游戏中幼儿社会性发展的观察研究", "社会领域", "kindergarten",
     "withdrawn", None, None),
    ("411202", 2026, "幼儿园信息技术与集体教学融合的研究", "信息技术应用", "county",
     "rejected", None, None),
    ("411282", 2025, "农村幼儿园科学区材料投放的研究", "科学领域", "county",
     "concluded", "excellent", None),
]

#: The steps that lead to each state, in order (see ``lianyan.topics.rules.STEPS``).
PATHS = {
    "draft": [],
    "submitted": ["submit"],
    "approved": ["submit", "approve"],
    "rejected": ["submit", "reject"],
    "opened": ["submit", "approve", "open"],
    "midterm": ["submit", "approve", "open", "midterm"],
    "concluded": ["submit", "approve", "open", "midterm", "conclude"],
    "withdrawn": ["submit", "withdraw"],
}
_TARGET = {"submit": "submitted", "approve": "approved", "reject": "rejected",
           "open": "opened", "midterm": "midterm", "conclude": "concluded",
           "withdraw": "withdrawn"}
_CITY_STEPS = {"approve", "reject", "conclude"}
_NOTES = {"reject": "研究问题不够聚焦，建议明年重新申报。", "withdraw": "主持人工作调动，课题撤销。",
          "approve": "同意立项。", "conclude": "成果扎实，评为优秀。"}


async def _officer(county_id: int) -> dict[str, Any]:
    row = await RoleAssignment.select(
        RoleAssignment.person.as_alias("id"), RoleAssignment.person.name.as_alias("name")
    ).where(
        (RoleAssignment.role == "county_officer") & (RoleAssignment.county == county_id)
    ).first()
    return dict(row) if row else {"id": None, "name": "系统"}


async def load(ids: dict[str, Any]) -> None:
    """Add the demo topics (called once by ``lianyan.demo.load`` inside its transaction)."""
    people = ids["people"]
    city_row = await Person.select(Person.id, Person.name).where(
        Person.id == people["city"]
    ).first()
    city: dict[str, Any] = dict(city_row) if city_row else {"id": None, "name": "系统"}
    for code, year, title, direction, level, status, grade, host_login in TOPICS:
        county_id = ids["counties"][code]
        staff = await Person.select(Person.id, Person.name, Person.kindergarten).where(
            (Person.county == county_id) & Person.kindergarten.is_not_null()
        ).order_by(Person.id).limit(12)
        host: dict[str, Any] = staff[3]
        if host_login and people.get(host_login):
            host = next(
                iter(await Person.select(Person.id, Person.name, Person.kindergarten).where(
                    Person.id == people[host_login]
                )),
                host,
            )
        members = [p for p in staff if p["id"] != host["id"]][4:6]
        officer = await _officer(county_id)
        created = clock.now().replace(year=year, month=2, day=20, hour=9, minute=0)
        topic_id = (
            await Topic.insert(
                Topic(
                    county=county_id, year=year, title=title, direction=direction, level=level,
                    lead_unit="", host=host["id"], kindergarten=host["kindergarten"],
                    abstract=f"围绕“{direction}”，在本地幼儿园开展为期一年的行动研究。",
                    keywords="\n".join(direction.split("与")), status=status, grade=grade,
                    planned_start=dt.date(year, 3, 1), planned_end=dt.date(year + 1, 6, 30),
                    created_by=officer["id"], created_at=created, updated_at=created,
                )
            )
        )[0]["id"]
        await TopicMember.insert(
            *[
                TopicMember(topic=topic_id, person=m["id"], role="核心成员" if i == 0 else "成员",
                            position=i)
                for i, m in enumerate(members)
            ]
        )
        events = [TopicEvent(topic=topic_id, action="create", from_status="", to_status="draft",
                             actor_person_id=officer["id"], actor_name=officer["name"],
                             at=created)]
        current = "draft"
        for day, action in enumerate(PATHS[status], start=1):
            actor = city if action in _CITY_STEPS else officer
            events.append(
                TopicEvent(
                    topic=topic_id, action=action, from_status=current,
                    to_status=_TARGET[action], actor_person_id=actor["id"],
                    actor_name=actor["name"], note=_NOTES.get(action, ""),
                    grade=grade if action == "conclude" else None,
                    at=created + dt.timedelta(days=7 * day),
                )
            )
            current = _TARGET[action]
        await TopicEvent.insert(*events)
        if status == "submitted" and people.get("expert1"):
            await TopicReview.insert(
                TopicReview(topic=topic_id, expert=people["expert1"], invited_by=city["id"],
                            invited_at=created + dt.timedelta(days=8))
            )
