"""The rules of filings as plain functions: the one-week rule, composition, lateness."""

from __future__ import annotations

import datetime as dt

import pytest

from lianyan.filings import rules
from tests.filings.builders import shanghai

UTC = dt.UTC


@pytest.mark.parametrize(("hour", "minute"), [(0, 0), (0, 1), (9, 0), (23, 59)])
def test_earliest_start_is_seven_calendar_days_later_whatever_the_hour(hour, minute):
    filed_at = shanghai(2026, 11, 26, hour, minute)
    assert rules.earliest_start(filed_at) == dt.date(2026, 12, 3)
    assert rules.is_timely(dt.date(2026, 12, 3), filed_at) is True
    assert rules.is_timely(dt.date(2026, 12, 2), filed_at) is False


def test_is_timely_uses_city_time_when_the_utc_day_is_still_the_previous_one():
    # Arrange: 16:30 UTC on 28 February is already 00:30 on 1 March in Shanghai.
    filed_at = dt.datetime(2026, 2, 28, 16, 30, tzinfo=UTC)
    # Act / Assert: filed on 1 March (city date), so 7 March is too early and 8 March fits.
    assert rules.is_timely(dt.date(2026, 3, 7), filed_at) is False
    assert rules.earliest_start(filed_at) == dt.date(2026, 3, 8)


def test_too_late_message_names_the_earliest_date_in_chinese():
    message = rules.too_late_message("全市户外游戏观摩", dt.date(2026, 3, 7),
                                     shanghai(2026, 3, 1, 23, 59))
    assert "提前 7 天" in message
    assert "2026年3月7日（星期六）" in message
    assert "最早可定为 2026年3月8日（星期日）" in message
    assert "。。" not in message


def test_composition_problems_of_a_complete_group_is_empty():
    assert rules.composition_problems(["leader", "deputy", "member", "member"]) == []


def test_composition_problems_lists_every_fault():
    problems = rules.composition_problems(["deputy", "deputy"])
    assert problems == [
        "须有且只有 1 名组长（现有 0 名）",
        "须有且只有 1 名副组长（现有 2 名）",
        "至少须有 1 名成员（现有 0 名）",
    ]


def test_is_late_after_the_due_date_ends_in_city_time():
    due = dt.date(2026, 2, 28)
    assert rules.is_late(shanghai(2026, 2, 28, 23, 59), due) is False
    assert rules.is_late(shanghai(2026, 3, 1, 0, 0), due) is True
    # 16:30 UTC on 28 February is 1 March in Shanghai: late.
    assert rules.is_late(dt.datetime(2026, 2, 28, 16, 30, tzinfo=UTC), due) is True
