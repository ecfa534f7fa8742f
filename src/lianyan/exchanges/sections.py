"""Find 活动目标 / 活动准备 / 活动过程 / 活动延伸 in a lesson design (.docx) — pure.

Run once when a design document is uploaded; the result is stored on the version, so the
comparison view never opens a Word file. A section starts at a line that *is a heading* and
starts with its name (after any numbering such as “一、”, “（二）”, “3.”):

* a paragraph in a heading style (标题 1, Heading 2 …) or with an outline level;
* a paragraph whose first characters are bold;
* a paragraph whose name is followed by a colon or ends the line (“活动目标：”).

It ends at the next of our headings, at a known other heading of a lesson plan (设计意图,
活动重难点, 活动反思 …), or at a heading in the same style as its own. Text after the name on
the heading line (“活动目标：1. 理解故事内容”) belongs to the section. Tables inside a
section are kept row by row. PDFs are not read: the comparison view links to the file.

The document is untrusted: :func:`extract_bounded` parses it in a child process with a time and
memory limit, after refusing an archive beyond the Office bounds or with a DOCTYPE
(``lianyan.files.office``). A document that cannot be read still makes a version: its sections
are empty and its note says “未能读取章节”.
"""

from __future__ import annotations

import logging
import re
import zipfile
from collections.abc import Iterator
from typing import IO

from lianyan.errors import LianyanError
from lianyan.files import office

log = logging.getLogger("lianyan.exchanges")

#: Design sections in the order they are shown; keys of ``sections`` (re-exported by schemas).
SECTION_KEYS = ("goals", "preparation", "process", "extension")
SECTION_NAMES = {
    "goals": "活动目标",
    "preparation": "活动准备",
    "process": "活动过程",
    "extension": "活动延伸",
}

#: Longest text kept per section; the rest is in the document itself.
MAX_SECTION_CHARS = 20_000
#: Longest whole text kept for the site-wide search (docs/search.md).
MAX_TEXT_CHARS = 60_000

#: Other headings of a Chinese lesson plan: they end the section before them.
OTHER_HEADINGS = (
    "活动名称", "活动领域", "适用年龄", "活动来源", "活动由来", "设计意图", "设计思路",
    "设计理念", "教材分析", "学情分析", "活动重难点", "活动重点", "活动难点", "重难点",
    "教学重点", "教学难点", "重点难点", "活动反思", "教学反思", "活动评价", "附录", "附件",
    "板书设计", "活动建议",
)  # fmt: skip

_NUMBERING = re.compile(
    r"^\s*(?:[（(]\s*[一二三四五六七八九十\d]+\s*[)）]|[一二三四五六七八九十]+\s*[、.．]"
    r"|\d+\s*[、.．)）]|[①-⑩])\s*"
)
_AFTER_NAME = re.compile(r"^\s*[：:]\s*")

PDF_NOTE = "PDF 文档不提取章节，请打开原文查看；上传 Word（.docx）版本可分栏对照。"
NONE_FOUND_NOTE = (
    "文档中没有找到“活动目标”“活动准备”“活动过程”“活动延伸”等标题，无法分栏对照；"
    "请把这些标题设为标题样式或加粗后重新上传。"
)
UNREADABLE_NOTE = "未能读取章节：无法读取文档内容，不能分栏对照；请用 Word 或 WPS 重新保存后上传。"


