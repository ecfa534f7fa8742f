"""A Word design read as HTML in the page: headings, paragraphs, lists, tables, simple images.

Tables are read from their XML once, row by row and cell by cell (python-docx's ``row.cells``
rebuilds the whole grid for every row), with merged cells as ``colspan``/``rowspan`` and
repeated header rows as ``<thead>``. Numbered paragraphs become ``<ol>`` and bulleted ones
``<ul>``, by the level's ``numFmt`` in ``numbering.xml`` (through python-docx's numbering
part), nested by ``ilvl`` and numbered on across interruptions as Word does.

:func:`docx_to_html` runs in the bounded child of ``files/office.py`` (after the caller's
``office.check_archive`` refused an archive beyond the Office bounds), so a hostile file costs
at most the parse limits. The HTML is built from our own tags only; every piece of the
document's text goes through ``html.escape``, and images become ``data:`` URIs only when their
bytes are a PNG, JPEG or GIF by their magic numbers (at most ``MAX_IMAGES`` of them, each at
most ``MAX_IMAGE_BYTES``). Nothing of the document's own markup, styles, links or fields reaches
the page, so the result is safe to show as it is.
"""

from __future__ import annotations

import base64
import html
import io
import re
import zipfile
from typing import Any

from lxml import etree

#: How much of a document the page shows (the rest is in the download).
MAX_BLOCKS = 5_000  # paragraphs, tables, table rows and cells alike
MAX_IMAGES = 20
MAX_IMAGE_BYTES = 1024 * 1024
MAX_IMAGES_BYTES = 5 * 1024 * 1024

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
_R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS = {"w": _W[1:-1]}
_HEADING = re.compile(r"^(?:heading|标题)\s*(\d)$", re.IGNORECASE)
_MAGIC = ((b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"),
          (b"GIF87a", "image/gif"), (b"GIF89a", "image/gif"))


def docx_to_html(data: bytes) -> dict[str, Any]:
    """``{"html", "images", "truncated"}`` for the .docx in ``data`` (escaped, our tags only)."""
    import docx

    from lianyan.files.office import refuse_doctype

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        refuse_doctype(archive)
    document = docx.Document(io.BytesIO(data))
    reader = _Reader(document)
    reader.blocks(document.element.body)
    reader.lists.close_all()
    return {"html": "\n".join(reader.out), "images": reader.state["images"],
            "truncated": reader.truncated}


class _Reader:
    """One pass over the body's XML: each block, each table row and cell read once."""

    def __init__(self, document: Any) -> None:
        self.document = document
        self.numbering = _Numbering(document)
        self.state = {"images": 0, "image_bytes": 0}
        self.out: list[str] = []
        self.lists = _Lists(self.out)
        self.budget = MAX_BLOCKS
        self.truncated = False

    def spend(self, cost: int = 1) -> bool:
        """Count a block, row or cell against the bound; ``False`` once it is spent."""
        if self.budget < cost:
            self.truncated = True
            return False
        self.budget -= cost
        return True

    def blocks(self, parent: Any, depth: int = 0) -> None:
        """The paragraphs and tables of the body (content controls opened, eight deep)."""
        for block in parent.iterchildren():
            if self.truncated:
                return
            if block.tag == f"{_W}sdt" and depth < 8:
                for content in block.iterchildren(f"{_W}sdtContent"):
                    self.blocks(content, depth + 1)
            elif block.tag == f"{_W}p" and self.spend():
                self.paragraph(block)
            elif block.tag == f"{_W}tbl" and self.spend():
                self.lists.close_all()
                self.out.append(f'<div class="table-wrap">{self.table(block, 0)}</div>')

    def paragraph(self, element: Any) -> None:
        """A heading, a list item or a plain paragraph; empty ones are left out."""
        from docx.text.paragraph import Paragraph

        paragraph = Paragraph(element, self.document)
        body = _runs(paragraph, self.document, self.state)
        level = _heading_level(paragraph)
        item = self.numbering.item(paragraph) if level is None else None
        if item is None:
            self.lists.close_all()
        if not body.strip():
            return
        if level is not None:
            tag = f"h{min(level + 1, 5)}"
            self.out.append(f"<{tag}>{body}</{tag}>")
        elif item is not None:
            self.lists.item(item, body)
        else:
            self.out.append(f"<p>{body}</p>")

    def table(self, tbl: Any, depth: int) -> str:
        """A Word table as an HTML table: merged cells as colspan/rowspan, header rows as th."""
        rows: list[list[dict[str, Any]]] = []
        header_rows = 0
        above: dict[int, dict[str, Any]] = {}  # grid column -> the cell a vMerge continues
        for tr in tbl.iterchildren(f"{_W}tr"):
            if not self.spend():
                break
            column = _int(_xp(tr, "./w:trPr/w:gridBefore/@w:val"), 0)
            cells: list[dict[str, Any]] = []
            for tc in _row_cells(tr):
                if not self.spend():
                    break
                span = max(1, min(_int(_xp(tc, "./w:tcPr/w:gridSpan/@w:val"), 1), 63))
                merge = _xp(tc, "./w:tcPr/w:vMerge")
                continues = bool(merge) and merge[0].get(f"{_W}val") in (None, "continue")
                if continues and column in above:
                    above[column]["rowspan"] += 1
                else:
                    cell = {"body": self.cell(tc, depth), "colspan": span, "rowspan": 1}
                    cells.append(cell)
                    if merge:
                        above[column] = cell
                    else:
                        above.pop(column, None)
                column += span
            if _xp(tr, "./w:trPr/w:tblHeader") and header_rows == len(rows):
                header_rows += 1
            rows.append(cells)
        if header_rows == len(rows):
            header_rows = 0  # a table of header rows only reads better as plain rows
        html_rows = []
        for index, cells in enumerate(rows):
            tag = "th" if index < header_rows else "td"
            html_rows.append("<tr>" + "".join(
                f"<{tag}{_span('colspan', c['colspan'])}{_span('rowspan', c['rowspan'])}>"
                f"{c['body']}</{tag}>" for c in cells) + "</tr>")
        head = f"<thead>{''.join(html_rows[:header_rows])}</thead>" if header_rows else ""
        return f"<table>{head}<tbody>{''.join(html_rows[header_rows:])}</tbody></table>"

    def cell(self, tc: Any, depth: int) -> str:
        """A cell's paragraphs joined by line breaks; a table inside it (three deep at most)."""
        from docx.text.paragraph import Paragraph

        parts: list[str] = []
        for child in tc.iterchildren():
            if child.tag == f"{_W}p":
                text = _runs(Paragraph(child, self.document), self.document, self.state)
                parts.append(text)
            elif child.tag == f"{_W}tbl":
                if depth < 2:
                    parts.append(self.table(child, depth + 1))
                else:
                    parts.append(html.escape(" ".join(t for t in child.itertext() if t.strip())))
        return "<br>".join(part for part in parts if part.strip())


def _xp(node: Any, path: str) -> Any:
    """An XPath on any element of the document, oxml or plain lxml, with the ``w:`` prefix."""
    return etree._Element.xpath(node, path, namespaces=_NS)


def _row_cells(tr: Any) -> list[Any]:
    """A row's cells, those inside a content control too."""
    cells = []
    for child in tr.iterchildren():
        if child.tag == f"{_W}tc":
            cells.append(child)
        elif child.tag == f"{_W}sdt":
            cells.extend(child.iterfind(f"{_W}sdtContent/{_W}tc"))
    return cells


def _int(found: list[str], default: int) -> int:
    return int(found[0]) if found and found[0].isascii() and found[0].isdigit() else default


def _span(name: str, value: int) -> str:
    return f' {name}="{value}"' if value > 1 else ""


#: Word's number formats as HTML list types; the Chinese counting ones use a CSS class.
_OL_TYPES = {"decimal": "1", "decimalZero": "1", "lowerLetter": "a", "upperLetter": "A",
             "lowerRoman": "i", "upperRoman": "I"}
_CJK_FORMATS = {"chineseCounting", "chineseCountingThousand", "chineseLegalSimplified",
                "ideographTraditional", "ideographZodiac", "japaneseCounting",
                "ideographDigital", "taiwaneseCounting", "taiwaneseCountingThousand"}
_MAX_LIST_DEPTH = 9


class _ListItem:
    """Where a numbered or bulleted paragraph sits: its list, level, kind and number."""

    def __init__(self, num_id: str, level: int, numbered: bool, kind: str, start: int) -> None:
        self.num_id, self.level, self.numbered = num_id, level, numbered
        self.kind, self.start = kind, start


class _Numbering:
    """``numbering.xml`` read once: each list's format (bullet or numbered) per level."""

    def __init__(self, document: Any) -> None:
        self.formats: dict[tuple[str, int], tuple[str, int]] = {}
        self.counters: dict[tuple[str, int], int] = {}
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return
        abstract: dict[str, dict[int, tuple[str, int]]] = {}
        for node in root.iterchildren(f"{_W}abstractNum"):
            abstract[node.get(f"{_W}abstractNumId") or ""] = _levels(node)
        for num in root.iterchildren(f"{_W}num"):
            num_id = num.get(f"{_W}numId") or ""
            base = _xp(num, "./w:abstractNumId/@w:val")
            levels = dict(abstract.get(base[0] if base else "", {}))
            for override in num.iterchildren(f"{_W}lvlOverride"):
                level = _int([override.get(f"{_W}ilvl") or ""], -1)
                redefined = _levels(override).get(level)
                if redefined is not None:
                    levels[level] = redefined
                start = _xp(override, "./w:startOverride/@w:val")
                if level in levels and start:
                    levels[level] = (levels[level][0], _int(start, 1))
            for level, fmt in levels.items():
                self.formats[(num_id, level)] = fmt

    def item(self, paragraph: Any) -> _ListItem | None:
        """The paragraph's place in a list (its own numPr, else its style's), else None."""
        p = paragraph._p
        num_ids = _xp(p, "./w:pPr/w:numPr/w:numId/@w:val")
        levels = _xp(p, "./w:pPr/w:numPr/w:ilvl/@w:val")
        style = paragraph.style
        while not num_ids and style is not None:
            num_ids = _xp(style.element, "./w:pPr/w:numPr/w:numId/@w:val")
            levels = levels or _xp(style.element, "./w:pPr/w:numPr/w:ilvl/@w:val")
            style = style.base_style
        if not num_ids:
            name = (paragraph.style.name or "").lower() if paragraph.style is not None else ""
            if not name.startswith("list"):
                return None
            numbered = "number" in name
            return _ListItem("style:" + name, 0, numbered, "decimal" if numbered else "bullet", 1)
        num_id = num_ids[0]
        if num_id == "0":
            return None  # numbering switched off for this paragraph
        level = max(0, min(_int(levels, 0), _MAX_LIST_DEPTH - 1))
        kind, start = self.formats.get((num_id, level), ("bullet", 1))
        if kind == "none":
            return None
        numbered = kind != "bullet"
        # Word numbers a list on across other paragraphs: count the items of each list and
        # level, and restart the deeper levels when a shallower item comes.
        key = (num_id, level)
        number = self.counters.get(key, start - 1) + 1
        self.counters[key] = number
        for deeper in range(level + 1, _MAX_LIST_DEPTH):
            self.counters.pop((num_id, deeper), None)
        return _ListItem(num_id, level, numbered, kind, number)


def _levels(node: Any) -> dict[int, tuple[str, int]]:
    """``{ilvl: (numFmt, start)}`` of an abstractNum's (or an override's) levels."""
    levels = {}
    for lvl in node.iterchildren(f"{_W}lvl"):
        level = _int([lvl.get(f"{_W}ilvl") or ""], -1)
        fmt = _xp(lvl, "./w:numFmt/@w:val")
        if level >= 0:
            levels[level] = (fmt[0] if fmt else "decimal", _int(_xp(lvl, "./w:start/@w:val"), 1))
    return levels


class _Lists:
    """The open ``<ul>``/``<ol>`` elements, a deeper level nested inside its parent's item."""

    def __init__(self, out: list[str]) -> None:
        self.out = out
        self.open: list[tuple[str, str]] = []  # (tag, list id) per level, an <li> open in each

    def item(self, item: _ListItem, body: str) -> None:
        tag = "ol" if item.numbered else "ul"
        depth = item.level + 1
        while len(self.open) > depth:
            self._close()
        if len(self.open) == depth and self.open[-1] != (tag, item.num_id):
            self._close()
        if len(self.open) == depth:
            self.out[-1] += "</li>"
            self.out.append(f"<li>{body}")
            return
        while len(self.open) < depth - 1:  # a level skipped: an empty item holds the next
            self._open(tag, item, first=1, body="")
        self._open(tag, item, first=item.start, body=body)

    def _open(self, tag: str, item: _ListItem, *, first: int, body: str) -> None:
        attrs = ""
        if tag == "ol":
            if item.kind in _CJK_FORMATS:
                attrs = ' class="cjk"'
            elif _OL_TYPES.get(item.kind, "1") != "1":
                attrs = f' type="{_OL_TYPES[item.kind]}"'
            if first > 1:
                attrs += f' start="{first}"'
        self.out.append(f"<{tag}{attrs}>")
        self.out.append(f"<li>{body}")
        self.open.append((tag, item.num_id))

    def _close(self) -> None:
        tag, _ = self.open.pop()
        self.out[-1] += "</li>"
        self.out.append(f"</{tag}>")

    def close_all(self) -> None:
        while self.open:
            self._close()


def _heading_level(paragraph: Any) -> int | None:
    """1–9 for a heading (by its style, or the style's outline level), else None."""
    style = paragraph.style
    while style is not None:
        found = _HEADING.match(style.name or "")
        if found:
            return int(found.group(1))
        if (style.name or "").lower() == "title":
            return 1
        style = style.base_style
    levels = _xp(paragraph._p, "./w:pPr/w:outlineLvl/@w:val")
    if levels and levels[0].isdigit() and int(levels[0]) < 9:
        return int(levels[0]) + 1
    return None


def _runs(paragraph: Any, document: Any, state: dict[str, int]) -> str:
    """A paragraph's text, escaped, with bold and italic kept and simple images inlined."""
    parts = []
    runs = [run for item in paragraph.iter_inner_content()
            for run in (item.runs if hasattr(item, "runs") else [item])]  # hyperlinks' runs too
    for run in runs:
        text = html.escape(run.text).replace("\n", "<br>").replace("\t", " ")
        if text:
            if run.bold:
                text = f"<strong>{text}</strong>"
            if run.italic:
                text = f"<em>{text}</em>"
            parts.append(text)
        for blip in run._r.iter(f"{_A}blip"):
            parts.append(_image(blip.get(f"{_R}embed"), document, state))
    return "".join(parts)


def _image(rel_id: str | None, document: Any, state: dict[str, int]) -> str:
    """An ``<img>`` with a data URI for a small PNG/JPEG/GIF; a note for anything else."""
    part = document.part.related_parts.get(rel_id) if rel_id else None
    blob = getattr(part, "blob", b"") if part is not None else b""
    kind = next((t for magic, t in _MAGIC if blob.startswith(magic)), None)
    if (kind is None or len(blob) > MAX_IMAGE_BYTES or state["images"] >= MAX_IMAGES
            or state["image_bytes"] + len(blob) > MAX_IMAGES_BYTES):
        return '<span class="muted">［图片未显示，请下载原文件查看］</span>'
    state["images"] += 1
    state["image_bytes"] += len(blob)
    encoded = base64.b64encode(blob).decode("ascii")
    return f'<img alt="文档中的图片" src="data:{kind};base64,{encoded}">'
