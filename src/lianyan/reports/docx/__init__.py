"""Word reports in the official document format (GB/T 9704), built on python-docx.

This package knows nothing of the database or the web: services hand it strings and dates and
get back ``.docx`` bytes. ``docs/reports-format.md`` maps each rule of the format to the XML.
"""

from lianyan.reports.docx.fonts import FONT_FALLBACKS, ChineseFontSize, ReportFonts
from lianyan.reports.docx.tables import SIGN_OFF_LABELS, Align, cell_text
from lianyan.reports.docx.text import chinese_number, display_width, format_date_cn, outline_number
from lianyan.reports.docx.writer import ReportWriter

__all__ = [
    "FONT_FALLBACKS",
    "SIGN_OFF_LABELS",
    "Align",
    "ChineseFontSize",
    "ReportFonts",
    "ReportWriter",
    "cell_text",
    "chinese_number",
    "display_width",
    "format_date_cn",
    "outline_number",
]
