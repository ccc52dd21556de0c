"""The key names what the lanes draw: in each lesson's layout, every kind it names is drawn
on some row, and every kind drawn is named."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtGui import QImage, QPainter

from app.slides.layout import layout_slide
from app.slides.paint import paint_slide
from app.theme import FAILED, LIGHT
from app.timeline.legend import legend_kinds
from app.timeline.rows import TimelineRows
from simulator.trace import KINDS
from tests.app.recorded_runs import load_runs, run_from_data


def _drawn(rows: TimelineRows) -> set[str]:
    spans = rows.spans
    return {KINDS[code] for code in np.unique(spans.kind).tolist()}


@pytest.mark.parametrize("number", range(1, 25))
def test_the_key_names_the_kinds_each_layout_draws(number):
    # Lesson 23's thread view named "client and network" under two processes' rows, which
    # draw no client's time (over sockets it is the lanes' start, by request).
    traces = [run_from_data(data, 0).trace for data in load_runs(number)[1]]
    for by in ("requests", "workers"):
        named = set(legend_kinds(traces, by)) - {FAILED}
        drawn = set().union(*(_drawn(TimelineRows(trace, by=by)) for trace in traces))
        assert named == drawn, by


def test_lesson_23_s_slide_by_thread_keys_no_colour_it_does_not_draw(qapp):
    runs = [run_from_data(data, 0) for data in load_runs(23)[1]]
    slide = layout_slide(runs, size=(1600, 900), by="workers")
    assert "client" not in slide.kinds and "cpu" in slide.kinds
    image = QImage(1600, 900, QImage.Format.Format_RGB32)
    painter = QPainter(image)
    paint_slide(painter, slide)
    painter.end()
    client = LIGHT.color("client").rgb()
    rect = slide.legend_rect
    assert not any(
        image.pixel(x, y) == client
        for x in range(int(rect.left()), int(rect.right()))
        for y in range(int(rect.top()), int(rect.bottom()))
    )
    assert "client" in layout_slide(runs, size=(1600, 900), by="requests").kinds


@pytest.mark.slow
def test_the_window_s_key_follows_the_layout_on_screen(window):
    from PySide6.QtWidgets import QApplication

    from app.session import Side
    from app.session.state import Kept

    a, b = (run_from_data(data, 0) for data in load_runs(23)[1])
    window.set_compare(True)
    window.session.restore(Kept({Side.A: a, Side.B: b}, {Side.A: [], Side.B: []}, Side.B, None))
    window.set_by("worker")
    QApplication.processEvents()
    assert "client" not in window.stage.legend.kinds and "cpu" in window.stage.legend.kinds
    window.set_by("request")
    QApplication.processEvents()
    assert "client" in window.stage.legend.kinds
