"""附件1–3 as spreadsheets (.xlsx, openpyxl): the same columns and rows as the Word forms.

The city's template attachments are spreadsheets, and clerks often merge the counties' tables;
so each form is also one worksheet: "附件N" in the first row, the title in the second, the header
row, the rows (the very lists the Word writer fills, from ``documents``), then the sign-off rows.
Printed on A4 landscape, fitted to the page width, the header row repeated on every page.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from lianyan.excel import cell_value
from lianyan.reports import content as c
from lianyan.reports import documents
from lianyan.reports.docx import display_width, format_date_cn
from lianyan.reports.docx.tables import BLANK_DATE, SIGN_OFF_LABELS

BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
TITLE_FONT = "方正小标宋简体"
_THIN = Side(style="thin", color="000000")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
#: Widest a column gets, in characters (the rest wraps, so the sheet fits the page unshrunk).
MAX_COLUMN_CHARS = 14


def _form(report: c.ReportData) -> tuple[int, list[str], list[list[str]], str, c.SignOff]:
    """(attachment number, header, rows, lead-in sentence, sign-off) of a filing form."""
    if isinstance(report, c.LeadershipRoster):
        return 1, documents.ROSTER_HEADER, documents.roster_rows(report), "", report.sign_off
    if isinstance(report, c.ActivityFiling):
        return (2, documents.ACTIVITY_HEADER, documents.activity_rows(report),
                documents.activity_lead_in(report), report.sign_off)
    if isinstance(report, c.ResearchDirections):
        return (3, documents.DIRECTIONS_HEADER, documents.direction_rows(report), "",
                report.sign_off)
    raise ValueError(f"{type(report).__name__} has no spreadsheet form")


def _widths(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[float]:
    widths = []
    for index, title in enumerate(header):
        widest = max([display_width(title), *(display_width(r[index]) for r in rows[:2000])])
        # Excel's width unit is about one digit: a Chinese character takes two.
        widths.append(min(MAX_COLUMN_CHARS, max(4.0, widest)) * 2 + 2)
    return widths


def build(report: c.ReportData, *, author: str, on: dt.date) -> bytes:
    """Write 附件1, 2 or 3 as a one-sheet workbook and return its bytes."""
    number, header, rows, lead_in, sign_off = _form(report)
    workbook = Workbook()
    sheet: Worksheet = workbook.active  # type: ignore[assignment]
    sheet.title = f"附件{number}"
    ncols = len(header)
    last = get_column_letter(ncols)
    body_font, head_font = Font(name=BODY_FONT, size=12), Font(name=HEADING_FONT, size=12,
                                                                 bold=True)
    wrap_center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    wrap_left = Alignment(horizontal="left", vertical="center", wrap_text=True)

    sheet["A1"] = f"附件{number}"
    sheet["A1"].font = Font(name=HEADING_FONT, size=14)
    sheet.merge_cells(f"A2:{last}2")
    sheet["A2"] = cell_value(report.title)  # type: ignore[union-attr]
    sheet["A2"].font = Font(name=TITLE_FONT, size=18, bold=True)
    sheet["A2"].alignment = Alignment(horizontal="center", vertical="center")
    sheet.row_dimensions[2].height = 36
    header_row = 3
    if lead_in:
        sheet.merge_cells(f"A3:{last}3")
        sheet["A3"] = cell_value(lead_in)
        sheet["A3"].font = body_font
        sheet["A3"].alignment = wrap_left
        header_row = 4

    for column, title in enumerate(header, start=1):
        cell = sheet.cell(row=header_row, column=column, value=cell_value(title))
        cell.font, cell.alignment, cell.border = head_font, wrap_center, _BOX
    widths = _widths(header, rows)
    short = [max((display_width(r[i]) for r in rows[:2000]), default=0) <= 6
             for i in range(ncols)]
    for offset, row in enumerate(rows, start=1):
        r = header_row + offset
        for column, value in enumerate(row, start=1):
            cell = sheet.cell(row=r, column=column, value=cell_value(value))
            cell.font, cell.border = body_font, _BOX
            cell.alignment = wrap_center if short[column - 1] else wrap_left

    # Sign-off rows: the label over the first columns, the value over the rest.
    span = 2 if ncols > 4 else 1
    values = [
        sign_off.unit,
        "",
        format_date_cn(sign_off.filled_on) if sign_off.filled_on else BLANK_DATE,
        "\n".join(p for p in (sign_off.opinion, "（盖章）",
                              format_date_cn(sign_off.reviewed_on) if sign_off.reviewed_on
                              else BLANK_DATE) if p),
    ]
    heights = (30, 30, 24, 80)
    start = header_row + len(rows) + 1
    for index, (label, value) in enumerate(zip(SIGN_OFF_LABELS, values, strict=True)):
        r = start + index
        sheet.merge_cells(start_row=r, start_column=1, end_row=r, end_column=span)
        sheet.merge_cells(start_row=r, start_column=span + 1, end_row=r, end_column=ncols)
        for column in range(1, ncols + 1):
            sheet.cell(row=r, column=column).border = _BOX
        label_cell = sheet.cell(row=r, column=1, value=label)
        label_cell.font, label_cell.alignment = head_font, wrap_center
        value_cell = sheet.cell(row=r, column=span + 1, value=cell_value(value))
        value_cell.font, value_cell.alignment = body_font, wrap_left
        sheet.row_dimensions[r].height = heights[index]

    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.6
    sheet.page_margins.top = sheet.page_margins.bottom = 0.7
    sheet.oddFooter.center.text = "第 &P 页，共 &N 页"

    created = dt.datetime.combine(on, dt.time(8, 0))
    workbook.properties.title = cell_value(report.title)  # type: ignore[union-attr]
    workbook.properties.creator = author
    workbook.properties.lastModifiedBy = author
    workbook.properties.created = created
    workbook.properties.modified = created
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
