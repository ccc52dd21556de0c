"""The whole run as JSON; the schema is documented in docs/run-schema.md.

The file is compact (no indentation, times to 0.01 ms) and written a request at a time from
the trace's columns, so a 10,000-request run is saved in a second or two without ever
holding the whole text, or a dict per segment, in memory. Loop steps too short to see are
folded into the wait around them (:mod:`simulator.files.folding`), with the folded time
recorded per request.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from simulator.files.atomic import write_chunks_atomically
from simulator.files.folding import fold_short_steps
from simulator.trace import KINDS, Run

__all__ = ["SCHEMA_VERSION", "dumps", "run_to_dict", "write_json"]

SCHEMA_VERSION = 1

#: The summary's keys the file carries, in its order.
_SUMMARY_KEYS = (
    "makespan_ms",
    "throughput_rps",
    "latency_ms",
    "peak_in_flight",
    "threads_used",
    "threads_held_peak",
    "db_connections_peak",
    "loop_blocked_ms",
    "framework_ms_per_request",
    "requests",
    "ok",
    "failed",
    "cancelled",
)


def dumps(data: Any) -> str:
    """Compact JSON, as every run file is written (json's C encoder: no indentation)."""
    return json.dumps(data, separators=(",", ":"))


def _ms(ns: int, t0_ns: int) -> float:
    return round((ns - t0_ns) / 1e6, 2)


def _head(run: Run) -> dict[str, Any]:
    summary = run.summary.to_dict()
    return {
        "schema": SCHEMA_VERSION,
        "scenario": run.scenario.to_dict(),
        "stopped": run.stopped,
        "summary": {key: summary[key] for key in _SUMMARY_KEYS},
        "loop_thread": run.trace.loop_thread,
    }


def _tail(run: Run) -> dict[str, Any]:
    trace = run.trace
    t0 = trace.t0_ns
    return {
        "loop_blocked": [
            {"start_ms": _ms(start, t0), "end_ms": _ms(end, t0)}
            for start, end in trace.loop_blocked
        ],
        "worker_pids": list(trace.worker_pids),
    }


def _requests(run: Run) -> Iterator[dict[str, Any]]:
    """Each request as the file holds it, one at a time, from the trace's columns."""
    trace = run.trace
    t0 = trace.t0_ns
    cols = trace.columns
    folded = fold_short_steps(cols, trace.loop_thread)
    rows = folded.rows
    # Whole columns converted once (numpy), then sliced per request.
    kinds = [str(kind) for kind in KINDS]
    kind = [kinds[code] for code in cols.kind[rows].tolist()]
    threads = cols.threads
    thread = [threads[code] for code in cols.thread[rows].tolist()]
    loop = cols.thread_code(trace.loop_thread)
    on_loop = (cols.thread[rows] == loop).tolist() if loop >= 0 else [False] * len(rows)
    start = np.round((cols.start_ns[rows] - t0) / 1e6, 2).tolist()
    end = np.round((folded.end_ns - t0) / 1e6, 2).tolist()
    folded_ms = np.round(folded.folded_ns / 1e6, 2).tolist()
    offsets = folded.offsets.tolist()
    for index, lane in enumerate(trace.lanes):
        yield {
            "id": lane.request_id,
            "view": lane.view,
            "status": lane.status,
            "status_code": lane.status_code,
            "error": lane.error,
            "sent_ms": _ms(lane.sent_ns, t0),
            "done_ms": _ms(lane.done_ns, t0),
            "folded_framework_ms": folded_ms[index],
            "segments": [
                {
                    "kind": kind[i],
                    "start_ms": start[i],
                    "end_ms": end[i],
                    "thread": thread[i],
                    "on_loop": on_loop[i],
                }
                for i in range(offsets[index], offsets[index + 1])
            ],
        }


def run_to_dict(run: Run) -> dict[str, Any]:
    """The run as plain data; every time is in ms from the first request's send."""
    return {**_head(run), "requests": list(_requests(run)), **_tail(run)}


def run_json_chunks(run: Run) -> Iterator[str]:
    """:func:`run_to_dict`'s JSON, a request at a time (the same text ``dumps`` would give)."""
    yield dumps(_head(run))[:-1] + ',"requests":['
    for index, request in enumerate(_requests(run)):
        yield ("," if index else "") + dumps(request)
    yield "]," + dumps(_tail(run))[1:] + "\n"


def write_json(run: Run, path: str | Path) -> None:
    """Write the run file to ``path``, all or nothing, streamed a request at a time."""
    write_chunks_atomically(path, run_json_chunks(run))
