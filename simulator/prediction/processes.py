"""The model of real servers: ``K`` worker processes, each its own site, on ``cores`` cores.

Each process is the one-process model (:mod:`simulator.prediction.model`) with its own event
loop, its own threads and its own GIL: uvicorn's a loop (ASGI), gunicorn sync's one worker
thread, gunicorn gthread's ``threads`` worker threads. The requests are dealt round-robin, as
a kernel that spreads a burst evenly would (optimistic: ``uvicorn --workers 2`` often lets
one process accept nearly the whole burst, which the measured lanes show and this does
not). The processes share the machine's cores: with more processes computing than
``cores``, CPU work runs ``K / cores`` times slower.
"""

from __future__ import annotations

from dataclasses import replace

from simulator.prediction.costs import Costs
from simulator.prediction.flows import simulate
from simulator.scenario import Scenario
from simulator.trace import Lane, Segment, Trace

__all__ = ["predict_processes"]


def _one_process(scenario: Scenario, requests: int) -> Scenario:
    """The in-process scenario one worker process of ``scenario`` amounts to."""
    if scenario.mode == "uvicorn":
        mode, workers = "asgi", 1
    else:
        mode = "wsgi"
        workers = scenario.threads if scenario.worker_class == "gthread" else 1
    return scenario.replace(
        mode=mode,
        workers=workers,
        requests=requests,
        arrival_ms=scenario.arrival_ms * scenario.workers,
        # The client's limit on requests in flight, shared out as its requests are.
        concurrency=-(-scenario.concurrency // scenario.workers),
    )


def predict_processes(
    scenario: Scenario, costs: Costs, cores: int, pieces: int | None = None
) -> Trace:
    """The predicted trace of a real-server scenario (``uvicorn``/``gunicorn``); with
    ``pieces``, that many modelled requests in all stand for its requests
    (:mod:`simulator.prediction.scale`)."""
    if cores < 1:
        raise ValueError(f"cores must be 1 or more, not {cores}")
    processes = min(scenario.workers, scenario.requests)
    # The views' CPU, shared out over the cores (no cap: 4 processes on 2 cores each take
    # twice the CPU's time, however long it is).
    shared = replace(costs, cpu_scale=costs.cpu_scale * max(1.0, processes / cores))
    spacing = round(scenario.arrival_ms * 1e6)
    lanes: list[Lane] = []
    blocked: list[tuple[int, int]] = []
    for p in range(processes):
        ids = list(range(p, scenario.requests, scenario.workers))
        each = None if pieces is None else max(1, pieces // processes)
        trace = simulate(_one_process(scenario, len(ids)), shared, pieces=each)
        ids = ids[: len(trace.lanes)]
        offset = p * spacing
        name = f"process {p + 1} · "
        for rid, lane in zip(ids, trace.lanes, strict=True):
            lanes.append(
                replace(
                    lane,
                    request_id=rid,
                    sent_ns=lane.sent_ns + offset,
                    done_ns=lane.done_ns + offset,
                    segments=tuple(
                        Segment(
                            s.kind,
                            s.start_ns + offset,
                            s.end_ns + offset,
                            s.thread if s.thread == "queue" else name + s.thread,
                        )
                        for s in lane.segments
                    ),
                    threads_seen=tuple((name + t, ns + offset) for t, ns in lane.threads_seen),
                )
            )
        blocked += [(s + offset, e + offset) for s, e in trace.loop_blocked]
    lanes.sort(key=lambda lane: lane.request_id)
    return Trace(t0_ns=0, lanes=tuple(lanes), loop_blocked=tuple(sorted(blocked)))
