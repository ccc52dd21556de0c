"""A failed request's error beside its lane reads from its start (which request, which
exception, the message's first words) and, cut in the middle, keeps the message's end, each
part on whole words. Lesson 12's read "ValueError: …object. It returned an unawaited
coroutine instead…", begun mid-sentence; then, cut at its end, "…object. It returned…",
before the "coroutine" its answer names."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QFont, QFontMetricsF

from app.timeline.error_label import fit_error
from embedded_site.lesson_views import LESSON_VIEWS

LESSON_12 = "#1 failed: " + next(
    view.expected_error for view in LESSON_VIEWS if view.name == "missing_await_bug"
)


@pytest.mark.parametrize("share", [0.45, 0.6, 0.8, 0.95])
def test_the_error_keeps_its_start_and_its_end_at_any_width(qapp, share):
    fm = QFontMetricsF(QFont())
    width = share * fm.horizontalAdvance(LESSON_12)  # 60% of it: what a 1280 px window has
    label = fit_error(fm, LESSON_12, width)
    assert fm.horizontalAdvance(label) <= width
    assert label.startswith("#1 failed: ValueError: The view"), label
    start, end = label.split(" … ")
    assert LESSON_12.startswith(start) and LESSON_12.endswith(end), label
    assert end.endswith("You may need to add an 'await' into your view."), label


def test_the_word_lesson_12_is_about_survives_at_a_projectors_width(qapp):
    """At 60% of its length, what a 1280×720 presentation gives it, the error still says
    what the view returned."""
    fm = QFontMetricsF(QFont())
    label = fit_error(fm, LESSON_12, 0.6 * fm.horizontalAdvance(LESSON_12))
    assert "unawaited coroutine" in label, label


def test_a_short_error_is_left_whole_and_a_tiny_room_keeps_the_start(qapp):
    fm = QFontMetricsF(QFont())
    assert fit_error(fm, "#2 failed: HTTP 500", 1000) == "#2 failed: HTTP 500"
    tiny = fit_error(fm, LESSON_12, 80)
    assert tiny.startswith("#1") and tiny.endswith("…") and fm.horizontalAdvance(tiny) <= 80


@pytest.mark.slow
def test_the_lanes_carry_the_whole_first_line_of_the_error(run):
    from app.timeline.rows import TimelineRows

    trace = run(view="missing_await_bug", mode="asgi", requests=1).trace
    rows = TimelineRows(trace)
    assert [text for _, _, text in rows.error_texts] == [LESSON_12]


def test_a_cut_error_is_cut_between_whole_words(qapp):
    """Not "…It re…" (half of "returned"), nor "…turned an…": each part whole words."""
    fm = QFontMetricsF(QFont())
    for share in (0.3, 0.35, 0.4, 0.5, 0.6, 0.7, 0.8):
        label = fit_error(fm, LESSON_12, share * fm.horizontalAdvance(LESSON_12))
        start, _, end = label.partition(" … ")
        assert LESSON_12[len(start)] in " ,.:;", (share, label)
        assert not end or LESSON_12[-len(end) - 1] == " ", (share, label)
