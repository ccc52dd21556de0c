"""Mid-run, a request's lane shows what it is doing now: a wait as a wait, a blocked loop as
blocked. The class watches the live picture, so it must tell the truth before the end."""

from __future__ import annotations

import asyncio

import pytest

from simulator.hosting.engine import LiveRun
from simulator.metrics.summary import summarize
from simulator.scenario import Scenario
from simulator.trace import Lane, Trace


def _snapshot_mid_run(scenario: Scenario, after_s: float) -> tuple[Trace, Trace]:
    """A snapshot ``after_s`` into the run, and the finished run's trace."""

    async def scenario_run() -> tuple[Trace, Trace]:
        live = LiveRun(scenario)
        task = asyncio.ensure_future(live.run())
        while not live.started:
            await asyncio.sleep(0.005)
        await asyncio.sleep(after_s)
        mid = live.snapshot()
        run = await task
        return mid, run.trace

    return asyncio.run(scenario_run())


def _running(trace: Trace) -> list[Lane]:
    return [lane for lane in trace.lanes if lane.status == "running"]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("view", "mode", "kind", "on_loop"),
    [
        ("async_io", "asgi", "io_wait", True),
        ("sync_io", "asgi", "io_blocking", False),
        ("sync_io", "wsgi", "io_blocking", False),
        ("async_blocking", "asgi", "io_blocking", True),
    ],
)
def test_a_running_request_shows_its_open_segment_as_what_it_is(view, mode, kind, on_loop):
    mid, _ = _snapshot_mid_run(
        Scenario(view=view, mode=mode, workers=2, requests=4, io_ms=600), after_s=0.25
    )
    running = _running(mid)
    assert running, "the snapshot was taken after the run ended"
    # The first request picked up is in its wait now: its last segment is open, of the
    # view's kind, and reaches (about) the moment of the snapshot.
    in_view = [lane for lane in running if lane.segments[-1].open]
    assert in_view, [lane.segments[-1] for lane in running]
    last = in_view[0].segments[-1]
    assert last.kind == kind
    assert (last.thread == mid.loop_thread) is on_loop
    assert last.duration_ns > 50e6  # well into the wait, not a sliver


@pytest.mark.slow
def test_a_blocked_loop_shows_blocked_while_it_is_and_is_counted_once_it_ends():
    mid, final = _snapshot_mid_run(
        Scenario(view="async_blocking", requests=3, io_ms=600), after_s=0.25
    )
    assert mid.loop_blocking_now is not None
    start, end = mid.loop_blocking_now
    assert end - start > 50e6
    assert mid.loop_blocking_now in mid.loop_blocked_shown
    # Live figures count only what has ended; the finished run counts every block.
    assert summarize(mid).loop_blocked_ms < 0.9 * 600 * 3
    assert final.loop_blocking_now is None
    assert summarize(final).loop_blocked_ms > 0.9 * 600 * 3


def test_a_finished_run_has_no_open_segment():
    _, final = _snapshot_mid_run(Scenario(view="async_io", requests=3, io_ms=100), after_s=0.02)
    assert not any(seg.open for lane in final.lanes for seg in lane.segments)
