"""Compared timelines share the lanes' height by the rows each lays out, not 1:1."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from PySide6.QtWidgets import QApplication

from app.session import Side
from app.session.state import Kept
from app.window.stage_split import MIN_SHARE, height_shares, settled_shares
from simulator.metrics.summary import summarize
from simulator.scenario import Scenario
from simulator.trace import Kind, Lane, Run, Segment, Trace
from tests.app.recorded_runs import load_runs, run_from_data


def test_shares_follow_the_rows_within_a_floor_and_in_steps():
    assert height_shares(10, 10) == (50, 50)
    assert height_shares(15, 5) == (70, 30)  # (each with its axis: rows as tall on both)
    assert height_shares(13, 5) == (70, 30)  # lesson 13 at 720p: B's rows 23 px, not 18
    assert height_shares(4, 33) == (25, 75)  # lesson 9 by thread: A's floor
    assert height_shares(1, 10_000) == (round(MIN_SHARE * 100), 100 - round(MIN_SHARE * 100))
    assert height_shares(0, 30) == (50, 50)  # B waits to run: no rows to go by yet
    for a in range(1, 60):
        for b in range(1, 60):
            share_a, share_b = height_shares(a, b)
            assert share_a + share_b == 100 and share_a % 5 == 0
            assert (share_a >= share_b) if a >= b else (share_a <= share_b)  # more rows: no less


@dataclass
class _Side:
    """A timeline's rows for a height: ``rows`` that differ, ``alike`` of them when
    grouped, in rows of ``row_px`` at the floor."""

    rows: int
    alike: int
    row_px: float = 20.0

    def rows_fitting(self, height: float) -> int:
        return int(height // self.row_px)

    def rows_needed(self, height: float) -> int:
        return self.rows if self.rows <= self.rows_fitting(height) else self.alike


def test_the_split_follows_the_rows_each_side_needs_at_the_height_it_gets():
    one_thing, staircase = _Side(30, 1), _Side(30, 30)  # 30 requests alike; 30 in turn
    assert settled_shares(one_thing, staircase, 800) == (25, 75)
    assert settled_shares(staircase, one_thing, 800) == (75, 25)
    assert settled_shares(one_thing, one_thing, 800) == (50, 50)
    # Both must group: even, whatever their counts (rows and labels as tall on both).
    assert settled_shares(_Side(30, 30), _Side(30, 24), 800) == (50, 50)
    # Sides whose rows fit in halves keep halves, though one would group in a quarter.
    assert settled_shares(_Side(10, 10), _Side(10, 3), 800) == (50, 50)
    # Nothing run yet on one side: halves.
    assert settled_shares(_Side(0, 0), staircase, 800) == (50, 50)


@pytest.mark.slow
def test_lesson_9_by_thread_gives_b_its_thirty_threads_the_room(window):
    _, runs = load_runs(9)
    run_a, run_b = (run_from_data(data, 0) for data in runs)
    window.set_compare(True)
    window.set_by("workers")
    session = window.session
    session.restore(Kept({Side.A: run_a, Side.B: run_b}, {Side.A: [], Side.B: []}, Side.B, None))
    QApplication.processEvents()
    a, b = window.timeline, window.timeline_b
    assert a.row_count < 10 < 30 <= b.row_count
    assert b.height() > 2.5 * a.height()  # 75:25 of the pair
    # Lanes by request: 30 each, an even split again.
    window.set_by("requests")
    QApplication.processEvents()
    assert a.row_count == b.row_count == 30
    assert abs(a.height() - b.height()) <= 2
    # Alone, A has the column.
    window.set_compare(False)
    QApplication.processEvents()
    assert not b.isVisible() and a.height() > 300


def _run(starts_ms: list[float]) -> Run:
    """Requests of 20 ms of blocking I/O, each sent at its start."""
    ms = 1_000_000
    lanes = tuple(
        Lane(
            i,
            "sync_io",
            "ok",
            200,
            None,
            round(s * ms),
            round((s + 20) * ms),
            (Segment(Kind.IO_BLOCKING, round(s * ms), round((s + 20) * ms), "w"),),
        )
        for i, s in enumerate(starts_ms)
    )
    trace = Trace(0, lanes)
    return Run(Scenario(view="sync_io", requests=len(lanes)), trace, summarize(trace))


@pytest.mark.slow
def test_on_a_projector_the_side_whose_rows_differ_gets_the_room_and_fills_it(window):
    # A: 30 requests that did one thing at one time (one alike row on a projector); B: 30 in
    # turn. Both lay out 30 rows: split by those, B's staircase was packed into half the
    # height while A's one row stood in an empty half.
    run_a, run_b = _run([0.0] * 30), _run([20.0 * i for i in range(30)])
    window.set_compare(True)
    window.session.view.set_presentation(True)
    try:
        window.resize(1400, 850)
        window.session.restore(
            Kept({Side.A: run_a, Side.B: run_b}, {Side.A: [], Side.B: []}, Side.B, None)
        )
        QApplication.processEvents()
        a, b = window.timeline, window.timeline_b
        assert a.row_count == b.row_count == 30
        assert b.height() > 2.5 * a.height()  # 75:25 of the pair
        for timeline in (a, b):
            timeline.grab()  # painted: its geometry
        geo_a, geo_b = a._geometry, b._geometry
        assert a.rows.labels == ["requests 1–30 alike"]
        # B's rows are as thick as the floor allows and fill its lanes: no half-empty side.
        assert len(b.rows) > 10 and geo_b.row_px >= 12
        # Cut into no more rows than keep the labels full size (not the smallest that fits).
        assert geo_b.row_px >= b.fontMetrics().height()
        assert len(b.rows) * geo_b.row_px >= 0.9 * geo_b.lanes_height
        assert len(b.rows) * geo_b.row_px > 2 * geo_a.lanes_height
    finally:  # its font is the application's: no later test inherits it
        window.session.view.set_presentation(False)
