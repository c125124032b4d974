"""Charts as inline SVG built on the server: no chart JavaScript, so they work under the strict CSP,
without JavaScript and in the PDFs, and read on a phone as on a laptop (docs/reports.md).

An SVG scales as a whole with its viewBox, so a label that fits the viewBox fits at every width;
labels are wrapped onto lines by an estimate of their width that errs wide (the browser tests
measure the real text boxes), and one still too long is shortened with "…" and its full text kept
in a <title> (a tooltip, and what a screen reader says). Every chart also prints its numbers, so
no figure is carried by colour alone.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

BAR_FILL, TARGET_STROKE, BELOW_FILL, TRACK_FILL = "#225ea8", "#111", "#e66101", "#eef1f4"
INK, MUTED, BELOW_INK = "#1d232b", "#5b6672", "#8a3b00"
# Average advance of a glyph in em for the sans-serif fonts we meet (DejaVu Sans is the widest of
# them, ~0.6 em for Latin and Cyrillic lower case); a wide guess only wraps a little early.
CHAR_EM = 0.64

# Distance of a score to its target, in points, and the class of its heatmap cell: a diverging
# ColorBrewer PuOr scale (colour-blind safe), orange below target, purple at or above it.
GAP_STEPS = ((-10.0, "gap-3"), (-5.0, "gap-2"), (0.0, "gap-1"), (5.0, "hit-1"), (10.0, "hit-2"))
GAP_TOP = "hit-3"


def heat_class(score: float | None, target: float | None = None) -> str:
    """The heatmap cell class for a score (0..100) against its target: by how far it misses or
    beats the target; 'heat-none' where there is no score."""
    if score is None or target is None:
        return "heat-none"
    distance = score - target
    return next((name for bound, name in GAP_STEPS if distance < bound), GAP_TOP)


def fmt(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def signed(value: float, digits: int = 1) -> str:
    """+1.5, −0.5 (a true minus sign), 0 without a sign."""
    text = f"{abs(value):.{digits}f}"
    if float(text) == 0:
        return text
    return ("+" if value > 0 else "−") + text


def text_width(text: str, font_size: float) -> float:
    return len(text) * font_size * CHAR_EM


@dataclass(frozen=True)
class Label:
    """A label laid out on at most a few lines; `shortened` when the last line lost its end."""

    lines: tuple[str, ...]
    full: str
    shortened: bool


def wrap_label(text: str, *, width: float, font_size: float, max_lines: int = 2) -> Label:
    """Break the text at spaces into lines that fit `width`; a word longer than a line, or text
    beyond `max_lines`, is cut and ends in "…"."""
    per_line = max(4, int(width / (font_size * CHAR_EM)))
    lines: list[str] = []
    words = text.split()
    shortened = False
    while words:
        line = words.pop(0)
        while words and len(line) + 1 + len(words[0]) <= per_line:
            line += " " + words.pop(0)
        if len(line) > per_line:
            line, shortened = line[:per_line - 1].rstrip() + "…", True
        if len(lines) == max_lines - 1 and words:
            rest = " ".join([line, *words])
            line = rest[:per_line - 1].rstrip() + "…" if len(rest) > per_line else rest
            shortened, words = shortened or len(rest) > per_line, []
        lines.append(line)
    return Label(tuple(lines) or ("",), text, shortened)


def _text(x: float, y: float, label: Label, *, size: float, anchor: str = "start", line_gap: float = 1.2,
          cls: str = "label") -> str:
    """A <text> of one or more lines (<tspan>s), with the full text as <title> when shortened."""
    spans = "".join(f'<tspan x="{x:.1f}" dy="{0 if n == 0 else size * line_gap:.1f}">{escape(line)}</tspan>'
                    for n, line in enumerate(label.lines))
    title = f"<title>{escape(label.full)}</title>" if label.shortened else ""
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{INK}" '
            f'class="{cls}">{title}{spans}</text>')


def touchpoint_bars(rows: Sequence[tuple[str, float | None, float]], *, label: str) -> Markup:
    """Horizontal bars, one per (title, score, target), the title on its own line(s) above its bar:
    the bar is the score, the black tick the target; a bar below its target is orange, and both
    numbers are written at the bar's end."""
    width, size, value_w = 300, 13, 84
    bar_w = width - value_w
    parts: list[str] = []
    y = 4.0
    for title, score, target in rows:
        text = wrap_label(title, width=width, font_size=size)
        parts.append(_text(0, y + size, text, size=size))
        y += size * 1.2 * len(text.lines) + 4
        parts.append(f'<rect x="0" y="{y:.1f}" width="{bar_w}" height="18" fill="{TRACK_FILL}"/>')
        if score is not None:
            fill = BAR_FILL if score >= target else BELOW_FILL
            parts.append(f'<rect x="0" y="{y:.1f}" width="{bar_w * max(0.0, min(score, 100.0)) / 100:.1f}" '
                         f'height="18" fill="{fill}"/>')
        tx = bar_w * target / 100
        parts.append(f'<line x1="{tx:.1f}" x2="{tx:.1f}" y1="{y - 3:.1f}" y2="{y + 21:.1f}" '
                     f'stroke="{TARGET_STROKE}" stroke-width="2"/>')
        parts.append(f'<text x="{width}" y="{y + 14:.1f}" font-size="{size}" text-anchor="end" fill="{INK}" '
                     f'class="value">{fmt(score)} / {fmt(target, 0)}</text>')
        y += 30
    return Markup(f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {y:.0f}" role="img" '
                  f'aria-label="{escape(label)}" class="chart bars">{"".join(parts)}</svg>')


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


