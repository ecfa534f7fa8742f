"""The rules of filings as plain functions: no database, no web (docs/filings.md).

* The one-week rule (临时举办大型专题活动要提前一周报市教育局备案), in calendar days in city time
  (Asia/Shanghai): filed on date D, whatever the hour, a large activity may start on D + 7 or
  later, as a bureau counts 提前一周.
* The leadership group (附件1): exactly one 组长, exactly one 副组长, at least one 成员.
* The deadline: the end of the due date in city time; a filing first submitted after it is late.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable

from lianyan import clock
from lianyan.errors import Conflict

#: How many calendar days before its start a large special activity must reach the city.
NOTICE = dt.timedelta(days=7)

WEEKDAYS = "一二三四五六日"


def start_of(day: dt.date) -> dt.datetime:
    """The moment an activity dated ``day`` starts: 00:00 of that day in city time."""
    return dt.datetime.combine(day, dt.time(0, 0), tzinfo=clock.CITY_TZ)


def filed_on(filed_at: dt.datetime) -> dt.date:
    """The city-time date of a filing moment (a UTC server clock may still be on the day before)."""
    return filed_at.astimezone(clock.CITY_TZ).date()


def earliest_start(filed_at: dt.datetime) -> dt.date:
    """The first start date a large activity filed at ``filed_at`` may have: D + 7."""
    return filed_on(filed_at) + NOTICE


def is_timely(starts_on: dt.date, filed_at: dt.datetime) -> bool:
    """True when an activity starting on ``starts_on`` may still be filed at ``filed_at``."""
    return starts_on >= earliest_start(filed_at)


def chinese_date(day: dt.date) -> str:
    """``2026年3月9日（星期一）``."""
    return f"{day.year}年{day.month}月{day.day}日（星期{WEEKDAYS[day.weekday()]}）"


def too_late_message(title: str, starts_on: dt.date, filed_at: dt.datetime) -> str:
    """The Chinese refusal of a large activity filed less than seven days before it starts."""
    earliest = earliest_start(filed_at)
    return (
        f"大型专题活动须至少提前 7 天（一周）报市教育局备案，按日历日计算。"
        f"“{title}”定于 {chinese_date(starts_on)} 开始，今天（{chinese_date(filed_on(filed_at))}）"
        f"备案已不足 7 天，不能备案；今天备案，开始日期最早可定为 {chinese_date(earliest)}。"
    )


def composition_problems(positions: Iterable[str]) -> list[str]:
    """What is wrong with a leadership group, in Chinese; empty when it is complete."""
    counts = Counter(positions)
    problems = []
    if counts["leader"] != 1:
        problems.append(f"须有且只有 1 名组长（现有 {counts['leader']} 名）")
    if counts["deputy"] != 1:
        problems.append(f"须有且只有 1 名副组长（现有 {counts['deputy']} 名）")
    if counts["member"] < 1:
        problems.append("至少须有 1 名成员（现有 0 名）")
    return problems


def default_due_on(year: int) -> dt.date:
    """The plan's deadline when the city has set none: 28 February of the year."""
    return dt.date(year, 2, 28)


def deadline_end(due_on: dt.date) -> dt.datetime:
    """The last moment of the due date in city time (submissions after it are late)."""
    return start_of(due_on + dt.timedelta(days=1))


def is_late(submitted_at: dt.datetime, due_on: dt.date) -> bool:
    """True when a submission at ``submitted_at`` came after the due date ended."""
    return submitted_at >= deadline_end(due_on)


def days_to(due_on: dt.date, today: dt.date) -> int:
    """Whole days from ``today`` to the due date: 0 on the day, negative once past."""
    return (due_on - today).days


def check_one_week(title: str, starts_on: dt.date, filed_at: dt.datetime) -> None:
    """Refuse a large special activity filed less than seven days before it starts."""
    if not is_timely(starts_on, filed_at):
        earliest = earliest_start(filed_at)
        raise Conflict(
            "activity.too_late",
            too_late_message(title, starts_on, filed_at),
            field="starts_on",
            starts_on=starts_on.isoformat(),
            earliest_start=earliest.isoformat(),
        )
