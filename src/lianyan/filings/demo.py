"""Demo data of filings for the demo city (``lianyan demo``).

The current year's themes, leadership rosters for five of the six counties (卢氏县 has none, so
the compliance board has a gap to show), and filings in different states: 义马市 accepted and
published, 渑池县 submitted late and waiting for the city, 灵宝市 a draft with activities. The
rows are written directly (the demo has no object store, so no plan document is attached, and
the gates of the submit step are not run). The year's evaluation scheme is in ``evaluation/demo.py``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from lianyan import clock
from lianyan.filings.tables import (
    AnnualTheme,
    FiledActivity,
    Filing,
    FilingDirection,
    FilingEvent,
    LeadershipMember,
)
from lianyan.org.tables import Person

THEMES = [
    ("幼小科学衔接", "围绕入学准备与入学适应，开展幼儿园与小学双向衔接的教研。"),
    ("户外自主游戏", "提升户外游戏场地与材料的利用，支持幼儿自主游戏。"),
    ("家园共育", "研究家长参与幼儿园课程与评价的有效方式。"),
]
#: (code, 组长, 副组长, members) — 卢氏县 (411224) is left without a roster on purpose.
ROSTERS = {
    "411202": ("赵文杰", "孙丽"),
    "411203": ("钱建华", "周敏"),
    "411221": ("吴志强", "郑雪"),
    "411281": ("冯国庆", "陈静"),
    "411282": ("王建国", "李红"),
}
DIRECTIONS = [
    ("幼儿园户外自主游戏的组织与支持", "乡村幼儿园户外场地利用率低，教师介入游戏过多。",
     "形成每个责任区 2 个户外游戏案例，汇编游戏材料清单。"),
    ("幼小衔接中的学习品质培养", "大班教师偏重知识准备，忽视专注、坚持等学习品质。",
     "形成大班学习品质观察记录表与 10 个活动案例。"),
]


def _at(year: int, month: int, day: int, hour: int = 9) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=clock.CITY_TZ)


async def load(ids: dict[str, Any]) -> None:
    """Add the demo's filings data (called once by ``lianyan.demo.load``)."""
    today = clock.today()
    year = today.year
    now = clock.now()
    theme_ids = []
    for title, description in THEMES:
        row = await AnnualTheme.insert(
            AnnualTheme(year=year, title=title, description=description, created_at=now)
        )
        theme_ids.append(row[0]["id"])
    for code, (leader, deputy) in ROSTERS.items():
        county_id = ids["counties"][code]
        officer = await Person.select(Person.name, Person.unit).where(
            (Person.county == county_id) & (Person.job_title == "学前教育专干")
        ).first()
        members = [
            ("leader", leader, "教育局", "副局长"),
            ("deputy", deputy, "教研室", "学前教研员"),
            ("member", officer["name"] if officer else "张敏", "教育局", "学前教育专干"),
            ("member", "刘芳", "实验幼儿园", "园长"),
        ]
        county = officer["unit"].removesuffix("教育局") if officer else ""
        base = 13903980000 + list(ROSTERS).index(code) * 10
        await LeadershipMember.insert(
            *[
                LeadershipMember(county=county_id, year=year, position=p, name=n,
                                 unit=f"{county}{unit}", title=t,
                                 phone=str(base + i) if p != "member" else "",
                                 sort=i, updated_at=now)
                for i, (p, n, unit, t) in enumerate(members)
            ]
        )
    await _accepted(ids, "411281", year, theme_ids)
    await _submitted(ids, "411221", year, theme_ids)
    await _draft(ids, "411282", year, theme_ids, today)


async def _filing(county_id: int, year: int, status: str, **values: Any) -> int:
    now = clock.now()
    row = await Filing.insert(
        Filing(county=county_id, year=year, status=status, created_at=now, updated_at=now,
               **values)
    )
    return int(row[0]["id"])


