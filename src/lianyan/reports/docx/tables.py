"""Filing-form tables, rendered as XML strings and parsed by lxml in chunks of rows.

python-docx's ``table.cell(r, c)`` rebuilds the list of every cell on each call, so filling a
table cell by cell is quadratic; ``add_row().cells`` is linear but builds proxies and looks up
children for every cell. Here a row is a few string joins.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from docx.shared import Length, Mm

from lianyan.reports.docx.fonts import ChineseFontSize
from lianyan.reports.docx.ooxml import text_runs_xml
from lianyan.reports.docx.styles import CELL_MARGIN_TWIPS, STYLE_IDS
from lianyan.reports.docx.text import display_width, format_date_cn

Align = Literal["center", "left", "right"]

#: Columns whose cells are all this wide or narrower (in full-width characters) are centred.
SHORT_TEXT_WIDTH = 6
#: Tables with this many columns or more are set in 小四 instead of 四号.
WIDE_TABLE_COLUMNS = 6
SIGN_OFF_LABELS = ("填报单位（盖章）", "负责人签字", "填报日期", "市教育局审核意见")
BLANK_DATE = "　　年　　月　　日"

# Automatic widths: a long column may be narrowed to four characters, a short one never below
# its content (so "专题研讨" stays on one line); content beyond the cap is not measured.
_MIN_CHARS = 2.0
_LONG_MIN_CHARS = 4.0
_MEASURE_CAP = 40.0
_CELL_MARGIN_TWIPS = 2 * CELL_MARGIN_TWIPS
# Slack per column: digits in a stand-in font run a little wider than half a character.
_SLACK_CHARS = 0.4

#: A cell value as callers pass it; ``cell_text`` turns it into what the reader sees.
Cell = object


def cell_text(value: Cell) -> str:
    """Render one cell value: None is blank, bool is 是/否, a date is "2026年2月9日"."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return format_date_cn(value)
    return str(value)


def column_width(cells: Iterable[str], cap: float = float("inf")) -> float:
    """Widest display width among ``cells``, stopping early once ``cap`` is reached."""
    widest = 0.0
    for text in cells:
        # A string is never wider than its length, so most cells need no measuring.
        if len(text) <= widest:
            continue
        width = display_width(text)
        if width > widest:
            widest = width
            if widest >= cap:
                return cap
    return widest


def auto_widths(header: Sequence[str], columns: Sequence[Sequence[str]], text_width: int,
                font_size: float) -> list[int]:
    """Column widths in twips that fill ``text_width``, the way a browser lays out a table.

    Each column wants its widest cell (header included) and can live with its minimum (its
    content if short, else four characters). If the wants fit, the spare width is shared in
    proportion to them; if only the minimums fit, each column gets its minimum plus a share of
    the rest; otherwise the minimums are scaled down.
    """
    char = font_size * 20
    wants, mins = [], []
    for title, cells in zip(header, columns, strict=True):
        body = column_width(cells, _MEASURE_CAP)
        want = max(body, display_width(title), _MIN_CHARS)
        least = min(want, max(_MIN_CHARS, body if body <= SHORT_TEXT_WIDTH else _LONG_MIN_CHARS))
        wants.append((want + _SLACK_CHARS) * char + _CELL_MARGIN_TWIPS)
        mins.append((least + _SLACK_CHARS) * char + _CELL_MARGIN_TWIPS)
    want_total, min_total = sum(wants), sum(mins)
    if want_total <= text_width:
        exact = [want * text_width / want_total for want in wants]
    elif min_total <= text_width:
        share = (text_width - min_total) / (want_total - min_total)
        exact = [least + (want - least) * share for least, want in zip(mins, wants, strict=True)]
    else:
        exact = [least * text_width / min_total for least in mins]
    widths = [int(width) for width in exact]
    widths[-1] += text_width - sum(widths)
    return widths


@dataclass(frozen=True, slots=True)
class TableXml:
    """A table as XML: ``<w:tbl>`` with its header row, and the body rows in chunks."""

    table: str
    row_chunks: list[str]


def table_styles(font_size: ChineseFontSize) -> tuple[str, str]:
    """The (header, body) paragraph style ids for a table set in ``font_size``."""
    try:
        return _TABLE_STYLES[font_size]
    except KeyError:
        raise ValueError(f"tables are set in 四号 or 小四, not {font_size} pt") from None


def table_font_size(style_id: str) -> ChineseFontSize:
    """The size a table was set in, from the style id of any of its paragraphs."""
    for size, style_ids in _TABLE_STYLES.items():
        if style_id in style_ids:
            return size
    raise ValueError(f"{style_id!r} is not a table paragraph style")


_TABLE_STYLES = {
    ChineseFontSize.SI: (STYLE_IDS.table_header, STYLE_IDS.table_text),
    ChineseFontSize.XIAO_SI: (STYLE_IDS.table_header_small, STYLE_IDS.table_text_small),
}
#: Body rows are parsed this many at a time and grafted row by row. Grafting one big subtree
#: makes lxml re-resolve the ``xml:`` namespace of every ``xml:space`` attribute against the
#: whole tree: 10,000 rows of cells with spaces took five seconds that way, 0.2 s this way.
CHUNK_ROWS = 500


