"""Charts as inline SVG built on the server: no chart JavaScript, readable on a phone and in print.

Colours come from a colour-blind-safe sequential palette (light yellow → dark blue, after ColorBrewer
YlGnBu) and every chart also prints its numbers, so no figure is carried by colour alone.
"""

from collections.abc import Sequence
from html import escape

from markupsafe import Markup

# Five steps, worst to best; text colour chosen for contrast on each.
HEAT_STEPS = ((50.0, "heat-0"), (65.0, "heat-1"), (80.0, "heat-2"), (90.0, "heat-3"), (101.0, "heat-4"))
BAR_FILL, TARGET_STROKE, BELOW_FILL = "#225ea8", "#111", "#fdae61"


def heat_class(score: float | None) -> str:
    """The heatmap cell class for a score (0..100); 'heat-none' where there is no data."""
    if score is None:
        return "heat-none"
    return next(name for bound, name in HEAT_STEPS if score < bound)


def fmt(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def touchpoint_bars(rows: Sequence[tuple[str, float | None, float]], *, label: str) -> Markup:
    """Horizontal bars, one per (title, score, target): the bar is the score, the black tick the
    target; a bar below its target is drawn in orange with a hatched end, and both numbers are
    written out."""
    row_h, label_w, width = 34, 110, 400
    bar_w = width - label_w - 84
    height = row_h * len(rows) + 8
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="{escape(label)}" class="chart bars">']
    for n, (title, score, target) in enumerate(rows):
        y = 4 + n * row_h
        parts.append(f'<text x="0" y="{y + 20}" font-size="12">{escape(title[:18])}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 6}" width="{bar_w}" height="18" fill="#eef1f4"/>')
        if score is not None:
            fill = BAR_FILL if score >= target else BELOW_FILL
            parts.append(f'<rect x="{label_w}" y="{y + 6}" width="{bar_w * score / 100:.1f}" height="18" '
                         f'fill="{fill}"/>')
        tx = label_w + bar_w * target / 100
        parts.append(f'<line x1="{tx:.1f}" x2="{tx:.1f}" y1="{y + 2}" y2="{y + 28}" stroke="{TARGET_STROKE}" '
                     f'stroke-width="2"/>')
        parts.append(f'<text x="{label_w + bar_w + 6}" y="{y + 20}" font-size="12">'
                     f'{fmt(score)} / {fmt(target, 0)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def sparkline(values: Sequence[float | None], *, label: str, width: int = 90, height: int = 24) -> Markup:
    """A tiny trend line over waves (0..100 scale); gaps where a wave has no score; the last point
    is marked."""
    points = [(n, v) for n, v in enumerate(values) if v is not None]
    if not points:
        return Markup("")
    step = (width - 6) / max(1, len(values) - 1)

    def xy(n: int, v: float) -> tuple[float, float]:
        return 3 + n * step, height - 3 - (height - 6) * v / 100

    coords = " ".join(f"{x:.1f},{y:.1f}" for x, y in (xy(n, v) for n, v in points))
    last_x, last_y = xy(*points[-1])
    return Markup(f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
                  f'height="{height}" role="img" aria-label="{escape(label)}" class="chart spark">'
                  f'<polyline points="{coords}" fill="none" stroke="{BAR_FILL}" stroke-width="2"/>'
                  f'<circle cx="{last_x:.1f}" cy="{last_y:.1f}" r="3" fill="{BAR_FILL}"/></svg>')


def emotion_curve(rows: Sequence[tuple[str, float | None]], *, label: str) -> Markup:
    """The journey's emotion curve: one point per touchpoint on a −2..+2 scale, values written."""
    width, height, margin = 400, 130, 50
    known = [(n, title, v) for n, (title, v) in enumerate(rows) if v is not None]
    if not known:
        return Markup("")
    step = (width - 2 * margin) / max(1, len(rows) - 1)

    def xy(n: int, v: float) -> tuple[float, float]:
        return margin + n * step, 60 - 20 * v

    coords = " ".join(f"{x:.1f},{y:.1f}" for x, y in (xy(n, v) for n, _, v in known))
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="{escape(label)}" class="chart emotion">',
             f'<line x1="10" x2="{width - 10}" y1="60" y2="60" stroke="#bbb" stroke-dasharray="4 3"/>',
             f'<polyline points="{coords}" fill="none" stroke="{BAR_FILL}" stroke-width="2"/>']
    for n, title, v in known:
        x, y = xy(n, v)
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{BAR_FILL}"/>'
                     f'<text x="{x:.1f}" y="{y - 8:.1f}" font-size="11" text-anchor="middle">{v:+.1f}</text>'
                     f'<text x="{x:.1f}" y="{height - 4}" font-size="10" text-anchor="middle">'
                     f'{escape(title[:14])}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
