"""A loaded report turned into its file: Word, a spreadsheet (附件1–3) or slides.

The one place that knows which writer makes which format, so the worker, the CLI and the tests
get the same file name, content type and bytes. Pure and synchronous (CPU work): callers run it
in a thread.
"""

from __future__ import annotations

from dataclasses import dataclass

from lianyan.reports import content as c
from lianyan.reports import documents
from lianyan.reports.docx import ReportFonts

CONTENT_TYPES = {
    "docx": documents.DOCX_TYPE,
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}


@dataclass(frozen=True, slots=True)
class Rendered:
    """A report's file: its name (the Chinese title and extension), content type and bytes."""

    file_name: str
    content_type: str
    data: bytes


def extension_for(kind: str, fmt: str) -> str:
    """The file extension of ``kind`` asked for in ``fmt`` (slides are always pptx)."""
    return "pptx" if kind == "year_end_slides" else fmt


def render(report: c.ReportData, *, fmt: str, fonts: ReportFonts, context: c.Context) -> Rendered:
    """Write ``report`` in ``fmt`` (``docx`` or ``xlsx``; slides are pptx whatever it says)."""
    author = c.author_of(report, context)
    if isinstance(report, c.YearEndSlides):
        from lianyan.reports import slides

        data, ext = slides.build(report, author=author, on=context.today), "pptx"
    elif fmt == "xlsx":
        from lianyan.reports import sheets

        data, ext = sheets.build(report, author=author, on=context.today), "xlsx"
    else:
        data = documents.build(report, fonts, author=author, on=context.today)
        ext = "docx"
    return Rendered(f"{report.title}.{ext}", CONTENT_TYPES[ext], data)