def table_xml(header: Sequence[str], rows: Iterable[Sequence[Cell]], *, text_width: int,
              widths: Sequence[Length] | None = None, align: Sequence[Align | None] | None = None,
              font_size: ChineseFontSize | None = None) -> TableXml:
    """Return the XML of a filing-form table (see ``ReportWriter.add_table``)."""
    titles = [cell_text(title) for title in header]
    ncols = len(titles)
    if ncols == 0:
        raise ValueError("a table needs at least one column")
    body = [[cell_text(value) for value in row] for row in rows]
    for number, row in enumerate(body, start=1):
        if len(row) != ncols:
            raise ValueError(f"row {number} has {len(row)} cells; the header has {ncols}")
    columns = list(zip(*body, strict=True)) if body else [() for _ in titles]

    size = font_size or (ChineseFontSize.XIAO_SI if ncols >= WIDE_TABLE_COLUMNS
                         else ChineseFontSize.SI)
    header_style, text_style = table_styles(size)
    if widths is None:
        grid = auto_widths(titles, columns, text_width, size)
    else:
        if len(widths) != ncols:
            raise ValueError(f"{len(widths)} widths given for {ncols} columns")
        grid = [Length(width).twips for width in widths]
    if align is None:
        align = [None] * ncols
    elif len(align) != ncols:
        raise ValueError(f"{len(align)} alignments given for {ncols} columns")
    jcs = [
        choice or ("center" if column_width(cells, SHORT_TEXT_WIDTH + 1) <= SHORT_TEXT_WIDTH
                   else "left")
        for choice, cells in zip(align, columns, strict=True)
    ]

    def cell_open(width: int, style: str, jc: str) -> str:
        # The table styles centre text, so only other alignments are written per cell.
        jc_xml = "" if jc == "center" else f'<w:jc w:val="{jc}"/>'
        return (
            f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/><w:vAlign w:val="center"/>'
            f'</w:tcPr><w:p><w:pPr><w:pStyle w:val="{style}"/>{jc_xml}</w:pPr>'
        )

    header_open = [cell_open(width, header_style, "center") for width in grid]
    body_open = [cell_open(width, text_style, jc) for width, jc in zip(grid, jcs, strict=True)]
    close = "</w:p></w:tc>"
    table = "".join([
        f'<w:tbl><w:tblPr><w:tblStyle w:val="{STYLE_IDS.table}"/>'
        f'<w:tblW w:w="{sum(grid)}" w:type="dxa"/><w:jc w:val="center"/>'
        '<w:tblLayout w:type="fixed"/></w:tblPr><w:tblGrid>',
        *(f'<w:gridCol w:w="{width}"/>' for width in grid),
        "</w:tblGrid>",
        "<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>",
        *(opening + text_runs_xml(title) + close
          for opening, title in zip(header_open, titles, strict=True)),
        "</w:tr></w:tbl>",
    ])
    row_open = "<w:tr><w:trPr><w:cantSplit/></w:trPr>"
    chunks = []
    for start in range(0, len(body), CHUNK_ROWS):
        parts = []
        for row in body[start : start + CHUNK_ROWS]:
            parts.append(row_open)
            parts.extend(opening + text_runs_xml(text) + close
                         for opening, text in zip(body_open, row, strict=True))
            parts.append("</w:tr>")
        chunks.append("".join(parts))
    return TableXml(table=table, row_chunks=chunks)


def sign_off_rows_xml(grid: Sequence[int], font_size: ChineseFontSize, *, unit: str | None,
                      filled_on: dt.date | None, opinion: str = "",
                      reviewed_on: dt.date | None = None) -> list[str]:
    """Return the sign-off rows (填报单位, 负责人, 填报日期, 审核意见), each as ``<w:tr>`` XML.

    Each row is a label cell spanning the first grid columns and a value cell spanning the rest.
    """
    if len(grid) < 2:
        raise ValueError("sign-off rows need a table of at least two columns")
    longest = max(len(label) for label in SIGN_OFF_LABELS)
    label_need = longest * font_size * 20 + _CELL_MARGIN_TWIPS
    _, text_style = table_styles(font_size)
    span = 1
    while span < len(grid) - 1 and sum(grid[:span]) < label_need:
        span += 1
    label_width, value_width = sum(grid[:span]), sum(grid[span:])

    def paragraph(text: str, jc: str) -> str:
        return (f'<w:p><w:pPr><w:pStyle w:val="{text_style}"/><w:jc w:val="{jc}"/></w:pPr>'
                f"{text_runs_xml(text)}</w:p>")

    def cell(width: int, cols: int, content: str, valign: str = "center") -> str:
        span_xml = f'<w:gridSpan w:val="{cols}"/>' if cols > 1 else ""
        return (f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{span_xml}'
                f'<w:vAlign w:val="{valign}"/></w:tcPr>{content}</w:tc>')

    def row(label: str, content: str, height: Length, valign: str = "center") -> str:
        return (
            f'<w:tr><w:trPr><w:cantSplit/><w:trHeight w:val="{height.twips}" w:hRule="atLeast"/>'
            f"</w:trPr>{cell(label_width, span, paragraph(label, 'center'))}"
            f"{cell(value_width, len(grid) - span, content, valign)}</w:tr>"
        )

    unit_label, signer_label, date_label, review_label = SIGN_OFF_LABELS
    date_text = format_date_cn(filled_on) if filled_on else BLANK_DATE
    review = (paragraph(opinion, "left") if opinion else "") + paragraph("（盖章）", "right") \
        + paragraph(format_date_cn(reviewed_on) if reviewed_on else BLANK_DATE, "right")
    return [
        row(unit_label, paragraph(unit or "", "left"), Mm(12)),
        row(signer_label, paragraph("", "left"), Mm(12)),
        row(date_label, paragraph(date_text, "left"), Mm(10)),
        row(review_label, review, Mm(35), valign="bottom"),
    ]
