"""The trace of a run: one lane of timed segments per request, on one clock.

Times are ``time.perf_counter_ns`` values; :class:`Trace` knows ``t0_ns`` (the first send) so
exports can speak in milliseconds from the start.

Segment kinds (what a lane's colours mean; :class:`~simulator.trace.kinds.Kind`):

``queued``       sent, and waiting to be run: for a worker thread, or for the event loop
                 (at first, or again while another request holds the loop)
``framework``    Django's handler and middleware before and after the view
``io_wait``      awaiting I/O: holds no thread
``io_blocking``  waiting on I/O while holding a thread, or the event loop
``cpu``          computing
``thread_hop``   waiting for a ``sync_to_async``/``async_to_sync`` hand-off
``cancelled``    the rest of a request stopped before it finished

A request that failed keeps its segments; its lane carries the error (the app marks the
lane's end in the "failed" colour).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import chain
from operator import attrgetter, itemgetter
from typing import Literal, TypeVar

import numpy as np

from simulator.trace.columns import LaneColumns, SegmentColumns
from simulator.trace.kinds import HOLDS_THREAD, KINDS, Kind

__all__ = [
    "HOLDS_THREAD",
    "KINDS",
    "GrownFrom",
    "Kind",
    "Lane",
    "Segment",
    "THREADS_SEEN_OF",
    "THREAD_NAME_OF",
    "Status",
    "Trace",
    "threads_named",
]

Status = Literal["ok", "error", "cancelled", "running"]
_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class Segment:
    """One stretch of a request's life, on the thread (or loop) named by ``thread``."""

    kind: Kind
    start_ns: int
    end_ns: int
    thread: str
    #: Still running when the trace was taken (a live snapshot): drawn, not yet counted.
    open: bool = False
    #: For a segment the view declared: the line of ``embedded_site/views.py`` it belongs
    #: to (see ``RawSegment.line``), which the code panel highlights.
    line: int | None = None
    #: For a ``server_timing`` segment: the site's metric name (``db``), which says which.
    name: str | None = None

    @property
    def duration_ns(self) -> int:
        return self.end_ns - self.start_ns


@dataclass(frozen=True, slots=True)
class Lane:
    """Everything measured about one request.

    ``sent_ns``/``done_ns`` are the client's view (latency). ``segments`` follow in time order
    without gaps or overlaps from ``sent_ns`` to ``end_ns``, which is later than ``done_ns``
    where Django still worked after sending the answer (``response.close()``).
    """

    request_id: int
    view: str
    status: Status
    status_code: int | None
    error: str | None
    sent_ns: int
    done_ns: int
    segments: tuple[Segment, ...]
    #: Every thread (or the loop) seen working for this request, with when it was first
    #: seen: Django's signal receivers run on a thread of the request's even where the lane
    #: shows the request waiting for the loop meanwhile.
    threads_seen: tuple[tuple[str, int], ...] = ()
    #: ``(ns, +1)`` where a database connection opened for this request, ``(ns, -1)`` where
    #: one closed: Django keeps a connection per thread, so they add up across requests.
    db_events: tuple[tuple[int, int], ...] = ()
    #: What the hover adds: a site's Server-Timing metrics without a duration, and ignored
    #: ones (``db: dur=inf ignored``).
    notes: tuple[str, ...] = ()

    @property
    def latency_ns(self) -> int:
        return self.done_ns - self.sent_ns

    @property
    def end_ns(self) -> int:
        return self.segments[-1].end_ns if self.segments else self.done_ns

    def segment_at(self, ns: int) -> Segment | None:
        """The segment running at ``ns``, if any (for hover text)."""
        starts = [s.start_ns for s in self.segments]
        i = bisect.bisect_right(starts, ns) - 1
        if i >= 0 and self.segments[i].end_ns >= ns:
            return self.segments[i]
        return None


