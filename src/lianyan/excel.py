"""What every openpyxl writer goes through, so stored text can never break a workbook.

openpyxl refuses control characters in a cell (``IllegalCharacterError``); a name stored
before the schemas refused them, or imported from another system, must not turn an export
into a 500. Writers put values in cells only through ``append_row`` and ``cell_value``.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties


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


def print_layout(sheet: Any, widths: Sequence[float], *, wrap: Iterable[int] = ()) -> None:
    """Lay ``sheet`` out to read on screen and print on A4: a bold header row repeated on
    every page and frozen, ``widths`` (in characters) per column, text of the ``wrap``
    columns (1-based) wrapped, landscape, fitted to one page wide (as many pages tall as it
    takes), narrow margins. Call it after the rows are written."""
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    wrapped = set(wrap)
    top = Alignment(vertical="top")
    for row in sheet.iter_rows():
        lines = 1
        for cell in row:
            wraps = cell.column in wrapped or cell.row == 1
            cell.alignment = Alignment(vertical="top", wrap_text=True) if wraps else top
            if wraps and cell.column <= len(widths):
                lines = max(lines, _lines(cell.value, widths[cell.column - 1]))
        if lines > 1:
            # Neither LibreOffice nor every Excel grows a row for wrapped text on opening.
            sheet.row_dimensions[row[0].row].height = min(409, _LINE_POINTS * lines)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    sheet.print_title_rows = "1:1"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # as many pages tall as the rows need
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.page_margins.top = sheet.page_margins.bottom = 0.5
    sheet.print_options.gridLines = True


_LINE_POINTS = 15


def _lines(value: Any, width: float) -> int:
    """How many lines ``value`` takes wrapped in a column ``width`` characters wide (a CJK
    character is two), for the row's height."""
    if not isinstance(value, str) or not value:
        return 1
    usable = max(1.0, width - 1)
    total = 0
    for line in value.split("\n"):
        units = sum(2 if ord(c) > 0x2E7F else 1 for c in line)
        total += max(1, -(-units // int(usable)))
    return total
