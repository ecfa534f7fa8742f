"""A small city with a year of work in every domain, for the report tests, samples and bench.

Rows are written straight into the tables through ``tests/builders/``: the reports
read what the other domains stored, whatever path it came by, and the builders must not depend
on today's date or on the other domains' rules for getting there.

三门峡市 2026: 灵宝市 (two zones, an uncovered kindergarten, a complete roster, an accepted filing
with activities and directions, a submitted and a concluded topic, the exchange it organised),
卢氏县 (a zone, a participant in the exchange, no topic: at zero), 湖滨区 (a participant, a draft
topic only: at zero too). One exchange, 中班语言《小兔乖乖》, two groups, four designs with
sections, expert scores, comments and a reply; pushed and accepted into the library. Awards of
each kind, published.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import msgspec

from lianyan import clock
from lianyan.evaluation.tables import EvaluationAward, EvaluationYear
from lianyan.exchanges.tables import (
    ExchangeExpert,
    ExchangeGroup,
    Highlight,
    Score,
)
from lianyan.filings.tables import (
    AnnualTheme,
    FiledActivity,
    FilingDirection,
    FilingEvent,
    LeadershipMember,
)
from lianyan.org.tables import County, Person, Zone
from lianyan.topics.tables import TopicDocument, TopicEvent
from tests.builders import exchanges, files, filings, topics
from tests.builders import org as f

YEAR = 2026
#: The city accepted 灵宝市's filing (resubmitted on 20 February after a return) on 22 February.
ACCEPTED_AT = dt.datetime(2026, 2, 22, 15, 0, tzinfo=clock.CITY_TZ)
ACCEPTED_NOTE = "同意备案。请按计划组织实施。"
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=clock.CITY_TZ)

ROSTER = [
    ("leader", "王建国", "灵宝市教育局", "副局长", "13800000001"),
    ("deputy", "李红", "灵宝市教研室", "主任", "13800000002"),
    ("member", "张敏", "灵宝市实验幼儿园", "园长", "13800000003"),
    ("member", "刘洋", "灵宝市尹庄镇中心幼儿园", "教学名师", ""),
]
FORMS = ("expert_led", "seminar", "expert_forum", "online", "exchange")
DIRECTIONS = [
    ("幼儿园户外自主游戏的观察与支持", "教师在户外游戏中高控、少观察，不会解读幼儿行为。",
     "形成户外自主游戏观察记录表和支持策略案例集。"),
    ("幼小科学衔接中的学习习惯培养", "大班幼儿入学准备偏重知识，忽视习惯与能力。",
     "形成大班学习习惯培养活动方案10个。"),
]
SECTIONS = {
    "goals": "1. 理解故事内容，知道不给陌生人开门。\n2. 能用“小兔乖乖，把门开开”进行对唱。",
    "preparation": "兔妈妈、大灰狼头饰；故事挂图；小房子布景。",
    "process": "（一）谈话导入。\n（二）讲述故事，分角色表演。\n（三）讨论：一个人在家怎么办？",
    "extension": "在表演区投放头饰，继续表演。",
}
SUMMARY = "两地教师围绕同一内容设计出风格不同的活动：城区园重情境表演，乡村园重游戏体验。\n专家建议在提问设计上更关注幼儿的安全意识。"


@dataclass
class World:
    """Ids of what the world holds, and the figures the tests compare the reports with."""

    counties: dict[str, int] = field(default_factory=dict)
    zones: dict[str, int] = field(default_factory=dict)
    kgs: dict[str, int] = field(default_factory=dict)
    people: dict[str, int] = field(default_factory=dict)
    topics: dict[str, int] = field(default_factory=dict)
    exchange_id: int = 0
    designs: list[int] = field(default_factory=list)
    filing_id: int = 0
    activity_titles: list[str] = field(default_factory=list)
    large_activities: int = 0

    async def actor(self, username: str) -> Any:
        """The ``Principal`` of a world user."""
        return await f.principal(username)


async def build_world(*, activities: int = 12, designs_per_group: int = 2) -> World:
    """Write the world's rows; ``activities`` filed activities for 灵宝市."""
    w = World()
    now = clock.now()
    w.counties["lingbao"] = await f.county("411282", "灵宝市", "county_city")
    w.counties["lushi"] = await f.county("411224", "卢氏县", "county")
    w.counties["hubin"] = await f.county("411202", "湖滨区", "district")
    await County.update({County.bureau: "灵宝市教育体育局", County.doc_prefix: "灵教体",
                         County.seal: "灵宝市教育体育局"}).where(
        County.id == w.counties["lingbao"])
    w.zones["lingbao1"] = await f.zone(w.counties["lingbao"], "灵宝市第一教研责任区")
    w.zones["lingbao2"] = await f.zone(w.counties["lingbao"], "灵宝市第二教研责任区")
    w.zones["lushi1"] = await f.zone(w.counties["lushi"], "卢氏县城关教研责任区")
    kg = f.kindergarten
    w.kgs["shiyan"] = await kg(w.counties["lingbao"], zone_id=w.zones["lingbao1"],
                               name="灵宝市实验幼儿园", level="provincial_model")
    w.kgs["yinzhuang"] = await kg(w.counties["lingbao"], zone_id=w.zones["lingbao2"],
                                  name="灵宝市尹庄镇中心幼儿园", locale="town")
    w.kgs["uncovered"] = await kg(w.counties["lingbao"], name="灵宝市朱阳镇西村幼儿园",
                                  locale="rural")
    w.kgs["duguan"] = await kg(w.counties["lushi"], zone_id=w.zones["lushi1"],
                               name="卢氏县杜关镇东村幼儿园", locale="rural")
    w.kgs["hubin"] = await kg(w.counties["hubin"], name="湖滨区第一幼儿园")

    p = w.people
    p["city"] = await f.user("city", "city_admin", name="李飞")
    p["lingbao"] = await f.user("lingbao", "county_officer", county_id=w.counties["lingbao"],
                                name="赵敏")
    p["lushi"] = await f.user("lushi", "county_officer", county_id=w.counties["lushi"],
                              name="孙强")
    p["hubin"] = await f.user("hubin", "county_officer", county_id=w.counties["hubin"],
                              name="周丽")
    p["zone"] = await f.user("zone", "zone_officer", zone_id=w.zones["lingbao1"], name="吴静")
    p["host"] = await f.user("host", "teacher", kindergarten_id=w.kgs["shiyan"], name="王芳",
                             phone="13900000001")
    p["member"] = await f.user("member", "teacher", kindergarten_id=w.kgs["shiyan"], name="李静")
    p["t_yinzhuang"] = await f.user("t_yinzhuang", "teacher", kindergarten_id=w.kgs["yinzhuang"],
                                    name="陈洁")
    p["t_duguan"] = await f.user("t_duguan", "teacher", kindergarten_id=w.kgs["duguan"],
                                 name="杨雪")
    p["t_hubin"] = await f.user("t_hubin", "teacher", kindergarten_id=w.kgs["hubin"],
                                name="马琳")
    p["expert1"] = await f.user("expert1", "expert", county_id=w.counties["hubin"], name="张教授")
    p["expert2"] = await f.user("expert2", "expert", name="刘老师")
    await Person.update({Person.unit: "灵宝市实验幼儿园", Person.job_title: "教研组长",
                         Person.professional_title: "一级教师"}).where(Person.id == p["host"])
    await Person.update({Person.professional_title: "二级教师"}).where(Person.id == p["member"])
    await Person.update({Person.unit: "三门峡职业技术学院", Person.professional_title: "教授"}).where(
        Person.id == p["expert1"])

    await _filings(w, activities, now)
    await _topics(w, now)
    await _exchange(w, designs_per_group, now)
    await _awards(w, now)
    return w


