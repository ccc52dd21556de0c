"""What the rows of a timeline draw, as numpy columns: the painter's input.

:class:`RowSpans` holds one entry per bar: its row, its kind's code (a place in
:data:`~simulator.trace.kinds.KINDS`, as the trace's columns), start, end, and whether it is a
thin after-answer tail. The pixel painter (:mod:`app.timeline.raster`) reads nothing else, so
10,000 lanes cost a few array operations, not a Python object per segment.

The by-request layout's rule (a lane is drawn up to its answer; what held a thread or the loop
after it is a tail) is :func:`request_spans`, written once: :class:`~app.timeline.rows.
TimelineRows` takes its lists from it, and a live run's lanes are split lane by lane with it
(:func:`lanes_spans`), each settled lane once (:mod:`app.timeline.live_spans`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from simulator.trace import HOLDS_THREAD, KINDS, Kind, Lane, Segment, Trace
from simulator.trace.columns import (
    END_OF,
    KIND_CODE,
    KIND_OF,
    START_OF,
    SegmentColumns,
    answered_ns,
)

__all__ = [
    "TAIL_KIND",
    "KindLists",
    "RowSpans",
    "answered_ns",
    "columns_spans",
    "drawn_parts",
    "longest_tail_ns",
    "kind_lists",
    "lanes_spans",
    "request_kinds",
    "request_spans",
    "shown_segments",
    "spans_of_lists",
    "split_at_answers",
]

Int64s = npt.NDArray[np.int64]
#: ``(row, start_ns, end_ns)`` per kind: what the exact painter draws.
KindLists = dict[str, list[tuple[int, int, int]]]

#: The codes of the kinds that hold a thread or the loop (the only ones a tail keeps).
_HOLDS = np.zeros(256, np.bool_)  # (by code: a look-up, not a search, per segment)
_HOLDS[[KIND_CODE[kind] for kind in HOLDS_THREAD]] = True

#: The one colour every tail is drawn in, as the key's "thin, faint: Django's clean-up"
#: swatch: a tail's own kinds drawn faint (its Python, its waits for the GIL or a core) match
#: that swatch for one kind only, and some match another kind's full colour (lesson 24's
#: faint GIL waits read as "client and network" on the side with no client). The pointer
#: still names the segment's own kind (:func:`shown_segments` reads the lane).
TAIL_KIND = Kind.FRAMEWORK


@dataclass(frozen=True, slots=True)
class RowSpans:
    """Bars to draw: ``row``, ``kind`` (a code of :data:`KIND_CODE`), ``start``/``end`` (ns),
    ``tail`` (drawn thin and faint), and ``index``: the segment's place in its lane (the
    by-request layout finds the segment under the pointer with it; -1 elsewhere)."""

    row: npt.NDArray[np.int32]
    kind: npt.NDArray[np.uint8]
    start: Int64s
    end: Int64s
    tail: npt.NDArray[np.bool_]
    index: npt.NDArray[np.int32]

    def __len__(self) -> int:
        return len(self.start)

    def take(self, at: npt.NDArray[np.intp]) -> RowSpans:
        """The bars at ``at``."""
        return RowSpans(
            self.row[at], self.kind[at], self.start[at], self.end[at], self.tail[at], self.index[at]
        )

    @classmethod
    def empty(cls) -> RowSpans:
        return cls.concat([])

    @classmethod
    def concat(cls, parts: Sequence[RowSpans]) -> RowSpans:
        """All of ``parts`` as one (in order)."""
        if len(parts) == 1:
            return parts[0]
        fields = ("row", "kind", "start", "end", "tail", "index")
        types = (np.int32, np.uint8, np.int64, np.int64, np.bool_, np.int32)
        return cls(
            *(
                np.concatenate([getattr(p, name) for p in parts]).astype(kind, copy=False)
                if parts
                else np.zeros(0, kind)
                for name, kind in zip(fields, types, strict=True)
            )
        )


def drawn_parts(
    kind: npt.NDArray[np.uint8], start: Int64s, end: Int64s, answered: Int64s
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """Which segments are drawn before their lane's answer (``answered`` per segment), and
    which after it as a tail: the rule of both layouts."""
    return start < answered, (end > answered) & _HOLDS[kind]


def request_kinds(trace: Trace) -> frozenset[str]:
    """The kinds :func:`request_spans` draws for ``trace``: each segment's own before its
    lane's answer, and :data:`TAIL_KIND` if some lane has a tail (:func:`_drawn`)."""
    return trace.kept(_DRAWN, _drawn)[0]


