"""The summary is computed from the trace's numpy columns; these tests restate every figure
over the lane and segment objects (the old, per-segment way) and ask for the same numbers,
on generated traces (every kind, status, thread, open segment and database event) and on a
recorded run."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from simulator.metrics.summary import Summary, in_flight_steps, percentile, summarize
from simulator.trace import (
    CLIENT_THREAD,
    HOLDS_THREAD,
    KINDS,
    NOT_HELD_BY_VIEW,
    QUEUE_THREAD,
    Kind,
    Lane,
    Segment,
    Trace,
)

LOOP = "asgi-loop"
THREADS = (LOOP, QUEUE_THREAD, CLIENT_THREAD, "worker-1", "worker-2", "t-3")


def _union(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _by_thread(trace: Trace, keep) -> dict[str, list[tuple[int, int]]]:
    spans: dict[str, list[tuple[int, int]]] = {}
    for lane in trace.lanes:
        for seg in lane.segments:
            if keep(seg):
                spans.setdefault(seg.thread, []).append((seg.start_ns, seg.end_ns))
    return {thread: _union(s) for thread, s in spans.items()}


def _peak(events: list[tuple[int, int]]) -> int:
    level = peak = 0
    for _, delta in sorted(events):
        level += delta
        peak = max(peak, level)
    return peak


def summary_by_objects(trace: Trace) -> Summary:
    """Every figure of :func:`summarize`, restated one lane and one segment at a time."""
    lanes = trace.lanes
    # Answered: ended with an HTTP status (a 500 too), not refused or timed out.
    finished = [
        lane for lane in lanes if lane.status in ("ok", "error") and lane.status_code is not None
    ]
    latencies = sorted(lane.latency_ns / 1e6 for lane in finished)
    end_ns = max((lane.done_ns for lane in lanes), default=trace.t0_ns)
    answered = [lane.done_ns for lane in finished]
    # Live (a request still running), the run so far lasted up to now, where its lanes reach;
    # finished, up to the last answer. The loop's blocks count within that makespan.
    running = any(lane.status == "running" for lane in lanes)
    answered_end_ns = end_ns if running else max(answered, default=trace.t0_ns)
    makespan_ms = (answered_end_ns - trace.t0_ns) / 1e6
    framework = _by_thread(trace, lambda s: s.kind == Kind.FRAMEWORK and not s.open)
    framework_ns = sum(e - s for spans in framework.values() for s, e in spans)
    # Up to each request's answer (ok or failed), else its end; after it, the rest.
    before: dict[str, list[tuple[int, int]]] = {}
    for lane in lanes:
        answer = lane.done_ns if lane.status in ("ok", "error") else lane.end_ns
        for seg in lane.segments:
            if seg.kind == Kind.FRAMEWORK and not seg.open and seg.start_ns < answer:
                before.setdefault(seg.thread, []).append((seg.start_ns, min(seg.end_ns, answer)))
    before_ns = sum(e - s for spans in map(_union, before.values()) for s, e in spans)
    held = _by_thread(
        trace,
        # (Nor the client's row: a real server's request not answered yet is one span
        # "at the server" there, on no server thread known to hold it.)
        lambda s: (
            s.kind not in NOT_HELD_BY_VIEW
            and s.thread not in (trace.loop_thread, QUEUE_THREAD, CLIENT_THREAD)
        ),
    )
    seen: dict[str, int] = {}
    for lane in lanes:
        for seg in lane.segments:
            if seg.kind in HOLDS_THREAD and seg.start_ns < seen.get(seg.thread, seg.start_ns + 1):
                seen[seg.thread] = seg.start_ns
        for thread, ns in lane.threads_seen:
            if ns < seen.get(thread, ns + 1):
                seen[thread] = ns
    server = [
        seg
        for lane in lanes
        for seg in lane.segments
        if seg.thread not in (CLIENT_THREAD, QUEUE_THREAD)
        and seg.kind not in (Kind.CLIENT, Kind.QUEUED, Kind.CANCELLED)
    ]
    span = None
    if server:
        first = min(seg.start_ns for seg in server)
        span = max(0, min(max(seg.end_ns for seg in server), end_ns) - first) / 1e6
    return Summary(
        requests=len(lanes),
        ok=sum(lane.status == "ok" for lane in lanes),
        failed=sum(lane.status == "error" for lane in lanes),
        cancelled=sum(lane.status == "cancelled" for lane in lanes),
        answered=len(finished),
        makespan_ms=makespan_ms,
        throughput_rps=len(finished) / (makespan_ms / 1000) if makespan_ms > 0 else 0.0,
        latency_ms={
            "p50": percentile(latencies, 50),
            "p95": percentile(latencies, 95),
            "p99": percentile(latencies, 99),
            "max": latencies[-1] if latencies else 0.0,
        },
        # A request still running (live) has no answer yet: in flight up to now.
        peak_in_flight=_peak(
            [(lane.sent_ns, 1) for lane in lanes]
            + [(lane.done_ns, -1) for lane in lanes if lane.status != "running"]
        ),
        threads_used=len(seen),
        loop_blocked_ms=sum(
            max(0, min(end, answered_end_ns) - start) for start, end in trace.loop_blocked_shown
        )
        / 1e6,
        framework_ms_per_request=framework_ns / 1e6 / len(lanes) if lanes else 0.0,
        framework_after_answer_ms_per_request=(
            (framework_ns - before_ns) / 1e6 / len(lanes) if lanes else 0.0
        ),
        threads_held_peak=_peak(
            [(s, 1) for spans in held.values() for s, _ in spans]
            + [(e, -1) for spans in held.values() for _, e in spans]
        ),
        db_connections_peak=_peak([event for lane in lanes for event in lane.db_events]),
        server_span_ms=span,
        client_cpu_ms=None if trace.client_cpu_ns is None else trace.client_cpu_ns / 1e6,
        server_threads_known=not lanes
        or any(
            seg.thread not in (CLIENT_THREAD, QUEUE_THREAD)
            for lane in lanes
            for seg in lane.segments
        ),
    )


_MS = 1_000_000


@st.composite
def lanes(draw, request_id: int) -> Lane:
    """A lane of back-to-back segments of any kind on any thread, times on a coarse grid so
    that sends, answers and segment ends often fall on the same instant."""
    sent = draw(st.integers(0, 40)) * _MS // 4
    t, segments = sent, []
    for _ in range(draw(st.integers(0, 6))):
        length = draw(st.integers(1, 12)) * _MS // 4
        segments.append(
            Segment(
                draw(st.sampled_from(KINDS)),
                t,
                t + length,
                draw(st.sampled_from(THREADS)),
                open=draw(st.booleans()) and draw(st.booleans()),
            )
        )
        t += length
    done = draw(st.integers(sent, max(t, sent) + 3 * _MS))
    db = tuple(
        (draw(st.integers(sent, done + _MS)), draw(st.sampled_from((1, -1))))
        for _ in range(draw(st.integers(0, 2)))
    )
    seen = tuple(
        (thread, draw(st.integers(sent, done)))
        for thread in draw(st.lists(st.sampled_from(THREADS), max_size=2))
    )
    return Lane(
        request_id,
        "async_io",
        draw(st.sampled_from(("ok", "error", "cancelled", "running"))),
        draw(st.sampled_from((200, 500, None))),  # None: refused, timed out (no answer)
        None,
        sent,
        done,
        tuple(segments),
        threads_seen=seen,
        db_events=db,
    )


@st.composite
def traces(draw) -> Trace:
    count = draw(st.integers(0, 12))
    return Trace(
        t0_ns=0,
        lanes=tuple(draw(lanes(i)) for i in range(count)),
        loop_thread=draw(st.sampled_from((LOOP, None))),
        loop_blocked=((2 * _MS, 5 * _MS),) if draw(st.booleans()) else (),
        client_cpu_ns=draw(st.sampled_from((None, 3 * _MS))),
    )


#: Live, one request still running past a block of the loop that began just before its now:
#: the blocks count up to that now (the makespan so far), not to the block's recorded end.
_BLOCK_BEFORE_ANY_ANSWER = Trace(
    t0_ns=0,
    lanes=(Lane(0, "async_io", "running", 200, None, 0, 2 * _MS + 1, ()),),
    loop_thread=LOOP,
    loop_blocked=((2 * _MS, 5 * _MS),),
)


@pytest.mark.slow
@settings(max_examples=120, deadline=None)
@given(traces())
@example(_BLOCK_BEFORE_ANY_ANSWER)
def test_the_summary_from_columns_is_the_summary_from_the_objects(trace):
    assert summarize(trace) == summary_by_objects(trace)


@pytest.mark.slow
@settings(max_examples=40, deadline=None)
@given(traces())
def test_requests_in_flight_step_at_every_send_and_answer_once_per_instant(trace):
    steps = in_flight_steps(trace)
    events = sorted(
        [(lane.sent_ns, 1) for lane in trace.lanes]
        + [(lane.done_ns, -1) for lane in trace.lanes if lane.status != "running"]
    )
    expected: list[tuple[int, int]] = []
    level = 0
    for ns, delta in events:
        level += delta
        if expected and expected[-1][0] == ns:
            expected[-1] = (ns, level)
        else:
            expected.append((ns, level))
    assert steps == expected


@pytest.mark.slow
@pytest.mark.parametrize(
    "dials",
    [
        {"view": "async_io", "mode": "asgi", "requests": 200, "io_ms": 20},
        {"view": "sync_orm", "mode": "asgi", "requests": 12, "cpu_ms": 2},
        {"view": "sync_io", "mode": "wsgi", "requests": 12, "io_ms": 10, "workers": 3},
    ],
)
def test_a_recorded_runs_summary_is_the_same_from_columns_and_objects(run, dials):
    measured = run(**dials)
    trace = dataclasses.replace(measured.trace)  # fresh: columns built again
    assert summarize(trace) == summary_by_objects(trace) == measured.summary
    assert measured.summary.requests == dials["requests"]
