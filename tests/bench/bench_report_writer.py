"""Benchmark: the report writer's table path against python-docx's own ways of filling a table.

Builds a 附件2-like eight-column activity table (年度教研活动备案表) through
``ReportWriter.add_table`` with 1,000 and 10,000 rows, and in the same run two baselines:

* ``table.cell(r, c).text`` for every cell, what most python-docx code does. Each call rebuilds
  the list of all cells, so the whole fill is quadratic: about 1 minute at 100 rows and an
  estimated 1–2 hours at 1,000 rows on a busy build machine. It is measured at ``--naive-rows``
  (100 by default, against the fast path at the same size) and extrapolated to 1,000 rows with
  the quadratic model, labelled as an estimate; pass ``--naive-rows 1000`` to measure it.
* ``table.add_row().cells``, python-docx's linear path, measured at 1,000 rows.

Prints absolute seconds (build, and build plus save) and the ratios: 10k/1k (linear ≈ 10),
and baseline/fast. Targets: 10,000 rows under 3 s, ≥10× faster than naive at 1k.
Nothing here asserts timings.

Run: ``.venv/bin/python tests/bench/bench_report_writer.py [--naive-rows 100] [--skip-baselines]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

try:
    from lianyan.reports.docx import ReportWriter
except ModuleNotFoundError:  # run from a checkout without ``pip install -e .``
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))
    from lianyan.reports.docx import ReportWriter

HEADER = ("日期", "活动名称", "主题", "形式", "组织责任区", "地点", "预计参与人数", "大型专题活动")
_FORMS = ("专业引领", "专题研讨", "专家论坛", "网络教研", "同研异构")
_ZONES = ("第一责任区", "第二责任区", "第三责任区", "城关责任区", "乡镇联片责任区")
_PLACES = ("县实验幼儿园", "城关镇中心幼儿园", "第二幼儿园", "线上（腾讯会议）")
_THEMES = ("游戏化课程建设", "幼小科学衔接", "区域活动观察与支持", "户外自主游戏")


def activity_rows(count: int) -> Iterator[tuple[str, ...]]:
    """Deterministic 附件2 rows: date, title, theme, form, zone, place, participants, large."""
    start = dt.date(2026, 3, 1)
    for i in range(count):
        day = start + dt.timedelta(days=i % 280)
        yield (
            f"{day.month}月{day.day}日",
            f"第{i + 1}次{_THEMES[i % 4]}专题教研活动",
            _THEMES[(i // 4) % 4],
            _FORMS[i % 5],
            _ZONES[i % 5],
            _PLACES[i % 4],
            str(30 + i % 90),
            "是" if i % 7 == 0 else "否",
        )


def build_fast(rows: list[tuple[str, ...]]) -> ReportWriter:
    """The writer's path: one XML string, one parse."""
    writer = ReportWriter()
    writer.add_title("年度教研活动备案表")
    writer.add_table(HEADER, rows)
    return writer


def build_cell_by_cell(rows: list[tuple[str, ...]]) -> ReportWriter:
    """Naive baseline: a python-docx table filled through ``table.cell(r, c).text``."""
    writer = ReportWriter()
    writer.add_title("年度教研活动备案表")
    table = writer.document.add_table(rows=len(rows) + 1, cols=len(HEADER))
    for c, title in enumerate(HEADER):
        table.cell(0, c).text = title
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    return writer


def build_add_row(rows: list[tuple[str, ...]]) -> ReportWriter:
    """Linear baseline: ``table.add_row()`` and that row's ``cells``."""
    writer = ReportWriter()
    writer.add_title("年度教研活动备案表")
    table = writer.document.add_table(rows=1, cols=len(HEADER))
    for cell, title in zip(table.rows[0].cells, HEADER, strict=True):
        cell.text = title
    for row in rows:
        for cell, value in zip(table.add_row().cells, row, strict=True):
            cell.text = value
    return writer


@dataclass(frozen=True)
class Timing:
    """Wall-clock seconds to build a document and to build and save it, and CPU seconds of both.

    CPU time is printed too because a shared build machine can inflate wall time severalfold.
    """

    build: float
    total: float
    cpu: float


def measure(build: Callable[[list[tuple[str, ...]]], ReportWriter], count: int) -> Timing:
    """Time one build of ``count`` rows, then its save to bytes."""
    rows = list(activity_rows(count))
    cpu_started = time.process_time()
    started = time.perf_counter()
    writer = build(rows)
    built = time.perf_counter()
    writer.save(io.BytesIO())
    saved = time.perf_counter()
    return Timing(build=built - started, total=saved - started,
                  cpu=time.process_time() - cpu_started)


def say(line: str) -> None:
    """Print at once, so a long baseline run shows the fast figures first."""
    print(line, flush=True)


def main(argv: list[str] | None = None) -> dict[str, float]:
    """Run the benchmark, print the figures, and return them (for callers that import this)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=1_000, help="rows of the small run")
    parser.add_argument("--large", type=int, default=10_000, help="rows of the large run")
    parser.add_argument("--naive-rows", type=int, default=100,
                        help="rows for the table.cell() baseline (quadratic: keep it small)")
    parser.add_argument("--skip-baselines", action="store_true")
    args = parser.parse_args(argv)
    small_n, large_n, naive_n = args.small, args.large, args.naive_rows

    def report(label: str, rows: int, timing: Timing) -> None:
        say(f"{label:<16} {rows:>6} rows: build {timing.build:8.3f} s,"
            f" build+save {timing.total:8.3f} s (CPU {timing.cpu:8.3f} s)")

    measure(build_fast, 50)  # warm-up: imports, template load, lxml parser
    small = measure(build_fast, small_n)
    large = measure(build_fast, large_n)
    report("fast", small_n, small)
    report("fast", large_n, large)
    figures = {
        "fast_small_total_s": small.total,
        "fast_large_total_s": large.total,
        "fast_large_cpu_s": large.cpu,
        "growth": large.total / small.total,
    }
    say(f"ratio {large_n}/{small_n} rows, fast (build+save): {figures['growth']:.1f}, CPU"
        f" {large.cpu / small.cpu:.1f} (linear: {large_n / small_n:.0f})")
    if args.skip_baselines:
        return figures

    add_row = measure(build_add_row, small_n)
    report("add_row().cells", small_n, add_row)
    figures["add_row_over_fast"] = add_row.total / small.total
    say(f"ratio add_row/fast at {small_n} rows (build+save): {figures['add_row_over_fast']:.0f}x")

    fast_at_naive = small if naive_n == small_n else measure(build_fast, naive_n)
    naive = measure(build_cell_by_cell, naive_n)
    if naive_n != small_n:
        report("fast", naive_n, fast_at_naive)
    report("table.cell(r, c)", naive_n, naive)
    figures["naive_over_fast"] = naive.total / fast_at_naive.total
    say(f"ratio naive/fast at {naive_n} rows (build+save, measured): "
        f"{figures['naive_over_fast']:.0f}x")
    if naive_n != small_n:
        estimate = naive.total * (small_n / naive_n) ** 2
        figures["naive_small_estimate_s"] = estimate
        figures["naive_over_fast_small_estimate"] = estimate / small.total
        say(f"ratio naive/fast at {small_n} rows (estimate, naive ∝ rows²: {estimate:,.0f} s):"
            f" {figures['naive_over_fast_small_estimate']:,.0f}x")
    return figures


if __name__ == "__main__":
    main()
