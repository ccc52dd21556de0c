from __future__ import annotations

import pytest


@pytest.mark.slow
def test_async_fanout_waits_once_while_sync_fanout_waits_in_turn(run):
    fanout, io_ms = 4, 100
    sync = run(view="sync_fanout", mode="asgi", requests=2, io_ms=io_ms, fanout=fanout)
    gathered = run(view="async_fanout", mode="asgi", requests=2, io_ms=io_ms, fanout=fanout)
    assert sync.summary.ok == gathered.summary.ok == 2
    assert sync.summary.makespan_ms > 0.9 * fanout * io_ms
    # Gathered, the four calls wait once: about a quarter of waiting in turn (0.3 here on a
    # quiet machine, up to 0.76 seen with every core busy with other work), never less than
    # one call. Waiting in turn would be 1 or more.
    assert io_ms * 0.9 < gathered.summary.makespan_ms < 0.85 * sync.summary.makespan_ms
    calls = [s for s in sync.trace.lanes[0].segments if s.kind == "io_blocking"]
    assert len(calls) == fanout


def test_httpx_views_call_a_real_upstream(run):
    result = run(view="async_httpx", mode="asgi", requests=3, io_ms=150)
    assert result.summary.ok == 3
    for lane in result.trace.lanes:
        waited = sum(s.duration_ns for s in lane.segments if s.kind == "io_wait") / 1e6
        assert 140 < waited < 400


def test_an_unreachable_upstream_fails_requests_not_the_run(run):
    result = run(view="sync_httpx", requests=2, io_ms=10, upstream_url="http://127.0.0.1:9")
    assert result.summary.failed == 2
    assert all(lane.status_code == 500 for lane in result.trace.lanes)
    assert all("ConnectError" in lane.error for lane in result.trace.lanes)
