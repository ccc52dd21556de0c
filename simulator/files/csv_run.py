"""The run as CSV, one row per segment, for a spreadsheet or pandas.

One flat table is what a student can sort, filter and chart without knowing our JSON schema;
the per-request fields are repeated on each of the request's rows so every row stands alone.
Times are in ms from the first send, as in :mod:`simulator.files.json_run`.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from simulator.files.atomic import write_text_atomically
from simulator.trace import Run

__all__ = ["CSV_COLUMNS", "run_to_rows", "write_csv"]

CSV_COLUMNS = (
    "request_id",
    "view",
    "status",
    "status_code",
    "error",
    "kind",
    "start_ms",
    "end_ms",
    "duration_ms",
    "thread",
    "on_loop",
)


def _ms(ns: int) -> float:
    return round(ns / 1e6, 4)


def run_to_rows(run: Run) -> list[dict[str, object]]:
    """One dict per segment, keyed by :data:`CSV_COLUMNS`, in lane then time order.

    ``duration_ms`` is computed from nanoseconds, not from the rounded ``end_ms - start_ms``,
    so short segments keep their precision. ``on_loop`` is ``"true"``/``"false"`` as in JSON.
    """
    trace = run.trace
    t0 = trace.t0_ns
    rows: list[dict[str, object]] = []
    for lane in trace.lanes:
        for seg in lane.segments:
            rows.append(
                {
                    "request_id": lane.request_id,
                    "view": lane.view,
                    "status": lane.status,
                    "status_code": "" if lane.status_code is None else lane.status_code,
                    "error": lane.error or "",
                    "kind": seg.kind,
                    "start_ms": _ms(seg.start_ns - t0),
                    "end_ms": _ms(seg.end_ns - t0),
                    "duration_ms": _ms(seg.duration_ns),
                    "thread": seg.thread,
                    "on_loop": "true"
                    if trace.loop_thread is not None and seg.thread == trace.loop_thread
                    else "false",
                }
            )
    return rows


def write_csv(run: Run, path: str | Path) -> None:
    """Write :func:`run_to_rows` with a header line to ``path`` (UTF-8), all or nothing."""
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    writer.writerows(run_to_rows(run))
    write_text_atomically(path, out.getvalue())
