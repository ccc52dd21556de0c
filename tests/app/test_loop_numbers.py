"""The event loop's row is numbered on all its blocks or on none: lesson 19 mid-run read
"#1" and "#14" on two of the loop's blocks beside a bare one as wide, made of many
requests' turns each too narrow for its number ("as if only they used the loop",
teacher45). A staircase of turns end to end keeps every number."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QColor, QFont, QImage, QPainter

from app.theme import LIGHT
from app.timeline.loop_numbers import every_block_numbered
from app.timeline.marks import paint_bar_texts
from app.timeline.rows import TimelineRows
from simulator.trace import Kind, Lane, Segment, Trace

MS = 1_000_000
LOOP = "asgi-loop"
PX_PER_MS = 10  # the scale painted at


def _lane(i: int, start_ms: float, end_ms: float) -> Lane:
    """Request ``i``: queued, then one turn of Django's on the loop, answered at its end."""
    start, end = int(start_ms * MS), int(end_ms * MS)
    segments = [Segment(Kind.FRAMEWORK, start, end, LOOP)]
    if start > 0:
        segments.insert(0, Segment(Kind.QUEUED, 0, start, "queue"))
    return Lane(i, "v", "ok", 200, None, 0, end, tuple(segments))


def _loop_numbers(lanes: list[Lane]) -> set[str]:
    """The numbers written on the loop's row: its row painted alone on white, each text's
    bar asked whether a plate was drawn at its middle."""
    rows = TimelineRows(Trace(0, tuple(lanes), loop_thread=LOOP), by="workers")
    loop = rows.loop_row
    assert loop is not None
    image = QImage(600, 30, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    font = QFont()
    font.setPixelSize(12)
    painter.setFont(font)
    scale, top = PX_PER_MS / MS, -loop * 20.0  # (the loop's row at the image's top)
    paint_bar_texts(painter, rows, LIGHT, 0, 10**12, 0.0, scale, top, 20.0, 16.0)
    painter.end()
    written: set[str] = set()
    for row, start, end, _, text in rows.bar_texts:
        x = int((start + end) / 2 * scale)
        if row == loop and x < 600 and image.pixelColor(x, 10) != QColor("white"):
            written.add(text)
    return written


def test_a_lone_number_beside_a_bare_block_of_the_loop_is_not_written(qapp):
    wide = _lane(0, 0, 6)  # 60 px: room for "#1"
    many = [_lane(i, 20 + 0.3 * (i - 1), 20 + 0.3 * i) for i in range(1, 12)]  # 3 px each
    assert _loop_numbers([wide]) == {"#1"}
    assert _loop_numbers([wide, *many]) == set()


def test_turns_end_to_end_keep_every_number(qapp):
    staircase = [_lane(i, 5 * i, 5 * (i + 1)) for i in range(6)]  # 50 px each, touching
    assert _loop_numbers(staircase) == {f"#{i + 1}" for i in range(6)}


def test_a_block_is_bare_only_where_no_text_stands_in_it():
    starts = [0, 10 * MS, 10 * MS + 300_000]
    ends = [6 * MS, 10 * MS + 300_000, 13 * MS]
    s, e = np.array(starts, np.int64), np.array(ends, np.int64)
    scale = PX_PER_MS / MS
    assert not every_block_numbered(s, e, [(20.0, 40.0)], 0, 10**12, 0.0, scale)
    assert every_block_numbered(s, e, [(20.0, 40.0), (105.0, 115.0)], 0, 10**12, 0.0, scale)
    # A block narrower than a number's floor needs none.
    assert every_block_numbered(s[:1], e[:1], [], 0, 10**12, 0.0, 1e-9)
