"""``ReportWriter``: the one way Lianyan writes a Word report in the official format."""

from __future__ import annotations

import datetime as dt
import io
import os
from collections.abc import Iterable, Sequence
from typing import IO

import docx
from docx.document import Document
from docx.oxml.ns import qn
from docx.shared import Length, Twips
from docx.table import Table
from docx.text.paragraph import Paragraph

from lianyan.reports.docx.fonts import ChineseFontSize, ReportFonts
from lianyan.reports.docx.ooxml import (
    child_elements,
    element,
    field_runs_xml,
    insert_before_first,
    text_runs_xml,
)
from lianyan.reports.docx.page import (
    add_page_numbers,
    line_pitch_twips,
    set_up_page,
    text_width_twips,
)
from lianyan.reports.docx.styles import CHAR_TWIPS, STYLE_IDS, install_styles
from lianyan.reports.docx.tables import (
    Align,
    Cell,
    sign_off_rows_xml,
    table_font_size,
    table_xml,
)
from lianyan.reports.docx.text import display_width, format_date_cn

TOC_PLACEHOLDER = "（目录将在 Word 中打开时自动生成；如未显示，请右键单击此处并选择“更新域”。）"
# Settings children that come after w:updateFields in the schema's fixed order.
_AFTER_UPDATE_FIELDS = (
    "w:hdrShapeDefaults", "w:footnotePr", "w:endnotePr", "w:compat", "w:docVars", "w:rsids",
    "m:mathPr", "w:attachedSchema", "w:themeFontLang", "w:clrSchemeMapping",
    "w:doNotIncludeSubdocsInStats", "w:doNotAutoCompressPictures", "w:forceUpgrade",
    "w:captions", "w:readModeInkLockDown", "w:smartTagType", "sl:schemaLibrary",
    "w:shapeDefaults", "w:doNotEmbedSmartTags", "w:decimalSymbol", "w:listSeparator",
)
_DEFAULT_FONTS = ReportFonts()