async def _activities(
    filing_id: int, zones: list[int], year: int, theme_ids: list[int], *,
    filed_at: dt.datetime | None,
) -> None:
    plan = [
        ("幼小衔接专题研讨：入学准备活动设计", theme_ids[0], "seminar", dt.date(year, 3, 20), 80,
         False),
        ("户外自主游戏现场观摩", theme_ids[1], "expert_led", dt.date(year, 4, 16), 260, True),
        ("网络教研：家园共育案例分享", theme_ids[2], "online", dt.date(year, 5, 14), 150, False),
        ("专家论坛：区域教研的组织与实施", None, "expert_forum", dt.date(year, 9, 22), 300,
         True),
    ]
    for index, (title, theme, form, starts_on, people, large) in enumerate(plan):
        await FiledActivity.insert(
            FiledActivity(filing=filing_id, title=title, theme=theme, form=form,
                          starts_on=starts_on, zone=zones[index % len(zones)],
                          place="实验幼儿园多功能厅", participants=people, is_large=large,
                          filed_at=filed_at, created_at=clock.now())
        )


async def _directions(filing_id: int) -> None:
    for direction, problem, results in DIRECTIONS:
        await FilingDirection.insert(
            FilingDirection(filing=filing_id, direction=direction, problem=problem,
                            expected_results=results, created_at=clock.now())
        )


async def _event(filing_id: int, action: str, before: str, after: str, at: dt.datetime,
                 *, actor: str, note: str = "", late: bool = False) -> None:
    await FilingEvent.insert(
        FilingEvent(filing=filing_id, action=action, from_status=before, to_status=after,
                    note=note, late=late, actor_name=actor, at=at)
    )


async def _accepted(ids: dict[str, Any], code: str, year: int, theme_ids: list[int]) -> None:
    submitted, returned, resubmitted, accepted = (
        _at(year, 2, 18), _at(year, 2, 20, 15), _at(year, 2, 24), _at(year, 2, 26, 10)
    )
    filing_id = await _filing(
        ids["counties"][code], year, "accepted", first_submitted_at=submitted,
        last_submitted_at=resubmitted, accepted_at=accepted,
        returned_reason="附件3 预期成果请写明可检验的成果形式。",
    )
    await _activities(filing_id, ids["zones"][code], year, theme_ids, filed_at=submitted)
    await _directions(filing_id)
    officer = "义马市教研负责人"
    await _event(filing_id, "submit", "draft", "submitted", submitted, actor=officer)
    await _event(filing_id, "return", "submitted", "returned", returned, actor="李飞",
                 note="附件3 预期成果请写明可检验的成果形式。")
    await _event(filing_id, "submit", "returned", "submitted", resubmitted, actor=officer)
    await _event(filing_id, "accept", "submitted", "accepted", accepted, actor="李飞",
                 note="同意备案。")


async def _submitted(ids: dict[str, Any], code: str, year: int, theme_ids: list[int]) -> None:
    submitted = _at(year, 3, 3, 16)  # after 28 February: accepted, but marked late
    filing_id = await _filing(
        ids["counties"][code], year, "submitted", first_submitted_at=submitted,
        last_submitted_at=submitted,
    )
    await _activities(filing_id, ids["zones"][code], year, theme_ids, filed_at=submitted)
    await _directions(filing_id)
    await _event(filing_id, "submit", "draft", "submitted", submitted, actor="渑池县教研负责人",
                 late=True)


async def _draft(
    ids: dict[str, Any], code: str, year: int, theme_ids: list[int], today: dt.date
) -> None:
    filing_id = await _filing(ids["counties"][code], year, "draft",
                              note="区域方案待教育局党组会审定后上传。")
    zones = ids["zones"][code]
    # Dates from three weeks ahead, so the one-week rule lets the draft go as it is.
    start = max(today + dt.timedelta(days=21), dt.date(year, 3, 10))
    if start.year != year:
        start = dt.date(year, 12, 31)
    for index, (title, form, large) in enumerate([
        ("同研异构：中班语言《小兔乖乖》", "exchange", False),
        ("全市户外自主游戏观摩（大型专题活动）", "expert_led", start >= today + dt.timedelta(days=7)),
        ("责任区网络教研：区域活动材料投放", "online", False),
    ]):
        starts_on = min(start + dt.timedelta(days=3 * index), dt.date(year, 12, 31))
        await FiledActivity.insert(
            FiledActivity(filing=filing_id, title=title, theme=theme_ids[index % 3], form=form,
                          starts_on=starts_on, zone=zones[index % len(zones)],
                          place="灵宝市实验幼儿园", participants=240 if large else 60,
                          is_large=large, created_at=clock.now())
        )
    direction, problem, results = DIRECTIONS[0]
    await FilingDirection.insert(
        FilingDirection(filing=filing_id, direction=direction, problem=problem,
                        expected_results=results, created_at=clock.now())
    )
