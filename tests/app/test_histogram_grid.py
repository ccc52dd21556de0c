"""The latency histogram's p50 and p95 labels read whole: the plot's grid lines, drawn by
pyqtgraph's axis over the view, were struck through them (the desk's "p50" looked cut)."""

from __future__ import annotations

from app.session.figures import Figures
from app.widgets.metric_plots import QtLatencyHistogram

from .test_qt_metrics import make_trace


def test_no_grid_line_crosses_the_p50_and_p95_labels(qtbot):
    figures = Figures()
    # Lesson 9's A: p50 and p95 side by side, in two rows at the top.
    figures.show(make_trace(*[(0, 60 + (i % 3)) for i in range(30)]))
    histogram = QtLatencyHistogram(figures)
    qtbot.addWidget(histogram)
    histogram.resize(360, 160)
    histogram.show()
    qtbot.waitExposed(histogram)
    qtbot.wait(50)
    image = histogram.grab().toImage()
    background = image.pixelColor(*_inside(histogram.marker_label_rects()[0], 2, 3))
    crossed = 0
    for label in histogram.marker_label_rects():
        ys = range(round(label.top()) + 2, round(label.bottom()) - 2)
        # Just left of the label, in the plot: the grid lines at these heights.
        beside = [image.pixelColor(round(label.left()) - 3, y) for y in ys]
        crossed += sum(colour != background for colour in beside)
        # Inside the label, left of its text: its fill only, never a line.
        inside = [image.pixelColor(round(label.left()) + 2, y) for y in ys]
        assert all(colour == background for colour in inside), [c.name() for c in inside]
    assert crossed, "no grid line at the labels' heights: the test would prove nothing"


def _inside(rect, dx: int, dy: int) -> tuple[int, int]:
    return round(rect.left()) + dx, round(rect.top()) + dy