def _blocks(document: object) -> Iterator[tuple[str, object]]:
    """Paragraphs and tables of the body, in document order."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for item in document.iter_inner_content():  # type: ignore[attr-defined]
        if isinstance(item, Paragraph):
            yield "p", item
        elif isinstance(item, Table):
            yield "t", item


def _style_of(paragraph: object) -> str:
    style = getattr(paragraph, "style", None)
    name = (getattr(style, "name", "") or "") if style is not None else ""
    lowered = name.lower()
    if lowered.startswith(("heading", "标题", "title")):
        return name
    p_pr = paragraph._p.pPr  # type: ignore[attr-defined]
    if p_pr is not None and p_pr.find(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}outlineLvl"
    ) is not None:
        return f"outline:{name}"
    return ""


def _starts_bold(paragraph: object) -> bool:
    for run in paragraph.runs:  # type: ignore[attr-defined]
        if run.text.strip():
            return bool(run.bold)
    return False


def _heading(paragraph: object) -> tuple[str | None, str, str] | None:
    """(section key or None for another heading, rest of the line, style) if it is a heading."""
    text = paragraph.text.strip()  # type: ignore[attr-defined]
    if not text:
        return None
    style = _style_of(paragraph)
    bold = _starts_bold(paragraph)
    stripped = _NUMBERING.sub("", text, count=1)
    for key, name in SECTION_NAMES.items():
        if stripped.startswith(name):
            rest = stripped[len(name) :]
            colon = _AFTER_NAME.match(rest)
            if style or bold or colon or not rest.strip():
                return key, rest[colon.end() :] if colon else rest.strip(), style
    for name in OTHER_HEADINGS:
        if stripped.startswith(name):
            rest = stripped[len(name) :]
            if style or bold or _AFTER_NAME.match(rest) or not rest.strip():
                return None, "", style
    if style:
        return None, "", style
    return None


def _table_lines(table: object) -> list[str]:
    lines = []
    for row in table.rows:  # type: ignore[attr-defined]
        cells: list[str] = []
        for cell in row.cells:
            text = " ".join(cell.text.split())
            if text and (not cells or cells[-1] != text):  # merged cells repeat
                cells.append(text)
        if cells:
            lines.append(" | ".join(cells))
    return lines


def extract_docx(fileobj: IO[bytes]) -> tuple[dict[str, str | None], str]:
    """The four sections of a .docx (None where absent) and a note for the reader."""
    sections, note, _ = extract_docx_with_text(fileobj)
    return sections, note


def extract_docx_with_text(fileobj: IO[bytes]) -> tuple[dict[str, str | None], str, str]:
    """:func:`extract_docx`, and the document's whole text (paragraphs and table rows, at
    most ``MAX_TEXT_CHARS``) for the search index."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    sections: dict[str, str | None] = dict.fromkeys(SECTION_NAMES)
    fileobj.seek(0)
    try:
        document = docx.Document(fileobj)
        lines: dict[str, list[str]] = {}
        current: str | None = None
        current_style = ""
        every_line: list[str] = []
        size = 0
        for kind, block in _blocks(document):
            if size < MAX_TEXT_CHARS:
                found_text = (
                    "\n".join(_table_lines(block)) if kind == "t"
                    else block.text.strip()  # type: ignore[attr-defined]
                )
                if found_text:
                    every_line.append(found_text)
                    size += len(found_text) + 1
            if kind == "t":
                if current is not None:
                    lines[current].extend(_table_lines(block))
                continue
            found = _heading(block)
            if found is not None:
                key, rest, style = found
                if key is not None:
                    current, current_style = key, style
                    lines.setdefault(key, [])
                    if rest.strip():
                        lines[key].append(rest.strip())
                    continue
                known_other = style == "" or style == current_style or _is_other(block)
                if current is not None and known_other:
                    current = None
                    continue
            if current is not None:
                text = block.text.strip()  # type: ignore[attr-defined]
                if text:
                    lines[current].append(text)
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, SyntaxError) as exc:
        # SyntaxError: lxml's XMLSyntaxError (broken XML in a well-formed ZIP).
        log.warning("design document could not be read for sections: %s", exc)
        return sections, UNREADABLE_NOTE, ""
    finally:
        fileobj.seek(0)
    whole = "\n".join(every_line)[:MAX_TEXT_CHARS]
    for key, found_lines in lines.items():
        sections[key] = "\n".join(found_lines)[:MAX_SECTION_CHARS]
    missing = [SECTION_NAMES[k] for k, v in sections.items() if v is None]
    if len(missing) == len(SECTION_NAMES):
        return sections, NONE_FOUND_NOTE, whole
    if missing:
        return sections, "文档中没有找到：" + "、".join(missing) + "。", whole
    return sections, "", whole


def _is_other(paragraph: object) -> bool:
    stripped = _NUMBERING.sub("", paragraph.text.strip(), count=1)  # type: ignore[attr-defined]
    return stripped.startswith(OTHER_HEADINGS)


def extract_docx_bytes(data: bytes) -> tuple[dict[str, str | None], str, str]:
    """:func:`extract_docx_with_text` of a whole file held in memory, refusing a DOCTYPE
    (parse child)."""
    import io

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        office.refuse_doctype(archive)
    return extract_docx_with_text(io.BytesIO(data))


async def extract_bounded(
    fileobj: IO[bytes], bounds: office.OfficeBounds = office.DEFAULT_BOUNDS
) -> tuple[dict[str, str | None], str, str]:
    """The sections, note and whole text of an untrusted .docx, read within ``bounds`` (the
    archive checked first, the parse in the bounded child); unreadable → a note, no error."""
    fileobj.seek(0)
    try:
        office.check_archive(fileobj, bounds)
        data = fileobj.read()
        sections, note, text = await office.run_bounded(extract_docx_bytes, data, bounds)
        return sections, note, text
    except LianyanError as exc:
        log.warning("design document could not be read for sections: %s", exc.extra or exc)
        return dict.fromkeys(SECTION_NAMES), UNREADABLE_NOTE, ""
    finally:
        fileobj.seek(0)
