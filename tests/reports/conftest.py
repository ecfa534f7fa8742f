"""Fixtures for report tests: render a .docx the way a reader sees it, through LibreOffice.

The documents name the Windows fonts of the standard (仿宋_GB2312, 楷体_GB2312, 方正小标宋简体); a
fontconfig file maps them to Debian's ``fonts-noto-cjk`` and ``fonts-arphic-ukai`` so the pages
look like the real thing instead of falling back to one sans-serif face.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

SOFFICE = shutil.which("soffice")
PDFTOTEXT = shutil.which("pdftotext")

_STAND_INS = {
    "Noto Serif CJK SC": ("方正小标宋简体", "方正小标宋_GBK", "宋体", "SimSun", "仿宋_GB2312", "仿宋",
                          "FangSong"),
    "Noto Sans CJK SC": ("黑体", "SimHei"),
    "AR PL UKai CN": ("楷体_GB2312", "楷体", "KaiTi"),
}


def _fontconfig() -> str:
    aliases = "".join(
        f"<alias binding=\"same\"><family>{name}</family><prefer><family>{stand_in}</family>"
        "</prefer></alias>"
        for stand_in, names in _STAND_INS.items()
        for name in names
    )
    # 小标宋 is a heavy face; the bold cut of Noto Serif is the closer stand-in.
    title_weight = (
        '<match target="pattern"><test name="family"><string>方正小标宋简体</string></test>'
        '<edit name="weight" mode="assign"><const>bold</const></edit></match>'
    )
    return (
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>'
        f"{title_weight}{aliases}</fontconfig>"
    )


@pytest.fixture
def render_pdf(tmp_path: Path) -> Callable[[bytes], Path]:
    """Return a function that converts .docx bytes to a PDF file with LibreOffice."""
    if SOFFICE is None:
        pytest.fail("LibreOffice (soffice) is not installed: apt-get install libreoffice-writer-nogui (.ci/run does)")
    fonts_conf = tmp_path / "fonts.conf"
    fonts_conf.write_text(_fontconfig(), encoding="utf-8")
    # A private profile: LibreOffice refuses to run twice on one profile, and tests run in
    # parallel with other engineers' conversions on the same machine.
    profile = (tmp_path / "lo-profile").as_uri()
    env = {**os.environ, "FONTCONFIG_FILE": str(fonts_conf)}

    def render(data: bytes, name: str = "report") -> Path:
        source = tmp_path / f"{name}.docx"
        source.write_bytes(data)
        subprocess.run(
            [SOFFICE, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
             "--outdir", str(tmp_path), str(source)],
            check=True, capture_output=True, timeout=180, env=env,
        )
        pdf = tmp_path / f"{name}.pdf"
        assert pdf.exists(), f"LibreOffice produced no PDF for {source}"
        return pdf

    return render


@pytest.fixture
def pdf_text() -> Callable[[Path], list[str]]:
    """Return a function giving the text of each page of a PDF (poppler's pdftotext)."""
    if PDFTOTEXT is None:
        pytest.fail("pdftotext is not installed: apt-get install poppler-utils (.ci/run does)")

    def pages(pdf: Path) -> list[str]:
        result = subprocess.run([PDFTOTEXT, "-layout", str(pdf), "-"], check=True,
                                capture_output=True, text=True, timeout=60)
        return result.stdout.split("\f")[:-1]

    return pages