@dataclass(frozen=True, slots=True)
class GrownFrom:
    """Of a live snapshot: the lanes at ``indices`` are those of an earlier snapshot's
    ``lanes`` (the very tuple) with their last segment, and their answer, moved to ``now_ns``
    and nothing else changed (:func:`~simulator.trace.made.reaching`). Whoever kept what it
    read of ``lanes`` need not read those again (``LiveColumns``: 10,000 lanes waiting a
    frame, each read as an object, took 25-45 ms of every frame).

    ``before`` says the same of ``lanes`` against the snapshot before them, a few links
    back: the window builds the lanes as the site's records arrive, between its frames, so
    a frame's lanes often grew from a build no frame drew (``LiveColumns`` then read every
    lane that grew, 3,500-10,000 of them, 22-32 ms a frame at 10,000 requests)."""

    lanes: tuple[Lane, ...]
    indices: tuple[int, ...]
    now_ns: int
    before: GrownFrom | None = None

    def back(self, depth: int) -> GrownFrom | None:
        """This link and those before it, ``depth`` in all, to link a later one to (the
        rest let go: each holds a snapshot's lanes; the window builds once or twice between
        its frames)."""
        if depth <= 0:
            return None
        before = None if self.before is None else self.before.back(depth - 1)
        return GrownFrom(self.lanes, self.indices, self.now_ns, before)


class _Derived:
    """What a trace computes once from its lanes and keeps (it never changes), and what its
    maker said of how it came about (``grown_from``)."""

    __slots__ = ("by_readers", "columns", "grown_from", "lane_columns", "threads_named")

    def __init__(self) -> None:
        #: What readers worked out from the trace once (:meth:`Trace.kept`), by their key.
        self.by_readers: dict[str, object] = {}
        self.columns: SegmentColumns | None = None
        self.lane_columns: LaneColumns | None = None
        self.grown_from: GrownFrom | None = None
        #: Every thread a lane's ``threads_seen`` names (:meth:`Trace.thread_count`).
        self.threads_named: frozenset[str] | None = None

    def __reduce__(self) -> tuple[type[_Derived], tuple[()]]:
        # A copy (pickle, ``copy``) starts afresh: what is derived is built again on use.
        return (_Derived, ())


