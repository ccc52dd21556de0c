"""The whole run as JSON; the schema is documented in docs/run-schema.md."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from simulator.files.atomic import write_text_atomically
from simulator.trace import Run

__all__ = ["SCHEMA_VERSION", "run_to_dict", "write_json"]

SCHEMA_VERSION = 1


def _ms(ns: int, t0_ns: int) -> float:
    return round((ns - t0_ns) / 1e6, 4)


def run_to_dict(run: Run) -> dict[str, Any]:
    """The run as plain data; every time is in ms from the first request's send."""
    trace = run.trace
    t0 = trace.t0_ns
    summary = run.summary.to_dict()
    return {
        "schema": SCHEMA_VERSION,
        "scenario": run.scenario.to_dict(),
        "stopped": run.stopped,
        "summary": {
            key: summary[key]
            for key in (
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
                "server_span_ms",
                "client_cpu_ms",
            )
        },
        "loop_thread": trace.loop_thread,
        "requests": [
            {
                "id": lane.request_id,
                "view": lane.view,
                "status": lane.status,
                "status_code": lane.status_code,
                "error": lane.error,
                "sent_ms": _ms(lane.sent_ns, t0),
                "done_ms": _ms(lane.done_ns, t0),
                "segments": [
                    {
                        "kind": seg.kind,
                        "start_ms": _ms(seg.start_ns, t0),
                        "end_ms": _ms(seg.end_ns, t0),
                        "thread": seg.thread,
                        "on_loop": seg.thread == trace.loop_thread,
                        # A site's own Server-Timing metric says which it is; no other has.
                        **({"name": seg.name} if seg.name is not None else {}),
                    }
                    for seg in lane.segments
                ],
            }
            for lane in trace.lanes
        ],
        "loop_blocked": [
            {"start_ms": _ms(start, t0), "end_ms": _ms(end, t0)}
            for start, end in trace.loop_blocked
        ],
        "worker_pids": list(trace.worker_pids),
    }


def write_json(run: Run, path: str | Path) -> None:
    write_text_atomically(path, json.dumps(run_to_dict(run), indent=1) + "\n")
