"""A live frame of the timeline is drawn from what the last frames kept (the lanes that only
grew with "now" are not laid out again), and it shows exactly what a from-scratch paint of
the same snapshot shows: frame after frame, pixel for pixel."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from PySide6.QtGui import QImage

from app.timeline.rows import TimelineRows
from app.timeline.spans import RowSpans
from app.widgets.timeline import QtTimeline
from simulator.trace import Kind, Lane, Segment, Trace
from simulator.trace.growing import grown

MS = 1_000_000
LOOP = "asgi-loop"


def _phase(i: int, now: int) -> tuple[str, tuple[Segment, ...], str]:
    """Request ``i`` at ``now`` (ms) as the engine draws it: waiting to be picked up, then
    awaiting its upstream (one of three fails, one of five is Django's tidying after its
    answer), then answered."""
    sent, picked = 2 * i, 2 * i + 5 + i % 7
    answer = picked + 40 + (i * 13) % 50
    queued = Segment(Kind.QUEUED, sent * MS, min(now, picked) * MS, LOOP, open=now < picked)
    if now <= picked + 1:  # (until Django's first step is over)
        queued = Segment(Kind.QUEUED, sent * MS, now * MS, LOOP, open=True)
        return "queued", (queued,), "running"
    step = Segment(Kind.FRAMEWORK, picked * MS, (picked + 1) * MS, LOOP)
    if now < answer:
        wait = Segment(Kind.IO_WAIT, (picked + 1) * MS, now * MS, LOOP, open=True)
        return "waiting", (queued, step, wait), "running"
    wait = Segment(Kind.IO_WAIT, (picked + 1) * MS, answer * MS, LOOP)
    last = Segment(Kind.CPU, answer * MS, (answer + 2) * MS, LOOP)
    status = "error" if i % 3 == 0 else "ok"
    if i % 5 == 0 and now > answer + 2:  # Django's tidying after the answer: a tail
        end = min(now, answer + 20)
        tidy = Segment(Kind.FRAMEWORK, (answer + 2) * MS, end * MS, LOOP, open=end == now)
        return f"tidied to {end}", (queued, step, wait, last, tidy), status
    return "answered", (queued, step, wait, last), status


def _snapshots(n: int, frames: range) -> list[tuple[Trace, int]]:
    """Snapshots of ``n`` requests sent 2 ms apart, as the engine hands them: a lane that
    did not change is the same object, one in flight that only grew is ``grown`` from the
    last (the same segments, the last one reaching now), the rest are built anew (their
    first segments as they were, the same objects)."""
    kept: dict[int, tuple[str, Lane]] = {}
    out = []
    for now in frames:
        lanes = []
        for i in range(min(n, now // 2 + 1)):
            phase, segs, status = _phase(i, now)
            before = kept.get(i)
            if before is not None and before[0] == phase and status == "running":
                lane = grown(before[1], now * MS)
            elif before is not None and before[0] == phase:
                lane = before[1]
            else:
                if before is not None:  # built again: its same first segments, the same objects
                    same = 0
                    old = before[1].segments
                    while same < min(len(old), len(segs)) and old[same] == segs[same]:
                        same += 1
                    segs = old[:same] + segs[same:]
                answered = segs[3].start_ns if len(segs) > 3 else now * MS
                error = "ValueError: upstream went away" if status == "error" else None
                code = None if status == "running" else (500 if error else 200)
                lane = Lane(i, "v", status, code, error, 2 * i * MS, answered, segs)  # type: ignore[arg-type]
            kept[i] = (phase, lane)
            lanes.append(lane)
        out.append((Trace(0, tuple(lanes), LOOP), now * MS))
    return out


def _bars(spans: RowSpans) -> list[tuple[int, ...]]:
    columns = (spans.row, spans.index, spans.kind, spans.start, spans.end, spans.tail)
    return sorted(zip(*(c.tolist() for c in columns), strict=True))


def _pixels(widget: QtTimeline) -> np.ndarray:
    image = widget.grab().toImage().convertToFormat(QImage.Format.Format_ARGB32)
    return np.frombuffer(image.constBits(), np.uint32).reshape(image.height(), -1).copy()


def _scratch(qtbot, live: QtTimeline, trace: Trace, now: int) -> np.ndarray:
    """What ``live`` shows, painted by a new widget given the snapshot alone (not live:
    every lane laid out and split anew), at the same size, settings, view and rows."""
    scratch = QtTimeline()
    qtbot.addWidget(scratch)
    scratch.resize(live.size())
    scratch.lanes_image.coarse_ok = False
    scratch.set_theme(live.theme)
    scratch.set_tails_shown(live.tails_shown)
    scratch.set_row_floor(live.row_floor_px)
    scratch.set_label_floor(live._label_floor)
    scratch.set_span_floor(live._span_floor_ns)
    scratch.set_by(live.by)
    scratch.set_waiting(live.waiting_text)
    scratch.set_trace(trace, expected_rows=live.rows_room)
    scratch.set_cutoff(now)
    scratch.set_view_range(*live.view_range())
    return _pixels(scratch)


@pytest.mark.parametrize(
    ("n", "size", "every"),
    [(24, (640, 420), 13), pytest.param(300, (700, 260), 9, marks=pytest.mark.slow)],
)
def test_a_live_frame_after_many_updates_is_pixel_for_pixel_a_from_scratch_paint(
    qtbot, n, size, every
):
    """Rows of 10 px and more (patterns, answer marks, errors), and rows sharing pixel rows."""
    live = QtTimeline()
    qtbot.addWidget(live)
    live.resize(*size)
    live.lanes_image.coarse_ok = False
    frames = _snapshots(n, range(3, 2 * n + 130, every))
    grew = kept = by_columns = 0
    for k, (trace, now) in enumerate(frames):
        if k % 3:  # the figures read this snapshot's columns first: the painter takes them
            assert trace.columns is trace.built_columns
        live.set_trace(trace, live=True, now_ns=now)
        by_columns += live.lanes_image._live.by_columns  # this one's and the last one's
        drawn = _pixels(live)
        grew += live.lanes_image._live.split < len(trace.lanes)
        kept += live.lanes_image._live.kept
        assert _bars(live.rows.spans) == _bars(TimelineRows(trace).spans), k
        if k % 3 and k != len(frames) - 1:
            continue
        exact = _scratch(qtbot, live, trace, now)
        differ = np.argwhere(drawn != exact)
        assert not len(differ), (k, now / MS, differ[:5].tolist())
        assert len(np.unique(drawn)) > 6  # lanes of several kinds drawn, not a blank
    assert grew >= len(frames) // 2  # most frames kept most lanes
    assert kept > 0  # and lanes built again kept their first bars
    assert by_columns >= len(frames) // 4  # told apart lane by lane, and from the columns


def test_the_same_snapshot_at_a_later_now_draws_its_lanes_to_their_ends_only(qtbot):
    """An open bar goes up to "now" only for a lane the engine grew to that now: the same
    snapshot handed again at a later now ends its lanes where they ended."""
    (first, now), (_, later) = _snapshots(12, range(20, 61, 40))
    live = QtTimeline()
    qtbot.addWidget(live)
    live.resize(640, 300)
    live.lanes_image.coarse_ok = False
    live.set_trace(first, live=True, now_ns=now)
    live.grab()
    live.set_trace(first, live=True, now_ns=later)
    assert np.array_equal(_pixels(live), _scratch(qtbot, live, first, later))


def _alike(lane: Lane, segments: tuple[Segment, ...]) -> Lane:
    """``lane`` built anew with ``segments``: new objects, whatever their values."""
    return Lane(
        lane.request_id, lane.view, lane.status, lane.status_code, lane.error,
        lane.sent_ns, lane.done_ns, tuple(replace(seg) for seg in segments),
    )  # fmt: skip


def test_lanes_built_anew_are_told_from_lanes_that_grew_by_every_segment(qtbot):
    """From the snapshots' columns, a lane in flight built anew counts as grown only if all
    its segments but the last are alike and the last reaches the new now: one handed again
    alike at a later now ends where it ends, one whose first wait ended later is drawn so."""
    (first, now), (_, later) = _snapshots(12, range(20, 33, 12))
    assert first.columns is first.built_columns
    lanes = []
    for lane in first.lanes:
        segs = lane.segments
        if lane.status == "running" and len(segs) == 3:  # queued, a step, a wait to now
            queued, step, wait = segs
            moved = replace(queued, end_ns=queued.end_ns + 3 * MS)
            step = replace(step, start_ns=step.start_ns + 3 * MS, end_ns=step.end_ns + 3 * MS)
            segs = (moved, step, replace(wait, end_ns=later))
        lanes.append(_alike(lane, segs))
    for again in (
        Trace(0, tuple(map(_alike, first.lanes, (ln.segments for ln in first.lanes))), LOOP),
        Trace(0, tuple(lanes), LOOP),
    ):
        live = QtTimeline()
        qtbot.addWidget(live)
        live.resize(640, 300)
        live.lanes_image.coarse_ok = False
        live.set_trace(first, live=True, now_ns=now)
        live.grab()
        assert again.columns is again.built_columns
        live.set_trace(again, live=True, now_ns=later)
        assert live.lanes_image._live.by_columns
        assert _bars(live.rows.spans) == _bars(TimelineRows(again).spans)
        assert np.array_equal(_pixels(live), _scratch(qtbot, live, again, later))


@pytest.mark.slow
def test_live_rows_of_a_spaced_run_are_no_thinner_than_the_presentation_floor(qtbot):
    """Rows laid out for every request a spaced run will send (60 here) were thinner than
    presentation's floor while few had come (a finished run's rows never are): the room is
    capped to the rows the floor fits, and past that alike rows share one, as finished. The
    frames are painted over the last while the rows keep their place, pixel for pixel."""
    n, floor = 60, 14.0
    live = QtTimeline()
    qtbot.addWidget(live)
    live.resize(640, 420)
    live.lanes_image.coarse_ok = False
    live.set_row_floor(floor)
    live.set_waiting("running…")
    live.expect_rows(n)
    partial = grouped = 0
    frames = _snapshots(n, range(3, 2 * n + 60, 5))
    for k, (trace, now) in enumerate(frames):
        live.set_trace(trace, live=True, now_ns=now)
        drawn = _pixels(live)
        fits = live.rows_fitting()
        assert 10 < fits < n  # more requests to come than rows fit
        assert live._geometry is not None and live._geometry.row_px >= floor, now / MS
        partial += live.painted is not None
        grouped += len(live.rows) < len(trace.lanes)
        assert len(live.rows) <= fits
        if live.painted is not None or k % 4 == 1 or k == len(frames) - 1:
            assert np.array_equal(drawn, _scratch(qtbot, live, trace, now)), now / MS
    assert partial >= 3 and grouped >= 3  # painted over the last, then grouped
