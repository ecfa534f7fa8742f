"""Benchmark: a .docx zip bomb (1 GiB inflated) refused by the content check, time and memory.

Builds a real .docx (python-docx) whose ``word/document.xml`` inflates to ``--inflated-mib``
(1024) MiB of XML white space — about 1 MB on disk — and hands it to what the app runs on an
upload of a design document: ``files.services.check_file`` (the content check, which now reads
the ZIP's central directory against the Office bounds before inflating anything) and, had it
passed, ``exchanges.sections.extract_bounded``. A thread samples this process's resident memory
(``VmRSS``) every 5 ms.

The baseline, measured in the same run, is what the content check did before issue 12: inflate
the main part, streamed in 1 MiB chunks, up to its 256 MiB cap (python-docx then loaded the whole
part into lxml: minutes and gigabytes for 1 GiB, so that is not run).

Run: ``.venv/bin/python tests/bench/bench_zip_bomb.py [--inflated-mib 1024]``. Prints the figures
and ratios; asserts only that the bomb was refused with ``file.unreadable``.
"""

from __future__ import annotations

import argparse
import io
import sys
import threading
import time
import zipfile
from pathlib import Path

import anyio

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))

MiB = 1024 * 1024


def rss_kib() -> int:
    """Resident memory of this process in KiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


class Peak:
    """Samples VmRSS in a thread; ``peak`` is the highest value seen."""

    def __init__(self) -> None:
        self.peak = rss_kib()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.005):
            self.peak = max(self.peak, rss_kib())

    def __enter__(self) -> Peak:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def bomb(inflated_mib: int) -> bytes:
    """A .docx whose document.xml inflates to ``inflated_mib`` MiB."""
    import docx

    plain = io.BytesIO()
    docx.Document().save(plain)
    source = zipfile.ZipFile(plain)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for info in source.infolist():
            if info.filename != "word/document.xml":
                target.writestr(info.filename, source.read(info.filename))
                continue
            with target.open(info.filename, "w", force_zip64=True) as member:
                chunk = b" " * MiB
                for _ in range(inflated_mib):
                    member.write(chunk)
    return out.getvalue()


def old_check(data: bytes) -> int:
    """The content check before issue 12: inflate the main part, streamed, up to 256 MiB."""
    read = 0
    with zipfile.ZipFile(io.BytesIO(data)) as archive, archive.open("word/document.xml") as part:
        while read <= 256 * MiB and (chunk := part.read(MiB)):
            read += len(chunk)
    return read


async def new_check(data: bytes) -> str:
    """What the app runs now on a design document upload; the refusal's code."""
    from lianyan.errors import LianyanError
    from lianyan.exchanges import sections
    from lianyan.files import services, sniff

    try:
        await services.check_file(
            "design_document", io.BytesIO(data), filename="教案.docx", limits=sniff.Limits()
        )
        await sections.extract_bounded(io.BytesIO(data))
    except LianyanError as exc:
        return exc.code
    return "accepted"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--inflated-mib", type=int, default=1024)
    args = parser.parse_args()

    import lianyan.exchanges.sections  # imports out of the measurement
    import lianyan.files.services  # noqa: F401

    began = time.perf_counter()
    data = bomb(args.inflated_mib)
    print(f"bomb: {len(data) / 1024:.0f} KiB on disk, document.xml inflates to "
          f"{args.inflated_mib} MiB (built in {time.perf_counter() - began:.1f} s)")

    anyio.run(new_check, data)  # warm-up: thread pool, lazy imports
    before = rss_kib()
    with Peak() as peak:
        began = time.perf_counter()
        code = anyio.run(new_check, data)
        refused_s = time.perf_counter() - began
    grew_mib = (peak.peak - before) / 1024
    assert code == "file.unreadable", code

    with Peak() as old_peak:
        old_before = rss_kib()
        began = time.perf_counter()
        inflated = old_check(data)
        old_s = time.perf_counter() - began
    old_grew_mib = (old_peak.peak - old_before) / 1024

    print(f"refused (file.unreadable)       {refused_s * 1000:8.1f} ms   memory grew {grew_mib:6.1f} MiB")
    print(f"baseline: old check inflating   {old_s * 1000:8.1f} ms   memory grew {old_grew_mib:6.1f} MiB"
          f"   ({inflated / MiB:.0f} MiB inflated, then python-docx loaded it all)")
    print(f"ratio refused/baseline time     {refused_s / old_s:.4f}")


if __name__ == "__main__":
    main()
