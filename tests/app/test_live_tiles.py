"""A live run's settled picture grows with the lanes that settle: the cached tiles take in
only what settled since the last frame, and show exactly what tiles computed afresh from
every settled lane show."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QRectF
from PySide6.QtGui import QImage, QPainter

from app.theme import LIGHT
from app.timeline.image_paint import LanesImage
from app.timeline.paint import paint_timeline
from app.timeline.raster import Level, Tiles
from app.timeline.rows import TimelineRows
from app.timeline.spans import RowSpans
from simulator.trace import Kind, Lane, Segment, Trace

MS = 1_000_000
LOOP = "asgi-loop"


def _spans(rng: np.random.Generator, rows: range) -> RowSpans:
    """A few bars of random kinds and times on each of ``rows``, some of them tails."""
    n = 6 * len(rows)
    start = rng.integers(0, 900 * MS, n)
    return RowSpans(
        row=np.repeat(np.asarray(rows, np.int32), 6),
        kind=rng.choice([1, 3, 5, 6, 9], n).astype(np.uint8),
        start=start,
        end=start + rng.integers(1, 200 * MS, n),
        tail=rng.random(n) < 0.2,
        index=np.full(n, -1, np.int32),
    )


@pytest.mark.parametrize("group", [1, 4])
def test_tiles_extended_with_settled_lanes_equal_tiles_computed_afresh(group):
    rng = np.random.default_rng(7)
    levels = [Level(bin_exp, group) for bin_exp in (18, 21)]
    grown = Tiles(RowSpans.empty(), 0)
    parts: list[RowSpans] = []
    rows = 0
    for batch in range(8):
        # Lanes settle mostly in order, now and then one from far back (a long request).
        new = range(rows, rows + 9) if batch % 3 else range(batch, batch + 1)
        added = _spans(rng, new)
        parts.append(added)
        rows = max(rows, new[-1] + 1)
        grown.change([], added, rows)
        afresh = Tiles(RowSpans.concat(parts), rows)
        for level in levels:
            for index in range(4):
                tile = grown.tile(level, index)
                assert np.array_equal(tile, afresh.tile(level, index)), (batch, level, index)


def _lane(i: int, done: bool) -> Lane:
    segs = (
        Segment(Kind.QUEUED, 0, (5 + i) * MS, LOOP),
        Segment(Kind.IO_WAIT, (5 + i) * MS, (60 + 3 * i) * MS, LOOP),
    )
    if not done:
        return Lane(i, "v", "running", None, None, 0, 0, segs[:1])
    return Lane(i, "v", "ok", 200, None, 0, (60 + 3 * i) * MS, segs)


def test_a_live_frame_summarises_only_what_settled_since_the_last(qapp):
    """Frame after frame, the settled lanes are added to the tiles already computed (none
    computed afresh), and those tiles are the ones a finished run's picture computes."""
    lanes = [_lane(i, done=True) for i in range(40)]
    running = [_lane(i, done=False) for i in range(40)]
    image = LanesImage()
    level = Level(20, 1)
    first: Tiles | None = None
    for done in range(0, 41, 4):
        for _ in range(2):  # a lane settles once seen answered in two snapshots in a row
            trace = Trace(0, tuple(lanes[:done] + running[done:]), LOOP)
            image.show(TimelineRows(trace), live=True)
        tiles = image.tiles
        assert tiles is not None
        first = first or tiles
        assert tiles is first, "the settled picture was computed afresh"
        tiles.tile(level, 0)
    assert first is not None and first.computed == 1
    finished = Tiles(TimelineRows(Trace(0, tuple(lanes), LOOP)).spans, len(lanes))
    assert np.array_equal(first.tile(level, 0), finished.tile(level, 0))


