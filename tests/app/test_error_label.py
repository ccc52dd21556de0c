"""A failed request's error beside its lane keeps its point: lesson 12's "unawaited
coroutine" comes last in Django's message, and a cut at the right lost it."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QFont, QFontMetricsF

from app.timeline.error_label import fit_error
from embedded_site.lesson_views import LESSON_VIEWS

LESSON_12 = "#1 failed: " + next(
    view.expected_error for view in LESSON_VIEWS if view.name == "missing_await_bug"
)


@pytest.mark.parametrize("share", [0.6, 0.8, 1.0, 1.2])
def test_the_error_keeps_its_head_and_its_point_at_any_width(qapp, share):
    fm = QFontMetricsF(QFont())
    width = share * fm.horizontalAdvance(LESSON_12)  # 60% of it: what a 1280 px window has
    label = fit_error(fm, LESSON_12, width)
    assert fm.horizontalAdvance(label) <= width
    assert label.startswith("#1 failed: ValueError: ")
    assert "unawaited coroutine instead. You may need to add an 'await' into your view." in label
    # Narrower still, the end (what to do about it) stays, never "It returned an unawaite…".
    narrow = fit_error(fm, LESSON_12, 0.35 * fm.horizontalAdvance(LESSON_12))
    assert narrow.startswith("#1 failed: ValueError: …")
    assert narrow.endswith("add an 'await' into your view.")


def test_a_short_error_is_left_whole_and_a_tiny_room_keeps_the_end(qapp):
    fm = QFontMetricsF(QFont())
    assert fit_error(fm, "#2 failed: HTTP 500", 1000) == "#2 failed: HTTP 500"
    tiny = fit_error(fm, LESSON_12, 80)
    assert tiny.startswith("…") and fm.horizontalAdvance(tiny) <= 80


@pytest.mark.slow
def test_the_lanes_carry_the_whole_first_line_of_the_error(run):
    from app.timeline.rows import TimelineRows

    trace = run(view="missing_await_bug", mode="asgi", requests=1).trace
    rows = TimelineRows(trace)
    assert [text for _, _, text in rows.error_texts] == [LESSON_12]


def test_a_cut_error_goes_on_from_a_whole_word(qapp):
    """Not "…d. You may need…" (the end of "instead"), but "…You may need…"."""
    fm = QFontMetricsF(QFont())
    for share in (0.3, 0.35, 0.4, 0.5, 0.6, 0.7, 0.8):
        label = fit_error(fm, LESSON_12, share * fm.horizontalAdvance(LESSON_12))
        end = label.split("…", 1)[1]
        assert LESSON_12.endswith(end)
        assert LESSON_12[-len(end) - 1] == " ", (share, label)
