"""What every openpyxl writer goes through, so stored text can never break a workbook.

openpyxl refuses control characters in a cell (``IllegalCharacterError``); a name stored
before the schemas refused them, or imported from another system, must not turn an export
into a 500. Writers put values in cells only through ``append_row`` and ``cell_value``.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE


def cell_value(value: Any) -> Any:
    """``value`` with the characters Excel cannot hold removed when it is text."""
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def append_row(sheet: Any, values: Iterable[Any]) -> None:
    """Append one row of cleaned values to ``sheet``."""
    sheet.append([cell_value(v) for v in values])


def workbook_bytes(book: Any) -> bytes:
    """The workbook as ``.xlsx`` bytes."""
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
