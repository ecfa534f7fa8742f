"""Page set-up of GB/T 9704: A4, the margins, the 22 × 28 grid, and "— N —" page numbers."""

from __future__ import annotations

from docx.document import Document
from docx.oxml.ns import qn
from docx.section import Section
from docx.shared import Mm

from lianyan.reports.docx.fonts import ChineseFontSize
from lianyan.reports.docx.ooxml import (
    element,
    field_runs_xml,
    insert_before_first,
    text_runs_xml,
)
from lianyan.reports.docx.styles import STYLE_IDS

PAGE_WIDTH = Mm(210)
PAGE_HEIGHT = Mm(297)
MARGIN_TOP = Mm(37)
MARGIN_BOTTOM = Mm(35)
MARGIN_LEFT = Mm(28)
MARGIN_RIGHT = Mm(26)
LINES_PER_PAGE = 22
#: The standard puts the page number's dashes 7 mm below the text block; the footer distance
#: counts to the bottom of the footer line, about half a 四号 line lower than the dashes.
FOOTER_DISTANCE = Mm(35 - 7 - 2.5)
HEADER_DISTANCE = Mm(15)
PAGE_NUMBER_DASH = "—"
#: "One character in from the edge": one 四号 character.
PAGE_NUMBER_INSET_TWIPS = round(ChineseFontSize.SI * 20)


def text_width_twips() -> int:
    """Width of the text block (版心) in twips as Word sees it: 156 mm on A4."""
    # From the rounded twips Word stores, not from millimetres, so tables fit to the twip.
    return PAGE_WIDTH.twips - MARGIN_LEFT.twips - MARGIN_RIGHT.twips


def line_pitch_twips() -> int:
    """Line pitch of the grid in twips, rounded down so that exactly 22 lines fit."""
    text_height = PAGE_HEIGHT.twips - MARGIN_TOP.twips - MARGIN_BOTTOM.twips
    return text_height // LINES_PER_PAGE


def set_up_page(document: Document) -> Section:
    """Give the document's only section the A4 page, margins and document grid of GB/T 9704."""
    section = document.sections[0]
    section.page_width = PAGE_WIDTH
    section.page_height = PAGE_HEIGHT
    section.top_margin = MARGIN_TOP
    section.bottom_margin = MARGIN_BOTTOM
    section.left_margin = MARGIN_LEFT
    section.right_margin = MARGIN_RIGHT
    section.gutter = Mm(0)
    section.header_distance = HEADER_DISTANCE
    section.footer_distance = FOOTER_DISTANCE

    sect_pr = document.element.body.sectPr
    grid = sect_pr.find(qn("w:docGrid"))
    if grid is not None:
        sect_pr.remove(grid)
    insert_before_first(
        sect_pr,
        element(
            f'<w:docGrid w:type="lines" w:linePitch="{line_pitch_twips()}"/>'
        ),
        ("w:printerSettings", "w:sectPrChange"),
    )
    return section


def add_page_numbers(document: Document, section: Section) -> None:
    """Put "— N —" in the footers: odd pages at the right, even pages at the left.

    Side effect: turns on different odd and even headers and footers (``w:evenAndOddHeaders``).
    """
    document.settings.odd_and_even_pages_header_footer = True
    for footer, side in ((section.footer, "right"), (section.even_page_footer, "left")):
        footer.is_linked_to_previous = False
        container = footer.part.element
        for paragraph in list(container.findall(qn("w:p"))):
            container.remove(paragraph)
        container.append(element(_page_number_paragraph_xml(side)))


def _page_number_paragraph_xml(side: str) -> str:
    dash = PAGE_NUMBER_DASH
    return (
        f'<w:p><w:pPr><w:pStyle w:val="{STYLE_IDS.footer}"/>'
        f'<w:ind w:{side}="{PAGE_NUMBER_INSET_TWIPS}" w:firstLineChars="0" w:firstLine="0"/>'
        f'<w:jc w:val="{side}"/></w:pPr>'
        f"{text_runs_xml(f'{dash} ')}"
        f"{field_runs_xml('PAGE', '1')}"
        f"{text_runs_xml(f' {dash}')}"
        "</w:p>"
    )
