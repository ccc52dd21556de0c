"""Every segment of a trace as numpy columns: what the figures and the exports read.

A 10,000-request run holds over a million segments. Asking each :class:`Segment` object for
its fields, once per figure and once per export, costs seconds; the same questions asked of
five arrays (lane, kind, start, end, thread) cost milliseconds. The columns are built once
per trace (:attr:`Trace.columns <simulator.trace.data.Trace.columns>`), in lane then time
order, and hold every segment: exports that shorten the file (the run file's folding) derive
from them, the data itself is never thinned.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import repeat
from operator import attrgetter, is_not
from typing import Protocol

import numpy as np
import numpy.typing as npt

from simulator.trace.kinds import KINDS, Kind

__all__ = [
    "ANSWERED_STATUSES",
    "KIND_CODE",
    "STATUS_CODE",
    "LaneColumns",
    "SegmentColumns",
    "DONE_OF",
    "END_OF",
    "KIND_OF",
    "NAME_OF",
    "OPEN_OF",
    "SENT_OF",
    "START_OF",
    "STATUS_OF",
    "THREAD_OF",
    "answered_mask",
    "answered_ns",
    "kind_code",
    "union_spans",
]

#: Each kind's code in :attr:`SegmentColumns.kind` (its place in :data:`KINDS`).
KIND_CODE: dict[Kind, int] = {kind: code for code, kind in enumerate(KINDS)}

Int64s = npt.NDArray[np.int64]
Int32s = npt.NDArray[np.int32]
Bools = npt.NDArray[np.bool_]

#: What the columns read of a segment and of a lane, one getter each (``live_columns`` too).
KIND_OF = attrgetter("kind")
START_OF = attrgetter("start_ns")
END_OF = attrgetter("end_ns")
THREAD_OF = attrgetter("thread")
OPEN_OF = attrgetter("open")
NAME_OF = attrgetter("name")
SENT_OF = attrgetter("sent_ns")
DONE_OF = attrgetter("done_ns")
STATUS_OF = attrgetter("status")
HTTP_CODE_OF = attrgetter("status_code")


class _Segment(Protocol):
    """What the columns read of a segment (``simulator.trace.data.Segment``, which imports
    this module: named by its shape, not imported back)."""

    @property
    def kind(self) -> Kind: ...
    @property
    def start_ns(self) -> int: ...
    @property
    def end_ns(self) -> int: ...
    @property
    def thread(self) -> str: ...
    @property
    def open(self) -> bool: ...
    @property
    def name(self) -> str | None: ...


class _Lane(Protocol):
    @property
    def segments(self) -> Sequence[_Segment]: ...


class _LaneFields(_Lane, Protocol):
    @property
    def sent_ns(self) -> int: ...
    @property
    def done_ns(self) -> int: ...
    @property
    def end_ns(self) -> int: ...
    @property
    def status(self) -> str: ...
    @property
    def status_code(self) -> int | None: ...
    @property
    def db_events(self) -> Sequence[tuple[int, int]]: ...


#: Each status's code in :attr:`LaneColumns.status`.
STATUS_CODE: dict[str, int] = {"ok": 0, "error": 1, "cancelled": 2, "running": 3}

#: The codes of a request that has ended, answered or not ("error": a non-2xx answer, or a
#: failure with no answer at all).
_ENDED_CODES = [STATUS_CODE["ok"], STATUS_CODE["error"]]


def answered_mask(lanes: Sequence[_LaneFields], status: npt.NDArray[np.uint8]) -> Bools:
    """Which of ``lanes`` (their ``status`` codes given) the server answered: the one rule
    for "answered", which every figure of answers reads (:attr:`LaneColumns.answered`).

    A request is answered when it ended with an HTTP status from the server, any status: a
    Django 500 is an answer, and its time counts. A request that failed without one
    (refused, reset, timed out, TLS: ``status_code`` ``None``) was never answered: it counts
    among the failed requests, never in a throughput, a latency or a makespan. Counted as
    answers, 20 requests to a port where nothing listens read "throughput 10460 req/s".
    """
    has_code = np.fromiter(
        map(is_not, map(HTTP_CODE_OF, lanes), repeat(None)), np.bool_, len(lanes)
    )
    return has_code & np.isin(status, _ENDED_CODES)


def kind_code(kind: str) -> int:
    """The code of ``kind`` in the columns."""
    return KIND_CODE[Kind(kind)]


@dataclass(frozen=True, slots=True)
class SegmentColumns:
    """One row per segment, lanes one after the other, each lane's segments in time order.

    ``lane`` is the lane's index in ``Trace.lanes``; ``offsets[i]:offsets[i + 1]`` are lane
    ``i``'s rows. ``kind`` is a code of :data:`KIND_CODE`; ``thread`` an index into
    ``threads``. ``open`` marks a live snapshot's segments still running.
    """

    lane: Int32s
    kind: npt.NDArray[np.uint8]
    start_ns: Int64s
    end_ns: Int64s
    thread: Int32s
    open: npt.NDArray[np.bool_]
    threads: tuple[str, ...]
    offsets: Int64s
    #: The rows that carry a name (a site's ``Server-Timing`` metric), by row: few or none.
    names: dict[int, str]

    def __len__(self) -> int:
        return len(self.start_ns)

    @classmethod
    def of(cls, lanes: Sequence[_Lane]) -> SegmentColumns:
        """The columns of ``lanes``' segments (one pass over the objects, by C-level getters)."""
        counts = np.fromiter((len(lane.segments) for lane in lanes), np.int64, len(lanes))
        offsets = np.zeros(len(lanes) + 1, np.int64)
        np.cumsum(counts, out=offsets[1:])
        segments = [seg for lane in lanes for seg in lane.segments]
        n = len(segments)
        codes = KIND_CODE
        thread_names = list(map(THREAD_OF, segments))
        threads = {name: code for code, name in enumerate(dict.fromkeys(thread_names))}
        names = list(map(NAME_OF, segments))
        named = n - names.count(None)  # few or none: looked for only when there are some
        return cls(
            lane=np.repeat(np.arange(len(lanes), dtype=np.int32), counts),
            kind=np.fromiter(map(codes.__getitem__, map(KIND_OF, segments)), np.uint8, n),
            start_ns=np.fromiter(map(START_OF, segments), np.int64, n),
            end_ns=np.fromiter(map(END_OF, segments), np.int64, n),
            thread=np.fromiter(map(threads.__getitem__, thread_names), np.int32, n),
            open=np.fromiter(map(OPEN_OF, segments), np.bool_, n),
            threads=tuple(threads),
            offsets=offsets,
            names={row: name for row, name in enumerate(names) if name is not None}
            if named
            else {},
        )

    def thread_code(self, name: str | None) -> int:
        """The index of thread ``name`` in :attr:`threads` (-1 when no segment ran there)."""
        try:
            return self.threads.index(name) if name is not None else -1
        except ValueError:
            return -1

    def is_kind(self, *kinds: str) -> npt.NDArray[np.bool_]:
        """A mask of the rows whose kind is one of ``kinds`` (a table of the codes looked up
        row by row: a live summary of 200,000 rows asks a dozen times, and ``np.isin``
        compared every row with every code, 0.3 ms a time)."""
        return _code_table([kind_code(kind) for kind in kinds])[self.kind]


