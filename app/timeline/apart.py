"""A timeline's rows one at a time, for exports where each request lane must stay a unit."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import replace

from app.timeline.rows import DRAW_ORDER, TimelineRows
from simulator.trace import Trace

__all__ = ["rows_apart"]


def rows_apart(rows: TimelineRows) -> Iterator[TimelineRows]:
    """Row by row, a copy of ``rows`` that draws only that row (in its place)."""
    per_kind: list[dict[str, list[tuple[int, int, int]]]] = [{} for _ in range(len(rows))]
    tails: list[dict[str, list[tuple[int, int, int]]]] = [{} for _ in range(len(rows))]
    failed: list[list[tuple[int, int]]] = [[] for _ in range(len(rows))]
    for source, target in ((rows.per_kind, per_kind), (rows.tail_per_kind, tails)):
        for kind, items in source.items():
            for item in items:
                target[item[0]].setdefault(kind, []).append(item)
    for failed_row in rows.failed_rows:
        failed[failed_row[0]].append(failed_row)
    texts: list[list[tuple[int, int, int, str, str]]] = [[] for _ in range(len(rows))]
    for bar_text in rows.bar_texts:
        texts[bar_text[0]].append(bar_text)
    errors: list[list[tuple[int, int, str]]] = [[] for _ in range(len(rows))]
    for error in rows.error_texts:
        errors[error[0]].append(error)
    # The copies' trace: same start and end as the run (what a row's drawing may ask of
    # it), but one lane, so asking costs nothing.
    last = max(rows.trace.lanes, key=lambda lane: lane.end_ns, default=None)
    span_only = Trace(rows.trace.t0_ns, (last,) if last else (), rows.trace.loop_thread)
    for row in range(len(rows)):
        one = copy.copy(rows)
        one.trace = span_only
        one._per_kind = {kind: per_kind[row].get(kind, []) for kind in DRAW_ORDER}
        one._tail_per_kind = {kind: tails[row].get(kind, []) for kind in DRAW_ORDER}
        one.failed_rows = failed[row]
        one.bar_texts = texts[row]
        one.error_texts = errors[row]
        one._grouped = {}  # the copy's own cache: the shared one holds every row
        workers = rows._workers
        if workers is not None:
            # The thread view: its row's hairlines, and the run's segments under its texts.
            holds = workers.holds
            mine = holds[0] == row
            one._workers = replace(workers, holds=(holds[0][mine], holds[1][mine], holds[2][mine]))
            one._row_segments = [[] for _ in range(len(rows))]
            one._row_segments[row] = rows.segments_of(row)
        yield one
