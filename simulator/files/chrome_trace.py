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
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from simulator.files.atomic import write_chunks_atomically
from simulator.files.text_columns import concat, lookup, pick, rounded_texts
from simulator.metrics.summary import in_flight_steps
from simulator.trace import KINDS, Run
from simulator.trace.collector import paused_collection

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
    events = json.loads("[" + ",".join(_event_texts(run, pid, name)) + "]")
    return {"traceEvents": events, "displayTimeUnit": "ms"}


def _dumps(data: Any) -> str:
    return json.dumps(data, separators=(",", ":"))


def _event_texts(run: Run, pid: int, name: str | None) -> Iterator[str]:
    """The run's events as JSON text, a request at a time (its segments made a column at a
    time, :mod:`.text_columns`), read from the trace's columns; none is empty."""
    trace = run.trace
    t0 = trace.t0_ns
    if name is None:
        name = run.scenario.label + ("  (stopped)" if run.stopped else "")
    head: list[dict[str, Any]] = [
        _metadata("process_name", pid, _PROCESS_TID, {"name": name}),
        _metadata("process_sort_index", pid, _PROCESS_TID, {"sort_index": pid}),
    ]
    loop_tid = len(trace.lanes) + 1
    if trace.loop_thread is not None or trace.loop_blocked:
        head.append(_metadata("thread_name", pid, loop_tid, {"name": LOOP_BLOCKED_THREAD}))
        # Above the requests: that is where a reader looks for "why did they all stall?".
        head.append(_metadata("thread_sort_index", pid, loop_tid, {"sort_index": -1}))
    yield _dumps(head)[1:-1]
    cols = trace.columns
    # What a request's segments share: their thread (tid) and the request's own fields.
    shared = [f'"pid":{pid},"tid":{index + 1},' for index in range(len(trace.lanes))]
    request_args = [
        f',"error":{_dumps(lane.error)},"status":{_dumps(lane.status)},'
        f'"status_code":{_dumps(lane.status_code)},"view":{_dumps(lane.view)}}}}}'
        for lane in trace.lanes
    ]
    kinds = [f'"name":{_dumps(str(kind))},"cat":{_dumps(str(kind))},' for kind in KINDS]
    threads = [_dumps(thread) for thread in cols.threads]
    loop = cols.thread_code(trace.loop_thread)
    start_us = np.round(np.maximum(0, cols.start_ns - t0) / 1e3, 3)
    end_us = np.round(np.maximum(0, cols.end_ns - t0) / 1e3, 3)
    offsets = cols.offsets.tolist()
    for first in range(0, len(trace.lanes), _LANES_AT_ONCE):
        last = min(first + _LANES_AT_ONCE, len(trace.lanes))
        rows = slice(offsets[first], offsets[last])
        lanes = cols.lane[rows]
        segments = concat(
            '{"ph":"X",',
            lookup(kinds, cols.kind[rows]),
            lookup(shared, lanes),
            '"ts":',
            rounded_texts(start_us[rows], 3),
            ',"dur":',
            rounded_texts(np.maximum(0.0, end_us[rows] - start_us[rows]), 3),
            ',"args":{"thread":',
            lookup(threads, cols.thread[rows]),
            pick(cols.thread[rows] == loop, ',"on_loop":true', ',"on_loop":false'),
            lookup(request_args, lanes),
        ).tolist()
        base = offsets[first]
        for index in range(first, last):
            lane = trace.lanes[index]
            tid = index + 1
            meta = _dumps(
                [
                    _metadata("thread_name", pid, tid, {"name": f"request {lane.request_id}"}),
                    _metadata("thread_sort_index", pid, tid, {"sort_index": index}),
                ]
            )[1:-1]
            own = segments[offsets[index] - base : offsets[index + 1] - base]
            yield ",".join([meta, *own])
    steps = in_flight_steps(trace)
    if steps and steps[0][0] > t0:
        steps.insert(0, (t0, 0))  # zero from the run's start, so the graph has a baseline
    tail = [
        {
            "ph": "C",
            "name": "in flight",
            "pid": pid,
            "tid": _PROCESS_TID,
            "ts": _us(ns, t0),
            "args": {"requests": level},
        }
        for ns, level in steps
    ]
    for start_ns, end_ns in trace.loop_blocked:
        begin = _us(start_ns, t0)
        tail.append(
            {
                "ph": "X",
                "name": "loop blocked",
                "cat": "loop_blocked",
                "pid": pid,
                "tid": loop_tid,
                "ts": begin,
                "dur": max(0.0, round(_us(end_ns, t0) - begin, 3)),
                "args": {"ms": round(max(0, end_ns - start_ns) / 1e6, 3)},
            }
        )
    if tail:
        yield _dumps(tail)[1:-1]


#: Lanes whose segments are formatted together (a few megabytes of text at most).
_LANES_AT_ONCE = 256


def _names(runs: list[Run]) -> list[str | None]:
    """With more than one run, names start ``A:``, ``B:``; one run keeps its label."""
    if len(runs) < 2:
        return [None] * len(runs)
    names: list[str | None] = []
    for index, run in enumerate(runs):
        letter = chr(ord("A") + index) if index < 26 else str(index + 1)
        names.append(f"{letter}: {run.scenario.label}" + ("  (stopped)" if run.stopped else ""))
    return names


def runs_to_chrome_trace(runs: Iterable[Run]) -> dict[str, Any]:
    """Several runs in one trace, pids 1, 2, ...; with more than one, names start ``A:``, ``B:``."""
    runs = list(runs)
    events: list[dict[str, Any]] = []
    for index, (run, name) in enumerate(zip(runs, _names(runs), strict=True)):
        events += run_to_chrome_trace(run, pid=index + 1, name=name)["traceEvents"]
    return {"traceEvents": events, "displayTimeUnit": "ms"}


def _chunks(runs: list[Run]) -> Iterator[str]:
    yield '{"traceEvents":['
    first = True
    for index, (run, name) in enumerate(zip(runs, _names(runs), strict=True)):
        for text in _event_texts(run, index + 1, name):
            yield ("" if first else ",") + text
            first = False
    yield '],"displayTimeUnit":"ms"}\n'


def write_chrome_trace(runs_or_run: Run | Iterable[Run], path: str | Path) -> None:
    """Write one run, or the runs of a comparison (A is pid 1, B pid 2), as a trace file,
    streamed a request at a time."""
    runs = [runs_or_run] if isinstance(runs_or_run, Run) else list(runs_or_run)
    with paused_collection():  # a full collection would walk the runs' objects again
        write_chunks_atomically(path, _chunks(runs))
