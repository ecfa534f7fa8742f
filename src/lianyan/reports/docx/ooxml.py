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

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W_DECL = nsdecls("w")

#: Twips (1/20 pt) per point.
TWIPS_PER_PT = 20

# XML 1.0 forbids these; user-entered text (names pasted from Excel) sometimes carries them,
# and one stray control character must not make a whole report fail.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
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
    if _XML_ILLEGAL.search(text):
        text = _XML_ILLEGAL.sub("", text)
    return text


def escape_attr(value: str) -> str:
    """Return ``value`` safe to place inside a double-quoted attribute."""
    return escape_text(value).replace('"', "&quot;")


def text_runs_xml(text: str, rpr: str = "") -> str:
    """Return the ``<w:r>`` XML for ``text``, turning newlines into breaks and tabs into tabs."""
    if not text:
        return ""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    body = escape_text(text)
    if "\n" in body:
        body = body.replace("\n", '</w:t><w:br/><w:t xml:space="preserve">')
    if "\t" in body:
        body = body.replace("\t", '</w:t><w:tab/><w:t xml:space="preserve">')
    return f'<w:r>{rpr}<w:t xml:space="preserve">{body}</w:t></w:r>'


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


def elements(xml: str) -> list[etree._Element]:
    """Parse WordprocessingML fragments (``w:`` prefix, declared here) into elements."""
    return list(parse_xml(f"<w:fragment {W_DECL}>{xml}</w:fragment>"))


def element(xml: str) -> etree._Element:
    """Parse one WordprocessingML fragment (``w:`` prefix, declared here) into an element."""
    (single,) = elements(xml)
    return single


def strip_theme_fonts(root: etree._Element) -> int:
    """Drop every theme-font reference under ``root``; return how many ``rFonts`` changed.

    The bundled template maps East-Asian theme fonts to a Japanese face (python-docx #1601);
    an explicit ``w:eastAsia`` only wins if no ``*Theme`` attribute sits beside it.
    """
    changed = 0
    for rfonts in root.iter(qn("w:rFonts")):
        hit = False
        for attr in _THEME_FONT_ATTRS:
            if attr in rfonts.attrib:
                del rfonts.attrib[attr]
                hit = True
        changed += hit
    return changed


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
