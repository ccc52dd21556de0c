"""A live run's columns, frame after frame, at the cost of the lanes that changed.

The figures of a live run read the trace's columns (:mod:`simulator.trace.columns`). Built
from scratch, a snapshot of 10,000 lanes costs 50-200 ms of getters over every segment of
every lane, many times a minute, all holding the GIL the site's threads want. Between two
snapshots most of it is the same: the engine hands out a settled lane as the same object, and
a lane in flight that recorded nothing new differs only in its last segment, which reaches the
new "now" (:mod:`simulator.trace.growing`). :class:`LiveColumns` keeps the last snapshot's
columns and, per lane, copies the rows it shares with the lane it had at the same place (all
of them for the same object; all but the last when only the last segment differs, without
reading the lane at all where the snapshot says it only grew from that one,
:attr:`Trace.grown_from <simulator.trace.data.Trace.grown_from>`; those of a lane built again
that are the same objects) and reads only the rest from the objects.

The columns it gives are exactly :meth:`SegmentColumns.of <simulator.trace.columns.
SegmentColumns.of>` and :meth:`LaneColumns.of <simulator.trace.columns.LaneColumns.of>` of the
same lanes, array for array, threads numbered in the same order
(``tests/simulator/test_live_columns.py`` checks it on real live runs, frame by frame): the
figures computed from them are the figures of that trace.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from itertools import chain, pairwise
from operator import is_

import numpy as np
import numpy.typing as npt

from simulator.trace.columns import (
    DONE_OF,
    END_OF,
    KIND_CODE,
    KIND_OF,
    NAME_OF,
    OPEN_OF,
    SENT_OF,
    START_OF,
    STATUS_CODE,
    STATUS_OF,
    THREAD_OF,
    LaneColumns,
    SegmentColumns,
    answered_mask,
)
from simulator.trace.data import (
    THREAD_NAME_OF,
    THREADS_SEEN_OF,
    GrownFrom,
    Lane,
    Segment,
    Trace,
)
from simulator.trace.made import same_prefix

__all__ = ["LiveColumns"]

Int64s = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]


class LiveColumns:
    """The columns of one live run's snapshots (see the module's text)."""

    def __init__(self) -> None:
        self._reset(None)

    def _reset(self, t0_ns: int | None) -> None:
        self._t0 = t0_ns
        self._lanes: tuple[Lane, ...] = ()
        # The last columns, threads numbered in order of first sight over the run (kept
        # from frame to frame; each snapshot's own numbering is worked out from them).
        self._rows: dict[str, npt.NDArray[np.generic]] = _no_rows()
        self._offsets: Int64s = np.zeros(1, np.int64)
        self._names: dict[tuple[int, int], str] = {}  # (lane, segment) → its name
        self._thread_code: dict[str, int] = {}
        self._thread_names: list[str] = []
        self._lane_columns: LaneColumns | None = None
        self._db_offsets: Int64s = np.zeros(1, np.int64)
        # Per lane, the ``threads_seen`` counted; per thread, how many of those name it.
        self._seen_of: list[tuple[tuple[str, int], ...]] = []
        self._seen_count: Counter[str] = Counter()
        self._threads_kept: frozenset[str] | None = None  # (its keys, as the last fill gave them)
        #: Lanes read from their objects at the last :meth:`fill` (wholly or their last row).
        self.read = 0

    def fill(self, trace: Trace) -> None:
        """Give ``trace`` its columns (:attr:`Trace.columns`, :attr:`Trace.lane_columns`),
        from the last trace filled (a trace of another run starts afresh)."""
        lanes = trace.lanes
        if trace.t0_ns != self._t0 or len(lanes) < len(self._lanes):
            self._reset(trace.t0_ns)  # a new run: nothing kept
        old = self._lanes
        n, m = len(lanes), len(old)
        same = np.zeros(n, np.bool_)
        same[:m] = np.fromiter(map(is_, lanes, old), np.bool_, m)
        # Lanes their maker says only grew from those of the last trace filled: their rows
        # are the old ones, the last reaching the new now (none read from its objects).
        said = trace.grown_from
        grown = _grown_since(said, old, lanes)
        grown &= ~same
        now = said.now_ns if said is not None else 0
        changed = np.flatnonzero(~(same | grown)).tolist()
        # Per lane its rows, and how many of its first rows are the old lane's rows at the
        # same place (all of them for the same object, all but the last for one grown).
        counts = np.empty(n, np.int64)
        counts[:m] = self._offsets[1 : m + 1] - self._offsets[:m]
        keep = np.where(same, counts, 0)
        keep[grown] = counts[grown] - 1
        fresh: list[Segment] = []
        for i in changed:
            segments = lanes[i].segments
            count = counts[i] = len(segments)
            if i < m and count > 1 and count == len(before := old[i].segments):
                # Grown to a new "now": every segment but the last the same object.
                if segments[0] is before[0] and all(map(is_, segments[:-1], before[:-1])):
                    keep[i] = count - 1
                    fresh.append(segments[-1])
                    continue
            shared = same_prefix(segments, old[i].segments) if i < m else 0
            # Built again from where its records changed: its first segments the same.
            keep[i] = shared
            fresh += segments[shared:]
        self.read = len(changed)
        unread = int(keep.sum()) + int(np.count_nonzero(grown))
        if len(fresh) > unread:  # mostly new: read it all at once
            columns = self._from_scratch(lanes)
        else:
            columns = self._segments(lanes, counts, keep, fresh, grown, now)
        trace.adopt_columns(
            columns,
            self._lanes_columns(lanes, same, grown, changed, columns, now),
            self._threads_named(lanes, changed),
        )
        self._lanes = lanes

    def _threads_named(self, lanes: Sequence[Lane], changed: list[int]) -> frozenset[str]:
        """Every thread the lanes' ``threads_seen`` name (``Trace.thread_count``), counted
        per thread over the lanes and recounted for the lanes read again only: the rest
        (the same objects, or grown, their ``threads_seen`` the same tuple) name the same.
        Reading all 10,000 lanes of a frame cost its summary 2-7 ms; where most changed,
        they are counted afresh."""
        seen_of, count = self._seen_of, self._seen_count
        named = self._threads_kept
        if len(changed) * 3 > len(lanes):
            seen_of[:] = map(THREADS_SEEN_OF, lanes)
            count.clear()
            count.update(map(THREAD_NAME_OF, chain.from_iterable(seen_of)))
            named = None
        else:
            seen_of += [()] * (len(lanes) - len(seen_of))
            for i in changed:
                now, before = lanes[i].threads_seen, seen_of[i]
                if now is before:
                    continue
                for name, _ in before:
                    left = count[name] - 1
                    if left:
                        count[name] = left
                    else:
                        del count[name]  # (named by no lane now)
                        named = None
                for name, _ in now:
                    if name not in count:
                        named = None
                    count[name] += 1
                seen_of[i] = now
        if named is None:  # (else the same threads as the last frame's: the same set)
            named = self._threads_kept = frozenset(count)
        return named

    def _from_scratch(self, lanes: Sequence[Lane]) -> SegmentColumns:
        """``SegmentColumns.of(lanes)``, kept as the last columns (its threads numbered)."""
        columns = SegmentColumns.of(lanes)
        self._thread_names = list(columns.threads)
        self._thread_code = {name: code for code, name in enumerate(columns.threads)}
        self._rows = {
            "kind": columns.kind,
            "start_ns": columns.start_ns,
            "end_ns": columns.end_ns,
            "thread": columns.thread,
            "open": columns.open,
        }
        self._offsets = columns.offsets
        lane = columns.lane
        self._names = {
            (int(lane[row]), row - int(columns.offsets[lane[row]])): name
            for row, name in columns.names.items()
        }
        return columns

    def _segments(
        self,
        lanes: Sequence[Lane],
        counts: Int64s,
        keep: Int64s,
        fresh: list[Segment],
        grown: npt.NDArray[np.bool_],
        now: int,
    ) -> SegmentColumns:
        n = len(lanes)
        offsets = np.zeros(n + 1, np.int64)
        np.cumsum(counts, out=offsets[1:])
        total = int(offsets[-1])
        lane = np.repeat(np.arange(n, dtype=np.int32), counts)
        position = np.arange(total, dtype=np.int64) - offsets[:-1][lane]
        kept = position < keep[lane]
        old_offsets = self._offsets
        source = old_offsets[lane[kept]] + position[kept]
        # The last row of each lane grown (its only row not kept): the old last row, to now.
        reached = ~kept & grown[lane]
        reached_source = old_offsets[lane[reached] + 1] - 1
        read = ~kept & ~reached  # the rows read from ``fresh``, in order
        codes = self._thread_code
        for name in map(THREAD_OF, fresh):
            if name not in codes:
                codes[name] = len(self._thread_names)
                self._thread_names.append(name)
        k = len(fresh)
        new_rows = {
            "kind": np.fromiter(map(KIND_CODE.__getitem__, map(KIND_OF, fresh)), np.uint8, k),
            "start_ns": np.fromiter(map(START_OF, fresh), np.int64, k),
            "end_ns": np.fromiter(map(END_OF, fresh), np.int64, k),
            "thread": np.fromiter(map(codes.__getitem__, map(THREAD_OF, fresh)), np.int32, k),
            "open": np.fromiter(map(OPEN_OF, fresh), np.bool_, k),
        }
        rows: dict[str, npt.NDArray[np.generic]] = {}
        for key, old in self._rows.items():
            column = np.empty(total, old.dtype)
            column[kept] = old[source]
            column[reached] = now if key == "end_ns" else old[reached_source]
            column[read] = new_rows[key]
            rows[key] = column
        self._rows, self._offsets = rows, offsets
        names = self._named(keep, grown, fresh, read, lane, position)
        # Threads numbered in order of first sight in these rows, as ``SegmentColumns.of``
        # numbers them.
        thread = rows["thread"].astype(np.int32, copy=False)
        first = np.full(len(self._thread_names), total, np.int64)
        np.minimum.at(first, thread, np.arange(total, dtype=np.int64))
        seen = np.flatnonzero(first < total)
        seen = seen[np.argsort(first[seen], kind="stable")]
        renumber = np.full(len(first), -1, np.int32)
        renumber[seen] = np.arange(len(seen), dtype=np.int32)
        return SegmentColumns(
            lane=lane,
            kind=rows["kind"],  # type: ignore[arg-type]
            start_ns=rows["start_ns"],  # type: ignore[arg-type]
            end_ns=rows["end_ns"],  # type: ignore[arg-type]
            thread=renumber[thread],
            open=rows["open"],  # type: ignore[arg-type]
            threads=tuple(self._thread_names[code] for code in seen.tolist()),
            offsets=offsets,
            names={int(offsets[i]) + j: name for (i, j), name in sorted(names.items())},
        )

    def _named(
        self,
        keep: Int64s,
        grown: npt.NDArray[np.bool_],
        fresh: list[Segment],
        read: npt.NDArray[np.bool_],
        lane: npt.NDArray[np.int32],
        position: Int64s,
    ) -> dict[tuple[int, int], str]:
        """The named segments (a site's ``Server-Timing`` metrics: few or none), by lane and
        place: those kept (every one of a lane grown), and the fresh ones (rows ``read``)."""
        names = {
            key: name for key, name in self._names.items() if key[1] < keep[key[0]] or grown[key[0]]
        }
        if any(map(NAME_OF, fresh)):
            fresh_rows = np.flatnonzero(read)
            for row, segment in zip(fresh_rows.tolist(), fresh, strict=True):
                if segment.name is not None:
                    names[(int(lane[row]), int(position[row]))] = segment.name
        self._names = names
        return names

    def _lanes_columns(
        self,
        lanes: Sequence[Lane],
        same: npt.NDArray[np.bool_],
        grown: npt.NDArray[np.bool_],
        changed: list[int],
        segments: SegmentColumns,
        now: int,
    ) -> LaneColumns:
        """The lanes' own columns: the old rows of the same objects, and of those grown but
        for their answer (now), the rest read anew (a lane's end from its last row:
        ``Lane.end_ns``, without the objects)."""
        old = self._lane_columns
        n, m = len(lanes), len(old) if old is not None else 0
        picked = [lanes[i] for i in changed]
        at = np.asarray(changed, np.int64)
        k = len(picked)

        sent, done = np.empty(n, np.int64), np.empty(n, np.int64)
        status, answered = np.empty(n, np.uint8), np.empty(n, np.bool_)
        if old is not None:
            sent[:m], done[:m], status[:m] = old.sent_ns, old.done_ns, old.status
            answered[:m] = old.answered
        sent[at] = np.fromiter(map(SENT_OF, picked), np.int64, k)
        done[at] = np.fromiter(map(DONE_OF, picked), np.int64, k)
        picked_status = np.fromiter(
            map(STATUS_CODE.__getitem__, map(STATUS_OF, picked)), np.uint8, k
        )
        status[at] = picked_status
        answered[at] = answered_mask(picked, picked_status)
        done[grown] = now
        offsets = segments.offsets
        has_rows = offsets[1:] > offsets[:-1]
        end = done.copy()
        end[has_rows] = segments.end_ns[offsets[1:][has_rows] - 1]
        # Database events, one lane's after another's: kept for the same objects.
        db_counts = np.empty(n, np.int64)
        db_counts[:m] = self._db_offsets[1 : m + 1] - self._db_offsets[:m]
        db_counts[at] = np.fromiter((len(lane.db_events) for lane in picked), np.int64, k)
        db_offsets = np.zeros(n + 1, np.int64)
        np.cumsum(db_counts, out=db_offsets[1:])
        owner = np.repeat(np.arange(n, dtype=np.int64), db_counts)
        kept = (same | grown)[owner]
        source = self._db_offsets[owner[kept]] + (
            np.arange(len(owner), dtype=np.int64)[kept] - db_offsets[owner[kept]]
        )
        fresh = np.array([event for lane in picked for event in lane.db_events], np.int64)
        fresh = fresh.reshape(-1, 2)
        db_ns, db_delta = np.empty(len(owner), np.int64), np.empty(len(owner), np.int64)
        if old is not None:
            db_ns[kept], db_delta[kept] = old.db_ns[source], old.db_delta[source]
        db_ns[~kept], db_delta[~kept] = fresh[:, 0], fresh[:, 1]
        columns = LaneColumns(sent, done, end, status, db_ns, db_delta, answered)
        self._lane_columns, self._db_offsets = columns, db_offsets
        return columns


def _grown_since(said: GrownFrom | None, old: tuple[Lane, ...], lanes: tuple[Lane, ...]) -> Bools:
    """Which of ``lanes`` only grew from ``old`` (the last trace filled), their last segment
    reaching ``said.now_ns``: grown at the last update (``said``), and at each update
    between ``old`` and it (``said.before``: builds no frame drew) grown or kept as the very
    object. None, where ``said`` does not lead back to ``old``."""
    grown = np.zeros(len(lanes), np.bool_)
    links: list[GrownFrom] = []
    link = said
    while link is not None and link.lanes is not old:
        links.append(link)
        link = link.before
    if said is None or link is None or not said.indices:
        return grown
    links.append(link)
    grown[np.asarray(said.indices, np.int64)] = True
    # From the last update back: each link's lanes came from the lanes of the one before.
    for after, back in pairwise(links):
        later, earlier = after.lanes, back.lanes
        ok = np.zeros(len(later), np.bool_)
        if back.indices:
            ok[np.asarray(back.indices, np.int64)] = True
        m = min(len(later), len(earlier))
        ok[:m] |= np.fromiter(map(is_, later[:m], earlier[:m]), np.bool_, m)
        grown[: len(ok)] &= ok
        grown[len(ok) :] = False
    return grown


def _no_rows() -> dict[str, npt.NDArray[np.generic]]:
    return {
        "kind": np.zeros(0, np.uint8),
        "start_ns": np.zeros(0, np.int64),
        "end_ns": np.zeros(0, np.int64),
        "thread": np.zeros(0, np.int32),
        "open": np.zeros(0, np.bool_),
    }
