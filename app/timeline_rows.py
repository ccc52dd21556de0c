"""A trace laid out as rows to paint: one per request, or one per thread and the loop.

:class:`TimelineRows` is computed once per trace and kept by whoever paints it (the window's
timeline, the slide), since zooming and panning only change which part is drawn.
"""

from __future__ import annotations

import bisect
import copy
from collections.abc import Iterator
from dataclasses import dataclass, field

from simulator.trace import HOLDS_THREAD, Lane, Segment, Trace

__all__ = ["DRAW_ORDER", "TimelineRows", "rows_apart", "thread_label"]

#: Later kinds are drawn over earlier ones where aggregated rows overlap.
DRAW_ORDER = ("queued", "cancelled", "io_wait", "thread_hop", "framework", "io_blocking", "cpu")


def thread_label(thread: str, loop_thread: str | None) -> str:
    """A thread's name as a class reads it."""
    if thread == loop_thread:
        return "event loop"
    if thread.startswith("ThreadPoolExecutor-"):
        pool, _, worker = thread.removeprefix("ThreadPoolExecutor-").partition("_")
        return f"thread {pool}" if worker in ("", "0") else f"thread {pool}.{worker}"
    return thread


@dataclass
class TimelineRows:
    """A trace laid out as rows: per request (``by="requests"``) or per thread (``"workers"``).

    ``per_kind[kind]`` holds ``(row, start_ns, end_ns)`` for every segment drawn in that
    kind's colour; the by-worker layout keeps only segments that hold their thread.
    ``tail_per_kind`` holds what Django did for a request after its answer was sent
    (``response.close()``): drawn thin, because the client no longer waits for it.
    """

    trace: Trace
    by: str = "requests"
    labels: list[str] = field(default_factory=list)
    per_kind: dict[str, list[tuple[int, int, int]]] = field(default_factory=dict)
    tail_per_kind: dict[str, list[tuple[int, int, int]]] = field(default_factory=dict)
    failed_rows: list[tuple[int, int]] = field(default_factory=list)  # (row, end_ns)
    row_segments: list[list[Segment]] = field(default_factory=list)
    row_lanes: list[Lane | None] = field(default_factory=list)
    _grouped: dict[tuple[int, bool], dict[str, list[tuple[int, int, int]]]] = field(
        default_factory=dict, repr=False
    )

    def __post_init__(self) -> None:
        self.per_kind = {kind: [] for kind in DRAW_ORDER}
        self.tail_per_kind = {kind: [] for kind in DRAW_ORDER}
        if self.by == "workers":
            self._by_worker()
        else:
            self._by_request()

    def _by_request(self) -> None:
        for row, lane in enumerate(self.trace.lanes):
            self.labels.append(f"#{lane.request_id + 1}")  # screens count from 1; files from 0
            self.row_segments.append(list(lane.segments))
            self.row_lanes.append(lane)
            answered = lane.done_ns
            for seg in lane.segments:
                if seg.end_ns <= answered:
                    self.per_kind[seg.kind].append((row, seg.start_ns, seg.end_ns))
                elif seg.start_ns >= answered:
                    self.tail_per_kind[seg.kind].append((row, seg.start_ns, seg.end_ns))
                else:
                    self.per_kind[seg.kind].append((row, seg.start_ns, answered))
                    self.tail_per_kind[seg.kind].append((row, answered, seg.end_ns))
            if lane.status == "error":
                self.failed_rows.append((row, answered))

    def _by_worker(self) -> None:
        threads = self.trace.threads()
        if self.trace.loop_thread in threads:  # the loop first: it is the star of the show
            threads.remove(self.trace.loop_thread)
            threads.insert(0, self.trace.loop_thread)
        index = {thread: row for row, thread in enumerate(threads)}
        self.labels = [thread_label(t, self.trace.loop_thread) for t in threads]
        self.row_segments = [[] for _ in threads]
        self.row_lanes = [None for _ in threads]
        for lane in self.trace.lanes:
            for seg in lane.segments:
                if seg.kind in HOLDS_THREAD and seg.thread in index:
                    row = index[seg.thread]
                    self.per_kind[seg.kind].append((row, seg.start_ns, seg.end_ns))
                    self.row_segments[row].append(seg)
        for segs in self.row_segments:
            segs.sort(key=lambda s: s.start_ns)

    def __len__(self) -> int:
        return len(self.labels)

    def grouped(self, group: int, tail: bool = False) -> dict[str, list[tuple[int, int, int]]]:
        """Segments with ``group`` rows sharing one pixel row: ``(pixel_row, start, end)``,
        overlapping ones of a kind merged. Computed once per group size and kept, since it
        does not depend on the time range shown: zooming and panning reuse it.
        """
        source = self.tail_per_kind if tail else self.per_kind
        if group <= 1:
            return source
        key = (group, tail)
        cached = self._grouped.get(key)
        if cached is not None:
            return cached
        # Gaps narrower than ~1/8000 of the run vanish: below a pixel even on a 4K screen
        # when the whole run is shown (zooming in shows fewer lanes per pixel anyway).
        slack = max(1, (self.trace.last_ns - self.trace.t0_ns) // 8000)
        if tail:
            # Several lanes to a pixel row: what follows the answers is one thing there,
            # Django still at work for those requests (its clean-up, and its waits for the
            # loop to do it), drawn as framework rather than as thousands of specks.
            source = {"framework": [item for items in source.values() for item in items]}
        merged: dict[str, list[tuple[int, int, int]]] = {}
        for kind, items in source.items():
            out: list[tuple[int, int, int]] = []
            for band, s, e in sorted((r // group, s, e) for r, s, e in items):
                if out and out[-1][0] == band and s <= out[-1][2] + slack:
                    if e > out[-1][2]:
                        out[-1] = (band, out[-1][1], e)
                else:
                    out.append((band, s, e))
            merged[kind] = out
        self._grouped[key] = merged
        return merged

    def segment_at(self, row: int, ns: int) -> Segment | None:
        """The segment drawn at ``ns`` in ``row``."""
        if not 0 <= row < len(self.row_segments):
            return None
        segs = self.row_segments[row]
        i = bisect.bisect_right([s.start_ns for s in segs], ns) - 1
        if i >= 0 and segs[i].end_ns >= ns:
            return segs[i]
        return None


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
    # The copies' trace: same start and end as the run (what a row's drawing may ask of
    # it), but one lane, so asking costs nothing.
    last = max(rows.trace.lanes, key=lambda lane: lane.end_ns, default=None)
    span_only = Trace(rows.trace.t0_ns, (last,) if last else (), rows.trace.loop_thread)
    for row in range(len(rows)):
        one = copy.copy(rows)
        one.trace = span_only
        one.per_kind = {kind: per_kind[row].get(kind, []) for kind in DRAW_ORDER}
        one.tail_per_kind = {kind: tails[row].get(kind, []) for kind in DRAW_ORDER}
        one.failed_rows = failed[row]
        one._grouped = {}  # the copy's own cache: the shared one holds every row
        yield one
