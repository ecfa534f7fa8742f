"""A chart's table as an xlsx, in the house style of the bureau's spreadsheets.

A title row over the table, Chinese headers in 黑体 with borders, 仿宋 body, columns as wide as
their text (a Chinese character counts two), the header repeated on every printed page, A4
fitted to the page width. Text goes into cells only through ``lianyan.excel``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from lianyan.excel import cell_value, workbook_bytes
from lianyan.statistics.charts import text_width

BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
_THIN = Side(style="thin", color="000000")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
#: Widest a column gets, in characters; longer text wraps.
MAX_COLUMN_CHARS = 20


#: Column-width units a 10-point Chinese character takes, and points a wrapped line of it takes.
_UNITS_PER_CHARACTER = 2.0
_POINTS_PER_LINE = 14


def note_height(note: str, width_units: float) -> float:
    """The height in points of a row whose merged cells, ``width_units`` wide, hold ``note``
    wrapped at 10 points: neither LibreOffice nor Excel grows a merged row by itself."""
    per_line = max(1.0, width_units / _UNITS_PER_CHARACTER)
    lines = sum(max(1, math.ceil(text_width(part, 1) / per_line)) for part in note.split("\n"))
    return lines * _POINTS_PER_LINE + 4


def table_workbook(*, title: str, sheet_title: str, header: Sequence[str],
                   rows: Sequence[Sequence[Any]], note: str = "") -> bytes:
    """One sheet: ``title`` (and ``note``) above ``header`` and ``rows``; the workbook's bytes."""
    book = Workbook()
    sheet: Any = book.active
    sheet.title = sheet_title[:31]
    columns = len(header)
    last = get_column_letter(columns)
    sheet.merge_cells(f"A1:{last}1")
    sheet["A1"] = cell_value(title)
    sheet["A1"].font = Font(name=HEADING_FONT, size=16, bold=True)
    sheet["A1"].alignment = Alignment(horizontal="center", vertical="center")
    sheet.row_dimensions[1].height = 30
    header_row = 2
    if note:
        sheet.merge_cells(f"A2:{last}2")
        sheet["A2"] = cell_value(note)
        sheet["A2"].font = Font(name=BODY_FONT, size=10)
        sheet["A2"].alignment = Alignment(wrap_text=True, vertical="center")
        header_row = 3
    head_font, body_font = Font(name=HEADING_FONT, size=11, bold=True), Font(name=BODY_FONT, size=11)
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for column, name in enumerate(header, start=1):
        cell = sheet.cell(row=header_row, column=column, value=cell_value(name))
        cell.font, cell.alignment, cell.border = head_font, centre, _BOX
    for offset, row in enumerate(rows, start=1):
        for column, value in enumerate(row, start=1):
            cell = sheet.cell(row=header_row + offset, column=column, value=cell_value(value))
            cell.font, cell.border = body_font, _BOX
            if not isinstance(value, str):
                cell.alignment = Alignment(horizontal="right")
    for column, name in enumerate(header, start=1):
        widest = max([text_width(str(name), 1),
                      *(text_width(str(r[column - 1] if r[column - 1] is not None else ""), 1)
                        for r in rows[:2000])])
        sheet.column_dimensions[get_column_letter(column)].width = (
            min(MAX_COLUMN_CHARS, max(4.0, widest)) * 2 + 2)
    if note:
        sheet.row_dimensions[2].height = note_height(
            note, sum(sheet.column_dimensions[get_column_letter(c)].width
                      for c in range(1, columns + 1)))
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    sheet.page_setup.orientation = "portrait" if columns <= 6 else "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.oddFooter.center.text = "第 &P 页，共 &N 页"
    book.properties.title = cell_value(title)
    return workbook_bytes(book)
