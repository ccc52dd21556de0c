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

from simulator.files.atomic import write_chunks_atomically
from simulator.files.text_columns import concat, lookup, pick, rounded_texts
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


def run_to_rows(run: Run) -> Iterator[dict[str, str]]:
    """One dict per segment, keyed by :data:`CSV_COLUMNS`, in lane then time order: the
    file's rows as a CSV reader sees them (every value text).

    ``duration_ms`` is computed from nanoseconds, not from the rounded ``end_ms - start_ms``,
    so short segments keep their precision. ``on_loop`` is ``"true"``/``"false"`` as in JSON.
    """
    yield from csv.DictReader(io.StringIO("".join(_csv_chunks(run)), newline=""))


def _fields(values: list[object]) -> str:
    """``values`` as the csv module writes them inside a row (quoted where they must be),
    with the comma that follows them."""
    out = io.StringIO(newline="")
    csv.writer(out).writerow([*values, ""])  # a last empty field: never quoted
    return out.getvalue()[: -len(_LINE_END)]


_LINE_END = "\r\n"  # the csv module's own (its "excel" dialect)

#: Rows formatted together (a few megabytes of text).
_ROWS_AT_ONCE = 1 << 15


def _csv_chunks(run: Run) -> Iterator[str]:
    """The file's text, a batch of rows at a time, each row made a column at a time: a
    request's own fields once per request, a thread's name once per thread."""
    trace = run.trace
    cols = trace.columns
    t0 = trace.t0_ns
    yield _fields(list(CSV_COLUMNS))[:-1] + _LINE_END
    requests = [
        _fields(
            [
                lane.request_id,
                lane.view,
                lane.status,
                "" if lane.status_code is None else lane.status_code,
                lane.error or "",
            ]
        )
        for lane in trace.lanes
    ]
    kinds = [f"{kind}," for kind in KINDS]
    threads = [_fields([name]) for name in cols.threads]
    loop = cols.thread_code(trace.loop_thread)
    for first in range(0, len(cols), _ROWS_AT_ONCE):
        rows = slice(first, first + _ROWS_AT_ONCE)
        start, end = cols.start_ns[rows], cols.end_ns[rows]
        yield "".join(
            concat(
                lookup(requests, cols.lane[rows]),
                lookup(kinds, cols.kind[rows]),
                rounded_texts((start - t0) / 1e6, 4),
                ",",
                rounded_texts((end - t0) / 1e6, 4),
                ",",
                rounded_texts((end - start) / 1e6, 4),
                ",",
                lookup(threads, cols.thread[rows]),
                pick(cols.thread[rows] == loop, "true" + _LINE_END, "false" + _LINE_END),
            ).tolist()
        )


def write_csv(run: Run, path: str | Path) -> None:
    """Write :func:`run_to_rows` with a header line to ``path`` (UTF-8), all or nothing,
    a megabyte at a time."""
    with paused_collection():  # a full collection would walk the run's objects again
        write_chunks_atomically(path, _csv_chunks(run))
