"""The loop-blocked strip: a block where the loop was blocked, on a thin track elsewhere."""

from __future__ import annotations

from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QFont, QImage, QPainter

from app.theme import LIGHT
from app.timeline.geometry import layout
from app.timeline.paint import TimelineRows, paint_timeline
from tests.app.recorded_runs import load_runs, run_from_data

SIZE = (1200, 400)


def _strip_rows(side: int) -> tuple[list[int], float]:
    """Lesson 15's side painted: the colours down the strip where the run is 80% through,
    and the strip's height."""
    trace = run_from_data(load_runs(15)[1][side], 0).trace
    rows = TimelineRows(trace, by="workers")
    rect, font = QRectF(0, 0, *SIZE), QFont()
    font.setPixelSize(16)
    end = max(lane.end_ns for lane in trace.lanes)
    image = QImage(*SIZE, QImage.Format.Format_RGB32)
    painter = QPainter(image)
    paint_timeline(painter, rect, rows, LIGHT, t_from_ns=trace.t0_ns, t_to_ns=end, font=font)
    painter.end()
    geo = layout(rect, rows, font, trace.t0_ns, end)
    x = round(geo.x_of(trace.t0_ns + (end - trace.t0_ns) * 4 // 5))
    top, height = round(geo.strip_top), round(geo.strip_height)
    return [image.pixel(x, y) for y in range(top, top + height)], geo.strip_height


def test_a_loop_never_blocked_draws_a_thin_track_not_a_bar(qapp):
    # Lesson 2's strip drew a full-height grey bar, labelled "loop blocked", over a run
    # whose loop was never blocked: a class read it as blocked all along (teacher44).
    column, height = _strip_rows(0)  # A: sync views, each on a thread of its own
    grid = QColor(LIGHT.grid).rgb()
    background = QColor(LIGHT.background).rgb()
    assert column.count(grid) <= height / 3 and column.count(grid) >= 1
    assert column[0] == background and column[-1] == background


def test_a_blocked_loop_fills_the_strip_s_height(qapp):
    column, _ = _strip_rows(1)  # B: the views compute on the loop, blocking it
    blocked = QColor(LIGHT.blocked).rgb()
    assert column.count(blocked) >= len(column) - 1
