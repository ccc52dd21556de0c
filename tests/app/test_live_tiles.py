"""A live run's settled picture grows with the lanes that settle: the cached tiles take in
only what settled since the last frame, and show exactly what tiles computed afresh from
every settled lane show."""

from __future__ import annotations

import numpy as np
import pytest

from app.timeline.image_paint import LanesImage
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
        grown.extend(added, rows)
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