def longest_tail_ns(trace: Trace) -> int:
    """The longest tail :func:`request_spans` draws for ``trace`` (0: none): how long Django
    held a thread or the loop for a request after its answer, at most (a legend must say
    what the thin faint bars are, if some can be seen)."""
    return trace.kept(_DRAWN, _drawn)[1]


_DRAWN = "spans.drawn"


def _drawn(trace: Trace) -> tuple[frozenset[str], int]:
    """What :func:`request_spans` draws of ``trace`` (the kinds, the longest tail), read
    from its columns, no spans built, and kept with it: the window's key asks several
    times a second (16 ms for 1.5 million segments)."""
    cols = trace.columns
    answered = trace.lane_columns.answer_ns()[cols.lane]
    main, tail = drawn_parts(cols.kind, cols.start_ns, cols.end_ns, answered)
    codes = np.flatnonzero(np.bincount(cols.kind[main], minlength=len(KINDS))).tolist()
    kinds = {KINDS[code] for code in codes}
    if not tail.any():
        return frozenset(kinds), 0
    lengths = cols.end_ns[tail] - np.maximum(cols.start_ns[tail], answered[tail])
    return frozenset(kinds | {TAIL_KIND}), int(lengths.max())


def split_at_answers(
    row: npt.NDArray[np.int32],
    kind: npt.NDArray[np.uint8],
    start: Int64s,
    end: Int64s,
    index: npt.NDArray[np.int32],
    answered: Int64s,
) -> RowSpans:
    """The rule: each segment up to its lane's answer (``answered`` per segment), and after
    it, if it held a thread or the loop, a tail (of :data:`TAIL_KIND`)."""
    main, tail = drawn_parts(kind, start, end, answered)
    tails = int(tail.sum())
    return RowSpans(
        row=np.concatenate([row[main], row[tail]]),
        kind=np.concatenate([kind[main], np.full(tails, KIND_CODE[TAIL_KIND], np.uint8)]),
        start=np.concatenate([start[main], np.maximum(start[tail], answered[tail])]),
        end=np.concatenate([np.minimum(end[main], answered[main]), end[tail]]),
        tail=np.concatenate([np.zeros(int(main.sum()), np.bool_), np.ones(tails, np.bool_)]),
        index=np.concatenate([index[main], index[tail]]),
    )


def request_spans(trace: Trace) -> RowSpans:
    """The by-request layout of ``trace`` (row ``i``: lane ``i``), from its columns."""
    cols = trace.columns
    answered = trace.lane_columns.answer_ns()  # (each lane's answered_ns, as _drawn reads it)
    lane = cols.lane
    index = (np.arange(len(cols), dtype=np.int64) - cols.offsets[lane]).astype(np.int32)
    return split_at_answers(lane, cols.kind, cols.start_ns, cols.end_ns, index, answered[lane])


def lanes_spans(
    rows: Sequence[int], lanes: Sequence[Lane], first: Sequence[int] | None = None
) -> RowSpans:
    """:func:`request_spans`' rule for some lanes (at ``rows``), read from their objects;
    with ``first``, only each lane's segments from its ``first``-th on."""
    if first is None:
        first = [0] * len(lanes)
    counts = np.fromiter(
        (len(lane.segments) - k for lane, k in zip(lanes, first, strict=True)), np.int64, len(lanes)
    )
    segments = [seg for lane, k in zip(lanes, first, strict=True) for seg in lane.segments[k:]]
    n = len(segments)
    row = np.repeat(np.asarray(rows, np.int32), counts)
    firsts = np.repeat(np.cumsum(counts) - counts - np.asarray(first, np.int64), counts)
    return split_at_answers(
        row,
        np.fromiter(map(KIND_CODE.__getitem__, map(KIND_OF, segments)), np.uint8, n),
        np.fromiter(map(START_OF, segments), np.int64, n),
        np.fromiter(map(END_OF, segments), np.int64, n),
        (np.arange(n, dtype=np.int64) - firsts).astype(np.int32),
        np.repeat(np.fromiter(map(answered_ns, lanes), np.int64, len(lanes)), counts),
    )