async def _filings(w: World, activities: int, now: dt.datetime) -> None:
    lingbao = w.counties["lingbao"]
    await LeadershipMember.insert(*[
        LeadershipMember(county=lingbao, year=YEAR, position=pos, name=name, unit=unit,
                         title=title, phone=phone, sort=i, updated_at=now)
        for i, (pos, name, unit, title, phone) in enumerate(ROSTER)
    ])
    theme = (await AnnualTheme.insert(
        AnnualTheme(year=YEAR, title="游戏化课程建设", created_at=now)))[0]["id"]
    submitted = dt.datetime(2026, 2, 20, 10, 0, tzinfo=clock.CITY_TZ)
    w.filing_id = await filings.filing(
        lingbao, year=YEAR, status="accepted",
        first_submitted_at=dt.datetime(2026, 2, 16, 10, 0, tzinfo=clock.CITY_TZ),
        last_submitted_at=submitted, accepted_at=ACCEPTED_AT, created_at=now, updated_at=now,
    )
    first = dt.datetime(2026, 2, 16, 10, 0, tzinfo=clock.CITY_TZ)
    await FilingEvent.insert(
        FilingEvent(filing=w.filing_id, action="submit", from_status="draft",
                    to_status="submitted", at=first),
        FilingEvent(filing=w.filing_id, action="return", from_status="submitted",
                    to_status="returned", note="请补充责任区教研员。", at=first + dt.timedelta(days=1)),
        FilingEvent(filing=w.filing_id, action="submit", from_status="returned",
                    to_status="submitted", at=submitted),
        FilingEvent(filing=w.filing_id, action="accept", from_status="submitted",
                    to_status="accepted", note=ACCEPTED_NOTE, at=ACCEPTED_AT),
    )
    await Zone.update({Zone.officer_id: w.people["zone"],
                       Zone.lead_kindergarten_id: w.kgs["shiyan"]}).where(
        Zone.id == w.zones["lingbao1"])
    rows = []
    start = dt.date(2026, 3, 5)
    for i in range(activities):
        title = f"第{i + 1}次幼儿园区域活动观察与支持策略专题研讨"
        large = i % 5 == 0
        w.activity_titles.append(title)
        w.large_activities += large
        rows.append(FiledActivity(
            filing=w.filing_id, title=title, theme=theme if i % 2 == 0 else None,
            form=FORMS[i % 5], starts_on=start + dt.timedelta(days=i % 280),
            zone=w.zones["lingbao1"] if i % 2 == 0 else w.zones["lingbao2"],
            place="灵宝市实验幼儿园" if i % 3 else "线上（腾讯会议）", participants=30 + i % 50,
            is_large=large, filed_at=submitted, created_at=now,
        ))
    for chunk in range(0, len(rows), 500):
        await FiledActivity.insert(*rows[chunk:chunk + 500])
    await FilingDirection.insert(*[
        FilingDirection(filing=w.filing_id, direction=d, problem=pr, expected_results=er,
                        created_at=now)
        for d, pr, er in DIRECTIONS
    ])


