"""Reading values typed into HTML forms.

``str.isdigit()`` is true for "²" or "٣", which ``int()`` (or the database) then refuses; form
numbers are read here, ASCII digits only, and anything else is a 400 with a Chinese message.
"""

from __future__ import annotations

from lianyan.errors import InvalidInput


def int_or_none(value: str | None) -> int | None:
    """The whole number typed into a form field; ``None`` when the field is empty.

    Raises ``InvalidInput`` (``request.invalid``) when the field holds anything but the digits
    0–9.
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    if not (text.isascii() and text.isdigit()):
        raise InvalidInput(
            "request.invalid",
            f"“{text}”不是有效的数字，请只用阿拉伯数字 0–9 填写。",
        )
    return int(text)
