"""The event loop's row numbers every bar of a block or none of it (:mod:`app.timeline.
loop_numbers`): a block of many requests' turns numbered on a few read as if only they used
the loop (teacher45, teacher46), and so did one wide turn among many slivers. A staircase
of turns end to end keeps every number, and a block of slivers takes none from the
others."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QColor, QFont, QImage, QPainter

from app.theme import LIGHT
from app.timeline.loop_numbers import LoopBars
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


def test_a_block_of_many_requests_turns_is_numbered_on_all_of_them_or_none(qapp):
    """Lesson 19 mid-run read "#2" and "#17" on one block of a dozen touching turns (each a
    bar, most too narrow for a number), as if only they used the loop (teacher46)."""
    wide = _lane(0, 0, 3)  # 30 px: room for "#1"
    touching = [_lane(i, 3 + 0.8 * (i - 1), 3 + 0.8 * i) for i in range(1, 9)]  # 8 px each
    alone = _lane(9, 30, 36)  # a turn of its own, far from the block
    assert _loop_numbers([wide, alone]) == {"#1", "#10"}
    assert _loop_numbers([wide, *touching, alone]) == {"#10"}


def test_a_wide_turn_in_a_block_of_many_slivers_is_not_numbered(qapp):
    """Lesson 9's B wrote "#1" and "#5" on its loop's row, a block of thirty requests'
    turns, most of them slivers too thin to read as bars (teacher46): the numbers named a
    few of the many whose turns it is. A block whose numbered bars cover less than half of
    it keeps none; one they cover most of keeps them."""
    wide = _lane(0, 0, 3)  # 30 px
    slivers = [_lane(i, 3 + 0.3 * (i - 1), 3 + 0.3 * i) for i in range(1, 21)]  # 3 px each
    assert _loop_numbers([wide, *slivers]) == set()
    assert _loop_numbers([wide, *slivers[:5]]) == {"#1"}  # 30 of its 45 px


def test_turns_end_to_end_keep_every_number(qapp):
    staircase = [_lane(i, 5 * i, 5 * (i + 1)) for i in range(6)]  # 50 px each, touching
    assert _loop_numbers(staircase) == {f"#{i + 1}" for i in range(6)}


def test_a_block_of_slivers_takes_no_number_from_the_turns_after_it(qapp):
    """Lesson 6's A: ten requests' first turns, each thinner than a bar reads (a block of
    slivers at a slide's scale), then ten turns of CPU one after another: those keep their
    numbers (review46 found the first rule took them all away)."""
    lanes = []
    for i in range(10):
        first = (0.3 * i, 0.3 * (i + 1))  # 3 px each: slivers
        cpu = (10 + 5 * i, 15 + 5 * i)  # 50 px each
        start, end = int(first[0] * MS), int(first[1] * MS)
        segments = [Segment(Kind.FRAMEWORK, start, end, LOOP)]
        if start:
            segments.insert(0, Segment(Kind.QUEUED, 0, start, "queue"))
        segments += [
            Segment(Kind.QUEUED, end, int(cpu[0] * MS), "queue"),
            Segment(Kind.CPU, int(cpu[0] * MS), int(cpu[1] * MS), LOOP),
        ]
        lanes.append(Lane(i, "v", "ok", 200, None, 0, int(cpu[1] * MS), tuple(segments)))
    assert _loop_numbers(lanes) == {f"#{i + 1}" for i in range(10)}


def test_only_a_block_with_a_bare_bar_is_bare():
    scale = PX_PER_MS / MS
    starts = np.array([0, 2 * MS, 3 * MS, 30 * MS], np.int64)
    ends = np.array([2 * MS, 3 * MS, 4 * MS, 36 * MS], np.int64)
    # "#1" on the first bar only: its block (0-40 px) is bare; the lone bar at 300 px is not.
    assert LoopBars(starts, ends).bare_blocks(
        [(5.0, 15.0), (320.0, 340.0)], 0, 10**12, 0.0, scale
    ) == [(0.0, 40.0)]
    # Every bar of it holds its own: none is.
    written = [(5.0, 15.0), (22.0, 28.0), (32.0, 38.0), (320.0, 340.0)]
    assert LoopBars(starts, ends).bare_blocks(written, 0, 10**12, 0.0, scale) == []
    # Bars thinner than a bar reads ask for none.
    assert LoopBars(starts, ends).bare_blocks([], 0, 10**12, 0.0, scale / 100) == []