async def _topics(w: World, now: dt.datetime) -> None:
    lingbao = w.counties["lingbao"]

    async def topic(key: str, county: int, title: str, status: str, **extra: Any) -> int:
        w.topics[key] = await topics.topic(
            county, year=YEAR, title=title, status=status, created_at=now, updated_at=now, **extra
        )
        return w.topics[key]

    applied = await topic(
        "applied", lingbao, "幼儿园户外自主游戏中教师支持策略的研究", "submitted",
        direction="游戏活动与教师支持", lead_unit="灵宝市实验幼儿园", host=w.people["host"],
        kindergarten=w.kgs["shiyan"], abstract="以户外自主游戏为载体，研究教师观察与支持的策略。\n第二年形成案例集。",
        keywords="自主游戏\n教师支持", planned_start=dt.date(2026, 3, 1),
        planned_end=dt.date(2027, 6, 30),
    )
    await topics.member(applied, w.people["member"], role="核心成员", position=0)
    await topics.member(applied, w.people["t_yinzhuang"], role="资料整理", position=1)
    await TopicEvent.insert(TopicEvent(
        topic=applied, action="submit", from_status="draft", to_status="submitted",
        actor_person_id=w.people["lingbao"], actor_name="赵敏",
        at=dt.datetime(2026, 3, 10, 15, 0, tzinfo=clock.CITY_TZ),
    ))
    concluded = await topic(
        "concluded", lingbao, "城乡幼儿园结对教研的实践研究", "concluded", level="city",
        host=w.people["member"], grade="excellent", abstract="城乡结对，同研异构。",
        keywords="城乡结对",
    )
    await topics.member(concluded, w.people["host"], role="成员", position=0)
    file_id = await files.stored_file(
        "topic", concluded, key="topic/world/final.docx",
        original_name="结题报告（城乡结对）.docx", kind="topic_document", created_at=now,
    )
    await TopicDocument.insert(TopicDocument(topic=concluded, kind="final", version=1,
                                             file=file_id, created_at=now))
    await topic("draft", w.counties["hubin"], "湖滨区草稿课题", "draft")


