"""The loop-blocked strip: a block where the loop was blocked, on a thin track elsewhere;
nothing at all where it never was; and the key names its red wherever it draws a block."""

from __future__ import annotations

from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QFont, QImage, QPainter

from app.theme import LIGHT
from app.timeline.geometry import layout
from app.timeline.legend import Marks, legend_layout, marks_shown
from app.timeline.marks import loop_blocked_drawn
from app.timeline.paint import TimelineRows, paint_timeline
from tests.app.recorded_runs import load_runs, run_from_data

SIZE = (1200, 400)


def _strip_rows(side: int, at: float = 0.8) -> tuple[list[int], float]:
    """Lesson 15's side painted: the colours down the strip where the run is ``at`` of the
    way through, and the strip's height."""
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
    x = round(geo.x_of(trace.t0_ns + int((end - trace.t0_ns) * at)))
    top, height = round(geo.strip_top), round(geo.strip_height)
    return [image.pixel(x, y) for y in range(top, top + height)], geo.strip_height


def test_a_loop_never_blocked_draws_no_track(qapp):
    # Lesson 2's strip drew a full-height grey bar, labelled "loop blocked", over a run
    # whose loop was never blocked: a class read it as blocked all along (teacher44); its
    # thin track then still read as a bar of something (teacher45).
    column, _ = _strip_rows(0)  # A: sync views, each on a thread of its own
    background = QColor(LIGHT.background).rgb()
    assert column == [background] * len(column)


def test_a_loop_blocked_somewhere_draws_a_thin_track_elsewhere(qapp):
    trace = run_from_data(load_runs(15)[1][1], 0).trace
    assert loop_blocked_drawn(trace) and not loop_blocked_drawn(
        run_from_data(load_runs(15)[1][0], 0).trace
    )
    column, height = _strip_rows(1, at=0.02)  # B, before its first block
    grid = QColor(LIGHT.grid).rgb()
    assert 1 <= column.count(grid) <= height / 3


def test_the_key_names_the_strip_s_red_where_it_draws_a_block(qapp):
    runs = load_runs(15)[1]
    blocked, free = (run_from_data(runs[side], 0).trace for side in (1, 0))
    assert marks_shown([blocked], True, False).blocked
    assert not marks_shown([free], True, False).blocked
    font = QFont()
    font.setPixelSize(16)
    placed, _ = legend_layout(QRectF(0, 0, 1200, 200), font, ("cpu",), marks=Marks(blocked=True))
    assert [label.text for _, label in placed][-1].startswith("loop blocked (one step held")


def test_a_blocked_loop_fills_the_strip_s_height(qapp):
    column, _ = _strip_rows(1)  # B: the views compute on the loop, blocking it
    blocked = QColor(LIGHT.blocked).rgb()
    assert column.count(blocked) >= len(column) - 1


def test_the_key_s_swatch_is_the_strip_s_red_and_its_tooltip_says_what_it_is(qapp):
    from PySide6.QtGui import QImage, QPainter

    from app.timeline.legend import BLOCKED_LABEL, draw_legend, whole_label

    font = QFont()
    font.setPixelSize(16)
    image = QImage(1200, 60, QImage.Format.Format_RGB32)
    image.fill(QColor(LIGHT.background))
    painter = QPainter(image)
    draw_legend(painter, QRectF(0, 0, 1200, 60), LIGHT, font, ("cpu",), marks=Marks(blocked=True))
    painter.end()
    red = QColor(LIGHT.blocked).rgb()
    assert sum(image.pixel(x, y) == red for x in range(1200) for y in range(60)) >= 100
    assert whole_label("blocked") == BLOCKED_LABEL
