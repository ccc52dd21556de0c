"""Threads held at once tells sync views from async ones; threads used does not."""

from __future__ import annotations

import pytest

from simulator.metrics.figures import FIGURE
from simulator.metrics.summary import threads_held_peak
from simulator.trace import Kind, Lane, Segment, Trace


def _lane(i: int, *segs: tuple[Kind, int, int, str]) -> Lane:
    segments = tuple(Segment(k, s, e, t) for k, s, e, t in segs)
    return Lane(i, "v", "ok", 200, None, segs[0][1], segs[-1][2], segments)


def test_overlapping_holds_count_once_per_thread_and_framework_and_queue_not_at_all():
    trace = Trace(
        0,
        (
            _lane(0, (Kind.QUEUED, 0, 5, "queue"), (Kind.IO_BLOCKING, 5, 50, "t1")),
            _lane(1, (Kind.IO_BLOCKING, 10, 40, "t2"), (Kind.CPU, 40, 60, "t2")),
            _lane(2, (Kind.FRAMEWORK, 0, 100, "t3"), (Kind.IO_WAIT, 100, 200, "loop")),
            _lane(3, (Kind.CPU, 50, 70, "t1")),  # t1 again, after its first hold ended
        ),
        loop_thread="loop",
    )
    assert threads_held_peak(trace) == 2


def test_a_real_servers_client_time_and_awaits_hold_no_thread():
    """Lanes over sockets: the client's time is outside the server, and uvicorn's awaits are
    on its process's main thread (no loop watched): two sync workers hold 2, not 3; ten
    awaits hold none."""
    main, worker = "pid 7 · MainThread", "pid 8 · MainThread"
    cpu = Trace(
        0,
        tuple(
            _lane(i, (Kind.CLIENT, 0, 5, "client"), (Kind.CPU, 5, 50, thread))
            for i, thread in enumerate((main, worker))
        ),
    )
    assert threads_held_peak(cpu) == 2
    awaits = Trace(
        0,
        tuple(
            _lane(i, (Kind.CLIENT, 0, 5, "client"), (Kind.IO_WAIT, 5, 200, main)) for i in range(10)
        ),
    )
    assert threads_held_peak(awaits) == 0


@pytest.mark.parametrize(("view", "held"), [("sync_io", 8), ("async_io", 0), ("async_orm", 8)])
def test_eight_requests_hold_a_thread_each_only_where_the_view_needs_one(run, view, held):
    result = run(view=view, mode="asgi", requests=8, io_ms=150)
    assert result.summary.threads_held_peak == held
    assert result.summary.threads_used == 9  # touched: alike for all three
    assert FIGURE["threads_held_peak"].text(result.summary) == str(held)
