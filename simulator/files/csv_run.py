"""The run as CSV, one row per segment, for a spreadsheet or pandas.

One flat table is what a student can sort, filter and chart without knowing our JSON schema;
the per-request fields are repeated on each of the request's rows so every row stands alone.
Times are in ms from the first send, as in :mod:`simulator.files.json_run`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from simulator.files.atomic import write_chunks_atomically
from simulator.trace import KINDS, Run
from simulator.trace.collector import paused_collection

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


def run_to_rows(run: Run) -> Iterator[dict[str, object]]:
    """One dict per segment, keyed by :data:`CSV_COLUMNS`, in lane then time order.

    ``duration_ms`` is computed from nanoseconds, not from the rounded ``end_ms - start_ms``,
    so short segments keep their precision. ``on_loop`` is ``"true"``/``"false"`` as in JSON.
    """
    for lane_rows in _lane_rows(run):
        for row in lane_rows:
            yield dict(zip(CSV_COLUMNS, row, strict=True))


def _lane_rows(run: Run) -> Iterator[list[tuple[object, ...]]]:
    """Each lane's rows, read from the trace's columns (whole columns converted once)."""
    trace = run.trace
    cols = trace.columns
    t0 = trace.t0_ns
    kinds = [str(kind) for kind in KINDS]
    kind = [kinds[code] for code in cols.kind.tolist()]
    thread = [cols.threads[code] for code in cols.thread.tolist()]
    loop = cols.thread_code(trace.loop_thread)
    on_loop = np.where(cols.thread == loop, "true", "false").tolist() if loop >= 0 else None
    start = np.round((cols.start_ns - t0) / 1e6, 4).tolist()
    end = np.round((cols.end_ns - t0) / 1e6, 4).tolist()
    duration = np.round((cols.end_ns - cols.start_ns) / 1e6, 4).tolist()
    offsets = cols.offsets.tolist()
    for index, lane in enumerate(trace.lanes):
        fields = (
            lane.request_id,
            lane.view,
            lane.status,
            "" if lane.status_code is None else lane.status_code,
            lane.error or "",
        )
        yield [
            (
                *fields,
                kind[i],
                start[i],
                end[i],
                duration[i],
                thread[i],
                on_loop[i] if on_loop is not None else "false",
            )
            for i in range(offsets[index], offsets[index + 1])
        ]


def _csv_chunks(run: Run) -> Iterator[str]:
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for rows in _lane_rows(run):
        writer.writerows(rows)
        if out.tell() > 1 << 20:  # a megabyte at a time
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


def write_csv(run: Run, path: str | Path) -> None:
    """Write :func:`run_to_rows` with a header line to ``path`` (UTF-8), all or nothing,
    a megabyte at a time."""
    with paused_collection():  # a full collection would walk the run's objects again
        write_chunks_atomically(path, _csv_chunks(run))
