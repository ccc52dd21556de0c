"""A replay shows the run as it stood at the playhead: the figures grow, the ending is not
given away."""

from __future__ import annotations

import pytest

from simulator.metrics.replay import event_times, next_event, trace_at
from simulator.metrics.summary import summarize
from simulator.trace import Kind, Lane, Segment, Trace

MS = 1_000_000


def _lane(i: int, sent: int, picked: int, done: int) -> Lane:
    segments = (
        Segment(Kind.QUEUED, sent * MS, picked * MS, "queue"),
        Segment(Kind.IO_BLOCKING, picked * MS, done * MS, "worker"),
    )
    return Lane(i, "v", "ok", 200, None, sent * MS, done * MS, segments)


# One worker, three requests of 100 ms in a row.
TRACE = Trace(0, (_lane(0, 0, 0, 100), _lane(1, 0, 100, 200), _lane(2, 50, 200, 300)))


def test_halfway_the_figures_count_only_what_had_ended():
    mid = trace_at(TRACE, 150 * MS)
    assert [lane.status for lane in mid.lanes] == ["ok", "running", "running"]
    running = mid.lanes[1].segments[-1]
    assert (running.kind, running.end_ns, running.open) == (Kind.IO_BLOCKING, 150 * MS, True)
    summary = summarize(mid)
    # One answer so far, after 100 ms: its latency; requests still running have none yet.
    # The run so far lasted to the playhead, where its lanes reach: its makespan so far.
    assert (summary.ok, summary.latency_ms["max"], summary.makespan_ms) == (1, 100.0, 150.0)
    assert summarize(TRACE).ok == 3


def test_before_a_request_was_sent_it_is_not_there():
    assert len(trace_at(TRACE, 10 * MS).lanes) == 2
    assert trace_at(TRACE, 400 * MS) is TRACE


def test_stepping_goes_from_one_start_or_end_to_the_next():
    times = event_times([TRACE])
    assert times == [0.0, 50.0, 100.0, 200.0, 300.0]
    assert next_event(times, 100.0, forward=True) == 200.0
    assert next_event(times, 100.0, forward=False) == 50.0
    assert next_event(times, 300.0, forward=True) is None


def test_a_step_moves_to_the_next_visible_change_not_to_an_event_a_tenth_of_a_ms_on():
    # 8 requests sent 0.1 ms apart, then their answers 200 ms later, 0.1 ms apart.
    sends = [i / 10 for i in range(8)]
    times = sends + [200.0 + t for t in sends] + [400.0]
    gap = 0.01 * 400.0  # 1% of the run's span
    assert next_event(times, -1.0, forward=True, min_gap_ms=gap) == pytest.approx(0.7)  # all sends
    assert next_event(times, 0.7, forward=True, min_gap_ms=gap) == pytest.approx(200.7)
    assert next_event(times, 200 + 7 / 10, forward=True, min_gap_ms=gap) == 400.0
    assert next_event(times, 400.0, forward=True, min_gap_ms=gap) is None
    assert next_event(times, 400.0, forward=False, min_gap_ms=gap) == 200.0  # the burst's start
    assert next_event(times, 200.0, forward=False, min_gap_ms=gap) == 0.0
    assert next_event(times, 0.0, forward=False, min_gap_ms=gap) is None
    # Without a gap, every event is a step, as before.
    assert next_event(times, 0.0, forward=True) == 0.1


def test_threads_used_and_connections_count_only_what_was_seen_by_the_playhead():
    """Two requests on the loop, each opening a database connection mid-run and ending with
    Django's receivers on a thread of its own (named in the lane's ``threads_seen``, on none
    of its segments): 100 ms into the replay it read the whole run's "threads used 3" and "DB
    connections 2"."""
    loop = "loop"

    def lane(i: int, receivers: str, opened_ms: int) -> Lane:
        segments = (
            Segment(Kind.QUEUED, 0, 10 * MS, "queue"),
            Segment(Kind.FRAMEWORK, 10 * MS, 20 * MS, loop),
            Segment(Kind.IO_WAIT, 20 * MS, 300 * MS, loop),
            Segment(Kind.FRAMEWORK, 300 * MS, 302 * MS, loop),
        )
        return Lane(
            i, "v", "ok", 200, None, 0, 302 * MS, segments,
            threads_seen=((loop, 10 * MS), (receivers, 301 * MS)),
            db_events=((opened_ms * MS, 1), (290 * MS, -1)),
        )  # fmt: skip

    trace = Trace(
        0, (lane(0, "ThreadPoolExecutor-0_0", 50), lane(1, "ThreadPoolExecutor-1_0", 150)), loop
    )
    whole, early = summarize(trace), summarize(trace_at(trace, 100 * MS))
    assert (whole.threads_used, whole.db_connections_peak) == (3, 2)
    assert (early.threads_used, early.db_connections_peak) == (1, 1)
