"""A bar too short to cover any pixel's middle still shows, in the pixel holding its own
middle, where no other bar is drawn: lesson 18's thread view at fit had blank rows "thread
10", "thread 14" (a request's hooks and hand-offs in slivers under a pixel each on a 730 ms
axis), which read as threads that did nothing (a teacher's walk)."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QColor, QImage

from app.timeline.image_paint import LanesImage
from app.timeline.rows import TimelineRows
from app.timeline.spans import RowSpans
from app.timeline.specks import narrow_bars
from simulator.trace import Kind, Segment, Trace
from simulator.trace.columns import KIND_CODE

from .answered_lanes import answered
from .kind_pixels import looks_like
from .test_lanes_image import paint

MS = 1_000_000
LOOP = "asgi-loop"


def _slivers(lane: int, at_ns: int, kind: str = Kind.THREAD_HOP) -> list[Segment]:
    """Three bars of 0.2 ms, 0.1 ms apart, from ``at_ns``: each under a third of a pixel."""
    return [
        Segment(kind, at_ns + k * 300_000, at_ns + k * 300_000 + 200_000, f"t{lane}")
        for k in range(3)
    ]


def _paint(trace: Trace, cutoff_ns: int | None = None) -> tuple[QImage, object]:
    lanes = LanesImage()
    lanes.coarse_ok = False  # the exact level, as the frame after the first draws it
    rows = TimelineRows(trace, by="requests")
    lanes.show(rows)
    return paint(rows, lanes, 1000, 700, 730 * MS, cutoff_ns)


def _row_pixels(image: QImage, geo, row: int) -> list[QColor]:  # type: ignore[no-untyped-def]
    y = round(geo.row_top(row) + geo.row_px / 2)
    left, right = round(geo.lanes_left) + 1, round(geo.lanes_left + geo.lanes_width) - 1
    return [image.pixelColor(x, y) for x in range(left, right)]


def test_a_row_of_slivers_under_a_pixel_each_is_not_blank(qapp):
    # 30 lanes, one every 24 ms, each only three hand-offs of 0.2 ms (a pixel: ~0.8 ms).
    trace = Trace(
        0, tuple(answered(i, 0, 730 * MS, *_slivers(i, (i * 24 + 1) * MS)) for i in range(30)), LOOP
    )
    image, geo = _paint(trace)
    blank = [
        row
        for row in range(30)
        if not any(looks_like(p, Kind.THREAD_HOP) for p in _row_pixels(image, geo, row))
    ]
    assert not blank, blank


def test_a_sliver_never_covers_another_bar_nor_shows_past_now(qapp):
    # A sliver between two long bars of other kinds: their pixels, every one (the pixel
    # holding it shows the one holding most of it). And a sliver still going on at "now"
    # (a replay's cutoff): nothing drawn for it yet.
    before = Segment(Kind.IO_WAIT, 100 * MS, 200 * MS + 50_000, "t0")
    sliver = Segment(Kind.THREAD_HOP, 200 * MS + 50_000, 200 * MS + 250_000, "t0")
    after = Segment(Kind.CPU, 200 * MS + 250_000, 300 * MS, "t0")
    at_now = Segment(Kind.THREAD_HOP, 400 * MS - 100_000, 400 * MS + 100_000, "t1")
    trace = Trace(
        0,
        (answered(0, 0, 730 * MS, before, sliver, after), answered(1, 0, 730 * MS, at_now)),
        LOOP,
    )
    image, geo = _paint(trace, cutoff_ns=400 * MS)
    pixels = _row_pixels(image, geo, 0)
    assert not any(looks_like(p, Kind.THREAD_HOP) for p in pixels)
    assert sum(looks_like(p, Kind.IO_WAIT) or looks_like(p, Kind.CPU) for p in pixels) > 200
    y = round(geo.row_top(0) + geo.row_px / 2)
    held = image.pixelColor(int(geo.x_of(200 * MS + 150_000)), y)  # the sliver's own pixel
    assert looks_like(held, Kind.IO_WAIT) or looks_like(held, Kind.CPU)
    assert not any(looks_like(p, Kind.THREAD_HOP) for p in _row_pixels(image, geo, 1))
    # Once ended (the whole run): the sliver at "now" shows.
    image, geo = _paint(trace)
    assert any(looks_like(p, Kind.THREAD_HOP) for p in _row_pixels(image, geo, 1))


def test_a_sliver_still_going_on_at_now_is_no_speck_even_where_its_middle_is_shown():
    # Ended after "now", its middle before it: its bar grows, it shows once it covers a
    # middle (a live frame's open bar, a replay's cutoff).
    spans = RowSpans(
        row=np.zeros(2, np.int32),
        kind=np.full(2, KIND_CODE["thread_hop"], np.uint8),
        start=np.array([100 * MS, 390 * MS], np.int64),
        end=np.array([100 * MS + 200_000, 400 * MS + 100_000], np.int64),
        tail=np.zeros(2, np.bool_),
        index=np.arange(2, dtype=np.int32),
    )
    hidden = np.zeros(1000, np.bool_)
    picked = narrow_bars(
        spans, rows=(0, 1), t_from=0, px_ns=20 * MS, offset=0.0, hidden=hidden, limit=400 * MS
    )
    assert picked is not None
    assert picked[1].tolist() == [5]  # the one ended by "now" alone (its middle's pixel)
