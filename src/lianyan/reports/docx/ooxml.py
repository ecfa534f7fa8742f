"""Small WordprocessingML helpers shared by the report writer's modules.

Everything here works on raw lxml elements or XML strings, because the parts of GB/T 9704 that
python-docx has no API for (East-Asian font slots, the document grid, complex fields, repeated
header rows) are a few lines of XML each.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from lxml import etree

W_DECL = nsdecls("w")

# XML 1.0 forbids these; user-entered text (names pasted from Excel) sometimes carries them,
# and one stray control character must not make a whole report fail.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
# Anything that needs more than a plain <w:t>: markup characters, breaks, tabs, illegal
# characters, and spaces Word would otherwise drop.
_NOT_PLAIN = re.compile("[&<>\r\n\t\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]|^ | $|  ")
_ROOT_TAG = re.compile(r"^<w:[A-Za-z]+")
_THEME_FONT_ATTRS = tuple(qn(f"w:{name}") for name in
                          ("asciiTheme", "eastAsiaTheme", "hAnsiTheme", "cstheme"))


def escape_text(text: str) -> str:
    """Return ``text`` safe to place inside ``<w:t>``: escaped, illegal characters dropped."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return strip_illegal(text)


def strip_illegal(text: str) -> str:
    """Drop the characters XML cannot hold (control characters pasted from spreadsheets)."""
    return _XML_ILLEGAL.sub("", text) if _XML_ILLEGAL.search(text) else text


def escape_attr(value: str) -> str:
    """Return ``value`` safe to place inside a double-quoted attribute."""
    return escape_text(value).replace('"', "&quot;")


def _t(segment: str) -> str:
    if not segment:
        return ""
    # Word drops leading, trailing and doubled spaces unless told to keep them.
    keep = segment[0] == " " or segment[-1] == " " or "  " in segment
    return f'<w:t xml:space="preserve">{segment}</w:t>' if keep else f"<w:t>{segment}</w:t>"


def text_runs_xml(text: str, rpr: str = "") -> str:
    """Return the ``<w:r>`` XML for ``text``, turning newlines into breaks and tabs into tabs."""
    if not text:
        return ""
    if _NOT_PLAIN.search(text) is None:  # the common case, kept cheap for 100,000-cell tables
        return f"<w:r>{rpr}<w:t>{text}</w:t></w:r>"
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = escape_text(text)
    if "\n" not in text and "\t" not in text:
        return f"<w:r>{rpr}{_t(text)}</w:r>"
    parts = []
    for line_number, line in enumerate(text.split("\n")):
        if line_number:
            parts.append("<w:br/>")
        for piece_number, piece in enumerate(line.split("\t")):
            if piece_number:
                parts.append("<w:tab/>")
            parts.append(_t(piece))
    return f"<w:r>{rpr}{''.join(parts)}</w:r>"


def rfonts_xml(font: str) -> str:
    """Return a ``<w:rFonts>`` that names ``font`` on every slot, East-Asian included."""
    name = escape_attr(font)
    return (
        f'<w:rFonts w:ascii="{name}" w:eastAsia="{name}" w:hAnsi="{name}" w:cs="{name}"'
        ' w:hint="eastAsia"/>'
    )


def size_xml(points: float) -> str:
    """Return ``<w:sz>`` and ``<w:szCs>`` for a size in points (OOXML counts half-points)."""
    half_points = round(points * 2)
    return f'<w:sz w:val="{half_points}"/><w:szCs w:val="{half_points}"/>'


def element(xml: str) -> etree._Element:
    """Parse one WordprocessingML element (``w:`` prefix) into a python-docx element.

    The namespace is declared on the fragment's own root, so that the element carries its
    declaration along when it is inserted into the document.
    """
    declared, found = _ROOT_TAG.subn(rf"\g<0> {W_DECL}", xml, count=1)
    if not found:
        raise ValueError("an element fragment must start with a w: tag")
    return parse_xml(declared)


def child_elements(xml: str, container: str) -> list[etree._Element]:
    """Parse a run of sibling elements (e.g. ``<w:tr>`` rows) given as one XML string."""
    return list(parse_xml(f"<{container} {W_DECL}>{xml}</{container}>"))


def strip_theme_fonts(root: etree._Element) -> None:
    """Drop every theme-font reference under ``root``.

    The bundled template maps East-Asian theme fonts to a Japanese face (python-docx #1601);
    an explicit ``w:eastAsia`` only wins if no ``*Theme`` attribute sits beside it.
    """
    for rfonts in root.iter(qn("w:rFonts")):
        for attr in _THEME_FONT_ATTRS:
            rfonts.attrib.pop(attr, None)


def insert_before_first(parent: etree._Element, child: etree._Element,
                        successors: Iterable[str]) -> None:
    """Insert ``child`` before the first of ``successors`` present in ``parent``, else append.

    OOXML schemas fix the order of children; Word refuses files that break it.
    """
    for tag in successors:
        found = parent.find(qn(tag))
        if found is not None:
            found.addprevious(child)
            return
    parent.append(child)


def field_runs_xml(instruction: str, placeholder: str = "", rpr: str = "") -> str:
    """Return the runs of a complex field (begin, instruction, separate, result, end).

    ``w:dirty`` asks Word to recompute the result on open; the placeholder is what a reader
    that never updates fields shows.
    """
    return (
        f'<w:r>{rpr}<w:fldChar w:fldCharType="begin" w:dirty="true"/></w:r>'
        f'<w:r>{rpr}<w:instrText xml:space="preserve"> {escape_text(instruction)} </w:instrText>'
        "</w:r>"
        f'<w:r>{rpr}<w:fldChar w:fldCharType="separate"/></w:r>'
        f"{text_runs_xml(placeholder, rpr)}"
        f'<w:r>{rpr}<w:fldChar w:fldCharType="end"/></w:r>'
    )


def keep_with_next(p: etree._Element) -> None:
    """Give paragraph ``p`` ``w:keepNext``: it goes to the page of the paragraph or row after it.

    In a table cell, Word and LibreOffice keep the cell's row with the next row.
    """
    ppr = p.find(qn("w:pPr"))
    if ppr is None:
        ppr = element("<w:pPr/>")
        p.insert(0, ppr)
    if ppr.find(qn("w:keepNext")) is not None:
        return
    style = ppr.find(qn("w:pStyle"))
    # Schema order: pStyle first, keepNext right after it.
    ppr.insert(0 if style is None else 1, element("<w:keepNext/>"))
