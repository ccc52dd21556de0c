"""Both palettes are made for projectors: contrast a back row can read, and a pattern per kind
so the lanes read in greyscale and for colour-blind students."""

from __future__ import annotations

import itertools

import pytest

from app.theme import LEGEND_KINDS, PATTERNS, THEMES, contrast_ratio


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
