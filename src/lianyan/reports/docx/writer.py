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
from lxml import etree

from lianyan.reports.docx.fonts import ChineseFontSize, ReportFonts
from lianyan.reports.docx.ooxml import (
    child_elements,
    element,
    field_runs_xml,
    insert_before_first,
    keep_with_next,
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

    def add_attachment_label(self, number: int | str, *, new_page: bool = False) -> Paragraph:
        """Add "附件1" (黑体 三号, top left); call it first, before the title.

        ``new_page`` starts the attachment on a new page (an attachment after the main text):
        ``w:pageBreakBefore``, which never leaves an empty page as a break paragraph would
        after a table that fills its page.
        """
        label = f"附件{number}" if isinstance(number, int) else number
        paragraph = self._paragraph(label, STYLE_IDS.attachment_label)
        if new_page:
            paragraph.paragraph_format.page_break_before = True
        # GB/T 9704 §8: the label on line 1, the attachment's title on line 3.
        paragraph.paragraph_format.space_after = Twips(line_pitch_twips())
        keep_with_next(paragraph._p)
        return paragraph

    def add_document_number(self, text: str) -> Paragraph:
        """Add the 发文字号 ("灵教体〔2026〕3号"), centred, one line above the title."""
        paragraph = self._paragraph(text, STYLE_IDS.document_number)
        keep_with_next(paragraph._p)
        return paragraph

    def add_addressee(self, text: str) -> Paragraph:
        """Add the 主送机关 line ("各县（市、区）教育局："), flush left, under the title."""
        paragraph = self.add_paragraph(text if text.endswith("：") else text + "：", indent=False)
        keep_with_next(paragraph._p)
        return paragraph

    def add_attachment_note(self, titles: Sequence[str]) -> list[Paragraph]:
        """Add the 附件说明 under the body: "附件：1．…", further titles aligned under the first.

        GB/T 9704 §7.3.4: one blank line above, two characters in; several attachments numbered.
        """
        numbered = len(titles) > 1
        paragraphs = []
        self._keep_last_with_next()  # the note never starts a page without body text
        for index, title in enumerate(titles, start=1):
            text = (f"{index}．{title}" if numbered else title)
            paragraph = self.add_paragraph(("附件：" if index == 1 else "") + text, indent=False)
            ind = paragraph._p.get_or_add_pPr().get_or_add_ind()
            left = 2 if index == 1 else 5  # "附件：" is three characters wide
            ind.set(qn("w:leftChars"), str(left * 100))
            ind.set(qn("w:left"), str(left * CHAR_TWIPS))
            if index == 1:
                paragraph.paragraph_format.space_before = Twips(line_pitch_twips())
            keep_with_next(paragraph._p)
            paragraphs.append(paragraph)
        return paragraphs

    def add_imprint(self, *, printed_by: str, printed_on: dt.date, copy_to: str = "") -> None:
        """Add the 版记 (GB/T 9704 §7.4): 抄送 and 印发机关 / 印发日期 between rules.

        The first and last rules are thick (0.35 mm), the one between the lines thin; the text is
        四号 仿宋, one character in from each side, "2026年12月20日印发" at the right. The block is
        kept whole and with the paragraph above it.
        """
        thick, thin = 'w:val="single" w:sz="8" w:space="1" w:color="000000"', \
            'w:val="single" w:sz="6" w:space="1" w:color="000000"'
        ppr = (f'<w:pStyle w:val="{STYLE_IDS.imprint}"/><w:keepNext/><w:keepLines/>'
               '<w:pBdr>{borders}</w:pBdr>'
               f'<w:tabs><w:tab w:val="right" w:pos="{self._text_width - CHAR_TWIPS}"/></w:tabs>')
        lines = []
        if copy_to:
            lines.append((f"抄送：{copy_to.rstrip('。')}。", f"<w:top {thick}/><w:bottom {thin}/>"))
        printed = f"{printed_by}\t{format_date_cn(printed_on)}印发"
        lines.append((printed, (f"<w:top {thin}/>" if copy_to else f"<w:top {thick}/>")
                      + f"<w:bottom {thick}/>"))
        self._keep_last_with_next()
        for text, borders in lines:
            p = element(f"<w:p><w:pPr>{ppr.format(borders=borders)}</w:pPr>"
                        f"{text_runs_xml(text)}</w:p>")
            self._sect_pr.addprevious(p)
        # The last line need not keep with what follows (nothing does).
        last = self._sect_pr.getprevious()
        last.find(qn("w:pPr")).remove(last.find(f"{qn('w:pPr')}/{qn('w:keepNext')}"))

    def set_properties(self, *, title: str, author: str, created: dt.datetime) -> None:
        """Fill the file's core properties: title, author and last editor, created / modified.

        python-docx's template would otherwise say author "python-docx", created 2013.
        """
        props = self._document.core_properties
        props.title = title
        props.author = author
        props.last_modified_by = author
        props.created = created
        props.modified = created
        props.revision = 1
        props.comments = ""
        props.keywords = ""
        props.subject = ""
        props.category = ""

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
        lead_in = self._sect_pr.getprevious()
        if lead_in is not None and lead_in.tag == qn("w:p"):
            keep_with_next(lead_in)  # the sentence that introduces a table stays with it
        self._sect_pr.addprevious(tbl)
        for chunk in parts.row_chunks:
            tbl.extend(child_elements(chunk, "w:tbl"))
        # The last row (often 合计) never stands alone at the top of a page.
        trs = tbl.findall(qn("w:tr"))
        if len(trs) > 2:
            _keep_row_with_next(trs[-2])
        return Table(tbl, self._document)

    def add_sign_off_rows(self, table: Table, *, unit: str | None = None,
                          filled_on: dt.date | None = None, opinion: str = "",
                          reviewed_on: dt.date | None = None) -> None:
        """Append 填报单位（盖章）, 负责人签字, 填报日期 and 市教育局审核意见 rows to ``table``.

        ``unit`` and ``filled_on`` fill their rows when given; otherwise the rows stay blank
        for handwriting. ``opinion`` and ``reviewed_on`` fill the city's review (the opinion it
        recorded, e.g. "同意备案。"). The rows take the table's type size; they are kept with the
        table's last data row.
        """
        tbl = table._tbl
        grid = [int(col.get(qn("w:w"))) for col in tbl.iter(qn("w:gridCol"))]
        first_style = next(tbl.iter(qn("w:pStyle"))).get(qn("w:val"))
        rows = sign_off_rows_xml(grid, table_font_size(first_style), unit=unit,
                                 filled_on=filled_on, opinion=opinion, reviewed_on=reviewed_on)
        # The seal rows go with the last data row, never alone under a repeated header.
        data_rows = tbl.findall(qn("w:tr"))
        if len(data_rows) > 1:
            _keep_row_with_next(data_rows[-1])
        new_rows = [element(row) for row in rows]
        for row in new_rows[:-1]:
            _keep_row_with_next(row)
        tbl.extend(new_rows)

    def add_signature(self, unit: str, issued_on: dt.date) -> tuple[Paragraph, Paragraph]:
        """Add the issuing unit and the date ("2026年2月9日") after the body, right-aligned.

        GB/T 9704 (7.3.5.3, no seal): one blank line above, the unit two characters in from the
        right, the date on the next line starting two characters right of the unit's start.
        """
        date_text = format_date_cn(issued_on)
        unit_width, date_width = display_width(unit), display_width(date_text)
        unit_indent = max(2.0, 4.0 + date_width - unit_width)
        date_indent = unit_indent + unit_width - 2.0 - date_width
        # The unit, its date and the body's last paragraph share a page (GB/T 9704 §7.3.5.4:
        # no page with the signature alone).
        self._keep_last_with_next()
        unit_paragraph = self._paragraph(unit, STYLE_IDS.signature)
        keep_with_next(unit_paragraph._p)
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

    def remove_update_fields(self) -> None:
        """Drop ``w:updateFields`` (set by ``add_table_of_contents``) once the caller has filled
        the fields' results itself, so Word opens the file without asking to update them."""
        settings = self._document.settings.element
        for flag in settings.findall(qn("w:updateFields")):
            settings.remove(flag)

    def _keep_last_with_next(self) -> None:
        """Keep what was written last (a paragraph, or a table's last row) with what follows."""
        previous = self._sect_pr.getprevious()
        if previous is None:
            return
        if previous.tag == qn("w:p"):
            keep_with_next(previous)
        elif previous.tag == qn("w:tbl"):
            rows = previous.findall(qn("w:tr"))
            if rows:
                _keep_row_with_next(rows[-1])

    def _paragraph(self, text: str, style_id: str) -> Paragraph:
        # Written as XML with the style id: python-docx's style setter scans every style of the
        # document for each paragraph, milliseconds apiece in a long compilation.
        p = element(f'<w:p><w:pPr><w:pStyle w:val="{style_id}"/></w:pPr>'
                    f"{text_runs_xml(text)}</w:p>")
        self._sect_pr.addprevious(p)
        return Paragraph(p, self._document)


def _keep_row_with_next(tr: etree._Element) -> None:
    """Keep table row ``tr`` on the page of the row after it (keepNext on its paragraphs)."""
    for p in tr.iter(qn("w:p")):
        keep_with_next(p)