class ReportWriter:
    """Builds one GB/T 9704 document: page set-up, styles and page numbers are done on creation."""

    def __init__(self, *, fonts: ReportFonts = _DEFAULT_FONTS) -> None:
        self.fonts = fonts
        self._document: Document = docx.Document()
        section = set_up_page(self._document)
        self._text_width = text_width_twips()
        install_styles(self._document, fonts, text_width_twips=self._text_width,
                       line_pitch_twips=line_pitch_twips())
        add_page_numbers(self._document, section)
        # Block content goes before the body's final sectPr; keeping the element saves a scan
        # of the whole body for every paragraph.
        self._sect_pr = self._document.element.body.sectPr

    @property
    def document(self) -> Document:
        """The python-docx document, for what this class does not cover (images, runs)."""
        return self._document

    def add_attachment_label(self, number: int | str) -> Paragraph:
        """Add "附件1" (黑体 三号, top left); call it first, before the title."""
        label = f"附件{number}" if isinstance(number, int) else number
        return self._paragraph(label, STYLE_IDS.attachment_label)

    def add_title(self, text: str) -> Paragraph:
        """Add the centred 二号 小标宋 title; "\\n" breaks a long title into lines."""
        return self._paragraph(text, STYLE_IDS.title)

    def add_heading(self, text: str, *, level: int) -> Paragraph:
        """Add a heading: 1 "一、" 黑体, 2 "（一）" 楷体, 3 "1." and 4 "（1）" in the body font.

        The caller writes the number into ``text`` (see ``outline_number``).
        """
        if not 1 <= level <= len(STYLE_IDS.heading):
            raise ValueError(f"heading levels run from 1 to {len(STYLE_IDS.heading)}, got {level}")
        return self._paragraph(text, STYLE_IDS.heading[level - 1])

    def add_paragraph(self, text: str = "", *, indent: bool = True) -> Paragraph:
        """Add a body paragraph (仿宋 三号, justified, first line indented two characters)."""
        paragraph = self._paragraph(text, STYLE_IDS.normal)
        if not indent:
            # The style's firstLineChars outranks firstLine in Word, so both are zeroed.
            ind = paragraph._p.get_or_add_pPr().get_or_add_ind()
            ind.set(qn("w:firstLineChars"), "0")
            ind.set(qn("w:firstLine"), "0")
        return paragraph

    def add_table(self, header: Sequence[str], rows: Iterable[Sequence[Cell]], *,
                  widths: Sequence[Length] | None = None,
                  align: Sequence[Align | None] | None = None,
                  font_size: ChineseFontSize | None = None) -> Table:
        """Add a filing-form table: header row repeated on each page, rows kept whole.

        Cells render with ``cell_text`` (None blank, bool 是/否, date "2026年2月9日").
        Columns whose cells are six full-width characters or narrower are centred, others left;
        ``align`` overrides per column (None keeps the rule). ``widths`` default to widths
        proportional to content across the text block; ``font_size`` (四号 or 小四) defaults to
        小四 for six columns or more. Rows are read once, so a generator is fine.
        """
        parts = table_xml(header, rows, text_width=self._text_width, widths=widths,
                          align=align, font_size=font_size)
        tbl = element(parts.table)
        self._sect_pr.addprevious(tbl)
        for chunk in parts.row_chunks:
            tbl.extend(child_elements(chunk, "w:tbl"))
        return Table(tbl, self._document)

    def add_sign_off_rows(self, table: Table, *, unit: str | None = None,
                          filled_on: dt.date | None = None) -> None:
        """Append 填报单位（盖章）, 负责人签字, 填报日期 and 市教育局审核意见 rows to ``table``.

        ``unit`` and ``filled_on`` fill their rows when given; otherwise the rows stay blank
        for handwriting. The rows take the table's type size.
        """
        tbl = table._tbl
        grid = [int(col.get(qn("w:w"))) for col in tbl.iter(qn("w:gridCol"))]
        first_style = next(tbl.iter(qn("w:pStyle"))).get(qn("w:val"))
        rows = sign_off_rows_xml(grid, table_font_size(first_style), unit=unit,
                                 filled_on=filled_on)
        tbl.extend(element(row) for row in rows)

    def add_signature(self, unit: str, issued_on: dt.date) -> tuple[Paragraph, Paragraph]:
        """Add the issuing unit and the date ("2026年2月9日") after the body, right-aligned.

        GB/T 9704 (7.3.5.3, no seal): one blank line above, the unit two characters in from the
        right, the date on the next line starting two characters right of the unit's start.
        """
        date_text = format_date_cn(issued_on)
        unit_width, date_width = display_width(unit), display_width(date_text)
        unit_indent = max(2.0, 4.0 + date_width - unit_width)
        date_indent = unit_indent + unit_width - 2.0 - date_width
        unit_paragraph = self._paragraph(unit, STYLE_IDS.signature)
        unit_paragraph.paragraph_format.space_before = Twips(line_pitch_twips())
        date_paragraph = self._paragraph(date_text, STYLE_IDS.signature)
        for paragraph, indent in ((unit_paragraph, unit_indent), (date_paragraph, date_indent)):
            ind = paragraph._p.get_or_add_pPr().get_or_add_ind()
            ind.set(qn("w:rightChars"), str(round(indent * 100)))
            ind.set(qn("w:right"), str(round(indent * CHAR_TWIPS)))
        return unit_paragraph, date_paragraph

    def add_table_of_contents(self, *, title: str = "目　录", page_break: bool = True) -> None:
        """Add a TOC field over headings 1–2 that Word fills in on open (``w:updateFields``)."""
        self._paragraph(title, STYLE_IDS.toc_heading)
        field = field_runs_xml(r'TOC \o "1-2" \h \z \u', TOC_PLACEHOLDER)
        self._sect_pr.addprevious(
            element(f'<w:p><w:pPr><w:pStyle w:val="{STYLE_IDS.toc[0]}"/></w:pPr>{field}</w:p>')
        )
        settings = self._document.settings.element
        if settings.find(qn("w:updateFields")) is None:
            insert_before_first(settings, element('<w:updateFields w:val="true"/>'),
                                _AFTER_UPDATE_FIELDS)
        if page_break:
            self.add_page_break()

    def add_page_break(self) -> None:
        """Start a new page."""
        self._sect_pr.addprevious(element('<w:p><w:r><w:br w:type="page"/></w:r></w:p>'))

    def save(self, target: str | os.PathLike[str] | IO[bytes]) -> None:
        """Write the .docx to a path or a binary stream."""
        self._document.save(os.fspath(target) if isinstance(target, os.PathLike) else target)

    def to_bytes(self) -> bytes:
        """Return the .docx as bytes."""
        buffer = io.BytesIO()
        self._document.save(buffer)
        return buffer.getvalue()

    def _paragraph(self, text: str, style_id: str) -> Paragraph:
        # Written as XML with the style id: python-docx's style setter scans every style of the
        # document for each paragraph, milliseconds apiece in a long compilation.
        p = element(f'<w:p><w:pPr><w:pStyle w:val="{style_id}"/></w:pPr>'
                    f"{text_runs_xml(text)}</w:p>")
        self._sect_pr.addprevious(p)
        return Paragraph(p, self._document)
