"""Hand-made SVG charts for the sign-off report.

Plain SVG strings, no matplotlib: the report must be one self-contained file,
and hand-made SVG stays small (a few KB per chart), keeps its text as real
text (searchable, readable by screen readers, crisp when printed), has no
random element ids to collide when several charts share one page, and is
byte-for-byte reproducible. Every label that comes from data is escaped here, which is
what lets the HTML report insert the returned SVG text unescaped.

Latencies span four decades (18 us lookups to 1 s views), so both charts use
a logarithmic millisecond axis.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import escape

FLOOR_MS = 1e-4  # 0.1 us: the smallest value a log axis will show
SERIES_COLOURS = ("#1f6feb", "#8250df", "#bf8700", "#1a7f37", "#cf222e", "#57606a")
BUDGET_COLOUR = "#cf222e"
TEXT_COLOUR = "#24292f"
GRID_COLOUR = "#d0d7de"


def format_ms(value: float | None) -> str:
    """A duration in ms, written in the unit a person reads best (us, ms or s)."""
    if value is None or not math.isfinite(value):
        return "n/a"
    if value < 1:
        return f"{value * 1000:.3g} µs"
    if value < 1000:
        return f"{value:.3g} ms"
    return f"{value / 1000:.3g} s"


@dataclass(frozen=True)
class Series:
    """The raw rounds of one workload at one data scale, and its p50 and budgeted percentile."""

    label: str
    timings_ms: tuple[float, ...]
    p50_ms: float
    measured_ms: float


@dataclass(frozen=True)
class ScalePoint:
    """The percentiles of one workload at one data scale (receipts orders the x axis)."""

    label: str
    receipts: int
    p50_ms: float
    measured_ms: float


@dataclass(frozen=True)
class HeadroomPoint:
    """One workload at one data scale: measured / budget at its percentile (below 1 meets the budget)."""

    workload: str
    scale: str
    ratio: float
    verdict: str


@dataclass(frozen=True)
class _LogAxis:
    """Maps milliseconds onto [start, start+length] pixels on a log10 scale."""

    lo: float
    hi: float
    start: float
    length: float

    def position(self, value_ms: float) -> float:
        value = max(value_ms, FLOOR_MS)
        span = math.log10(self.hi) - math.log10(self.lo)
        return self.start + (math.log10(value) - math.log10(self.lo)) / span * self.length

    def ticks(self) -> list[float]:
        """1-2-5 ticks inside the range; only decades when that gives too many."""
        first, last = math.floor(math.log10(self.lo)), math.ceil(math.log10(self.hi))
        steps = (1, 2, 5) if last - first <= 3 else (1,)
        found = [m * 10.0**e for e in range(first, last + 1) for m in steps]
        return [t for t in found if self.lo <= t <= self.hi]


def _log_axis(values: Sequence[float], start: float, length: float) -> _LogAxis:
    positive = [v for v in values if v is not None and math.isfinite(v) and v > 0] or [1.0]
    lo = max(min(positive) / 1.6, FLOOR_MS)
    hi = max(max(positive) * 1.6, lo * 10)
    return _LogAxis(lo, hi, start, length)


def _text(x: float, y: float, label: str, *, anchor: str = "start", size: int = 11, extra: str = "") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
        f'fill="{TEXT_COLOUR}"{extra}>{escape(label)}</text>'
    )


def _line(x1: float, y1: float, x2: float, y2: float, colour: str, *, width: float = 1, dash: str = "") -> str:
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    return (
        f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
        f'stroke="{colour}" stroke-width="{width}"{dash_attr}/>'
    )


def _svg(width: int, height: int, title: str, body: list[str]) -> str:
    label = escape(title)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="{label}" class="chart">'
        f"<title>{label}</title>" + "".join(body) + "</svg>"
    )


def _x_axis(axis: _LogAxis, top: float, bottom: float, label: Callable[[float], str] = format_ms) -> list[str]:
    parts = []
    for tick in axis.ticks():
        x = axis.position(tick)
        parts.append(_line(x, top, x, bottom, GRID_COLOUR))
        parts.append(_text(x, bottom + 13, label(tick), anchor="middle", size=10))
    return parts


def _histogram(timings: Sequence[float], axis: _LogAxis, bins: int) -> list[int]:
    counts = [0] * bins
    for t in timings:
        share = (axis.position(t) - axis.start) / axis.length
        counts[min(bins - 1, max(0, int(share * bins)))] += 1
    return counts


def distribution_chart(title: str, series: Sequence[Series], budget_ms: float, percentile: str) -> str:
    """One histogram row per data scale on a shared log axis, with p50, the budgeted percentile and the budget.

    Bar heights are the square root of the counts, so the few slow rounds of the tail stay visible
    beside a peak of hundreds.
    """
    width, left, right, row_h, top = 560, 64, 16, 52, 24
    height = top + row_h * max(1, len(series)) + 34
    values = [t for s in series for t in s.timings_ms] + [budget_ms] + [s.measured_ms for s in series]
    axis = _log_axis(values, left, width - left - right)
    bottom = top + row_h * max(1, len(series))
    parts = _x_axis(axis, top, bottom)
    bins = 48
    bin_w = axis.length / bins
    for row, s in enumerate(series):
        colour = SERIES_COLOURS[row % len(SERIES_COLOURS)]
        base = top + row_h * (row + 1) - 4
        counts = _histogram(s.timings_ms, axis, bins)
        peak = math.sqrt(max(counts) or 1)
        for i, count in enumerate(counts):
            if count:
                h = max(1.5, (row_h - 12) * math.sqrt(count) / peak)
                parts.append(
                    f'<rect x="{axis.start + i * bin_w:.1f}" y="{base - h:.1f}" width="{bin_w - 1:.1f}" '
                    f'height="{h:.1f}" fill="{colour}" fill-opacity="0.6"/>'
                )
        for value, dash in ((s.p50_ms, ""), (s.measured_ms, "3,2")):
            x = axis.position(value)
            parts.append(_line(x, base - row_h + 10, x, base, TEXT_COLOUR, width=1.5, dash=dash))
        parts.append(_text(left - 6, base - row_h / 2 + 6, s.label, anchor="end"))
        parts.append(_text(left - 6, base - row_h / 2 + 18, f"n={len(s.timings_ms)}", anchor="end", size=9))
    bx = axis.position(budget_ms)
    parts.append(_line(bx, top - 6, bx, bottom, BUDGET_COLOUR, width=2))
    parts.append(_text(bx, top - 9, f"budget {percentile} {format_ms(budget_ms)}", anchor="middle", size=10))
    parts.append(
        _text(left, height - 4, f"solid: p50   dashed: {percentile}   red: budget   (log scale, bar height ~ sqrt count)",
              size=9)
    )
    return _svg(width, height, title, parts)


def scaling_chart(title: str, points: Sequence[ScalePoint], budget_ms: float, percentile: str) -> str:
    """p50 and the budgeted percentile against data size, on a log millisecond axis."""
    width, height, left, right, top, bottom_pad = 320, 190, 58, 16, 18, 46
    ordered = sorted(points, key=lambda p: p.receipts)
    values = [p.p50_ms for p in ordered] + [p.measured_ms for p in ordered] + [budget_ms]
    plot_h = height - top - bottom_pad
    y_axis = _log_axis(values, 0, plot_h)

    def y(value: float) -> float:
        return top + plot_h - y_axis.position(value)

    step = (width - left - right) / max(1, len(ordered))
    xs = [left + step * (i + 0.5) for i in range(len(ordered))]
    parts = []
    for tick in y_axis.ticks():
        parts.append(_line(left, y(tick), width - right, y(tick), GRID_COLOUR))
        parts.append(_text(left - 4, y(tick) + 3, format_ms(tick), anchor="end", size=9))
    for x, p in zip(xs, ordered, strict=True):
        parts.append(_text(x, top + plot_h + 14, p.label, anchor="middle", size=10))
    parts.append(_line(left, y(budget_ms), width - right, y(budget_ms), BUDGET_COLOUR, width=2, dash="6,3"))
    parts.append(_text(width - right, y(budget_ms) - 4, f"budget {format_ms(budget_ms)}", anchor="end", size=9))
    for values_of, colour in (
        ([p.p50_ms for p in ordered], SERIES_COLOURS[0]),
        ([p.measured_ms for p in ordered], SERIES_COLOURS[1]),
    ):
        coords = " ".join(f"{x:.1f},{y(v):.1f}" for x, v in zip(xs, values_of, strict=True))
        parts.append(f'<polyline points="{coords}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for x, v in zip(xs, values_of, strict=True):
            parts.append(f'<circle cx="{x:.1f}" cy="{y(v):.1f}" r="3" fill="{colour}"/>')
    parts.append(_legend(left, height - 8, ((SERIES_COLOURS[0], "p50"), (SERIES_COLOURS[1], percentile))))
    return _svg(width, height, title, parts)


def _legend(x: float, y: float, entries: Sequence[tuple[str, str]]) -> str:
    parts = []
    for colour, label in entries:
        parts.append(f'<rect x="{x:.1f}" y="{y - 8:.1f}" width="10" height="10" fill="{colour}"/>')
        parts.append(_text(x + 14, y, label, size=10))
        x += 24 + 7 * len(label)
    return "".join(parts)


def headroom_chart(title: str, points: Sequence[HeadroomPoint], scales: Sequence[str]) -> str:
    """Every workload on one line: the share of its budget used at each data scale (log scale).

    The overview a reader needs first: which workloads are near or past their budget, and which
    get worse with more data.
    """
    workloads = list(dict.fromkeys(p.workload for p in points))
    width, left, right, row_h, top = 900, 250, 20, 17, 34
    bottom = top + row_h * max(1, len(workloads))
    height = bottom + 40
    axis = _log_axis([p.ratio for p in points] + [1.0], left, width - left - right)
    parts = _x_axis(axis, top, bottom, label=lambda t: f"{t * 100:g}%")
    colours = {scale: SERIES_COLOURS[i % len(SERIES_COLOURS)] for i, scale in enumerate(scales)}
    for row, name in enumerate(workloads):
        y = top + row_h * row + row_h / 2
        if row % 2:
            parts.append(f'<rect x="{left}" y="{y - row_h / 2:.1f}" width="{axis.length:.1f}" height="{row_h}" '
                         f'fill="{GRID_COLOUR}" fill-opacity="0.25"/>')
        parts.append(_text(left - 6, y + 4, name, anchor="end", size=10))
    rows = {name: i for i, name in enumerate(workloads)}
    for p in points:
        y = top + row_h * rows[p.workload] + row_h / 2
        outline = f' stroke="{BUDGET_COLOUR}" stroke-width="2"' if p.verdict == "FAIL" else ""
        parts.append(f'<circle cx="{axis.position(p.ratio):.1f}" cy="{y:.1f}" r="4" '
                     f'fill="{colours.get(p.scale, TEXT_COLOUR)}"{outline}>'
                     f"<title>{escape(p.workload)} at {escape(p.scale)}: {p.ratio * 100:.3g}% of the budget</title></circle>")
    one = axis.position(1.0)
    parts.append(_line(one, top - 4, one, bottom, BUDGET_COLOUR, width=2))
    parts.append(_text(one, top - 8, "budget", anchor="middle", size=10))
    parts.append(_legend(left, 14, [(colours[s], s) for s in scales]))
    parts.append(_text(left, height - 6, "share of the budget used at each workload's percentile (log scale): "
                       "left of the red line meets the budget; red ring: FAIL", size=10))
    return _svg(width, height, title, parts)
