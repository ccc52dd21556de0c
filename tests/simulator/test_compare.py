"""The A/B verdict line, from hand-made summaries (exact) and from two real runs."""

from __future__ import annotations

import pytest

from simulator.metrics.summary import Summary
from simulator.metrics.verdict import verdict, verdict_from_summaries


def summary(makespan, p95, *, requests=10, failed=0, cancelled=0) -> Summary:
    ok = requests - failed - cancelled
    return Summary(
        requests=requests,
        ok=ok,
        failed=failed,
        cancelled=cancelled,
        answered=ok + failed,
        makespan_ms=makespan,
        throughput_rps=0.0,
        latency_ms={"p50": p95, "p95": p95, "p99": p95, "max": p95},
        peak_in_flight=requests,
        threads_used=1,
        loop_blocked_ms=0.0,
        framework_ms_per_request=0.0,
    )


CASES = [
    (
        "b-wins",
        summary(1600, 1550),
        summary(202.5, 250),
        "B finished 7.9× sooner (A 1.60 s, B 202 ms); p95 6.2× lower",
    ),
    (
        "a-wins",
        summary(202.5, 250),
        summary(1600, 1550),
        "A finished 7.9× sooner (A 202 ms, B 1.60 s); p95 6.2× lower",
    ),
    (
        "same",
        summary(1000, 500),
        summary(1040, 510),
        "makespan within 15% (A 1.00 s, B 1.04 s): too close to call from one run each",
    ),
    (
        "one-sample-12-percent-apart-names-no-winner",
        summary(1000, 1000),
        summary(1120, 1120),
        "makespan within 15% (A 1.00 s, B 1.12 s): too close to call from one run each",
    ),
    (
        "same-end-different-tail",
        summary(1000, 900),
        summary(1030, 450),
        "makespan within 15% (A 1.00 s, B 1.03 s): too close to call from one run each; "
        "B's p95 2.0× lower",
    ),
    (
        "split-decision",
        summary(500, 450),
        summary(1000, 300),
        "A finished 2.0× sooner (A 500 ms, B 1.00 s); but B's p95 is 1.5× lower",
    ),
    (
        "tenfold",
        summary(2400, 2400),
        summary(200, 200),
        "B finished 12× sooner (A 2.40 s, B 200 ms); p95 12× lower",
    ),
    (
        "failures",
        summary(1600, 1550),
        summary(200, 200, failed=3),
        "B finished 8.0× sooner (A 1.60 s, B 200 ms); p95 7.8× lower; B: 3 of 10 requests failed",
    ),
    (
        "a-finished-nothing",
        summary(0, 0, cancelled=10),
        summary(200, 200),
        "A got no answer; nothing to compare; A: 10 of 10 requests cancelled",
    ),
    (
        "nothing-at-all",
        summary(0, 0, requests=0),
        summary(0, 0, requests=0),
        "Neither A nor B got any answer",
    ),
    (
        "zero-time",
        summary(5, 5),
        summary(0, 0),
        "B finished sooner (A 5.00 ms, B 0 ms); p95 lower",
    ),
    (
        "different-sizes",
        summary(800, 700, requests=4),
        summary(800, 700, requests=1, failed=1),
        "makespan within 15% (A 800 ms, B 800 ms): too close to call from one run each; "
        "A sent 4 requests, B 1; B: 1 of 1 request failed",
    ),
    (
        # The one closeness rule: 116 ms is 16% over 100 ms, not close; a winner from one run.
        "100-against-116-ms",
        summary(100, 100),
        summary(116, 116),
        "A finished 1.2× sooner (A 100 ms, B 116 ms); p95 1.2× lower",
    ),
]


@pytest.mark.parametrize(("a", "b", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_verdict_from_summaries(a, b, expected):
    assert verdict_from_summaries(a, b) == expected


@pytest.mark.slow
def test_verdict_on_real_runs_names_the_scenario_that_scales(run):
    one_worker = run(view="sync_io", mode="wsgi", workers=1, requests=4, io_ms=50)
    asgi = run(view="async_io", mode="asgi", requests=4, io_ms=50)
    line = verdict(one_worker, asgi)
    assert line.startswith("B finished ")
    assert " sooner (A " in line and "; p95 " in line and "failed" not in line
    assert verdict(asgi, one_worker).startswith("A finished ")
