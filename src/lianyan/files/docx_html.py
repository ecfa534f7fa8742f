"""A Word design read as HTML in the page: headings, paragraphs, lists, tables, simple images.

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

#: How much of a document the page shows (the rest is in the download).
MAX_BLOCKS = 5_000
MAX_IMAGES = 20
MAX_IMAGE_BYTES = 1024 * 1024
MAX_IMAGES_BYTES = 5 * 1024 * 1024

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
_R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_HEADING = re.compile(r"^(?:heading|标题)\s*(\d)$", re.IGNORECASE)
_MAGIC = ((b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"),
          (b"GIF87a", "image/gif"), (b"GIF89a", "image/gif"))


def docx_to_html(data: bytes) -> dict[str, Any]:
    """``{"html", "images", "truncated"}`` for the .docx in ``data`` (escaped, our tags only)."""
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    from lianyan.files.office import refuse_doctype

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        refuse_doctype(archive)
    document = docx.Document(io.BytesIO(data))
    state = {"images": 0, "image_bytes": 0}
    out: list[str] = []
    list_open = False
    blocks = 0
    truncated = False
    for block in document.element.body.iterchildren():
        if blocks >= MAX_BLOCKS:
            truncated = True
            break
        blocks += 1
        if block.tag == f"{_W}p":
            paragraph = Paragraph(block, document)
            body = _runs(paragraph, document, state)
            level = _heading_level(paragraph)
            is_item = level is None and _is_list_item(paragraph)
            if list_open and not is_item:
                out.append("</ul>")
                list_open = False
            if not body.strip():
                continue
            if level is not None:
                tag = f"h{min(level + 1, 5)}"
                out.append(f"<{tag}>{body}</{tag}>")
            elif is_item:
                if not list_open:
                    out.append("<ul>")
                    list_open = True
                out.append(f"<li>{body}</li>")
            else:
                out.append(f"<p>{body}</p>")
        elif block.tag == f"{_W}tbl":
            if list_open:
                out.append("</ul>")
                list_open = False
            out.append(_table(Table(block, document), document, state))
    if list_open:
        out.append("</ul>")
    return {"html": "\n".join(out), "images": state["images"], "truncated": truncated}


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
    levels = paragraph._p.xpath("./w:pPr/w:outlineLvl/@w:val")
    if levels and levels[0].isdigit() and int(levels[0]) < 9:
        return int(levels[0]) + 1
    return None


def _is_list_item(paragraph: Any) -> bool:
    """A numbered or bulleted paragraph (numbering properties, or a list style)."""
    if paragraph._p.xpath("./w:pPr/w:numPr"):
        return True
    return (paragraph.style.name or "").lower().startswith("list")


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


def _table(table: Any, document: Any, state: dict[str, int]) -> str:
    """A table as rows of cells; each cell's paragraphs joined by line breaks."""
    rows = []
    for row in table.rows:
        cells = []
        seen: set[int] = set()
        for cell in row.cells:
            if id(cell._tc) in seen:  # a merged cell repeats across the columns it spans
                continue
            seen.add(id(cell._tc))
            body = "<br>".join(_runs(p, document, state) for p in cell.paragraphs)
            cells.append(f"<td>{body}</td>")
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return f'<div class="table-wrap"><table>{"".join(rows)}</table></div>'
