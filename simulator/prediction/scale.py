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
blocked and ``framework_ms_per_request`` under ASGI agree within 5%. Where it falls short:
under WSGI ``framework_ms_per_request``, as a worker's waits for the GIL come in pieces'
sizes; and ``threads_held_peak`` of views that hold a thread per request under ASGI, whose
pieces' threads are spread back into one per request (:func:`_threads_held_peak`) by a
rule fitted at 2,000 and 5,000 (within 5%), 18% high at 10,000 (``sync_io``, 100 ms: 217
against 184). Views that hold none (async) or the workers (WSGI) read exactly. The growth
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
    answered = total - cancelled
    seconds = figures.makespan_ms / 1000
    return replace(
        figures,
        requests=total,
        ok=total - failed - cancelled,
        failed=failed,
        cancelled=cancelled,
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
    """Threads held at once under ASGI, a thread per request, for pieces: a piece's thread
    held from ``s`` to ``e`` stands for ``weight`` threads, one per request, each held
    through the waits they all share and its own part of the piece's Python (``d``), one
    request's after another's as the GIL lets them: the ``k``-th from ``s + k·d`` to
    ``e - (weight-1-k)·d``. Counting the piece's whole span ``weight`` times held every one
    of them through all the others' Python too."""
    n = max(1, round(weight))
    away = {trace.loop_thread, QUEUE_THREAD}
    spans: list[tuple[int, int, float]] = []  # (start, end, the piece's Python in it)
    for lane in trace.lanes:
        held = sorted(
            (seg.thread, seg.start_ns, seg.end_ns, seg.duration_ns * _OWN.get(seg.kind, 0.0))
            for seg in lane.segments
            if seg.kind not in NOT_HELD_BY_VIEW and seg.thread not in away
        )
        last = ""
        for thread, start, end, own in held:
            if spans and thread == last and start <= spans[-1][1]:
                s0, e0, own0 = spans[-1]
                spans[-1] = (s0, max(e0, end), own0 + own)
            else:
                spans.append((start, end, own))
            last = thread
    if not spans:
        return 0
    table = np.array(spans, np.float64)  # a row per span: start, end, Python
    k = np.arange(n, dtype=np.float64)
    d = table[:, 2:3] / n
    starts = (table[:, 0:1] + k * d).ravel()
    ends = (table[:, 1:2] - (n - 1 - k) * d).ravel()
    times = np.concatenate([starts, ends])
    deltas = np.concatenate([np.ones(len(starts)), -np.ones(len(ends))])
    order = np.lexsort((deltas, times))  # an end before a start at the same instant
    peak = int(np.cumsum(deltas[order]).max(initial=0))
    return min(cap, round(peak * weight / n))


#: How much of a piece's time of each kind is its requests' own, one after another: all
#: of the view's CPU; a quarter of its waits for the GIL (the rest, every piece's slices
#: being ``weight`` times a request's, its requests would have waited side by side). The
#: quarter is fitted to the request-by-request model at 2,000 and 5,000 requests
#: (``tests/simulator/test_model_scale.py``).
_OWN = {Kind.CPU: 1.0, Kind.GIL_WAIT: 0.25}