def _emotion_x(v: float, left: float, span: float) -> float:
    return left + span * (v + 2) / 4


def emotion_curve(rows: Sequence[tuple[str, float | None]], *, label: str) -> Markup:
    """The emotion curve of the gap report, drawn down the page: one row per touchpoint in journey
    order (title on the left, wrapped), its mean emotion placed on a −2..+2 scale with its value
    written, the points joined in journey order. Reads the same on a phone and in print."""
    if not any(v is not None for _, v in rows):
        return Markup("")
    width, size, label_w, row_h = 300, 12, 120, 38
    left, span = label_w + 18, width - label_w - 36
    top = 22
    height = top + row_h * len(rows) + 4
    parts = [f'<line x1="{_emotion_x(0, left, span):.1f}" x2="{_emotion_x(0, left, span):.1f}" y1="{top - 4}" '
             f'y2="{height - 4}" stroke="#8a949e" stroke-dasharray="4 3"/>']
    for tick in (-2, 0, 2):
        parts.append(f'<text x="{_emotion_x(tick, left, span):.1f}" y="{top - 8}" font-size="{size}" '
                     f'text-anchor="middle" fill="{MUTED}" class="axis">{signed(tick, 0)}</text>')
    points: list[tuple[float, float]] = []
    for n, (title, value) in enumerate(rows):
        middle = top + n * row_h + row_h / 2
        text = wrap_label(title, width=label_w, font_size=size)
        first = middle - (len(text.lines) - 1) * size * 1.2 / 2 + size * 0.35
        parts.append(_text(0, first, text, size=size))
        if value is not None:
            points.append((_emotion_x(value, left, span), middle))
    coords = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    parts.append(f'<polyline points="{coords}" fill="none" stroke="{BAR_FILL}" stroke-width="2"/>')
    for n, (_title, value) in enumerate(rows):
        if value is None:
            continue
        x, y = _emotion_x(value, left, span), top + n * row_h + row_h / 2
        # The value sits on the side of the point away from the middle, so it never leaves the plot.
        anchor, dx = ("end", -8) if value > 0 else ("start", 8)
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="{BAR_FILL}"/>'
                     f'<text x="{x + dx:.1f}" y="{y - 7:.1f}" font-size="{size}" text-anchor="{anchor}" '
                     f'fill="{INK}" class="value">{signed(value)}</text>')
    return Markup(f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height:.0f}" role="img" '
                  f'aria-label="{escape(label)}" class="chart emotion">{"".join(parts)}</svg>')


COLUMN_W = 100  # viewBox units per journey column: the curve is stretched to the table's width


def journey_emotion_curve(values: Sequence[float | None], *, label: str) -> Markup:
    """The emotion curve of the journey map, drawn across the map's own stage columns: it fills a
    cell spanning every column of a fixed-layout table, so the point of stage n sits over the
    middle of column n at any width (it scales as a whole, so text keeps its shape). No axis
    labels: the column headings above are the labels; each point has its value written next to it."""
    if not any(v is not None for v in values):
        return Markup("")
    width, height, size = COLUMN_W * len(values), 84, 11

    def y_of(v: float) -> float:
        return 42 - 15 * v

    parts = [f'<line x1="0" x2="{width}" y1="{y_of(0)}" y2="{y_of(0)}" stroke="#8a949e" stroke-dasharray="4 3"/>']
    points = [((n + 0.5) * COLUMN_W, y_of(v)) for n, v in enumerate(values) if v is not None]
    parts.append(f'<polyline points="{" ".join(f"{x:.1f},{y:.1f}" for x, y in points)}" fill="none" '
                 f'stroke="{BAR_FILL}" stroke-width="2"/>')
    for n, v in enumerate(values):
        if v is None:
            continue
        x, y = (n + 0.5) * COLUMN_W, y_of(v)
        ty = y + 17 if v > 0.5 else y - 9
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="{BAR_FILL}" class="stage-point"/>'
                     f'<text x="{x:.1f}" y="{ty:.1f}" font-size="{size}" text-anchor="middle" fill="{INK}" '
                     f'class="value">{signed(v)}</text>')
    return Markup(f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
                  f'aria-label="{escape(label)}" class="chart journey-curve">{"".join(parts)}</svg>')


