"""The client's own figures: the server's span beside the client's makespan, the client's CPU
time, "—" where nothing was measured, and the one rule for "the client set the pace"."""

from __future__ import annotations

import dataclasses

from simulator.metrics.figures import EMPTY, FIGURE, pace_note
from simulator.metrics.summary import Summary, summarize
from simulator.trace import QUEUE_THREAD, Kind, Lane, Segment, Trace


def _summary(makespan_ms: float, server_span_ms: float | None) -> Summary:
    return Summary(
        requests=10, ok=10, failed=0, cancelled=0, answered=10, makespan_ms=makespan_ms,
        throughput_rps=5.0, latency_ms={"p50": 1.0, "p95": 1.0, "p99": 1.0, "max": 1.0},
        peak_in_flight=10,
        threads_used=1, loop_blocked_ms=0.0, framework_ms_per_request=0.1,
        server_span_ms=server_span_ms,
    )  # fmt: skip


def test_figures_not_measured_read_a_dash_and_null():
    summary = _summary(1000.0, None)
    assert FIGURE["server_span_ms"].text(summary) == EMPTY
    assert FIGURE["client_cpu_ms"].text(summary) == EMPTY
    assert summary.to_dict()["server_span_ms"] is None
    assert FIGURE["client_cpu_ms"].text(dataclasses.replace(summary, client_cpu_ms=557.2)) == (
        "557 ms"
    )


def test_the_client_set_the_pace_only_past_fifteen_percent():
    assert pace_note(_summary(2190.0, 1144.0)) == (
        "the client set the pace: the server's own span was 1.14 s of the 2.19 s makespan"
    )
    assert pace_note(_summary(1100.0, 1000.0)) is None  # 9 % apart: the server's pace
    assert pace_note(_summary(30.0, 20.0)) is None  # 33 % but 10 ms: noise, not a pace
    assert pace_note(_summary(2000.0, None)) is None  # the server said nothing


def test_the_servers_span_ends_at_the_last_answer_not_djangos_tidying_up():
    """In-process, Django tidies up after the answer (a thin lane tail, here 200 ms while the
    window drew): the window read 'Server span 246 ms' beside a 125 ms makespan."""
    ms = 1_000_000
    lane = Lane(
        request_id=0, view="async_io", status="ok", status_code=200, error=None,
        sent_ns=0, done_ns=100 * ms,
        segments=(
            Segment(Kind.QUEUED, 0, 1 * ms, QUEUE_THREAD),
            Segment(Kind.FRAMEWORK, 1 * ms, 100 * ms, "asgi-loop"),
            Segment(Kind.FRAMEWORK, 100 * ms, 300 * ms, "asgi-loop"),
        ),
    )  # fmt: skip
    summary = summarize(Trace(t0_ns=0, lanes=(lane,), loop_thread="asgi-loop"))
    assert summary.makespan_ms == 100.0
    assert summary.server_span_ms == 99.0