def test_a_lane_built_again_changes_only_its_row_in_the_cached_tiles(qapp):
    """Django tidies up after an answer and the engine builds a settled lane again: only
    that row's bars change in the cached tiles (not computed afresh), and they are what tiles
    computed afresh from the new trace show."""
    lanes = [_lane(i, done=True) for i in range(12)]
    image = LanesImage()
    image.show(TimelineRows(Trace(0, tuple(lanes), LOOP)), live=True)
    tiles = image.tiles
    assert tiles is not None and len(tiles.spans) == 2 * len(lanes)
    level = Level(20, 1)
    tiles.tile(level, 0)
    tidied = list(lanes)
    segs = lanes[5].segments
    end = segs[-1].end_ns
    after = Segment(Kind.FRAMEWORK, end, end + 30 * MS, LOOP)  # Django's tidying, a tail
    tidied[5] = Lane(5, "v", "ok", 200, None, 0, end, (*segs, after))  # built anew
    trace = Trace(0, tuple(tidied), LOOP)
    image.show(TimelineRows(trace), live=True)
    assert image.tiles is tiles, "the picture was computed afresh"
    assert tiles.computed == 1
    assert sorted(tiles.spans.row.tolist()) == sorted(TimelineRows(trace).spans.row.tolist())
    afresh = Tiles(TimelineRows(trace).spans, len(lanes))
    assert np.array_equal(tiles.tile(level, 0), afresh.tile(level, 0))
    assert not np.array_equal(
        afresh.tile(level, 0),
        Tiles(TimelineRows(Trace(0, tuple(lanes), LOOP)).spans, 12).tile(level, 0),
    )


def _frame(rows: TimelineRows, lanes: LanesImage | None, cutoff: int) -> QImage:
    image = QImage(900, 300, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    paint = None if lanes is None else (lambda p, g, r: lanes.paint(p, g, LIGHT, cutoff, True, r))
    paint_timeline(
        painter,
        QRectF(0, 0, 900, 300),
        rows,
        LIGHT,
        t_from_ns=0,
        t_to_ns=120 * MS,
        cutoff_ns=cutoff,
        lanes=paint,
    )
    painter.end()
    return image


def _pixels(image: QImage) -> np.ndarray:
    return np.frombuffer(image.constBits(), np.uint32).reshape(image.height(), -1).copy()


def test_a_live_frame_draws_the_lanes_in_flight_over_the_settled_ones_as_the_exact_painter(qapp):
    """Frame after frame, lanes settle while others are in flight up to "now": each frame's
    image (settled tiles, lanes in flight over them) shows what a rectangle per segment
    shows, nothing after "now"."""
    lanes = [_lane(i, done=True) for i in range(20)]
    running = [_lane(i, done=False) for i in range(20)]
    image = LanesImage()
    image.coarse_ok = False
    for done in (0, 4, 4, 9, 9, 20, 20):
        trace = Trace(0, tuple(lanes[:done] + running[done:]), LOOP)
        rows = TimelineRows(trace)
        image.show(rows, live=True)
        cutoff = (40 + 3 * done) * MS
        drawn, exact = (_pixels(_frame(rows, paint, cutoff)) for paint in (image, None))
        lanes_area = np.s_[40:290, 200:880]  # clear of the labels and the axis
        same = (drawn[lanes_area] == exact[lanes_area]).mean()
        assert same > 0.97, (done, same)
        assert len(np.unique(drawn[lanes_area])) > 2  # lanes drawn, not only background


def test_a_lane_in_flight_that_only_grew_is_not_split_again(monkeypatch):
    """The engine hands a lane in flight whose last segment only reaches a later "now" with
    the same segments before it (``grown``): it is not split again (its last bar is open,
    drawn up to now), and its bars are what splitting it afresh gives."""
    from app.timeline import live_spans
    from simulator.trace.growing import grown

    read: list[int] = []
    real = live_spans.lanes_spans
    monkeypatch.setattr(
        live_spans,
        "lanes_spans",
        lambda rows, lanes, *first: read.append(len(lanes)) or real(rows, lanes, *first),
    )
    first = Segment(Kind.QUEUED, 0, 5 * MS, LOOP)
    lane = Lane(
        0,
        "v",
        "running",
        None,
        None,
        0,
        10 * MS,
        (first, Segment(Kind.IO_WAIT, 5 * MS, 10 * MS, LOOP, open=True)),
    )
    live = live_spans.LiveRequestSpans()
    for until in (10, 20, 35):
        lane = lane if until == 10 else grown(lane, until * MS)
        rows = live.rows(Trace(0, (lane,), LOOP), until * MS)
    assert read == [1]  # split when first seen; then only grown
    assert live.spans.end.max() == live_spans.OPEN  # drawn up to whatever now is
    afresh = real([0], [lane])
    for spans in (rows.spans, afresh):  # the same bars: the queue's, then the wait up to now
        order = np.argsort(spans.start)
        assert spans.start[order].tolist() == [0, 5 * MS]
        assert spans.end[order].tolist() == [5 * MS, 35 * MS]
        assert spans.index[order].tolist() == [0, 1]
