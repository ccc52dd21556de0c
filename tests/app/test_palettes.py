"""Both palettes are made for projectors: contrast a back row can read, and a pattern per kind
so the lanes read in greyscale and for colour-blind students."""

from __future__ import annotations

import itertools

import pytest

from app.theme import FAILED, LEGEND_KINDS, PATTERNS, THEMES, contrast_ratio
from simulator.trace import Kind


def test_contrast_ratio_is_wcags():
    assert contrast_ratio("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert contrast_ratio("#777777", "#FFFFFF") == pytest.approx(4.48, abs=0.01)


@pytest.mark.parametrize("theme", THEMES, ids=lambda t: t.name)
def test_every_segment_colour_stands_out_from_the_background(theme):
    for kind in LEGEND_KINDS:
        ratio = contrast_ratio(theme.kinds[kind], theme.background)
        assert ratio >= 3.0, f"{theme.name} {kind}: {ratio:.2f}:1"
    assert contrast_ratio(theme.blocked, theme.background) >= 3.0


@pytest.mark.parametrize("theme", THEMES, ids=lambda t: t.name)
def test_text_reads_on_the_background_and_on_every_bar(theme):
    assert contrast_ratio(theme.foreground, theme.background) >= 4.5
    assert contrast_ratio(theme.muted, theme.background) >= 4.5
    for kind in LEGEND_KINDS:  # request numbers and "7 awaiting" are written on bars
        assert contrast_ratio(theme.text_on(kind), theme.kinds[kind]) >= 4.5, kind


def test_every_kind_has_a_cue_besides_colour_and_no_two_share_one():
    assert set(PATTERNS) == set(LEGEND_KINDS)
    for a, b in itertools.combinations(LEGEND_KINDS, 2):
        assert PATTERNS[a] != PATTERNS[b], (a, b)


def _lab(colour: str) -> tuple[float, float, float]:
    """CIE L*a*b* (D65) of ``#RRGGBB``."""

    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(int(colour[i : i + 2], 16) / 255) for i in (1, 3, 5))
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def _projected(colour: str, background: str, wash: float = 0.35) -> str:
    """``colour`` as a washed-out projector shows it: a third of the way to the screen's
    background (low contrast merges shades of one hue first)."""
    mixed = (
        round(int(colour[i : i + 2], 16) * (1 - wash) + int(background[i : i + 2], 16) * wash)
        for i in (1, 3, 5)
    )
    return "#" + "".join(f"{c:02X}" for c in mixed)


#: The pairs a lesson's point rests on: blocking vs awaiting I/O (lessons 2-4, 9, 16), CPU
#: vs waiting for the GIL (lesson 15), blocking I/O vs CPU (both hold a thread, for
#: different reasons), and a failed request's mark at the end of a blocking bar.
APART = [
    (Kind.IO_WAIT, Kind.IO_BLOCKING),
    (Kind.CPU, Kind.GIL_WAIT),
    (Kind.CPU, Kind.IO_BLOCKING),
    (Kind.QUEUED, Kind.GIL_WAIT),
    (FAILED, Kind.IO_BLOCKING),
]


@pytest.mark.parametrize("theme", THEMES, ids=lambda t: t.name)
@pytest.mark.parametrize("pair", APART, ids=lambda p: "-".join(p))
def test_the_contrasts_lessons_rest_on_stay_apart_on_a_washed_out_projector(theme, pair):
    a, b = (_lab(_projected(theme.kinds[kind], theme.background)) for kind in pair)
    distance = sum((p - q) ** 2 for p, q in zip(a, b, strict=True)) ** 0.5
    # ΔE 20 is "two different colours" at a glance; the two blues this replaced were 20.
    assert distance >= 30, f"{theme.name} {pair}: ΔE {distance:.0f}"
