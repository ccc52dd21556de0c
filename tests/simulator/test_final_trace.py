"""The final trace of a run nobody watched (the command line's) is built from scratch, not
through the lanes a window keeps between frames: it must be the same trace either way, and
a run watched frame by frame still ends with the lanes it kept."""

from __future__ import annotations

from types import SimpleNamespace

from simulator.hosting.engine import LiveRun
from simulator.hosting.live_lanes import from_scratch
from simulator.scenario import Scenario

from .test_reentrant_snapshot import LOOP, MS, _records


def _live(records: list) -> LiveRun:
    live = LiveRun(Scenario(view="async_blocking", requests=len(records)))
    live._driver = SimpleNamespace(start_ns=0, records=records)  # type: ignore[assignment]
    live._server = SimpleNamespace(  # type: ignore[assignment]
        loop_thread=LOOP,
        loop_blocked=lambda: [(12 * MS, 18 * MS)],
        loop_blocking_now=lambda n: None,
    )
    return live


def test_an_unwatched_run_ends_with_the_trace_a_watched_one_ends_with():
    unwatched = _live(_records()).snapshot(100 * MS, final=True)
    watched_run = _live(_records())
    watched_run.snapshot(30 * MS)  # a window's frames mid-run
    watched_run.snapshot(70 * MS)
    watched = watched_run.snapshot(100 * MS, final=True)
    assert unwatched == watched
    assert unwatched.lanes == from_scratch(_records(), 100 * MS, LOOP)
    assert unwatched.loop_blocked == ((12 * MS, 18 * MS),)
    assert sum(len(lane.segments) for lane in unwatched.lanes) > len(unwatched.lanes)


def test_a_run_watched_after_its_final_trace_still_grows_frame_by_frame():
    live = _live(_records())
    final = live.snapshot(100 * MS, final=True)
    assert live.snapshot(100 * MS) == final  # a frame after: the kept lanes, the same
    assert live.snapshot(120 * MS, final=True) == _live(_records()).snapshot(120 * MS, final=True)
