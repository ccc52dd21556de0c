"""Only the server's answers count as answers: a 500 is one, a request refused, reset or
timed out is not. Twenty requests to a port where nothing listens once read "throughput
10460 req/s", "p50 1.71 ms" beside "0 ok, 20 failed"."""

from __future__ import annotations

import pytest

from simulator.metrics.comparison import Comparison, Criterion, rerun_reason
from simulator.metrics.figures import EMPTY, FIGURE, LATENCY_KEYS
from simulator.metrics.plots import latency_histogram
from simulator.metrics.summary import summarize
from simulator.metrics.verdict import verdict_from_summaries
from simulator.trace import CLIENT_THREAD, Kind, Lane, Segment, Trace

MS = 1_000_000
REFUSED = "refused: nothing listens there (connection refused)"


def _lane(i: int, status: str, code: int | None, done_ms: float, error: str | None = None):
    """Request ``i``, sent at 0, ended at ``done_ms`` on the client (the client's own span)."""
    done = round(done_ms * MS)
    return Lane(
        i, "/", status, code, error, 0, done, (Segment(Kind.CLIENT, 0, done, CLIENT_THREAD),)
    )


def _refused(i: int, done_ms: float = 2.0) -> Lane:
    return _lane(i, "error", None, done_ms, REFUSED)


def _mixed() -> Trace:
    """Two 200s, a 500, two refused at once and one that timed out long after the answers."""
    return Trace(
        t0_ns=0,
        lanes=(
            _lane(0, "ok", 200, 100),
            _lane(1, "ok", 200, 120),
            _lane(2, "error", 500, 150, "HTTP 500 Internal Server Error"),
            _refused(3),
            _refused(4),
            _lane(5, "error", None, 3000, "timed out: no answer within 3 s"),
        ),
    )


def test_a_500_counts_as_an_answer_and_a_request_refused_or_timed_out_does_not():
    s = summarize(_mixed())
    assert (s.requests, s.ok, s.failed, s.answered) == (6, 2, 4, 3)
    assert s.makespan_ms == pytest.approx(150)  # the last answer, the 500; not the time-out
    assert s.throughput_rps == pytest.approx(3 / 0.150)
    assert s.latency_ms == pytest.approx({"p50": 120, "p95": 147, "p99": 149.4, "max": 150})
    histogram = latency_histogram(_mixed())
    assert histogram is not None and histogram.answered == 3
    assert FIGURE["throughput_rps"].text(s) == "20.0 req/s"


def test_with_every_request_refused_no_figure_of_answers_reads_a_number():
    trace = Trace(t0_ns=0, lanes=tuple(_refused(i, 1.5 + i / 10) for i in range(20)))
    s = summarize(trace)
    assert (s.requests, s.ok, s.failed, s.answered) == (20, 0, 20, 0)
    for key in ("makespan_ms", "throughput_rps", *LATENCY_KEYS):
        assert FIGURE[key].text(s) == EMPTY, key
    assert FIGURE["answered"].text(s) == "0"
    assert FIGURE["failed"].text(s) == "20"
    assert latency_histogram(trace) is None
    # Nothing to judge against a side that was answered.
    answered = summarize(Trace(t0_ns=0, lanes=(_lane(0, "ok", 200, 50),)))
    assert not Comparison(Criterion(), (s,), (answered,)).finished
    assert verdict_from_summaries(s, answered) == (
        "A got no answer; nothing to compare; A sent 20 requests, B 1; A: 20 of 20 requests failed"
    )
    # Nor are two such sides "within 15% on makespan", to be run twice more each.
    assert rerun_reason("makespan_ms", [s], [s]) is None


def test_a_request_whose_answer_s_head_came_is_answered_one_still_running_is_not():
    # Its status came, then the connection closed mid-body: the server answered.
    cut = _lane(0, "error", 200, 40, "the server closed the connection before the answer ended")
    # Live: the head is in, the body still coming; no answer yet.
    running = _lane(1, "running", 200, 60)
    s = summarize(Trace(t0_ns=0, lanes=(cut, running)))
    # (Live, the makespan so far is the run's up to now, where the running lane reaches.)
    assert s.answered == 1 and s.makespan_ms == pytest.approx(60)
