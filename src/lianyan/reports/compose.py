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
import datetime as dt
import math
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph
from lxml import etree

from lianyan.reports.docx import ReportFonts, ReportWriter, display_width

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
        self._toc_entries: list[tuple[int, str, int]] = []
        self._pages: PageCounter | None = None
        self._title_lines = 0

    # Paragraphs ---------------------------------------------------------------------------

    def paragraph(self, text: str, *, indent: bool = True) -> None:
        """A body paragraph (仿宋 三号, first line indented two characters unless ``indent``)."""
        self._add(("p", indent), text, lambda: self.writer.add_paragraph("", indent=indent))
        self._count(text, indent=indent)

    def paragraphs(self, text: str, *, indent: bool = True) -> None:
        """One body paragraph per non-empty line of ``text``."""
        for line in clean(text).split("\n"):
            if line.strip():
                self.paragraph(line.strip(), indent=indent)

    def heading(self, text: str, level: int) -> None:
        """A heading of ``level`` 1–4; the caller writes its number ("一、" …) into ``text``."""
        self._add(("h", level), text, lambda: self.writer.add_heading("", level=level))
        if self._pages is None:
            return
        page, moved = self._pages.heading(text)
        if moved:  # headings kept with this one moved to its page too
            self._toc_entries[-moved:] = [(lv, t, page) for lv, t, _ in self._toc_entries[-moved:]]
        if level <= TOC_LEVELS:
            self._toc_entries.append((level, clean(text), page))
            self._pages.run_entries += 1

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

    def attachment_label(self, number: int | str, *, new_page: bool = False) -> None:
        """"附件N" at the top left, on a new page when it follows the main text."""
        self.writer.add_attachment_label(number, new_page=new_page)

    def title(self, text: str) -> None:
        """The document's title."""
        self.writer.add_title(clean(text))
        # 二号 lines off the grid take about a grid line each; one more line after the title.
        self._title_lines = clean(text).count("\n") + 2

    def table(self, header: Sequence[str], rows: Iterable[Sequence[object]], **options: Any
              ) -> Table:
        """A table with a repeated header row (``ReportWriter.add_table``, which escapes the
        cells and drops characters XML forbids)."""
        return self.writer.add_table(header, rows, **options)

    def table_of_contents(self) -> None:
        """A table of contents over the level 1–2 headings that follow, then a page break.

        The writer adds a TOC field; its result is filled in here with each heading and its page
        number (``PageCounter``'s estimate from the 22 × 28 grid), so Word opens the file without
        asking to update fields and LibreOffice, WPS and PDF conversion show the same contents.
        The field stays, so a reader can still update it in Word after editing.
        """
        self.writer.add_table_of_contents()
        self._toc = next(
            p for p in reversed(self._body.findall(qn("w:p")))
            if any("TOC" in (t.text or "") for t in p.iter(qn("w:instrText")))
        )
        self._pages = PageCounter()

    def document_number(self, text: str) -> None:
        """The 发文字号, centred above the title."""
        self.writer.add_document_number(text)

    def addressee(self, text: str) -> None:
        """The 主送机关 line under the title."""
        self.writer.add_addressee(text)
        self._count(text, indent=False)

    def attachment_note(self, titles: Sequence[str]) -> None:
        """The 附件说明 under the body."""
        self.writer.add_attachment_note(titles)

    def imprint(self, *, printed_by: str, printed_on: dt.date, copy_to: str = "") -> None:
        """The 版记 at the end."""
        self.writer.add_imprint(printed_by=printed_by, printed_on=printed_on, copy_to=copy_to)

    def page_break(self) -> None:
        """Start a new page."""
        self.writer.add_page_break()
        if self._pages is not None:
            self._pages.new_page()

    def properties(self, *, title: str, author: str, on: dt.date) -> None:
        """The file's core properties: the report's title, the issuing unit, the date."""
        created = dt.datetime.combine(on, dt.time(8, 0))
        self.writer.set_properties(title=clean(title), author=author, created=created)

    def to_bytes(self) -> bytes:
        """The finished .docx."""
        if self._toc is not None and self._toc_entries:
            self._fill_toc()
            self._toc_entries = []
        return self.writer.to_bytes()

    def _count(self, text: str, *, indent: bool = True) -> None:
        if self._pages is not None:
            self._pages.add(text, indent=indent)

    def _fill_toc(self) -> None:
        """Replace the TOC field's placeholder result with one paragraph per heading and page."""
        first = self._toc
        assert first is not None
        runs = first.findall(qn("w:r"))
        for run in runs:
            begin = run.find(qn("w:fldChar"))
            if begin is not None and begin.get(qn("w:fldCharType")) == "begin":
                begin.attrib.pop(qn("w:dirty"), None)
        separate = next(i for i, r in enumerate(runs)
                        if r.find(qn("w:fldChar")) is not None
                        and r.find(qn("w:fldChar")).get(qn("w:fldCharType")) == "separate")
        end = runs[-1]
        for run in runs[separate + 1:]:
            first.remove(run)
        styles = {level: self.writer.document.styles[f"toc {level}"].style_id
                  for level in range(1, TOC_LEVELS + 1)}
        toc_pages = PageCounter.toc_pages(
            self._title_lines, [text for _, text, _ in self._toc_entries])
        paragraph = previous = first
        for number, (level, text, page) in enumerate(self._toc_entries):
            if number:
                paragraph = copy.deepcopy(first)
                for run in paragraph.findall(qn("w:r")):
                    paragraph.remove(run)
                previous.addnext(paragraph)
            style = paragraph.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
            if style is not None:
                style.set(qn("w:val"), styles[level])
            _set_text(paragraph, f"{text}\t{page + toc_pages}")
            previous = paragraph
        paragraph.append(end)
        self.writer.remove_update_fields()


