"""On a projector a lane's row is named in nearly the text a back row reads (0.85 of it)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest
from PySide6.QtGui import QFontInfo
from PySide6.QtWidgets import QApplication

from app.session import Side
from app.session.state import Kept
from app.timeline.labels import label_font
from app.window.presentation import ROW_TEXT_SCALE
from tests.app.recorded_runs import load_runs, run_from_data


@contextlib.contextmanager
def _lesson_on_a_projector(window, number: int) -> Iterator[None]:
    """Lesson ``number``'s recorded A and B, compared by worker, in presentation mode at
    1280×720, drawn; presentation ended after."""
    _, runs = load_runs(number)
    run_a, run_b = (run_from_data(data, 0) for data in runs)
    window.set_compare(True)
    window.set_by("workers")
    window.session.view.set_presentation(True)
    try:
        window.showNormal()
        window.resize(1280, 720)
        window.session.restore(
            Kept({Side.A: run_a, Side.B: run_b}, {Side.A: [], Side.B: []}, Side.B, None)
        )
        QApplication.processEvents()
        yield
    finally:  # its font is the application's: no later test inherits it
        window.session.view.set_presentation(False)


@pytest.mark.slow
def test_lesson_9_on_a_projector_names_every_row_in_the_class_s_text(window):
    # Lesson 9's B (30 threads behind one sync middleware) at 1280×720 drew rows of 12-14 px
    # (the old 12 px floor) named in 10-11 px: too small for the back of a class of 40.
    with _lesson_on_a_projector(window, 9):
        b = window.timeline_b
        b.grab()  # painted: its geometry and labels
        geo, font = b._geometry, b.font()
        body_px = QFontInfo(QApplication.font()).pixelSize()
        assert QFontInfo(font).pixelSize() == body_px >= 16  # presentation's text
        smallest = round(body_px * ROW_TEXT_SCALE)  # 14 px at 720p: it was 12 (0.75)
        assert smallest >= 14
        assert QFontInfo(label_font(font, geo, b.rows)).pixelSize() >= smallest
        # Thirty threads do not fit in rows that tall: alike ones share a row, and say so.
        texts = [label.text for label in geo.labels]
        assert "event loop" in texts
        assert any(t.endswith(("alike", "overlaid")) for t in texts), texts


@pytest.mark.slow
def test_lesson_8_on_a_projector_draws_every_thread_a_query_held(window):
    # The answer is a count of threads (8 on each side): at rows of a whole line of text,
    # 1280×720 had room for 10 of A's and B's 11 rows, and drew "threads 1–3 alike".
    with _lesson_on_a_projector(window, 8):
        for timeline in (window.timeline, window.timeline_b):
            timeline.grab()
            labels = [label.text for label in timeline._geometry.labels]
            assert [t for t in labels if t.startswith("thread")] == [
                f"thread {i}" for i in range(1, 9)
            ], labels


def test_presentation_s_row_floor_is_the_label_column_s_smallest_font(qapp, monkeypatch):
    # One number for "the smallest a row's label is written": presentation mode's floor
    # follows the label column's (it was a second 0.85 of its own, and a second rule).
    from PySide6.QtGui import QFont

    from app.timeline import labels
    from app.window.presentation import presentation_row_px

    base = QFont()
    before = presentation_row_px(base, 1080)
    monkeypatch.setattr(labels, "SMALLEST", 1.0)
    assert presentation_row_px(base, 1080) > before
