"""Render every report of the demo city to PNGs for docs/reports.md.

``make report-samples`` runs it. It loads ``lianyan demo`` into a throw-away SQLite database with
the clock pinned to 10 December 2026 (so the demo's year is nearly done), generates every report
kind — 附件1–3 also as spreadsheets, the year-end slides for the city — through the same service
the worker uses, converts all of them to PDF in one LibreOffice run (with the fontconfig
stand-ins of ``tests/reports/rendering.py``) and renders the pages at 60 dpi with ``pdftoppm``:

    soffice --headless --convert-to pdf …   →   pdftoppm -png -r 60 …

Writes ``docs/reports/<kind>.png`` (page one), ``docs/reports/<kind>-<n>.png`` for the further
pages of the documents issued as notices (award decision, filing package) and each slide of the
presentation; ``--keep DIR`` also keeps the .docx/.xlsx/.pptx and .pdf files, ``--all-pages``
renders every page of every report into ``--keep`` (to read them as a clerk would).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import io
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: Reports whose every page goes into the docs (the parts of an official document are on the
#: last pages); the slides too.
ALL_PAGES = ("award_list", "filing_package", "year_end_slides")


def _environment(data_dir: Path) -> None:
    # Before anything imports lianyan.piccolo_conf: the database of this run only.
    os.environ["LIANYAN_DATA_DIR"] = str(data_dir)
    os.environ["LIANYAN_DATABASE_URL"] = f"sqlite:///{data_dir / 'samples.db'}"
    os.environ["PICCOLO_CONF"] = "lianyan.piccolo_conf"
    os.environ.setdefault("LIANYAN_SECRET_KEY", "report-samples-0123456789")
    for path in (ROOT, ROOT / "src"):
        if str(path) not in sys.path:
            sys.path.insert(0, str(path))


async def generate_all(outdir: Path) -> list[Path]:
    """Load the demo city and write each report as ``<kind>.<ext>``; return the files."""
    from lianyan import clock, db, demo
    from lianyan.exchanges.tables import Exchange, Highlight
    from lianyan.org.tables import County
    from lianyan.reports import services
    from lianyan.reports.content import Context
    from lianyan.reports.docx import ReportFonts
    from lianyan.reports.kinds import KINDS
    from lianyan.reports.schemas import ReportParams
    from lianyan.settings import Settings
    from lianyan.topics.tables import Topic

    settings = Settings.from_env()
    await db.start()
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # Piccolo prints each step
            await db.migrate()
        with clock.pinned(dt.datetime(2026, 12, 10, 10, 0, tzinfo=clock.CITY_TZ)):
            await demo.load()
            year = clock.today().year
            yima = await County.select(County.id).where(County.code == "411281").first()
            lingbao = await County.select(County.id).where(County.code == "411282").first()
            topic = await Topic.select(Topic.id).where(Topic.status != "draft").order_by(
                Topic.id).first()
            highlight = await Highlight.select(Highlight.exchange).first()
            exchange = highlight["exchange"] if highlight else (
                await Exchange.select(Exchange.id).first())["id"]
            # 义马市's filing is the one the city accepted: its forms carry the review.
            county = {"county_id": yima["id"], "year": year}
            params = {
                "county": county, "city": {"year": year},
                "county_or_city": {"county_id": lingbao["id"], "year": year},
                "topic": {"topic_id": topic["id"]}, "exchange": {"exchange_id": exchange},
            }
            extra = {"award_list": {"doc_number": 12}, "filing_package": {"doc_number": 3},
                     "annual_summary": {"doc_number": 5},
                     "year_end_slides": {"county_id": None}}
            context = Context.from_settings(settings)
            files = []
            runs = [(kind, KINDS[kind].scope, "docx") for kind in KINDS]
            runs += [("annual_summary_city", "city", "docx"),
                     ("activity_filing_xlsx", "county", "xlsx")]
            for name_, scope, fmt in runs:
                kind = name_.removesuffix("_city").removesuffix("_xlsx")
                kind_params = {**params[scope], **extra.get(kind, {}), "format": fmt}
                if name_ == "annual_summary_city":
                    kind_params.pop("county_id", None)
                kind_params = {k: v for k, v in kind_params.items() if v is not None}
                name, data = await services.generate(
                    services.system_principal(), kind, ReportParams(**kind_params),
                    context=context, fonts=ReportFonts.from_attributes(settings.fonts),
                )
                path = outdir / f"{name_}{Path(name).suffix}"
                path.write_bytes(data)
                print(f"{name_:<22} {name} ({len(data):,} bytes)", flush=True)
                files.append(path)
    finally:
        await db.stop()
    return files


def render_pages(pdf: Path, prefix: Path, *, dpi: int, first_only: bool) -> list[Path]:
    """Render ``pdf`` to ``<prefix>.png`` (page one) and ``<prefix>-<n>.png`` (the others)."""
    from tests.reports.rendering import PDFTOPPM

    assert PDFTOPPM, "pdftoppm is not installed: apt-get install poppler-utils"
    work = Path(tempfile.mkdtemp(prefix="pages-"))
    try:
        subprocess.run([PDFTOPPM, "-png", "-r", str(dpi), *(["-l", "1"] if first_only else []),
                        str(pdf), str(work / "p")], check=True, capture_output=True, timeout=300)
        pages = sorted(work.glob("p-*.png"), key=lambda p: int(p.stem.split("-")[-1]))
        out = []
        for number, page in enumerate(pages, start=1):
            target = prefix.with_name(prefix.name + ("" if number == 1 else f"-{number}") + ".png")
            shutil.move(page, target)
            out.append(target)
        return out
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str] | None = None) -> None:
    """Generate, convert and render; print where the PNGs went."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "reports",
                        help="where the PNGs go (default docs/reports)")
    parser.add_argument("--keep", type=Path, help="also keep the generated files and PDFs here")
    parser.add_argument("--all-pages", action="store_true",
                        help="render every page of every report into --keep")
    parser.add_argument("--dpi", type=int, default=60)
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="lianyan-samples-"))
    try:
        _environment(work / "data")
        from tests.reports.rendering import to_pdf

        documents = work / "documents"
        documents.mkdir()
        sources = asyncio.run(generate_all(documents))
        pdfs = to_pdf(sources, documents)
        args.out.mkdir(parents=True, exist_ok=True)
        for old in args.out.glob("*.png"):
            old.unlink()
        for pdf in pdfs:
            for png in render_pages(pdf, args.out / pdf.stem, dpi=args.dpi,
                                    first_only=pdf.stem not in ALL_PAGES):
                print(f"{png.relative_to(ROOT) if png.is_relative_to(ROOT) else png} "
                      f"({png.stat().st_size:,} bytes)")
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            for path in [*sources, *pdfs]:
                shutil.copy2(path, args.keep / path.name)
            if args.all_pages:
                for pdf in pdfs:
                    render_pages(pdf, args.keep / pdf.stem, dpi=args.dpi, first_only=False)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