@dataclass(frozen=True, slots=True)
class Trace:
    """All lanes of one run, plus what the loop monitor saw.

    ``loop_thread`` names the site's event loop thread (``None`` under WSGI, where there is
    no such loop); ``loop_blocked`` lists the periods it was blocked for
    :data:`~simulator.trace.kinds.LOOP_BLOCKED_MS` or more.
    """

    t0_ns: int
    lanes: tuple[Lane, ...]
    loop_thread: str | None = None
    loop_blocked: tuple[tuple[int, int], ...] = ()
    #: A live snapshot's block still in progress (drawn; counted once it has ended).
    loop_blocking_now: tuple[int, int] | None = None
    #: Real servers (uvicorn, gunicorn): the process id of every worker, each of which
    #: answered before the run (some may get no request of the run: the kernel chooses).
    worker_pids: tuple[int, ...] = ()
    #: Over sockets: the CPU time the client's own thread spent over the run, once it ended.
    client_cpu_ns: int | None = None
    #: Built on first use, never compared or copied (``dataclasses.replace`` starts afresh).
    _derived: _Derived = field(
        default_factory=_Derived, init=False, repr=False, compare=False, hash=False
    )

    def __repr__(self) -> str:
        # A trace's full repr is every segment of every lane (see ``Run.__repr__``).
        return f"Trace(t0_ns={self.t0_ns}, lanes=<{len(self.lanes)} lanes>)"

    @property
    def columns(self) -> SegmentColumns:
        """Every segment as numpy columns (built once, on first use): what the figures and
        the exports read, in milliseconds where objects would take seconds."""
        derived = self._derived
        if derived.columns is None:
            derived.columns = SegmentColumns.of(self.lanes)
        return derived.columns

    @property
    def lane_columns(self) -> LaneColumns:
        """Every lane's own fields (sent, done, end, status, database events) as numpy
        columns (built once, on first use)."""
        derived = self._derived
        if derived.lane_columns is None:
            derived.lane_columns = LaneColumns.of(self.lanes)
        return derived.lane_columns

    def kept(self, key: str, make: Callable[[Trace], _T]) -> _T:
        """``make(self)``, worked out once and kept with the trace under ``key`` (it never
        changes): a reader's own summary of it, such as the kinds the window's by-request
        picture draws, which its key asks of a 10,000-lane trace several times a second."""
        kept = self._derived.by_readers
        if key not in kept:
            kept[key] = make(self)
        return kept[key]  # type: ignore[return-value]

    @property
    def built_columns(self) -> SegmentColumns | None:
        """:attr:`columns` if built (or adopted) already, else ``None``: for a reader that
        has a cheaper way than building them (a live frame's painter)."""
        return self._derived.columns

    @property
    def grown_from(self) -> GrownFrom | None:
        """Of a live snapshot, which of its lanes only grew from an earlier one's, as its
        maker noted (:meth:`note_grown`); ``None``: not said (a copy says nothing)."""
        return self._derived.grown_from

    def note_grown(self, grown: GrownFrom | None) -> None:
        """Say which lanes only grew from an earlier snapshot's (its maker, once)."""
        self._derived.grown_from = grown

    def adopt_columns(
        self,
        columns: SegmentColumns,
        lane_columns: LaneColumns,
        threads_named: frozenset[str] | None = None,
    ) -> None:
        """Take columns built elsewhere as this trace's own: a live run's, built from the
        last snapshot's (:class:`~simulator.trace.live_columns.LiveColumns`), which are
        exactly what :attr:`columns` and :attr:`lane_columns` would build; and with them
        (if said) every thread the lanes' ``threads_seen`` name, as :meth:`thread_count`
        would read it from them."""
        self._derived.columns = columns
        self._derived.lane_columns = lane_columns
        self._derived.threads_named = threads_named

    @property
    def loop_blocked_shown(self) -> tuple[tuple[int, int], ...]:
        """The blocks to draw: the ended ones and, live, the one in progress."""
        if self.loop_blocking_now is None:
            return self.loop_blocked
        return (*self.loop_blocked, self.loop_blocking_now)

    @property
    def end_ns(self) -> int:
        """When the last request ended at the client, answered or not (a refusal, a time-out:
        its lane is drawn up to here); the makespan ends at the last answer
        (``simulator.metrics.summary.last_answer_ns``)."""
        done = self.lane_columns.done_ns
        return int(done.max()) if len(done) else self.t0_ns

    @property
    def last_ns(self) -> int:
        """When the last segment ended (Django may work on after its answer is sent)."""
        end = self.lane_columns.end_ns
        return int(end.max()) if len(end) else self.t0_ns

    def ms(self, ns: int) -> float:
        """``ns`` as milliseconds from the first send."""
        return (ns - self.t0_ns) / 1e6

    def threads(self) -> list[str]:
        """Every thread or loop that held work for some request, or ran Django's machinery
        for it, in order of first use."""
        seen = self._holding_threads()
        for lane in self.lanes:
            for thread, ns in lane.threads_seen:
                if ns < seen.get(thread, ns + 1):
                    seen[thread] = ns
        return sorted(seen, key=seen.__getitem__)

    def thread_count(self) -> int:
        """How many threads :meth:`threads` lists, without ordering them: a live summary of
        10,000 lanes asks every few frames, and the order cost twice as much (6-16 ms);
        the threads the lanes name as adopted with the columns where they were (a live
        frame's: reading every lane's cost 2-7 ms more)."""
        named = self._derived.threads_named
        if named is None:
            named = threads_named(self.lanes)
        return len(named.union(self._holding_threads()))

    def _holding_threads(self) -> dict[str, int]:
        """The threads that held work for some request, each with when it first did."""
        seen: dict[str, int] = {}
        cols = self.columns
        holding = cols.is_kind(*HOLDS_THREAD)
        if holding.any():
            never = np.iinfo(np.int64).max
            first = np.full(len(cols.threads), never, np.int64)
            np.minimum.at(first, cols.thread[holding], cols.start_ns[holding])
            # The threads among them (np.unique would import numpy.ma: 20 ms of a command).
            for code in np.flatnonzero(first != never).tolist():
                seen[cols.threads[code]] = int(first[code])
        return seen


THREADS_SEEN_OF, THREAD_NAME_OF = attrgetter("threads_seen"), itemgetter(0)


def threads_named(lanes: Sequence[Lane]) -> frozenset[str]:
    """Every thread the ``threads_seen`` of ``lanes`` name."""
    return frozenset(map(THREAD_NAME_OF, chain.from_iterable(map(THREADS_SEEN_OF, lanes))))
