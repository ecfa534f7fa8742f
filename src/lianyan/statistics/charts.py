"""Charts drawn on the server as SVG: horizontal bars by county, columns and lines by month.

Pure: a ``Chart`` (categories × series) in, an SVG document out. Every chart is a standalone
document (it is also the download): ``role="img"`` with ``<title>`` and ``<desc>``, a white
background, Chinese text in the page's fonts, and a fixed ``viewBox`` 400 units wide so that it
scales with its box — two charts side by side at 1366 px, one per row at 390 px (text about
11 px there). The numbers are also under each chart as a table (the page) and an xlsx.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal
from xml.sax.saxutils import escape

WIDTH = 400
FONT = '"Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif'
COLOURS = ("#b42318", "#175cd3", "#027a48", "#b54708", "#6941c6", "#0e7090")
#: Widest a county label gets; longer names wrap onto a second line.
LABEL_MAX = 120


@dataclass(frozen=True, slots=True)
class Series:
    """One named row of values, one per category."""

    name: str
    values: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Chart:
    """A chart and the table behind it."""

    key: str
    title: str
    description: str
    kind: Literal["bars", "columns", "lines"]
    #: The table's first column header (县（市、区） / 月份).
    category_name: str
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    #: The 合计 of each series when it is not the sum of its values (an exchange of two
    #: counties counts in both bars, once in the total); empty: the sums.
    totals: tuple[int, ...] = ()

    def total_row(self) -> tuple[int, ...]:
        """The 合计 of each series."""
        return self.totals or tuple(sum(x.values) for x in self.series)


def text_width(text: str, size: float) -> float:
    """Rough width of ``text`` at font ``size``: a Chinese character is one em, others 0.6."""
    return sum(size if ord(c) > 0x2E7F else size * 0.6 for c in text)


def nice_ticks(top: int) -> list[int]:
    """0 and round steps (1, 2, 5 × 10ⁿ) up to at least ``top``, at most six ticks."""
    if top <= 0:
        return [0, 1]
    raw = top / 5
    power = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    step = max(1, int(step))
    return list(range(0, (math.ceil(top / step) + 1) * step, step))


def _wrap(label: str, size: float) -> list[str]:
    if text_width(label, size) <= LABEL_MAX:
        return [label]
    lines, line = [], ""
    for char in label:
        if text_width(line + char, size) > LABEL_MAX and line:
            lines.append(line)
            line = ""
        line += char
    return [*lines[:1], (line if len(lines) == 1 else "".join(lines[1:]) + line)]


def _legend(chart: Chart, y: float) -> tuple[list[str], float]:
    """The series' colour keys from ``y`` on, wrapping; and the baseline of their last row."""
    parts, x = [], 12.0
    for index, s in enumerate(chart.series):
        width = 18 + text_width(s.name, 12) + 14
        if x + width > WIDTH - 8:
            x, y = 12.0, y + 18
        parts.append(f'<rect x="{x:.1f}" y="{y - 10:.1f}" width="12" height="12" rx="2" '
                     f'fill="{COLOURS[index % len(COLOURS)]}"/>'
                     f'<text x="{x + 16:.1f}" y="{y:.1f}" font-size="12">{escape(s.name)}</text>')
        x += width
    return parts, y


def render(chart: Chart) -> str:
    """The chart as a standalone SVG document (UTF-8 text)."""
    body = _bars(chart) if chart.kind == "bars" else _by_month(chart)
    height, content = body
    title_id = f"chart-{chart.key}-title"
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height:.0f}" '
        f'width="{WIDTH}" height="{height:.0f}" role="img" '
        f'aria-labelledby="{title_id} {title_id}-desc" font-family=\'{FONT}\' fill="#1f2933" '
        f'data-chart="{chart.key}">'
        f'<title id="{title_id}">{escape(chart.title)}</title>'
        f'<desc id="{title_id}-desc">{escape(chart.description)}</desc>'
        f'<rect width="100%" height="100%" fill="#ffffff"/>'
        f'<text x="12" y="22" font-size="15" font-weight="700">{escape(chart.title)}</text>'
        + "".join(content) + "</svg>\n"
    )