class PageCounter:
    """Where body text falls on the 22-line, 28-character grid of the official format.

    Headings and paragraphs are on the grid (one line each, 28 characters a line, two of them
    the first-line indent), so their page is known without a layout engine; this is what fills
    the table of contents' page numbers. Headings keep with what follows (``keepNext``): one
    that would end a page moves to the next, and the headings right above it with it.
    """

    LINES = 22
    CHARS = 28

    def __init__(self) -> None:
        self.lines = 0
        #: Lines of the headings just counted with no paragraph after them yet, and how many
        #: of them are in the contents.
        self.run_lines = 0
        self.run_entries = 0

    @classmethod
    def lines_of(cls, text: str, *, indent: bool = True) -> int:
        """Grid lines a paragraph of ``text`` takes."""
        width = display_width(text) + (2 if indent else 0)
        return max(1, math.ceil(width / cls.CHARS - 1e-9))

    def add(self, text: str, *, indent: bool = True) -> None:
        """Count a paragraph."""
        self.lines += self.lines_of(text, indent=indent)
        self.run_lines = self.run_entries = 0

    def new_page(self) -> None:
        """Count a page break."""
        if self.lines % self.LINES:
            self.lines += self.LINES - self.lines % self.LINES
        self.run_lines = self.run_entries = 0

    def heading(self, text: str) -> tuple[int, int]:
        """Count a heading; return its page (1 = the first after the contents) and how many
        contents entries just above it moved to that page with it."""
        need = self.lines_of(text) + 1  # the heading and the first line of what follows
        line = self.lines % self.LINES
        moved = 0
        if line + need > self.LINES:
            start = self.lines - self.run_lines  # the run of headings moves as one
            self.lines = start + (self.LINES - start % self.LINES) + self.run_lines
            moved = self.run_entries
        page = self.lines // self.LINES + 1
        self.lines += self.lines_of(text)
        self.run_lines += self.lines_of(text)
        return page, moved

    @classmethod
    def toc_pages(cls, title_lines: int, entries: Sequence[str]) -> int:
        """Pages the title and the contents take (the contents end with a page break)."""
        lines = title_lines + 2 + sum(
            max(1, math.ceil((display_width(e) + 4) / cls.CHARS)) for e in entries)
        return max(1, math.ceil(lines / cls.LINES))


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