def columns_spans(
    columns: SegmentColumns,
    rows: Sequence[int],
    first: Sequence[int],
    answered: Int64s,
) -> RowSpans:
    """What :func:`lanes_spans` gives for lanes ``rows`` of a trace (row ``i``: lane ``i``)
    from segment ``first`` on, read from the trace's columns (built already, by another
    reader): no segment object is read. ``answered``: each lane's :func:`answered_ns`."""
    at = np.asarray(rows, np.int64)
    begin = columns.offsets[at] + np.asarray(first, np.int64)
    counts = columns.offsets[at + 1] - begin
    firsts = np.repeat(np.cumsum(counts) - counts, counts)
    taken = np.arange(int(counts.sum()), dtype=np.int64) - firsts + np.repeat(begin, counts)
    return split_at_answers(
        np.repeat(at.astype(np.int32), counts),
        columns.kind[taken],
        columns.start_ns[taken],
        columns.end_ns[taken],
        (taken - np.repeat(columns.offsets[at], counts)).astype(np.int32),
        np.repeat(answered, counts),
    )


def spans_of_lists(
    per_kind: dict[str, list[tuple[int, int, int]]],
    tail_per_kind: dict[str, list[tuple[int, int, int]]],
) -> RowSpans:
    """Spans from :class:`~app.timeline.rows.TimelineRows`' lists (any layout: the thread
    view's bands and rows are what rows.py says they are)."""
    parts = []
    for source, tail in ((per_kind, False), (tail_per_kind, True)):
        for kind, items in source.items():
            if not items:
                continue
            array = np.array(items, np.int64).reshape(-1, 3)
            n = len(array)
            parts.append(
                RowSpans(
                    row=array[:, 0].astype(np.int32),
                    kind=np.full(n, KIND_CODE[kind], np.uint8),  # type: ignore[index]
                    start=array[:, 1].copy(),
                    end=array[:, 2].copy(),
                    tail=np.full(n, tail, np.bool_),
                    index=np.full(n, -1, np.int32),
                )
            )
    return RowSpans.concat(parts)


def kind_lists(spans: RowSpans, kinds: Sequence[str]) -> tuple[KindLists, KindLists]:
    """``spans`` as ``(row, start, end)`` lists per kind: the bars', then the tails'."""
    lists: list[KindLists] = []
    for tail in (False, True):
        mask = spans.tail == tail
        per_kind: KindLists = {}
        for kind in kinds:
            of_kind = mask & (spans.kind == KIND_CODE[Kind(kind)])
            per_kind[kind] = list(
                zip(
                    spans.row[of_kind].tolist(),
                    spans.start[of_kind].tolist(),
                    spans.end[of_kind].tolist(),
                    strict=True,
                )
            )
        lists.append(per_kind)
    return lists[0], lists[1]


def shown_segments(spans: RowSpans, lane: Lane, row: int) -> list[Segment]:
    """``lane``'s segments as the by-request ``spans`` draw them at ``row`` (cut at its
    answer), in time order: what the pointer finds there."""
    of_row = np.flatnonzero(spans.row == row)
    shown = []
    for i in of_row[np.argsort(spans.start[of_row], kind="stable")].tolist():
        seg = lane.segments[int(spans.index[i])]
        start, end = int(spans.start[i]), int(spans.end[i])
        same = start == seg.start_ns and end == seg.end_ns
        shown.append(seg if same else replace(seg, start_ns=start, end_ns=end))
    return shown