def _bars(chart: Chart) -> tuple[float, list[str]]:
    """Horizontal grouped bars, one band per category (county): any number of them fits."""
    size = 12.0
    parts, legend_y = _legend(chart, 44)
    top = legend_y + 18
    labels = [_wrap(c, size) for c in chart.categories]
    label_w = min(LABEL_MAX, max([text_width(line, size) for ls in labels for line in ls] or [0]))
    left, right = 12 + label_w + 8, WIDTH - 40
    n = max(1, len(chart.series))
    bar, gap = 11.0, 8.0
    band = n * bar + gap + (6 if any(len(ls) > 1 for ls in labels) else 0)
    highest = max([v for s in chart.series for v in s.values] or [0])
    ticks = nice_ticks(highest)
    scale = (right - left) / ticks[-1]
    plot_h = band * max(1, len(chart.categories))
    for t in ticks:
        x = left + t * scale
        parts.append(f'<line x1="{x:.1f}" y1="{top:.1f}" x2="{x:.1f}" y2="{top + plot_h:.1f}" '
                     f'stroke="#d9e2ec" stroke-width="1"/>'
                     f'<text x="{x:.1f}" y="{top + plot_h + 14:.1f}" font-size="12" '
                     f'text-anchor="middle" fill="#616e7c">{t}</text>')
    for i, lines in enumerate(labels):
        y0 = top + i * band
        mid = y0 + (n * bar) / 2 + 4
        first = mid - (len(lines) - 1) * 7
        tspans = "".join(f'<tspan x="{left - 8:.1f}" y="{first + k * 14:.1f}">{escape(line)}</tspan>'
                         for k, line in enumerate(lines))
        parts.append(f'<text font-size="{size:.0f}" text-anchor="end">{tspans}</text>')
        for j, s in enumerate(chart.series):
            value = s.values[i]
            y = y0 + j * bar
            width = value * scale
            parts.append(
                f'<rect x="{left:.1f}" y="{y:.1f}" width="{width:.1f}" height="{bar - 1:.1f}" '
                f'fill="{COLOURS[j % len(COLOURS)]}"><title>{escape(chart.categories[i])} '
                f'{escape(s.name)}：{value}</title></rect>'
                f'<text x="{left + width + 3:.1f}" y="{y + bar - 1:.1f}" font-size="11" '
                f'fill="#616e7c">{value}</text>')
    parts.append(f'<line x1="{left:.1f}" y1="{top:.1f}" x2="{left:.1f}" y2="{top + plot_h:.1f}" '
                 f'stroke="#616e7c" stroke-width="1"/>')
    return top + plot_h + 24, parts


def _by_month(chart: Chart) -> tuple[float, list[str]]:
    """Twelve months: grouped columns, or one line per series."""
    parts, legend_y = _legend(chart, 44)
    top = legend_y + 16
    plot_h = 170.0
    highest = max([v for s in chart.series for v in s.values] or [0])
    ticks = nice_ticks(highest)
    left = 14 + text_width(str(ticks[-1]), 12)
    right = WIDTH - 10
    slot = (right - left) / max(1, len(chart.categories))
    bottom = top + plot_h
    scale = plot_h / ticks[-1]
    for t in ticks:
        y = bottom - t * scale
        parts.append(f'<line x1="{left:.1f}" y1="{y:.1f}" x2="{right:.1f}" y2="{y:.1f}" '
                     f'stroke="#d9e2ec" stroke-width="1"/>'
                     f'<text x="{left - 4:.1f}" y="{y + 4:.1f}" font-size="12" '
                     f'text-anchor="end" fill="#616e7c">{t}</text>')
    for i, label in enumerate(chart.categories):
        x = left + slot * (i + 0.5)
        parts.append(f'<text x="{x:.1f}" y="{bottom + 16:.1f}" font-size="12" '
                     f'text-anchor="middle">{escape(label)}</text>')
    n = max(1, len(chart.series))
    if chart.kind == "columns":
        width = min(14.0, (slot - 6) / n)
        for j, s in enumerate(chart.series):
            for i, value in enumerate(s.values):
                x = left + slot * i + (slot - width * n) / 2 + j * width
                h = value * scale
                parts.append(
                    f'<rect x="{x:.1f}" y="{bottom - h:.1f}" width="{width - 1:.1f}" '
                    f'height="{h:.1f}" fill="{COLOURS[j % len(COLOURS)]}">'
                    f'<title>{escape(chart.categories[i])} {escape(s.name)}：{value}</title></rect>')
    else:
        for j, s in enumerate(chart.series):
            colour = COLOURS[j % len(COLOURS)]
            points = [(left + slot * (i + 0.5), bottom - v * scale) for i, v in enumerate(s.values)]
            # Later series are thinner and dashed, so equal values never hide a line.
            width, dash = (4.0, "") if j == 0 else (2.0, ' stroke-dasharray="6 3"')
            parts.append(f'<polyline fill="none" stroke-width="{width}"{dash} stroke="{colour}" '
                         'points="' + " ".join(f"{x:.1f},{y:.1f}" for x, y in points) + '"/>')
            for (x, y), value, label in zip(points, s.values, chart.categories, strict=True):
                parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{4.5 if j == 0 else 2.5}" '
                             f'fill="{colour}">'
                             f'<title>{escape(label)} {escape(s.name)}：{value}</title></circle>')
    parts.append(f'<line x1="{left:.1f}" y1="{bottom:.1f}" x2="{right:.1f}" y2="{bottom:.1f}" '
                 f'stroke="#616e7c" stroke-width="1"/>')
    return bottom + 28, parts
