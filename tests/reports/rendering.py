"""Rendering reports the way a reader sees them: LibreOffice to PDF, poppler to PNG.

Used by the PDF test and by ``tests/bench/render_reports.py`` (``make report-samples``). The
documents name the Windows fonts of the standard; a fontconfig file maps them to Debian's
``fonts-noto-cjk`` and ``fonts-arphic-ukai`` so pages look like the real thing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

SOFFICE = shutil.which("soffice")
PDFTOPPM = shutil.which("pdftoppm")
PDFTOTEXT = shutil.which("pdftotext")

_STAND_INS = {
    "Noto Serif CJK SC": ("方正小标宋简体", "方正小标宋_GBK", "宋体", "SimSun", "仿宋_GB2312", "仿宋",
                          "FangSong"),
    "Noto Sans CJK SC": ("黑体", "SimHei"),
    "AR PL UKai CN": ("楷体_GB2312", "楷体", "KaiTi"),
}


def fontconfig(directory: Path) -> Path:
    """Write a fontconfig file that stands Debian's CJK fonts in for the official ones."""
    aliases = "".join(
        f'<alias binding="same"><family>{name}</family><prefer><family>{stand_in}</family>'
        "</prefer></alias>"
        for stand_in, names in _STAND_INS.items()
        for name in names
    )
    # 小标宋 is a heavy face: the bold cut of Noto Serif is the closer stand-in.
    title_weight = (
        '<match target="pattern"><test name="family"><string>方正小标宋简体</string></test>'
        '<edit name="weight" mode="assign"><const>bold</const></edit></match>'
    )
    path = directory / "fonts.conf"
    path.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>'
        f"{title_weight}{aliases}</fontconfig>",
        encoding="utf-8",
    )
    return path


def to_pdf(sources: list[Path], outdir: Path, *, timeout: int = 600) -> list[Path]:
    """Convert .docx files to PDF in ONE LibreOffice run; return the PDFs in order.

    Raises ``RuntimeError`` when LibreOffice is missing, fails, or leaves a PDF out.
    """
    if SOFFICE is None:
        raise RuntimeError("LibreOffice (soffice) is not installed: apt-get install "
                           "libreoffice-writer-nogui")
    outdir.mkdir(parents=True, exist_ok=True)
    work = outdir / ".lo"
    work.mkdir(exist_ok=True)
    # A private profile: LibreOffice refuses to run twice on one profile, and others may be
    # converting on this machine at the same time.
    env = {**os.environ, "FONTCONFIG_FILE": str(fontconfig(work))}
    result = subprocess.run(
        [SOFFICE, f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless",
         "--convert-to", "pdf", "--outdir", str(outdir), *map(str, sources)],
        capture_output=True, text=True, timeout=timeout, env=env, check=False,
    )
    pdfs = [outdir / f"{source.stem}.pdf" for source in sources]
    missing = [pdf.name for pdf in pdfs if not pdf.exists() or pdf.stat().st_size == 0]
    if result.returncode != 0 or missing:
        raise RuntimeError(
            f"soffice exited {result.returncode}, missing {missing}:\n{result.stdout}\n"
            f"{result.stderr}"
        )
    return pdfs


def first_page_png(pdf: Path, png: Path, *, dpi: int = 60) -> Path:
    """Render the first page of ``pdf`` to ``png`` (poppler's pdftoppm)."""
    if PDFTOPPM is None:
        raise RuntimeError("pdftoppm is not installed: apt-get install poppler-utils")
    subprocess.run(
        [PDFTOPPM, "-png", "-r", str(dpi), "-f", "1", "-l", "1", "-singlefile", str(pdf),
         str(png.with_suffix(""))],
        check=True, capture_output=True, timeout=120,
    )
    return png


def pdf_pages(pdf: Path) -> list[str]:
    """The text of each page of a PDF (poppler's pdftotext)."""
    if PDFTOTEXT is None:
        raise RuntimeError("pdftotext is not installed: apt-get install poppler-utils")
    result = subprocess.run([PDFTOTEXT, "-layout", str(pdf), "-"], check=True,
                            capture_output=True, text=True, timeout=120)
    return result.stdout.split("\f")[:-1]
