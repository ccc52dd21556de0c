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
``benchmarks/predict_scale.py``): from 2,000 to 10,000 requests makespan, p50 and the loop
blocked agree within 1%; so does ``framework_ms_per_request`` under ASGI (within 3%).
Where it falls short: under WSGI ``framework_ms_per_request`` (5,000 × ``sync_io`` on 8
workers: 2.8 ms against 3.8), as a worker's waits for the GIL come in pieces' sizes; and
``threads_held_peak`` of views that hold a thread per request under ASGI, a count that moves
in steps of ``weight`` and whose pieces hold their thread through ``weight`` requests' CPU:
within 5% at 2,000 and 5,000, 9% high at 10,000 (190 against 174), and far off above
(50,000 × ``sync_io``: 150 against 63). Views that hold none (async) or the workers (WSGI)
read exactly.
"""

from __future__ import annotations

from dataclasses import replace

from simulator.metrics.summary import Summary, summarize
from simulator.prediction.costs import Costs
from simulator.prediction.flows import simulate
from simulator.prediction.processes import predict_processes
from simulator.scenario import Scenario
from simulator.trace import Kind, Trace

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
        threads_held_peak=more(figures.threads_held_peak, threads),
        db_connections_peak=more(figures.db_connections_peak, threads),
        framework_ms_per_request=_framework_ms_per_request(trace, total),
    )


def _framework_ms_per_request(trace: Trace, requests: int) -> float:
    """Django's time per request, as :func:`~simulator.metrics.summary.summarize` counts it
    (overlaps on a thread once), for pieces: a thread all requests share (the loop, a WSGI
    worker) ran it for all ``requests``; a request's own thread (ASGI's ``thread-N``)
    stands for one request's, its waits one request's waits."""
    by_thread: dict[str, list[tuple[int, int]]] = {}
    for lane in trace.lanes:
        for seg in lane.segments:
            if seg.kind is Kind.FRAMEWORK:
                by_thread.setdefault(seg.thread, []).append((seg.start_ns, seg.end_ns))
    shared = own = 0
    for thread, spans in by_thread.items():
        busy, end = 0, 0
        for start, stop in sorted(spans):
            busy += max(0, stop - max(start, end))
            end = max(end, stop)
        if thread.rpartition(" · ")[2].startswith("thread-"):
            own += busy
        else:
            shared += busy
    return (shared / requests + own / len(trace.lanes)) / 1e6
