"""What a real Django site does with 8 requests × 200 ms, measured, not assumed.

Tolerances are ratios of the I/O time, wide enough for a busy 2-core CI machine and narrow
enough to tell "all at once" (≈1×) from "one after another" (≈8×).
"""

from __future__ import annotations

from itertools import pairwise

import pytest

IO_MS = 200
N = 8


def _ends_ms(run) -> list[float]:
    return sorted(run.trace.ms(lane.done_ns) for lane in run.trace.lanes)


@pytest.mark.parametrize("view", ["async_io", "sync_io"])
def test_asgi_serves_eight_waits_at_once_for_sync_and_async_views(run, view):
    result = run(view=view, mode="asgi", requests=N, io_ms=IO_MS)
    assert result.summary.ok == N
    assert result.summary.makespan_ms < 1.6 * IO_MS
    assert result.summary.peak_in_flight == N


def test_sync_views_under_asgi_hold_one_thread_each(run):
    result = run(view="sync_io", mode="asgi", requests=N, io_ms=IO_MS)
    blocking_threads = {
        seg.thread
        for lane in result.trace.lanes
        for seg in lane.segments
        if seg.kind == "io_blocking"
    }
    assert len(blocking_threads) >= N
    assert result.trace.loop_thread not in blocking_threads
    assert result.summary.loop_blocked_ms < IO_MS / 2


@pytest.mark.slow
def test_one_wsgi_worker_serves_sync_views_one_after_another(run):
    result = run(view="sync_io", mode="wsgi", workers=1, requests=N, io_ms=IO_MS)
    assert 0.9 * N * IO_MS < result.summary.makespan_ms < 1.4 * N * IO_MS
    ends = _ends_ms(result)
    gaps = [b - a for a, b in pairwise(ends)]
    assert all(0.8 * IO_MS < gap < 1.5 * IO_MS for gap in gaps), gaps
    # The waiting is in the queue, before the one worker picks each request up.
    last = max(result.trace.lanes, key=lambda lane: lane.done_ns)
    assert last.segments[0].kind == "queued"
    assert last.segments[0].duration_ns / 1e6 > 0.8 * (N - 1) * IO_MS


@pytest.mark.slow
def test_time_sleep_in_an_async_view_blocks_the_loop_for_everyone(run):
    result = run(view="async_blocking", mode="asgi", requests=N, io_ms=IO_MS)
    assert 0.9 * N * IO_MS < result.summary.makespan_ms < 1.4 * N * IO_MS
    # The loop monitor saw the loop blocked for most of the run, and the blocking happened on
    # the loop thread itself.
    assert result.summary.loop_blocked_ms > 0.8 * N * IO_MS
    on_loop = [
        seg for lane in result.trace.lanes for seg in lane.segments if seg.kind == "io_blocking"
    ]
    assert {seg.thread for seg in on_loop} == {result.trace.loop_thread}
    # Django still ran each request's signal receivers on a thread of its own.
    assert result.summary.threads_used == N + 1


@pytest.mark.slow
def test_cpu_on_the_event_loop_forms_a_staircase(run):
    cpu_ms, io_ms = 50, 100
    result = run(view="async_io", mode="asgi", requests=N, io_ms=io_ms, cpu_ms=cpu_ms)
    loop = result.trace.loop_thread
    # Each request's CPU, in the order the loop ran it. On a busy machine 50 ms of CPU can
    # take longer than 50 ms of wall time, so the staircase is checked against what each
    # step really took, not against the dial.
    lanes = sorted(result.trace.lanes, key=lambda lane: lane.done_ns)
    # A request's computation: its CPU, and what it waited to run in between (the machine's
    # other programs, or the client's thread, can take the GIL or the core meanwhile).
    burns = []
    for lane in lanes:
        at = [i for i, seg in enumerate(lane.segments) if seg.kind == "cpu"]
        burns.append(lane.segments[at[0] : at[-1] + 1])
    for burn in burns:
        assert {seg.thread for seg in burn} == {loop}
        assert {seg.kind for seg in burn} <= {"cpu", "gil_wait", "core_wait"}
        ran_ms = sum(seg.duration_ns for seg in burn if seg.kind == "cpu") / 1e6
        assert 0.95 * cpu_ms <= ran_ms <= 1.5 * cpu_ms  # the view's CPU, measured
    cpu = [(burn[0].start_ns, burn[-1].end_ns) for burn in burns]
    walls = [(end - start) / 1e6 for start, end in cpu]
    # Only one request at a time computes on the loop: the CPU stretches never overlap...
    for a, b in pairwise(cpu):
        assert a[1] <= b[0], (a, b)
    # ... so answers come one CPU stretch apart: a staircase.
    ends = _ends_ms(result)
    assert ends[0] > io_ms + 0.9 * cpu_ms
    for step, wall in zip(pairwise(ends), walls[1:], strict=True):
        assert 0.8 * wall < step[1] - step[0] < 1.5 * wall + 10, (ends, walls)
    # While one request computes, the others wait for the loop: their lanes say "queued".
    last = lanes[-1]
    queued_ms = sum(s.duration_ns for s in last.segments if s.kind == "queued") / 1e6
    assert queued_ms > 0.7 * sum(walls[:-1])
    # ... and the I/O wait itself stays the length of the I/O.
    io_wait_ms = sum(s.duration_ns for s in last.segments if s.kind == "io_wait") / 1e6
    assert io_wait_ms < io_ms + 0.5 * cpu_ms + 10


def test_sync_orm_from_an_async_view_is_refused_by_django(run):
    result = run(view="async_sync_orm_bug", requests=2, io_ms=0)
    assert result.summary.failed == 2
    for lane in result.trace.lanes:
        assert lane.status == "error"
        assert lane.status_code == 500
        assert lane.error.startswith(
            "SynchronousOnlyOperation: You cannot call this from an async context"
        )


def test_a_missing_await_ends_as_djangos_own_error(run):
    result = run(view="missing_await_bug", requests=2, io_ms=0)
    for lane in result.trace.lanes:
        assert lane.status_code == 500
        assert "returned an unawaited coroutine" in lane.error
        assert "missing_await_bug" in lane.error


def test_the_async_orm_runs_its_query_on_a_thread_not_the_loop(run):
    result = run(view="async_orm", mode="asgi", requests=4, io_ms=100)
    assert result.summary.ok == 4
    for lane in result.trace.lanes:
        (query,) = [s for s in lane.segments if s.kind == "io_blocking"]
        assert query.thread != result.trace.loop_thread
        assert 90 < query.duration_ns / 1e6 < 200
        kinds = [s.kind for s in lane.segments]
        # Handed to the thread and back again.
        assert kinds.index("thread_hop") < kinds.index("io_blocking")
    assert result.summary.loop_blocked_ms < 50
