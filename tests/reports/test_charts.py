"""The server-drawn charts and the heatmap scale: labels wrapped or shortened with their full text
kept, cells classed by distance to target, and every cell colour readable (WCAG contrast ≥ 4.5:1)."""

import re
from pathlib import Path

import pytest

from app.reports import charts

CSS = (Path(__file__).resolve().parents[2] / "app" / "static" / "app.css").read_text(encoding="utf-8")


def _luminance(colour: str) -> float:
    colour = colour.lstrip("#")
    if len(colour) == 3:
        colour = "".join(c * 2 for c in colour)
    channels = [int(colour[n:n + 2], 16) / 255 for n in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("name", [name for _, name in charts.GAP_STEPS] + [charts.GAP_TOP])
def test_every_heatmap_step_prints_its_number_with_contrast_of_at_least_4_5(name: str) -> None:
    rule = re.search(rf"\.{name} {{ background: (#[0-9a-f]+); color: (#[0-9a-f]+); }}", CSS)

    assert rule is not None, f"no colours for .{name} in app.css"
    assert _contrast(rule.group(1), rule.group(2)) >= 4.5


@pytest.mark.parametrize(("score", "target", "expected"), [
    (70.0, 85.0, "gap-3"), (75.0, 85.0, "gap-2"), (79.9, 85.0, "gap-2"), (80.0, 85.0, "gap-1"), (84.9, 85.0, "gap-1"),
    (85.0, 85.0, "hit-1"), (90.0, 85.0, "hit-2"), (95.0, 85.0, "hit-3"), (None, 85.0, "heat-none")])
def test_a_cell_is_classed_by_its_distance_to_the_touchpoints_target(score: float | None, target: float,
                                                                      expected: str) -> None:
    assert charts.heat_class(score, target) == expected


def test_a_long_title_wraps_at_spaces_and_one_too_long_ends_in_an_ellipsis() -> None:
    fits = charts.wrap_label("Консультация и диагностика", width=120, font_size=12)
    cut = charts.wrap_label("Консультация и диагностика у врача-косметолога", width=120, font_size=12)

    assert fits.lines == ("Консультация и", "диагностика") and not fits.shortened
    assert cut.shortened and cut.lines[-1].endswith("…") and len(cut.lines) == 2
    assert all(charts.text_width(line, 12) <= 120 for line in cut.lines)


def test_a_shortened_bar_label_keeps_its_full_text_in_a_title() -> None:
    title = "Консультация, диагностика и составление индивидуального плана лечения у врача"

    svg = charts.touchpoint_bars([(title, 70.0, 85.0)], label="Scores")

    assert f"<title>{title}</title>" in svg and "…" in svg


def test_the_journey_curve_puts_stage_n_over_the_middle_of_column_n() -> None:
    svg = charts.journey_emotion_curve([1.0, None, -2.0], label="Emotion")

    centres = [float(x) for x in re.findall(r'<circle cx="([\d.]+)"', svg)]
    assert centres == [0.5 * charts.COLUMN_W, 2.5 * charts.COLUMN_W]
    assert 'viewBox="0 0 300 ' in svg and "−2.0" in svg
