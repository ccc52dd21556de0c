"""A row that holds several requests or threads draws each kind's pattern as one does.

A pattern's ink is translucent: drawn once per member over a row "alike" or "overlaid", it
was drawn twice and more where their bars overlap, paler or darker than the key's
(teacher44: "threads 5–6 alike" near-white beside threads 4 and 7).
"""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QFont, QImage, QPainter

from app.theme import LIGHT
from app.timeline.geometry import layout
from app.timeline.grouping import fit_rows
from app.timeline.overlay import close_calls, covered_once
from app.timeline.paint import TimelineRows, paint_timeline
from simulator.trace import Kind, Lane, Segment, Trace
from tests.app.test_row_groups import _lane as blocking_lane

SIZE = (900, 160)
MS = 1_000_000


def _lane(i: int, start_ms: float) -> Lane:
    """A request blocked on its I/O for 100 ms from ``start_ms``."""
    return blocking_lane(i, start_ms, 100)


def _inside(image: QImage, geo, row: int = 0) -> set[int]:
    """The colours inside the bar of ``row`` from 30 to 70 ms (the pattern and its fill)."""
    x0, x1 = round(geo.x_of(30 * MS)), round(geo.x_of(70 * MS))
    middle = round(geo.row_top(row) + geo.row_px / 2)
    return {image.pixel(x, y) for x in range(x0, x1) for y in range(middle - 3, middle + 3)}


def _slide(lanes: tuple[Lane, ...], t_to_ms: int) -> tuple[QImage, object]:
    """``lanes`` in one row, however many, as a slide's exact painter draws them: the
    picture and its layout."""
    rows = fit_rows(TimelineRows(Trace(0, lanes)), 1)
    rect, font = QRectF(0, 0, *SIZE), QFont()
    font.setPixelSize(14)
    image = QImage(*SIZE, QImage.Format.Format_RGB32)
    painter = QPainter(image)
    paint_timeline(painter, rect, rows, LIGHT, t_from_ns=0, t_to_ns=t_to_ms * MS, font=font)
    painter.end()
    return image, layout(rect, rows, font, 0, t_to_ms * MS)


def _exact(lanes: tuple[Lane, ...]) -> set[int]:
    return _inside(*_slide(lanes, 110))


def test_a_row_of_requests_alike_draws_the_pattern_of_one_on_a_slide(qapp):
    one = _exact((_lane(0, 5),))
    assert len(one) >= 2  # the fill and the pattern's ink
    assert _exact(tuple(_lane(i, 5) for i in range(6))) == one
    assert _exact(tuple(_lane(i, 5 + i * 0.2) for i in range(6))) == one  # overlapping


def test_a_row_of_requests_alike_draws_the_pattern_of_one_in_the_window(qtbot):
    from app.widgets.timeline import QtTimeline

    def drawn(lanes: tuple[Lane, ...]) -> set[int]:
        timeline = QtTimeline()
        qtbot.addWidget(timeline)
        timeline.resize(*SIZE)
        timeline.set_row_floor(40.0)
        timeline.set_trace(Trace(0, lanes))
        assert len(lanes) == 1 or timeline.rows.labels[0].endswith("alike")
        image = timeline.grab().toImage()
        return _inside(image, timeline._geometry)

    one = drawn((_lane(0, 5),))
    assert len(one) >= 2
    assert drawn(tuple(_lane(i, 5 + i * 0.2) for i in range(6))) == one


@given(
    st.lists(
        st.tuples(st.integers(0, 3), st.integers(0, 50), st.integers(1, 20)),
        min_size=0,
        max_size=30,
    )
)
def test_each_stretch_a_kind_covers_on_a_row_is_drawn_once(bars):
    row = np.array([r for r, _, _ in bars], np.int32)
    start = np.array([s for _, s, _ in bars], np.int64)
    end = np.array([s + length for _, s, length in bars], np.int64)
    rows, starts, ends = covered_once(row, start, end)
    covered: dict[int, set[int]] = {}
    for r, s, e in bars:
        covered.setdefault(r, set()).update(range(s, s + e))
    again: dict[int, set[int]] = {}
    for r, s, e in zip(rows.tolist(), starts.tolist(), ends.tolist(), strict=True):
        assert not again.get(r, set()) & set(range(s, e))  # no point drawn twice
        again.setdefault(r, set()).update(range(s, e))
    assert again == covered
    # Bars that only touch stay apart (calls back to back keep the line between them).
    pairs = list(zip(rows.tolist(), starts.tolist(), ends.tolist(), strict=True))
    edges = {(r, s) for r, s, _ in pairs} & {(r, e) for r, _, e in pairs}
    for r, s, length in bars:
        at = s + length
        inside = any(r2 == r and s2 < at < s2 + l2 for r2, s2, l2 in bars)
        if not inside and any(r2 == r and s2 == at for r2, s2, _ in bars):
            assert (r, at) in edges


def _awaiting(i: int, start_ms: float) -> Lane:
    """A request queued, then awaiting its I/O from ``start_ms`` to 150 ms."""
    ms = 1_000_000
    return Lane(
        request_id=i,
        view="async_io",
        status="ok",
        status_code=200,
        error=None,
        sent_ns=0,
        done_ns=150 * ms,
        segments=(
            Segment(Kind.QUEUED, 0, round(start_ms * ms), "queue"),
            Segment(Kind.IO_WAIT, round(start_ms * ms), 150 * ms, "loop"),
        ),
    )


def _slit(image: QImage, geo, row: int) -> list[int]:
    """The pixel columns of ``row``'s bar, from 5 to 145 ms, in the background's colour."""
    middle = round(geo.row_top(row) + geo.row_px / 2)
    white = QColor(LIGHT.background).rgb()
    return [
        x
        for x in range(round(geo.x_of(5 * MS)), round(geo.x_of(145 * MS)))
        if image.pixel(x, middle) == white
    ]


def test_a_row_of_requests_alike_has_no_slit_where_their_awaits_begin_apart(qtbot):
    # Lesson 24's "requests 2–8 alike": a line at each member's await kept apart calls that
    # overlapped, a white slit (nothing happening) where the class was to look (teacher45).
    from app.widgets.timeline import QtTimeline

    lanes = tuple(_awaiting(i, 10 + i * 0.4) for i in range(8))
    timeline = QtTimeline()
    qtbot.addWidget(timeline)
    timeline.resize(*SIZE)
    timeline.set_row_floor(40.0)
    timeline.set_trace(Trace(0, lanes))
    assert timeline.rows.labels[0].endswith("alike")
    image = timeline.grab().toImage()
    assert _slit(image, timeline._geometry, 0) == []
    assert _slit(*_slide(lanes, 160), 0) == []  # and on a slide


def test_calls_back_to_back_on_a_row_keep_the_line_between_them():
    # One request's two awaits, one right after the other: a line between them; a second
    # request's await overlapping both on the same row draws none.
    row = np.zeros(2, np.int32)
    rows, starts = close_calls(row, np.array([0, 100]), np.array([100, 200]), 1.0)
    assert starts.tolist() == [100]
    rows, starts = close_calls(
        np.zeros(3, np.int32), np.array([0, 100, 50]), np.array([100, 200, 150]), 1.0
    )
    assert starts.tolist() == []