async def _exchange(w: World, designs_per_group: int, now: dt.datetime) -> None:
    w.exchange_id = await exchanges.exchange(
        title="中班语言《小兔乖乖》同研异构", content="中班语言《小兔乖乖》", age_group="middle",
        domain="language", mode="hybrid", starts_at=T0 + dt.timedelta(days=10),
        place="灵宝市实验幼儿园多功能厅", host=w.people["lingbao"], county=w.counties["lingbao"],
        design_deadline=T0 + dt.timedelta(days=7), comment_deadline=T0 + dt.timedelta(days=14),
        blind=True, created_by=w.people["lingbao"], created_at=now, groups_confirmed_at=now,
    )
    await ExchangeExpert.insert(
        ExchangeExpert(exchange=w.exchange_id, expert=w.people["expert1"], invited_at=now),
        ExchangeExpert(exchange=w.exchange_id, expert=w.people["expert2"], invited_at=now),
    )
    members = [
        [("shiyan", "lingbao", "host"), ("duguan", "lushi", "t_duguan")],
        [("yinzhuang", "lingbao", "t_yinzhuang"), ("hubin", "hubin", "t_hubin")],
    ]
    for number, group in enumerate(members, start=1):
        group_id = (await ExchangeGroup.insert(ExchangeGroup(
            exchange=w.exchange_id, number=number, reason="城区园与乡村园结对，来自不同县区。",
        )))[0]["id"]
        for kg_key, county_key, teacher in group[:designs_per_group]:
            participant = await exchanges.participant(
                w.exchange_id, w.kgs[kg_key], w.counties[county_key], w.people[teacher],
                group=group_id, created_at=now,
            )
            design = await exchanges.design(
                w.exchange_id, participant, title="小兔乖乖", created_at=now, updated_at=now
            )
            w.designs.append(design)
            version = await exchanges.version(
                design, sections=msgspec.json.encode(SECTIONS).decode(),
                sections_note="按文档中的标题提取。", created_at=now,
            )
            scores = (4, 5, 4, 4, 5) if teacher == "host" else (3, 4, 4, 3, 4)
            await Score.insert(Score(
                design=design, version=version, expert=w.people["expert1"],
                **{item: score for item, score in zip(
                    ("goal", "content", "process", "children", "teacher"), scores, strict=True)},
                **{f"{item}_reason": "符合要求" for item in
                   ("goal", "content", "process", "children", "teacher")},
                created_at=now, updated_at=now,
            ))
            comment = await exchanges.comment(
                design, version, w.people["expert1"],
                body=f"{teacher}的设计目标清晰，建议增加幼儿自主表达的机会。", created_at=now,
            )
            await exchanges.comment(
                design, version, w.people[teacher], parent=comment, role="teacher",
                body="谢谢专家，已在第二次试教中调整。", created_at=now,
            )
    await Highlight.insert(Highlight(
        exchange=w.exchange_id, summary=SUMMARY, status="accepted", pushed_by=w.people["lingbao"],
        pushed_at=now, accepted_by=w.people["city"], accepted_at=now,
    ))


async def _awards(w: World, now: dt.datetime) -> None:
    awards = [
        ("zone", w.zones["lingbao1"], "灵宝市第一教研责任区", "灵宝市实验幼儿园", "lingbao"),
        ("kindergarten", w.kgs["duguan"], "卢氏县杜关镇东村幼儿园", "", "lushi"),
        ("person", w.people["host"], "王芳", "灵宝市实验幼儿园", "lingbao"),
        ("person", w.people["t_hubin"], "马琳", "湖滨区第一幼儿园", "hubin"),
    ]
    await EvaluationAward.insert(*[
        EvaluationAward(year=YEAR, kind=kind, candidate_id=cid, candidate_name=name, unit=unit,
                        county=w.counties[county], created_at=now)
        for kind, cid, name, unit, county in awards
    ])
    await EvaluationYear.insert(EvaluationYear(
        year=YEAR, published_at=dt.datetime(2026, 12, 20, 9, 0, tzinfo=clock.CITY_TZ),
        published_by=w.people["city"], updated_at=now,
    ))


def params_for(w: World, kind: str) -> dict[str, Any]:
    """The parameters of each report kind over the world (灵宝市 for county reports)."""
    county = {"county_id": w.counties["lingbao"], "year": YEAR}
    return {
        "leadership_roster": county,
        "activity_filing": county,
        "research_directions": county,
        "topic_list": {"year": YEAR},
        "topic_application": {"topic_id": w.topics["applied"]},
        "exchange_record": {"exchange_id": w.exchange_id},
        "annual_summary": {**county, "doc_number": 5},
        "results_compilation": {"year": YEAR},
        "award_list": {"year": YEAR, "doc_number": 12},
        "filing_package": {**county, "doc_number": 3},
        "year_end_slides": {"year": YEAR},
    }[kind]
