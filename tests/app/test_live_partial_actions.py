"""A live frame painted over the last is a from-scratch paint, pixel for pixel, on lessons'
real recorded runs (tests/app/recorded, shown as live snapshots at random moments, a run
copied to hundreds of requests too) while a teacher does things between frames at random
(seeded): zoom, pan, fit, resize, the thread view, the theme, the tails, the presentation
row floor, compare mode's shared axis, a wider label column.

Each case but the last is one that made-up runs did not catch (see each one's note)."""

from __future__ import annotations

import random
from dataclasses import replace

import numpy as np
import pytest

from app.theme import DARK, LIGHT
from app.widgets.timeline import QtTimeline
from simulator.metrics.replay import trace_at
from simulator.trace import Lane, Trace
from tests.app.recorded_runs import load_runs, run_from_data

from .test_live_frames import _pixels, _scratch

MS = 1_000_000
SIZES = [(640, 420), (900, 300), (500, 640), (1200, 700)]
ACTIONS = ("resize", "zoom", "pan", "fit", "by", "theme", "tails", "floor", "span", "label")


def _shifted(lane: Lane, ns: int, request_id: int) -> Lane:
    segments = tuple(
        replace(s, start_ns=s.start_ns + ns, end_ns=s.end_ns + ns) for s in lane.segments
    )
    return replace(
        lane,
        request_id=request_id,
        sent_ns=lane.sent_ns + ns,
        done_ns=lane.done_ns + ns,
        segments=segments,
    )


def _copied(trace: Trace, copies: int, apart_ns: int) -> Trace:
    """``trace``'s requests sent again ``copies`` times, ``apart_ns`` later each time: a
    run of hundreds of real lanes (rows sharing pixel rows)."""
    lanes = sorted(
        (_shifted(lane, c * apart_ns, 0) for c in range(copies) for lane in trace.lanes),
        key=lambda lane: lane.sent_ns,
    )
    blocked = sorted((s + c * apart_ns, e + c * apart_ns) for c in range(copies)
                     for s, e in trace.loop_blocked)  # fmt: skip
    return Trace(
        trace.t0_ns,
        tuple(replace(lane, request_id=i) for i, lane in enumerate(lanes)),
        trace.loop_thread,
        tuple(blocked),
    )


class _AsTheEngine:
    """Snapshots hand a lane that did not change as the same object (as the engine does)."""

    def __init__(self) -> None:
        self._kept: dict[int, Lane] = {}

    def __call__(self, trace: Trace) -> Trace:
        lanes = []
        for lane in trace.lanes:
            old = self._kept.get(lane.request_id)
            lane = old if old is not None and old == lane else lane
            self._kept[lane.request_id] = lane
            lanes.append(lane)
        return replace(trace, lanes=tuple(lanes))


def _act(live: QtTimeline, rnd: random.Random, end_ns: int) -> None:
    action = rnd.choice(ACTIONS)
    if action == "resize":
        live.resize(*rnd.choice(SIZES))
    elif action == "zoom":
        live.zoom(rnd.choice([0.5, 2.0, 3.0]), rnd.uniform(0, live.width()))
    elif action == "pan":
        live.pan(rnd.choice([-0.3, 0.2]))
    elif action == "fit":
        live.fit()
    elif action == "by":
        live.set_by("workers" if live.by == "requests" else "requests")
    elif action == "theme":
        live.set_theme(DARK if live.theme is LIGHT else LIGHT)
    elif action == "tails":
        live.set_tails_shown(not live.tails_shown)
    elif action == "floor":
        live.set_row_floor(rnd.choice([0.0, 14.0, 30.0]))
    elif action == "span":
        live.set_span_floor(rnd.choice([0, int(end_ns * 1.2)]))
    else:
        live.set_label_floor(rnd.choice([0.0, 120.0]))


@pytest.mark.slow
@pytest.mark.parametrize(
    ("seed", "lesson", "side", "copies", "frames", "empty_first"),
    [
        # Zoomed in while live, the view ending before "now": a waiting bar's lines (a
        # pattern) crossing the view's right edge took one column more painted over the
        # last frame than painted whole (Qt fills a fractional rectangle by its clip).
        (7, 4, 0, 5, 25, False),
        # A first frame before any request was sent: its "running…" stayed right of now.
        (9, 12, 0, 1, 25, True),
        # 1,200 requests (rows sharing pixel rows), panned: new rows brought their band
        # mates' bars into a pixel row that showed none, left of the region painted.
        (223, 9, 0, 40, 25, False),
        # The row floor over a staircase of 150 requests: grouping them failed to paint
        # (a division by zero, and the process went down with the painter left open).
        (19, 18, 0, 5, 25, False),
        # Errors written beside 48 failed lanes and under them (none found wrong).
        (31, 11, 0, 12, 25, True),
    ],
)
def test_live_frames_of_real_runs_with_a_teacher_acting_are_from_scratch_paints(
    qtbot, seed, lesson, side, copies, frames, empty_first
):
    rnd = random.Random(seed)
    _, runs = load_runs(lesson)
    final = run_from_data(runs[side], 0).trace
    if copies > 1:
        final = _copied(final, copies, rnd.choice([1, 3, 7, 20]) * MS)
    end = max(final.last_ns, 1)
    nows = sorted(rnd.randrange(1, int(end * 1.05)) for _ in range(frames))
    if empty_first:
        nows[0] = min(final.lanes[0].sent_ns, nows[1]) - 1  # (nothing sent yet)
    as_engine = _AsTheEngine()
    live = QtTimeline()
    qtbot.addWidget(live)
    live.resize(*rnd.choice(SIZES))
    live.lanes_image.coarse_ok = False
    live.set_waiting("running…")
    live.expect_rows(len(final.lanes))
    partial = 0
    for k, now in enumerate(nows):
        if k and rnd.random() < 0.25:
            _act(live, rnd, end)
        trace = as_engine(trace_at(final, now))
        live.set_trace(trace, live=True, now_ns=now)
        drawn = _pixels(live)
        partial += live.painted is not None
        if live.lanes_image.needs_refine:  # a coarse first frame: the exact one next turn
            live._refine()
            drawn = _pixels(live)
        differ = np.argwhere(drawn != _scratch(qtbot, live, trace, now))
        where = differ[:3].tolist()
        assert not len(differ), f"frame {k} at {now / MS:.1f} ms: {len(differ)} pixels {where}"
    assert partial >= 2  # frames were painted over the last (not all whole)
