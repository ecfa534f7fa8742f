"""A thin layer over ``ReportWriter`` for reports with thousands of paragraphs.

python-docx looks up the document's default style on every ``add_paragraph`` with a style (a
scan of all ~200 styles, a few milliseconds each), so a compilation of 1,000 designs with
their sections would spend most of a minute there. ``Composer`` lets the writer make the first
paragraph of each kind — so the style and indentation are exactly the writer's — and then
copies that paragraph's properties for the next ones, which costs microseconds. Everything
else (titles, tables, sign-off rows, signature, table of contents) goes to the writer as is.

This helper lives here rather than in ``lianyan.reports.docx`` because that package belongs to
the writer; it only uses the writer's public API (``ReportWriter`` and ``writer.document``).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph
from lxml import etree

from lianyan.reports.docx import ReportFonts, ReportWriter

#: Heading levels listed in a table of contents (the writer's TOC field covers 1–2).
TOC_LEVELS = 2
# Characters XML 1.0 forbids; text pasted from spreadsheets sometimes carries them.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


def clean(text: str) -> str:
    """Text safe for a Word paragraph: illegal XML characters dropped, line ends unified."""
    if _XML_ILLEGAL.search(text):
        text = _XML_ILLEGAL.sub("", text)
    return text.replace("\r\n", "\n").replace("\r", "\n")


class Composer:
    """Writes one report: fast paragraphs and headings, the writer for the rest."""

    def __init__(self, fonts: ReportFonts | None = None) -> None:
        self.writer = ReportWriter(fonts=fonts) if fonts is not None else ReportWriter()
        self._body = self.writer.document.element.body
        # Looked up once: ``body.sectPr`` searches the body's children from the start, which
        # made adding N paragraphs cost N² (the writer keeps the same element to the end).
        self._end = self._body.sectPr
        self._templates: dict[tuple[str, Any], etree._Element] = {}
        self._toc: etree._Element | None = None
        self._toc_entries: list[tuple[int, str]] = []

    # Paragraphs ---------------------------------------------------------------------------

    def paragraph(self, text: str, *, indent: bool = True) -> None:
        """A body paragraph (仿宋 三号, first line indented two characters unless ``indent``)."""
        self._add(("p", indent), text, lambda: self.writer.add_paragraph("", indent=indent))

    def paragraphs(self, text: str, *, indent: bool = True) -> None:
        """One body paragraph per non-empty line of ``text``."""
        for line in clean(text).split("\n"):
            if line.strip():
                self.paragraph(line.strip(), indent=indent)

    def heading(self, text: str, level: int) -> None:
        """A heading of ``level`` 1–4; the caller writes its number ("一、" …) into ``text``."""
        self._add(("h", level), text, lambda: self.writer.add_heading("", level=level))
        if self._toc is not None and level <= TOC_LEVELS:
            self._toc_entries.append((level, clean(text)))

    def _add(self, key: tuple[str, Any], text: str, make: Callable[[], Paragraph]) -> None:
        template = self._templates.get(key)
        if template is None:
            p = make()._p
            self._templates[key] = copy.deepcopy(p)
        else:
            p = template.__copy__()  # lxml copies an element with its subtree
            self._end.addprevious(p)
        _set_text(p, text)

    # The writer's own parts ---------------------------------------------------------------

    def attachment_label(self, number: int) -> None:
        """"附件N" at the top left."""
        self.writer.add_attachment_label(number)

    def title(self, text: str) -> None:
        """The document's title."""
        self.writer.add_title(clean(text))

    def table(self, header: Sequence[str], rows: Iterable[Sequence[object]], **options: Any
              ) -> Table:
        """A table with a repeated header row (``ReportWriter.add_table``, which escapes the
        cells and drops characters XML forbids)."""
        return self.writer.add_table(header, rows, **options)

    def table_of_contents(self) -> None:
        """A table of contents over the level 1–2 headings that follow, then a page break.

        The writer adds a TOC field that Word fills in when the document opens. Readers that
        do not update fields (LibreOffice, WPS previews, PDF conversion) would show the field's
        placeholder instead, so the field's result is pre-filled with the headings (without
        page numbers, which only a layout engine knows); Word still replaces it on opening.
        """
        self.writer.add_table_of_contents()
        self._toc = next(
            p for p in reversed(self._body.findall(qn("w:p")))
            if any("TOC" in (t.text or "") for t in p.iter(qn("w:instrText")))
        )

    def to_bytes(self) -> bytes:
        """The finished .docx."""
        if self._toc is not None and self._toc_entries:
            self._fill_toc()
            self._toc_entries = []
        return self.writer.to_bytes()

    def _fill_toc(self) -> None:
        """Replace the TOC field's placeholder result with one paragraph per heading."""
        first = self._toc
        assert first is not None
        runs = first.findall(qn("w:r"))
        separate = next(i for i, r in enumerate(runs)
                        if r.find(qn("w:fldChar")) is not None
                        and r.find(qn("w:fldChar")).get(qn("w:fldCharType")) == "separate")
        end = runs[-1]
        for run in runs[separate + 1:]:
            first.remove(run)
        styles = {level: self.writer.document.styles[f"toc {level}"].style_id
                  for level in range(1, TOC_LEVELS + 1)}
        paragraph = previous = first
        for number, (level, text) in enumerate(self._toc_entries):
            if number:
                paragraph = copy.deepcopy(first)
                for run in paragraph.findall(qn("w:r")):
                    paragraph.remove(run)
                previous.addnext(paragraph)
            style = paragraph.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
            if style is not None:
                style.set(qn("w:val"), styles[level])
            _set_text(paragraph, text)
            previous = paragraph
        paragraph.append(end)


def _set_text(p: etree._Element, text: str) -> None:
    """Give ``p`` one run holding ``text``; newlines become line breaks, tabs tabs."""
    run = OxmlElement("w:r")
    for number, line in enumerate(clean(text).split("\n")):
        if number:
            run.append(OxmlElement("w:br"))
        for piece_number, piece in enumerate(line.split("\t")):
            if piece_number:
                run.append(OxmlElement("w:tab"))
            if piece:
                t = OxmlElement("w:t")
                t.text = piece
                if piece[0] == " " or piece[-1] == " " or "  " in piece:
                    t.set(_XML_SPACE, "preserve")
                run.append(t)
    if len(run):
        p.append(run)