@dataclass(frozen=True)
class DriverPoint:
    number: int  # its row in the table under the chart
    title: str
    pass_rate: float  # 0..1
    importance: float  # difference in mean emotion, passed − failed
    fix_first: bool


def driver_chart(points: Sequence[DriverPoint], *, target: float, label: str, x_title: str, y_title: str,
                 fix_first: str) -> Markup:
    """Importance × performance: one dot per item, performance (pass rate, %) across, importance
    (difference in mean emotion, passed − failed) up; dashed lines at the checklist's target and at
    no difference. Items to fix first (key drivers below target) are orange diamonds; each dot has
    its number and title in a <title>, the numbers themselves are in the table below, so no label
    can collide with another."""
    if not points:
        return Markup("")
    width, height, left, right, top, bottom, size = 300, 230, 40, 18, 22, 40, 11
    low = min(-1.0, min(p.importance for p in points))
    high = max(2.0, max(p.importance for p in points))
    plot_w, plot_h = width - left - right, height - top - bottom

    def x_of(rate: float) -> float:
        return left + plot_w * rate

    def y_of(value: float) -> float:
        return top + plot_h * (high - value) / (high - low)

    parts = [f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="#fafbfc" stroke="#c3cad2"/>',
             f'<rect x="{left}" y="{top}" width="{plot_w * target / 100:.1f}" height="{y_of(0) - top:.1f}" '
             f'fill="#fde8d8"/>',
             f'<line x1="{x_of(target / 100):.1f}" x2="{x_of(target / 100):.1f}" y1="{top}" y2="{top + plot_h}" '
             f'stroke="#8a949e" stroke-dasharray="4 3"/>',
             f'<line x1="{left}" x2="{left + plot_w}" y1="{y_of(0):.1f}" y2="{y_of(0):.1f}" stroke="#8a949e" '
             f'stroke-dasharray="4 3"/>',
             f'<text x="{left + 4}" y="{top + size + 2}" font-size="{size}" fill="{BELOW_INK}" class="quadrant" '
             f'font-weight="700">{escape(fix_first)}</text>']
    for tick in (0, 50, 100):
        parts.append(f'<text x="{x_of(tick / 100):.1f}" y="{top + plot_h + 14}" font-size="{size}" '
                     f'text-anchor="middle" fill="{MUTED}" class="axis">{tick}%</text>')
    for tick in sorted({math.ceil(low), 0, math.floor(high)}):
        parts.append(f'<text x="{left - 5}" y="{y_of(tick) + 4:.1f}" font-size="{size}" text-anchor="end" '
                     f'fill="{MUTED}" class="axis">{signed(tick, 0)}</text>')
    parts.append(f'<text x="{left + plot_w / 2:.1f}" y="{height - 6}" font-size="{size}" text-anchor="middle" '
                 f'fill="{INK}" class="axis-title">{escape(x_title)}</text>')
    parts.append(f'<text x="{left}" y="{top - 8}" font-size="{size}" fill="{INK}" class="axis-title">'
                 f'{escape(y_title)}</text>')
    for p in points:
        x, y = x_of(p.pass_rate), y_of(p.importance)
        tip = f"<title>{p.number}. {escape(p.title)}</title>"
        if p.fix_first:
            parts.append(f'<path d="M{x:.1f},{y - 7:.1f} L{x + 7:.1f},{y:.1f} L{x:.1f},{y + 7:.1f} L{x - 7:.1f},'
                         f'{y:.1f} Z" fill="{BELOW_FILL}" stroke="#111" class="fix-first">{tip}</path>')
        else:
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="none" stroke="{BAR_FILL}" '
                         f'stroke-width="2">{tip}</circle>')
    return Markup(f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
                  f'aria-label="{escape(label)}" class="chart drivers">{"".join(parts)}</svg>')
