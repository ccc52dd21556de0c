"""On a projector a lane's row is named in the text a back row reads, never smaller."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QFontInfo, QFontMetricsF
from PySide6.QtWidgets import QApplication

from app.session import Side
from app.session.state import Kept
from app.timeline.labels import label_font
from tests.app.recorded_runs import load_runs, run_from_data


@pytest.mark.slow
def test_lesson_9_on_a_projector_names_every_row_in_the_class_s_text(window):
    # Lesson 9's B (30 threads behind one sync middleware) at 1280×720 drew rows of 12-14 px
    # (the old 12 px floor) named in 10-11 px: too small for the back of a class of 40.
    _, runs = load_runs(9)
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
        b = window.timeline_b
        b.grab()  # painted: its geometry and labels
        geo, font = b._geometry, b.font()
        body_px = QFontInfo(QApplication.font()).pixelSize()
        assert QFontInfo(font).pixelSize() == body_px >= 16  # presentation's text
        assert geo.row_px >= QFontMetricsF(font).height() - 0.5
        assert QFontInfo(label_font(font, geo)).pixelSize() == body_px
        # Thirty threads do not fit in rows that tall: alike ones share a row, and say so.
        texts = [label.text for label in geo.labels]
        assert "event loop" in texts
        assert any(t.endswith(("alike", "overlaid")) for t in texts), texts
    finally:  # its font is the application's: no later test inherits it
        window.session.view.set_presentation(False)