@dataclass(frozen=True, slots=True)
class LaneColumns:
    """One row per lane (a request), in ``Trace.lanes`` order: what the figures ask of the
    lanes themselves (latencies, requests in flight, statuses, database connections), as
    arrays, so a 10,000-request run's figures cost no Python loop over its lanes.

    ``end_ns`` is the lane's last segment's end (its ``done_ns`` without segments);
    ``status`` a code of :data:`STATUS_CODE`; ``db_ns``/``db_delta`` every lane's database
    events (``Lane.db_events``) one after the other; ``answered`` whether the server
    answered the request (:func:`answered_mask`: the lanes every figure of answers reads).
    """

    sent_ns: Int64s
    done_ns: Int64s
    end_ns: Int64s
    status: npt.NDArray[np.uint8]
    db_ns: Int64s
    db_delta: Int64s
    answered: Bools

    def __len__(self) -> int:
        return len(self.sent_ns)

    @classmethod
    def of(cls, lanes: Sequence[_LaneFields]) -> LaneColumns:
        """The lanes' columns (one pass over the lanes, none over their segments)."""
        n = len(lanes)
        events = [event for lane in lanes for event in lane.db_events]
        db = np.array(events, np.int64).reshape(-1, 2)
        status = np.fromiter(map(STATUS_CODE.__getitem__, map(STATUS_OF, lanes)), np.uint8, n)
        return cls(
            sent_ns=np.fromiter(map(SENT_OF, lanes), np.int64, n),
            done_ns=np.fromiter(map(DONE_OF, lanes), np.int64, n),
            end_ns=np.fromiter(map(END_OF, lanes), np.int64, n),
            status=status,
            db_ns=db[:, 0].copy(),
            db_delta=db[:, 1].copy(),
            answered=answered_mask(lanes, status),
        )

    def is_status(self, *statuses: str) -> npt.NDArray[np.bool_]:
        """A mask of the lanes whose status is one of ``statuses``."""
        return _code_table([STATUS_CODE[status] for status in statuses])[self.status]

    def answer_ns(self) -> Int64s:
        """Where each lane's answer came (:data:`ANSWERED_STATUSES`), else its end: what
        Django does for a request after it no client waits for (the picture's faint tail,
        its work after the answer in the figures; a lane at a time, :func:`answered_ns`)."""
        return np.where(self.is_status(*ANSWERED_STATUSES), self.done_ns, self.end_ns)


