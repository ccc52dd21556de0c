"""The model at scale: the figures of up to a million requests in well under a second.

Up to :data:`LANES_UP_TO` requests the model plays every request through the event model
(:func:`~simulator.prediction.flows.simulate`), so every lane can be drawn. Above that
nobody can look at the lanes and the event model would take minutes, so
:func:`predict_summary` plays the *same* event model with :data:`SCALE_LANES` modelled
requests, each standing for ``weight = requests / SCALE_LANES`` of the scenario's, sent
together: the same costs and rules, in bigger pieces. A modelled request's Python (Django's,
the view's, the unseen overhead) is ``weight`` requests' worth on the GIL, in slices
``weight`` times the switch interval; it holds the loop (a blocking wait on it) or a worker
(WSGI: ``workers / weight`` of them) ``weight`` times as long; it counts ``weight``
requests inside the server, so the costs grow with concurrency exactly as before. Waits that
hold nothing shared (I/O on its own thread, hand-offs, the send) take what one request's
take, as the ``weight`` requests' would, side by side. The counts (requests, threads held,
connections, in flight) are the pieces' times ``weight``; the times (makespan, latencies,
the loop blocked) are read as they are.

Measured against the full event model (``tests/simulator/test_model_scale.py``,
``benchmarks/predict_scale.py``): from 2,000 to 10,000 requests makespan, p50, the loop
blocked and ``framework_ms_per_request`` under ASGI agree within 5%, and so do the threads
held by views that hold one per request under ASGI (``sync_io`` at 100 and 500 ms, within
3%; a sync-only middleware's, exactly), whose pieces' threads are spread back into one per
request (:func:`_threads_held_peak`). Where it falls short: under WSGI
``framework_ms_per_request``, as a worker's waits for the GIL come in pieces' sizes; and
the threads held by sync views that mostly compute (5 ms of CPU, no wait: 41 against 9-21)
or open a database connection (whose Python is drawn inside the query's wait: 72-165
against 25-50), read high, as the GIL's turns come in pieces' sizes. Views that hold none
(async) or the workers (WSGI) read exactly. The growth
of per-request costs stops at 10,000 requests inside (:data:`~simulator.prediction.site.
GROWTH_SEEN_UP_TO`), what a run can measure.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from simulator.metrics.summary import Summary, summarize
from simulator.prediction.costs import Costs
from simulator.prediction.flows import simulate
from simulator.prediction.processes import predict_processes
from simulator.scenario import Scenario
from simulator.trace import Kind, Trace
from simulator.trace.kinds import NOT_HELD_BY_VIEW, QUEUE_THREAD

__all__ = ["LANES_UP_TO", "SCALE_LANES", "predict_summary"]

#: The most requests the model plays one by one, with lanes (``run``'s limit too).
LANES_UP_TO = 10_000
#: How many modelled requests stand for the scenario's above :data:`LANES_UP_TO`.
SCALE_LANES = 1000


def predict_summary(
    scenario: Scenario, costs: Costs, cores: int, lanes: int = SCALE_LANES
) -> Summary:
    """The predicted figures of ``scenario`` with ``lanes`` modelled requests standing for
    all of its requests (no lanes to draw)."""
    if scenario.in_processes:
        trace = predict_processes(scenario, costs, cores, pieces=lanes)
    else:
        trace = simulate(scenario, costs, pieces=lanes)
    weight = scenario.requests / len(trace.lanes)
    figures = summarize(trace)
    if weight == 1:
        return figures
    total = scenario.requests

    def more(count: int, cap: int = total) -> int:
        return min(cap, round(count * weight))

    # One worker per request at most: under WSGI the workers are the threads there are.
    threads = scenario.workers if scenario.mode == "wsgi" else total
    failed, cancelled = more(figures.failed), more(figures.cancelled)
    answered = total - cancelled  # the model's failures are 500s: answers
    seconds = figures.makespan_ms / 1000
    return replace(
        figures,
        requests=total,
        ok=total - failed - cancelled,
        failed=failed,
        cancelled=cancelled,
        answered=answered,
        throughput_rps=answered / seconds if seconds > 0 else 0.0,
        peak_in_flight=more(figures.peak_in_flight),
        threads_used=more(figures.threads_used, threads + (scenario.mode == "asgi")),  # loop
        threads_held_peak=(
            _threads_held_peak(trace, weight, total)
            if scenario.mode == "asgi"
            else more(figures.threads_held_peak, threads)
        ),
        db_connections_peak=more(figures.db_connections_peak, threads),
        framework_ms_per_request=_framework_ms_per_request(trace, total),
    )


def _framework_ms_per_request(trace: Trace, requests: int) -> float:
    """Django's time per request, as :func:`~simulator.metrics.summary.summarize` counts it
    (overlaps on a thread once), for pieces: it is all Python (hand-offs are ``queued``),
    and a piece's Python is its ``weight`` requests' on whatever thread it ran."""
    by_thread: dict[str, list[tuple[int, int]]] = {}
    for lane in trace.lanes:
        for seg in lane.segments:
            if seg.kind is Kind.FRAMEWORK:
                by_thread.setdefault(seg.thread, []).append((seg.start_ns, seg.end_ns))
    busy = 0
    for spans in by_thread.values():
        end = 0
        for start, stop in sorted(spans):
            busy += max(0, stop - max(start, end))
            end = max(end, stop)
    return busy / requests / 1e6


def _threads_held_peak(trace: Trace, weight: float, cap: int) -> int:
    """Threads held at once under ASGI, a thread per request, for pieces: a piece stands
    for ``weight`` requests one after another, whose views begin spread over the time until
    the next piece's begins (the ``k``-th a ``k``-th of that gap in), each held for the
    piece's span less the others' own Python in it (their CPU and their waits for the GIL,
    one request's after another's). Counting the piece's whole span ``weight`` times held
    every one of them from the first's start and through all the others' Python too."""
    n = max(1, round(weight))
    away = {trace.loop_thread, QUEUE_THREAD}
    spans: list[tuple[int, int, int]] = []  # (start, end, the piece's own Python in it)
    for lane in trace.lanes:
        held = [
            seg
            for seg in lane.segments
            if seg.kind not in NOT_HELD_BY_VIEW and seg.thread not in away
        ]
        if held:
            own = sum(seg.duration_ns for seg in held if seg.kind in _OWN)
            spans.append((min(s.start_ns for s in held), max(s.end_ns for s in held), own))
    if not spans:
        return 0
    table = np.array(sorted(spans), np.float64)  # a row per piece: start, end, Python
    starts = table[:, 0]
    last_gap = float(np.median(np.diff(starts))) if len(starts) > 1 else 0.0
    gaps = np.diff(starts, append=starts[-1] + last_gap)
    k = np.arange(n, dtype=np.float64)
    # Never less than nothing: a piece whose own Python exceeds its span (overlapping
    # segments) would otherwise end its requests before they begin and hide the others.
    held_for = np.maximum(table[:, 1] - starts - (n - 1) * table[:, 2] / n, 0.0)[:, None]
    begin = starts[:, None] + k * (gaps / n)[:, None]
    times = np.concatenate([begin.ravel(), (begin + held_for).ravel()])
    deltas = np.concatenate([np.ones(begin.size), -np.ones(begin.size)])
    order = np.lexsort((deltas, times))  # an end before a start at the same instant
    peak = int(np.cumsum(deltas[order]).max(initial=0))
    return min(cap, round(peak * weight / n))


#: What of a piece's time is its requests' own, one after another: the view's CPU and its
#: waits for the GIL (the pieces' Python runs in ``weight`` requests' slices).
_OWN = frozenset({Kind.CPU, Kind.GIL_WAIT})
