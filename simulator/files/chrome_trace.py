"""The run as a Chrome Trace Event file, for Perfetto (ui.perfetto.dev) or chrome://tracing.

Those viewers zoom, search and measure across thousands of lanes better than any picture we
could export, and students may already know them from browser profiling. The mapping:

- one *process* (``pid``) per run, named by its scenario, so an A/B comparison shows two
  processes one above the other (pids 1 and 2);
- one *thread* (``tid``) per request, named ``request <id>``, holding one complete (``X``)
  event per segment: name and category are the segment kind, ``args`` carry the thread the
  segment ran on, whether that was the event loop, and the request's error;
- a counter (``C``) named ``in flight``: how many requests were in flight over time;
- one more thread, ``event loop blocked``, with an ``X`` event per period the loop monitor saw.

Timestamps are microseconds from the run's first send (``ts`` of 0), as the format asks.
Process-wide events (process metadata, the counter) use ``tid`` 0, as Chrome's own traces do;
request threads start at 1 so none of them shares it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from simulator.files.atomic import write_text_atomically
from simulator.metrics.summary import in_flight_steps
from simulator.trace import Run

__all__ = [
    "LOOP_BLOCKED_THREAD",
    "run_to_chrome_trace",
    "runs_to_chrome_trace",
    "write_chrome_trace",
]

#: Name of the extra thread that shows the loop monitor's blocked periods.
LOOP_BLOCKED_THREAD = "event loop blocked"

_PROCESS_TID = 0


def _us(ns: int, t0_ns: int) -> float:
    """Microseconds from ``t0_ns``, never negative (viewers drop or misplace negative times)."""
    return round(max(0, ns - t0_ns) / 1e3, 3)


def _metadata(name: str, pid: int, tid: int, args: dict[str, Any]) -> dict[str, Any]:
    return {"ph": "M", "name": name, "pid": pid, "tid": tid, "ts": 0, "args": args}


def run_to_chrome_trace(run: Run, *, pid: int = 1, name: str | None = None) -> dict[str, Any]:
    """One run as a Chrome trace: ``{"traceEvents": [...], "displayTimeUnit": "ms"}``.

    Parameters
    ----------
    run
        The measured run.
    pid
        The process id its events get; give each run of a comparison its own.
    name
        The process name shown in the viewer; the scenario's label by default.
    """
    trace = run.trace
    t0 = trace.t0_ns
    if name is None:
        name = run.scenario.label + ("  (stopped)" if run.stopped else "")
    events: list[dict[str, Any]] = [
        _metadata("process_name", pid, _PROCESS_TID, {"name": name}),
        _metadata("process_sort_index", pid, _PROCESS_TID, {"sort_index": pid}),
    ]
    loop_tid = len(trace.lanes) + 1
    if trace.loop_thread is not None or trace.loop_blocked:
        events.append(_metadata("thread_name", pid, loop_tid, {"name": LOOP_BLOCKED_THREAD}))
        # Above the requests: that is where a reader looks for "why did they all stall?".
        events.append(_metadata("thread_sort_index", pid, loop_tid, {"sort_index": -1}))
    for index, lane in enumerate(trace.lanes):
        tid = index + 1
        events.append(_metadata("thread_name", pid, tid, {"name": f"request {lane.request_id}"}))
        events.append(_metadata("thread_sort_index", pid, tid, {"sort_index": index}))
        for seg in lane.segments:
            start = _us(seg.start_ns, t0)
            events.append(
                {
                    "ph": "X",
                    "name": seg.kind,
                    "cat": seg.kind,
                    "pid": pid,
                    "tid": tid,
                    "ts": start,
                    "dur": max(0.0, round(_us(seg.end_ns, t0) - start, 3)),
                    "args": {
                        "thread": seg.thread,
                        "on_loop": seg.thread == trace.loop_thread,
                        "error": lane.error,
                        "status": lane.status,
                        "status_code": lane.status_code,
                        "view": lane.view,
                    },
                }
            )
    steps = in_flight_steps(trace)
    if steps and steps[0][0] > t0:
        steps.insert(0, (t0, 0))  # zero from the run's start, so the graph has a baseline
    for ns, level in steps:
        events.append(
            {
                "ph": "C",
                "name": "in flight",
                "pid": pid,
                "tid": _PROCESS_TID,
                "ts": _us(ns, t0),
                "args": {"requests": level},
            }
        )
    for start_ns, end_ns in trace.loop_blocked:
        start = _us(start_ns, t0)
        events.append(
            {
                "ph": "X",
                "name": "loop blocked",
                "cat": "loop_blocked",
                "pid": pid,
                "tid": loop_tid,
                "ts": start,
                "dur": max(0.0, round(_us(end_ns, t0) - start, 3)),
                "args": {"ms": round(max(0, end_ns - start_ns) / 1e6, 3)},
            }
        )
    return {"traceEvents": events, "displayTimeUnit": "ms"}


def runs_to_chrome_trace(runs: Iterable[Run]) -> dict[str, Any]:
    """Several runs in one trace, pids 1, 2, ...; with more than one, names start ``A:``, ``B:``."""
    runs = list(runs)
    events: list[dict[str, Any]] = []
    for index, run in enumerate(runs):
        name = None
        if len(runs) > 1:
            letter = chr(ord("A") + index) if index < 26 else str(index + 1)
            name = f"{letter}: {run.scenario.label}" + ("  (stopped)" if run.stopped else "")
        events += run_to_chrome_trace(run, pid=index + 1, name=name)["traceEvents"]
    return {"traceEvents": events, "displayTimeUnit": "ms"}


def write_chrome_trace(runs_or_run: Run | Iterable[Run], path: str | Path) -> None:
    """Write one run, or the runs of a comparison (A is pid 1, B pid 2), as a trace file."""
    runs = [runs_or_run] if isinstance(runs_or_run, Run) else list(runs_or_run)
    write_text_atomically(path, json.dumps(runs_to_chrome_trace(runs)) + "\n")