#: The statuses of a lane that ended in an answer, ok or failed, at its ``done_ns``.
ANSWERED_STATUSES = ("ok", "error")


def answered_ns(lane: _LaneFields) -> int:
    """Where ``lane``'s answer came (ok or failed), else its end: :meth:`LaneColumns.
    answer_ns` of one lane (a live lane's, built alone)."""
    return lane.done_ns if lane.status in ANSWERED_STATUSES else lane.end_ns


def _code_table(codes: list[int]) -> Bools:
    """Per code of a ``uint8`` column, whether it is one of ``codes``."""
    table = np.zeros(256, np.bool_)
    table[codes] = True
    return table


def union_spans(
    group: Int32s, start: Int64s, end: Int64s, *, ordered: bool = False
) -> tuple[Int32s, Int64s, Int64s]:
    """Per ``group`` (a thread), its spans merged where they overlap or touch: the
    ``(group, start, end)`` of each merged span, sorted by group then start (``ordered``:
    the spans given so sorted already).

    Spans of one thread are joined before counting, so a thread held by two requests at
    once counts once: the figures of "how long was the loop in Django's code" need that.
    """
    if len(start) == 0:
        empty = np.zeros(0, np.int64)
        return np.zeros(0, np.int32), empty, empty
    if ordered:
        g, s, e = group, start, end
    else:
        order = np.lexsort((start, group))
        g, s, e = group[order], start[order], end[order]
    new = np.ones(len(s), np.bool_)
    if len(s) > 1:
        # A new span starts where the group changes or the start is past every end so far
        # in the group (the running maximum restarts with each group).
        running = _group_cummax(g, e)
        new[1:] = (g[1:] != g[:-1]) | (s[1:] > running[:-1])
    first = np.flatnonzero(new)
    return g[first], s[first], np.maximum.reduceat(e, first)


def _group_cummax(group: Int32s, values: Int64s) -> Int64s:
    """The running maximum of ``values`` restarting at each change of ``group``."""
    base = int(values.min())
    lift = group.astype(np.int64) * (int(values.max()) - base + 1)
    running: Int64s = np.maximum.accumulate((values - base) + lift)
    return running - lift + base
