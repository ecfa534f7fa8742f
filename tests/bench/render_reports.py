"""Render the first page of each of the nine reports as a PNG for docs/reports.md.

``make report-samples`` runs it. It builds the sample world of ``tests/reports/world.py`` in a
throw-away SQLite database, generates every report through the same service the worker uses,
converts all of them to PDF in one LibreOffice run (with the fontconfig stand-ins of
``tests/reports/rendering.py``) and renders page one of each at 60 dpi with ``pdftoppm``:

    soffice --headless --convert-to pdf …   →   pdftoppm -png -r 60 -f 1 -l 1 …

Writes ``docs/reports/<kind>.png``; ``--keep DIR`` also keeps the .docx and .pdf files.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


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
    """Build the sample world and write each report as ``<kind>.docx``; return the files."""
    from tests.reports.world import build_world, params_for

    from lianyan import clock, db
    from lianyan.reports import services
    from lianyan.reports.content import Context
    from lianyan.reports.docx import ReportFonts
    from lianyan.reports.kinds import KINDS
    from lianyan.reports.schemas import ReportParams
    from lianyan.settings import Settings

    settings = Settings.from_env()
    await db.start()
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # Piccolo prints each step
            await db.migrate()
        with clock.pinned(clock.now().replace(year=2026, month=12, day=28)):
            world = await build_world(activities=30)
            context = Context.from_settings(settings)
            files = []
            for kind in KINDS:
                who = "lingbao" if KINDS[kind].scope == "county" else "city"
                name, data = await services.generate(
                    await world.actor(who), kind, ReportParams(**params_for(world, kind)),
                    context=context, fonts=ReportFonts.from_attributes(settings.fonts),
                )
                path = outdir / f"{kind}.docx"
                path.write_bytes(data)
                print(f"{kind:<20} {name} ({len(data):,} bytes)", flush=True)
                files.append(path)
    finally:
        await db.stop()
    return files


def main(argv: list[str] | None = None) -> None:
    """Generate, convert and render; print where the PNGs went."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "reports",
                        help="where the PNGs go (default docs/reports)")
    parser.add_argument("--keep", type=Path, help="also keep the .docx and .pdf files here")
    parser.add_argument("--dpi", type=int, default=60)
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="lianyan-samples-"))
    try:
        _environment(work / "data")
        from tests.reports.rendering import first_page_png, to_pdf

        documents = work / "documents"
        documents.mkdir()
        sources = asyncio.run(generate_all(documents))
        pdfs = to_pdf(sources, documents)
        args.out.mkdir(parents=True, exist_ok=True)
        for pdf in pdfs:
            png = first_page_png(pdf, args.out / f"{pdf.stem}.png", dpi=args.dpi)
            print(f"{png.relative_to(ROOT) if png.is_relative_to(ROOT) else png} "
                  f"({png.stat().st_size:,} bytes)")
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            for path in [*sources, *pdfs]:
                shutil.copy2(path, args.keep / path.name)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
