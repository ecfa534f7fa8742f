"""Text conventions of official documents: dates, outline numbers, and character widths."""

from __future__ import annotations

import datetime as dt
import unicodedata

_DIGITS = "〇一二三四五六七八九"
_FULL_WIDTH_CLASSES = frozenset({"W", "F", "A"})


def format_date_cn(day: dt.date) -> str:
    """Format a date the GB/T 9704 way, Arabic numerals without padding: "2026年2月9日"."""
    return f"{day.year}年{day.month}月{day.day}日"


def chinese_number(number: int) -> str:
    """Write 1–99 in Chinese numerals as outline numbers use them: 一, 十, 十二, 二十一."""
    if not 1 <= number <= 99:
        raise ValueError(f"outline numbers run from 1 to 99, got {number}")
    tens, units = divmod(number, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else f"{_DIGITS[tens]}十")
    return head + (_DIGITS[units] if units else "")


def outline_number(number: int, level: int) -> str:
    """The prefix of an outline item: level 1 "一、", 2 "（一）", 3 "1.", 4 "（1）"."""
    if level == 1:
        return f"{chinese_number(number)}、"
    if level == 2:
        return f"（{chinese_number(number)}）"
    if level == 3:
        return f"{number}."
    if level == 4:
        return f"（{number}）"
    raise ValueError(f"outline levels run from 1 to 4, got {level}")


def display_width(text: str) -> float:
    """Width of the widest line of ``text`` in full-width characters; Latin and digits count ½.

    "Six characters or fewer" in the format means six Chinese characters' width, so a date
    such as "2026-03-15" (five full widths) is short.
    """
    if text.isascii():
        return max(map(len, text.split("\n"))) / 2 if "\n" in text else len(text) / 2
    widest = 0.0
    for line in text.split("\n"):
        width = 0.0
        for char in line:
            width += 1.0 if unicodedata.east_asian_width(char) in _FULL_WIDTH_CLASSES else 0.5
        widest = max(widest, width)
    return widest
