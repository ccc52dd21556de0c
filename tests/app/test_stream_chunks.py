"""A worker streaming an answer holds one request from its first chunk to its last: in the
thread view, its bar is split by no line until the next request starts (lesson 20's streams
read as four requests each, a hairline every 50 ms chunk)."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QRectF
from PySide6.QtGui import QImage, QPainter

from app.theme import LIGHT
from app.timeline.image_paint import LanesImage
from app.timeline.paint import paint_timeline
from app.timeline.rows import TimelineRows
from simulator.trace import Kind, Lane, Segment, Trace

from .kind_pixels import rgb_array

MS = 1_000_000
WORKER = "wsgi-worker-1"


def _stream(i: int) -> Lane:
    """Request ``i`` on the worker from ``200·i`` ms: four 50 ms chunks of blocking I/O,
    Django a moment before each."""
    t0 = 200 * MS * i
    segs = []
    for chunk in range(4):
        at = t0 + 50 * MS * chunk
        segs += [
            Segment(Kind.FRAMEWORK, at, at + MS // 10, WORKER),
            Segment(Kind.IO_BLOCKING, at + MS // 10, at + 50 * MS, WORKER),
        ]
    return Lane(i, "v", "ok", 200, None, t0, t0 + 200 * MS, tuple(segs))


@pytest.mark.parametrize("window", [True, False])  # the window's image, and the slides' bars
def test_a_streams_chunks_are_one_bar_and_the_next_request_is_set_apart(qapp, window):
    rows = TimelineRows(Trace(0, (_stream(0), _stream(1)), None), by="worker")
    row = rows.labels.index("worker 1")
    lanes = LanesImage()
    lanes.coarse_ok = False
    lanes.show(rows)
    image = QImage(1000, 200, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    geo = paint_timeline(
        painter,
        QRectF(0, 0, 1000, 200),
        rows,
        LIGHT,
        t_from_ns=0,
        t_to_ns=420 * MS,
        lanes=(lambda p, g, r: lanes.paint(p, g, LIGHT, None, True, r)) if window else None,
    )
    painter.end()
    assert geo.row_px >= 10  # rows tall enough for hairlines
    y = round(geo.row_top(row) + 3)  # near the bar's top: above the number written on it
    x0, x1 = round(geo.x_of(0)) + 2, round(geo.x_of(400 * MS)) - 2
    line = rgb_array(image)[y, x0:x1]
    background = (np.abs(line - np.array([255, 255, 255])) <= 10).all(axis=1)
    cuts = x0 + 1 + np.flatnonzero(background[1:] & ~background[:-1])  # where each gap starts
    boundary = geo.x_of(200 * MS)
    assert [abs(x - boundary) <= 2 for x in cuts] == [True], (cuts, boundary)
