"""``lianyan report KIND``: generate a report (Word, spreadsheet or slides) to a file, no job.

The command acts for the city bureau (it can read every report) and builds the same document
the worker builds: ``lianyan report activity_filing --county 411282 --year 2026 --out 备案表.docx``;
``--format xlsx`` writes 附件1–3 as spreadsheets, ``year_end_slides`` writes a .pptx.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from lianyan.reports.kinds import KINDS


def add_commands(sub: Any) -> None:
    """Register ``lianyan report`` on the ``lianyan`` argument parser."""
    report = sub.add_parser(
        "report", help="generate a report (docx, xlsx for 附件1–3, pptx slides) to a file",
        description="生成报表。种类：" + "；".join(
            f"{k.code}（{k.name}）" for k in KINDS.values()),
    )
    report.add_argument("kind", choices=sorted(KINDS), help="which report")
    report.add_argument("--county", help="county code (GB/T 2260), e.g. 411282")
    report.add_argument("--year", type=int)
    report.add_argument("--topic", type=int, help="topic id (topic_application)")
    report.add_argument("--exchange", type=int, help="exchange id (exchange_record)")
    report.add_argument("--format", choices=("docx", "xlsx"), default="docx",
                        help="xlsx: 附件1–3 as spreadsheets (year_end_slides is always pptx)")
    report.add_argument("--doc-number", type=int, dest="doc_number",
                        help="document number of an issued document (灵教体〔2026〕N号)")
    report.add_argument("--out", type=Path,
                        help="file to write (default: the report's Chinese name, here)")
    report.set_defaults(func=cmd_report)


async def make_report(args: argparse.Namespace, settings: Any) -> tuple[str, bytes]:
    """Resolve the county code and generate the report; return its name and bytes."""
    from lianyan.errors import NotFound
    from lianyan.org.tables import County
    from lianyan.reports import services
    from lianyan.reports.content import Context
    from lianyan.reports.docx import ReportFonts
    from lianyan.reports.schemas import ReportParams

    county_id = None
    if args.county:
        row = await County.select(County.id).where(County.code == args.county).first()
        if row is None:
            raise NotFound("county.not_found", f"没有行政区划代码为 {args.county} 的县（市、区）。")
        county_id = row["id"]
    params = ReportParams(county_id=county_id, year=args.year, topic_id=args.topic,
                          exchange_id=args.exchange, doc_number=args.doc_number,
                          format=args.format)
    return await services.generate(
        services.system_principal(), args.kind, params, context=Context.from_settings(settings),
        fonts=ReportFonts.from_attributes(settings.fonts),
    )


def cmd_report(args: argparse.Namespace) -> None:
    """Generate the report and write it; a refusal prints the Chinese reason and exits 1."""
    from lianyan.cli_context import load_settings, with_db
    from lianyan.errors import LianyanError

    settings = load_settings()
    try:
        name, data = asyncio.run(with_db(lambda: make_report(args, settings)))
    except LianyanError as exc:
        sys.exit(f"lianyan report: {exc.detail}")
    out: Path = args.out or Path(name)
    out.write_bytes(data)
    print(f"{out} ({len(data)} bytes)")
