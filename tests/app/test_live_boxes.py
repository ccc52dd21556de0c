"""A live frame summarises the pixels it paints afresh, in boxes around the parts of its
region: parts far apart in boxes of their own (a box around the narrow strip "now" uncovered
and a band of rows changed far to its left was most of the picture), parts near each other
in one; every part is summarised from its box, never by bringing the cached tiles up to
date, and the frame is still a from-scratch paint. A live frame is drawn at its level at
once, however many its bars (a finished run's first frame may be coarse, then refined)."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QRect

import app.timeline.image_paint as image_paint
from app.timeline.image_paint import _boxes
from app.timeline.raster import Level, Tiles
from app.widgets.timeline import QtTimeline

from .test_live_frames import _pixels, _scratch
from .test_live_partial import _rewritten
from .test_live_tiles import MS, _spans


def _padded(part: QRect, right: int) -> QRect:
    """The pixels a part's image takes: its lines padded to whole 4 bytes (not past
    ``right``, where the lanes' pixels end)."""
    width = min(-(-part.width() // 4) * 4, right - part.x())
    return QRect(part.x(), part.y(), width, part.height())


def test_parts_far_apart_get_boxes_of_their_own_and_parts_near_share_one():
    now_strip = [QRect(900, 30, 40, 100), QRect(300, 130, 640, 50), QRect(900, 180, 40, 800)]
    boxes = _boxes(now_strip, right=1000)
    # The band of rows changed from x 300 and the strip "now" uncovered, apart: a box around
    # all three would be 640 × 950 px, where they are 40 × 900 and 640 × 50.
    assert len(boxes) == 3
    assert sum(b.width() * b.height() for b in boxes) < 0.2 * 643 * 950
    near = [QRect(900, 30, 40, 100), QRect(890, 130, 50, 20), QRect(900, 150, 40, 800)]
    assert len(_boxes(near, right=1000)) == 1
    for parts in (now_strip, near):
        boxes = _boxes(parts, right=1000)
        for part in parts:
            assert any(box.contains(_padded(part, 1000)) for box in boxes), (part, boxes)


def test_a_box_is_not_wider_than_the_lanes_pixels():
    (box,) = _boxes([QRect(990, 30, 9, 100)], right=1000)
    assert box.right() + 1 == 1000


@pytest.mark.slow
def test_every_part_of_a_live_frame_is_summarised_from_its_box(qtbot, monkeypatch):
    """No partial frame reads the cached tiles (a part outside every box would, at the
    cost of bringing them up to date), and each is a from-scratch paint."""
    reads: list[int] = []
    sample = Tiles.sample
    monkeypatch.setattr(Tiles, "sample", lambda *a, **k: reads.append(1) or sample(*a, **k))
    boxed: list[int] = []
    boxes = image_paint._boxes
    monkeypatch.setattr(image_paint, "_boxes", lambda *a: boxed.append(len(b := boxes(*a))) or b)
    live = QtTimeline()
    qtbot.addWidget(live)
    live.resize(900, 420)
    live.lanes_image.coarse_ok = False
    partial = 0
    apart = 0
    for trace, now in _rewritten(20, range(3, 110, 8)):
        reads.clear()
        boxed.clear()
        live.set_trace(trace, live=True, now_ns=now, expected_rows=20)
        drawn = _pixels(live)
        if live.painted is not None:
            partial += 1
            apart += max(boxed, default=0) > 1
            assert not reads, f"a partial frame at {now} read the tiles"
        assert not np.argwhere(drawn != _scratch(qtbot, live, trace, now)).size
    assert partial > 6
    assert apart > 0  # (some frames had parts far apart)


def test_nothing_is_sampled_past_now_whether_cached_or_afresh():
    """The pixels past "now" are the last of a frame's (the columns an image padded to 4
    bytes takes past it are cleared as a slice); any others asked hidden are cleared too."""
    rng = np.random.default_rng(3)
    spans = _spans(rng, range(40))
    level = Level(20, 1)
    xs = np.arange(0, 900 * MS, 900 * MS // 300, dtype=np.int64)
    suffix = xs >= 500 * MS
    scattered = rng.random(len(xs)) < 0.3
    for hidden in (suffix, scattered):
        for sample in (Tiles(spans, 40).sample, Tiles(spans, 40).sample_afresh):
            codes = sample(level, xs, hidden, (0, 40))
            shown = sample(level, xs, np.zeros(len(xs), np.bool_), (0, 40))
            assert codes[:, hidden].max() == 0
            assert (codes[:, ~hidden] == shown[:, ~hidden]).all()
            assert shown[:, hidden].max() > 0  # (something there to hide)


def test_a_big_live_run_is_drawn_at_its_level_at_once_and_over_the_last_frame(qtbot, monkeypatch):
    """A live run past the size a finished run's first frame is drawn coarse at (its bars
    many) is still drawn exactly, each frame over the last where it changed: a coarse frame
    is painted whole again, and refined, frame after frame (a frame's worth twice, each)."""
    monkeypatch.setattr(image_paint, "COARSE_FROM", 10)  # (every frame's bars are more)
    live = QtTimeline()
    qtbot.addWidget(live)
    live.resize(900, 420)  # (coarse frames allowed, as in the window)
    partial = 0
    for trace, now in _rewritten(20, range(3, 110, 8)):
        live.set_trace(trace, live=True, now_ns=now, expected_rows=20)
        drawn = _pixels(live)
        assert not live.lanes_image.needs_refine, f"a coarse frame at {now}"
        partial += live.painted is not None
        assert not np.argwhere(drawn != _scratch(qtbot, live, trace, now)).size
    assert partial > 6


def test_a_replay_refined_at_its_level_stays_exact_as_the_playhead_moves(qtbot, monkeypatch):
    """Past the playhead no tile is computed: whether a level is there is asked of the
    pixels shown only (asked of every pixel, each frame of a replay was coarse, then
    refined)."""
    monkeypatch.setattr(image_paint, "COARSE_FROM", 10)
    trace, now = _rewritten(20, range(200, 201))[0]
    widget = QtTimeline()
    qtbot.addWidget(widget)
    widget.resize(900, 420)
    widget.set_trace(trace)
    widget.set_cutoff(trace.t0_ns + (now - trace.t0_ns) // 2)
    widget.grab()
    assert widget.lanes_image.needs_refine  # (its first frame coarse)
    widget._refine()  # what the window's next turn does
    widget.grab()
    assert not widget.lanes_image.needs_refine
    widget.set_cutoff(trace.t0_ns + (now - trace.t0_ns) // 2 - 1000)  # a little earlier
    widget.grab()
    assert not widget.lanes_image.needs_refine
