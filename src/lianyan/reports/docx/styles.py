"""Paragraph and table styles of the official format, written as OOXML into a python-docx document.

Each style the writer uses is rewritten from scratch (so nothing of the bundled template's blue,
bordered, theme-font look survives) and names its font on the East-Asian slot. The template's
other styles keep their layout but lose their theme-font references.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from docx.document import Document
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.part import XmlPart
from docx.oxml import parse_xml
from docx.oxml.ns import qn
from lxml import etree

from lianyan.reports.docx.fonts import FONT_FALLBACKS, ChineseFontSize, ReportFonts
from lianyan.reports.docx.ooxml import (
    element,
    escape_attr,
    insert_before_first,
    rfonts_xml,
    size_xml,
    strip_theme_fonts,
)

#: Body characters are 三号; "two characters" of indent are two of those.
CHAR_TWIPS = round(ChineseFontSize.SAN * 20)
#: One 四号 character (the 版记's indent).
SI_CHAR_TWIPS = round(ChineseFontSize.SI * 20)
_NO_INDENT = '<w:ind w:firstLineChars="0" w:firstLine="0"/>'
_TWO_CHAR_INDENT = f'<w:ind w:firstLineChars="200" w:firstLine="{2 * CHAR_TWIPS}"/>'
_SINGLE_OFF_GRID = (
    '<w:snapToGrid w:val="0"/><w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/>'
)
#: Left and right cell padding of tables: 1 mm, tight enough for eight-column filing forms.
CELL_MARGIN_TWIPS = 57
# GB 2312 charset: tells Word to substitute a Chinese face, never a Japanese one.
_GB2312_CHARSET = "86"


@dataclass(frozen=True, slots=True)
class StyleIds:
    """The style ids the writer applies; paragraphs refer to styles by id."""

    normal: str = "Normal"
    title: str = "Title"
    heading: tuple[str, ...] = ("Heading1", "Heading2", "Heading3", "Heading4")
    attachment_label: str = "AttachmentLabel"
    signature: str = "Signature"
    table_header: str = "TableHeader"
    table_text: str = "TableText"
    table_header_small: str = "TableHeaderSmall"
    table_text_small: str = "TableTextSmall"
    table: str = "TableGrid"
    footer: str = "Footer"
    toc_heading: str = "TOCHeading"
    toc: tuple[str, ...] = ("TOC1", "TOC2")
    document_number: str = "DocumentNumber"
    imprint: str = "Imprint"


STYLE_IDS = StyleIds()


def install_styles(document: Document, fonts: ReportFonts, *, text_width_twips: int,
                   line_pitch_twips: int) -> None:
    """Rewrite the document defaults and every style the writer uses; fix the font table.

    Side effects: replaces style elements in ``styles.xml``, sets the East-Asian theme language
    in ``settings.xml`` and swaps the font-table part for one that lists fallbacks.
    """
    styles = document.styles.element
    strip_theme_fonts(styles)
    _set_doc_defaults(styles, fonts, text_width_twips)
    for xml in _style_definitions(fonts, text_width_twips, line_pitch_twips):
        _replace_style(styles, element(xml))
    _ensure_table_style_fonts(styles, "TableNormal", fonts.table_body)

    theme_lang = document.settings.element.find(qn("w:themeFontLang"))
    if theme_lang is not None:
        theme_lang.set(qn("w:eastAsia"), "zh-CN")
    _install_font_table(document, fonts)


#: Characters a line of body text (GB/T 9704).
CHARS_PER_LINE = 28


def char_spacing(text_width_twips: int, body_size_pt: float) -> int:
    """Character spacing (``w:spacing`` in run properties, 1/20 pt) for 28 characters a line.

    The 156 mm text block holds 27.6 characters of 三号 (16 pt); GB/T 9704's 28 need the text
    condensed by a quarter point. Word gets there with a character grid (``linesAndChars``), but
    LibreOffice then gives every CJK character wider than the grid pitch two cells — 14
    characters a line in its rendering and PDF export. Condensing the text instead gives 28 a
    line in both; rounding down keeps 28, not 27.
    """
    pitch = text_width_twips / 20 / CHARS_PER_LINE
    return math.floor((pitch - body_size_pt) * 20)


def _set_doc_defaults(styles: etree._Element, fonts: ReportFonts, text_width: int) -> None:
    doc_defaults = styles.find(qn("w:docDefaults"))
    if doc_defaults is not None:
        styles.remove(doc_defaults)
    doc_defaults = element(
        "<w:docDefaults><w:rPrDefault><w:rPr>"
        f'{rfonts_xml(fonts.body)}'
        f'<w:spacing w:val="{char_spacing(text_width, ChineseFontSize.SAN)}"/>'
        f"<w:kern w:val=\"2\"/>{size_xml(ChineseFontSize.SAN)}"
        '<w:lang w:val="en-US" w:eastAsia="zh-CN" w:bidi="ar-SA"/>'
        "</w:rPr></w:rPrDefault>"
        '<w:pPrDefault><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/>'
        "</w:pPr></w:pPrDefault></w:docDefaults>"
    )
    styles.insert(0, doc_defaults)


def _style(style_id: str, name: str, *, based_on: str | None = "Normal", ppr: str = "",
           rpr: str = "", kind: str = "paragraph", priority: int | None = None,
           default: bool = False, custom: bool = False, extra: str = "") -> str:
    flags = (' w:default="1"' if default else "") + (' w:customStyle="1"' if custom else "")
    parts = [
        f'<w:style w:type="{kind}"{flags} w:styleId="{style_id}">',
        f'<w:name w:val="{escape_attr(name)}"/>',
        f'<w:basedOn w:val="{based_on}"/>' if based_on else "",
        '<w:next w:val="Normal"/>' if kind == "paragraph" and style_id != "Normal" else "",
        f'<w:uiPriority w:val="{priority}"/>' if priority is not None else "",
        "<w:qFormat/>",
        f"<w:pPr>{ppr}</w:pPr>" if ppr else "",
        f"<w:rPr>{rpr}</w:rPr>" if rpr else "",
        extra,
        "</w:style>",
    ]
    return "".join(parts)


def _style_definitions(fonts: ReportFonts, text_width: int, line_pitch: int) -> list[str]:
    ids = STYLE_IDS
    san = size_xml(ChineseFontSize.SAN)
    heading_ppr = '<w:keepNext/><w:keepLines/>{ind}<w:outlineLvl w:val="{level}"/>'
    heading_fonts = (fonts.heading1, fonts.heading2, fonts.body, fonts.body)
    toc_tabs = f'<w:tabs><w:tab w:val="right" w:leader="dot" w:pos="{text_width}"/></w:tabs>'
    definitions = [
        _style(
            ids.normal, "Normal", based_on=None, default=True,
            # As Chinese Word's Normal: no widow control, so every page fills its 22 lines.
            ppr=f'<w:widowControl w:val="0"/>{_TWO_CHAR_INDENT}<w:jc w:val="both"/>',
            rpr=rfonts_xml(fonts.body) + san,
        ),
        _style(
            ids.title, "Title", priority=10,
            # Off the character grid: 二号 characters are wider than the 15.8 pt pitch and
            # would each take two grid cells.
            ppr=f'<w:snapToGrid w:val="0"/><w:spacing w:after="{line_pitch}"/>{_NO_INDENT}'
                '<w:jc w:val="center"/><w:outlineLvl w:val="9"/>',
            rpr=rfonts_xml(fonts.title) + size_xml(ChineseFontSize.ER),
        ),
        *(
            _style(
                style_id, f"heading {level + 1}", priority=9,
                ppr=heading_ppr.format(ind=_TWO_CHAR_INDENT, level=level),
                rpr=rfonts_xml(font) + san,
            )
            for level, (style_id, font) in enumerate(zip(ids.heading, heading_fonts, strict=True))
        ),
        _style(
            ids.attachment_label, "附件标识", custom=True, priority=11,
            ppr=f'{_NO_INDENT}<w:jc w:val="left"/>',
            rpr=rfonts_xml(fonts.heading1) + san,
        ),
        _style(
            ids.signature, "落款", custom=True, priority=12,
            ppr=f'{_NO_INDENT}<w:jc w:val="right"/>',
            rpr=rfonts_xml(fonts.body) + san,
        ),
        _style(
            ids.document_number, "发文字号", custom=True, priority=12,
            ppr=f'<w:spacing w:after="{line_pitch}"/>{_NO_INDENT}<w:jc w:val="center"/>',
            rpr=rfonts_xml(fonts.body) + san,
        ),
        _style(
            # 版记: 四号, one character in from each side, off the grid like a table.
            ids.imprint, "版记", custom=True, priority=12,
            ppr=f'{_SINGLE_OFF_GRID}<w:ind w:left="{SI_CHAR_TWIPS}" w:right="{SI_CHAR_TWIPS}"'
                ' w:firstLineChars="0" w:firstLine="0"/><w:jc w:val="left"/>',
            rpr=rfonts_xml(fonts.body) + size_xml(ChineseFontSize.SI),
        ),
        _style(
            ids.table_text, "表格正文", custom=True, priority=13,
            # Off the document grid: a grid line is 28.95 pt, far too tall for a table row.
            # No extra space between Chinese and digits, so column widths can be measured.
            ppr=f'<w:autoSpaceDE w:val="0"/><w:autoSpaceDN w:val="0"/>{_SINGLE_OFF_GRID}'
                f'{_NO_INDENT}<w:jc w:val="center"/>',
            rpr=rfonts_xml(fonts.table_body) + size_xml(ChineseFontSize.SI),
        ),
        _style(
            ids.table_header, "表格表头", based_on=ids.table_text, custom=True, priority=14,
            rpr=rfonts_xml(fonts.heading1) + "<w:b/><w:bCs/>" + size_xml(ChineseFontSize.SI),
        ),
        # Wide tables are set in 小四; separate styles keep the size out of every cell's XML.
        _style(
            ids.table_text_small, "表格正文（小四）", based_on=ids.table_text, custom=True,
            priority=15, rpr=rfonts_xml(fonts.table_body) + size_xml(ChineseFontSize.XIAO_SI),
        ),
        _style(
            ids.table_header_small, "表格表头（小四）", based_on=ids.table_header, custom=True,
            priority=16,
            rpr=rfonts_xml(fonts.heading1) + "<w:b/><w:bCs/>"
                + size_xml(ChineseFontSize.XIAO_SI),
        ),
        _style(
            ids.footer, "footer", priority=99,
            ppr=f"{_SINGLE_OFF_GRID}{_NO_INDENT}",
            rpr=rfonts_xml(fonts.page_number) + size_xml(ChineseFontSize.SI),
        ),
        _style(
            ids.toc_heading, "TOC Heading", priority=39,
            ppr=f'<w:keepNext/><w:spacing w:after="{line_pitch}"/>{_NO_INDENT}'
                '<w:jc w:val="center"/><w:outlineLvl w:val="9"/>',
            rpr=rfonts_xml(fonts.heading1) + san,
        ),
        _style(
            ids.toc[0], "toc 1", priority=39,
            ppr=f"{toc_tabs}{_NO_INDENT}", rpr=rfonts_xml(fonts.body),
        ),
        _style(
            ids.toc[1], "toc 2", priority=39,
            ppr=f'{toc_tabs}<w:ind w:leftChars="200" w:left="{2 * CHAR_TWIPS}"'
                ' w:firstLineChars="0" w:firstLine="0"/>',
            rpr=rfonts_xml(fonts.body),
        ),
        _style(
            ids.table, "Table Grid", based_on="TableNormal", kind="table", priority=59,
            ppr=_SINGLE_OFF_GRID,
            rpr=rfonts_xml(fonts.table_body) + size_xml(ChineseFontSize.SI),
            extra=(
                "<w:tblPr><w:tblBorders>"
                + "".join(
                    f'<w:{edge} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
                    for edge in ("top", "left", "bottom", "right", "insideH", "insideV")
                )
                + "</w:tblBorders><w:tblCellMar>"
                '<w:top w:w="57" w:type="dxa"/>'
                f'<w:left w:w="{CELL_MARGIN_TWIPS}" w:type="dxa"/>'
                '<w:bottom w:w="57" w:type="dxa"/>'
                f'<w:right w:w="{CELL_MARGIN_TWIPS}" w:type="dxa"/>'
                "</w:tblCellMar></w:tblPr>"
            ),
        ),
    ]
    return definitions


def _replace_style(styles: etree._Element, new_style: etree._Element) -> None:
    style_id = new_style.get(qn("w:styleId"))
    for old in styles.findall(qn("w:style")):
        if old.get(qn("w:styleId")) == style_id:
            old.addprevious(new_style)
            styles.remove(old)
            break
    else:
        styles.append(new_style)
    # The template's "Heading 1 Char" and the like would bring the blue theme look back the
    # moment Word links them to the new paragraph style again.
    for link in styles.iterfind(f"{qn('w:style')}/{qn('w:link')}"):
        if link.get(qn("w:val")) == style_id:
            link.getparent().remove(link)


def _ensure_table_style_fonts(styles: etree._Element, style_id: str, font: str) -> None:
    for style in styles.findall(qn("w:style")):
        if style.get(qn("w:styleId")) != style_id:
            continue
        rpr = style.find(qn("w:rPr"))
        if rpr is None:
            rpr = element("<w:rPr/>")
            insert_before_first(style, rpr, ("w:tblPr", "w:trPr", "w:tcPr", "w:tblStylePr"))
        old = rpr.find(qn("w:rFonts"))
        if old is not None:
            rpr.remove(old)
        rpr.insert(0, element(rfonts_xml(font)))


def _install_font_table(document: Document, fonts: ReportFonts) -> None:
    """Swap the font-table part for one whose entries name each font's fallbacks."""
    doc_part = document.part
    old_rid = next(rid for rid, rel in doc_part.rels.items() if rel.reltype == RT.FONT_TABLE)
    old_part = doc_part.rels[old_rid].target_part
    root = parse_xml(old_part.blob)
    wanted = fonts.names()
    for font in root.findall(qn("w:font")):
        if font.get(qn("w:name")) in wanted:
            root.remove(font)
    for name in wanted:
        alt = FONT_FALLBACKS.get(name)
        root.append(element(
            f'<w:font w:name="{escape_attr(name)}">'
            + (f'<w:altName w:val="{escape_attr(alt)}"/>' if alt else "")
            + f'<w:charset w:val="{_GB2312_CHARSET}"/><w:family w:val="auto"/>'
            '<w:pitch w:val="variable"/></w:font>'
        ))
    new_part = XmlPart(old_part.partname, old_part.content_type, root, doc_part.package)
    doc_part.drop_rel(old_rid)
    doc_part.relate_to(new_part, RT.FONT_TABLE)

