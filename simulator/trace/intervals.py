"""Sorted, merged time intervals: when the event loop was held.

Lane building asks "was the loop busy with someone else over this stretch?" thousands of
times per run, so the intervals are kept sorted and searched with :mod:`bisect`.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import chain

import numpy as np
import numpy.typing as npt

from embedded_site.instrumentation import RequestProbe
from simulator.trace.data import HOLDS_THREAD

__all__ = ["RESUME_SLACK_NS", "STEP_SLACK_NS", "IntervalSet", "loop_holding_intervals"]

Int64s = npt.NDArray[np.int64]


@dataclass(slots=True)
class IntervalSet:
    """Sorted, merged intervals, for "was the loop held by someone at this time?"."""

    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)
    #: Whether the loop monitor's steps are among them (joined closer: ``STEP_SLACK_NS``).
    stepped: bool = False

    @classmethod
    def of(cls, intervals: Iterable[tuple[int, int]], slack: int = 0) -> IntervalSet:
        """Merge ``intervals``, joining those less than ``slack`` apart."""
        intervals = list(intervals)
        if len(intervals) > _SORT_IN_NUMPY:
            return cls._of_many(intervals, slack)
        # (Every lane's own steps are merged so: plain lists, the set made once at the end.)
        starts: list[int] = []
        ends: list[int] = []
        for start, end in sorted(intervals):
            if ends and start <= ends[-1] + slack:
                if end > ends[-1]:
                    ends[-1] = end
            else:
                starts.append(start)
                ends.append(end)
        return cls(starts, ends)

    @classmethod
    def _of_many(cls, intervals: list[tuple[int, int]], slack: int) -> IntervalSet:
        """:meth:`of` for many intervals (the whole run's holds on the loop), with numpy."""
        flat = np.fromiter(chain.from_iterable(intervals), np.int64, 2 * len(intervals))
        return cls._of_arrays(flat[0::2], flat[1::2], slack)

    @classmethod
    def _of_arrays(cls, start: Int64s, end: Int64s, slack: int) -> IntervalSet:
        """:meth:`of` for intervals given as arrays of starts and ends: a new interval starts
        where a start is past every end so far, and the slack."""
        order = np.lexsort((end, start))
        start, end = start[order], end[order]
        new = np.ones(len(start), np.bool_)
        new[1:] = start[1:] > np.maximum.accumulate(end)[:-1] + slack
        first = np.flatnonzero(new)
        return cls(start[first].tolist(), np.maximum.reduceat(end, first).tolist())

    def covered_tail(self, start: int, end: int, slack: int) -> int:
        """The earliest ``t >= start`` such that ``[t, end]`` lies in the set, gaps up to
        ``slack`` forgiven; ``end`` itself when the set does not reach ``end``."""
        i = bisect.bisect_left(self.starts, end) - 1
        if i < 0 or end - self.ends[i] > slack:
            return end
        t = self.starts[i]
        while i > 0 and t > start and t - self.ends[i - 1] <= slack:
            i -= 1
            t = self.starts[i]
        return max(t, start)

    def last_end_in(self, start: int, end: int) -> int:
        """The latest end of an interval lying wholly inside ``(start, end)``; ``start`` if
        none does."""
        i = bisect.bisect_left(self.ends, end) - 1  # the last interval ending before ``end``
        return self.ends[i] if i >= 0 and self.starts[i] > start else start

    def split(self, start: int, end: int) -> list[tuple[int, int, bool]]:
        """Cut ``[start, end)`` into pieces, each flagged True where it lies in the set."""
        # Asked a few times for every lane (its own steps): no max()/min() calls, lists local.
        pieces: list[tuple[int, int, bool]] = []
        starts, ends = self.starts, self.ends
        n = len(starts)
        i = bisect.bisect_right(ends, start)
        cursor = start
        while cursor < end and i < n and starts[i] < end:
            s = starts[i]
            if s < cursor:
                s = cursor
            e = ends[i]
            if e > end:
                e = end
            if s > cursor:
                pieces.append((cursor, s, False))
            if e > s:
                pieces.append((s, e, True))
                cursor = e
            i += 1
        if cursor < end:
            pieces.append((cursor, end, False))
        return pieces


def loop_holding_intervals(
    probes: Iterable[RequestProbe], loop_thread: str | None, now_ns: int | None = None
) -> IntervalSet:
    """When the event loop was busy with some request: running its code (the loop
    monitor's steps), or held by its view (cpu or blocking I/O on the loop).

    Busy stretches less than a resume-slack apart are joined: the loop's own bookkeeping
    between two of them does not let a waiting request through (and a thousand back-to-back
    holds stay one interval, not a thousand pieces in every waiting lane). With ``now_ns`` (a
    live snapshot), a view holding the loop right now holds it up to then.
    """
    if loop_thread is None:
        return IntervalSet()
    probes = list(probes)
    holds = [
        (seg.start_ns, seg.end_ns)
        for probe in probes
        for seg in (list(probe.segments) if now_ns is None else probe.segments_until(now_ns))
        if seg.thread == loop_thread and seg.kind in HOLDS_THREAD
    ]
    steps = [list(probe.loop_steps) for probe in probes]
    n = sum(map(len, steps))
    if n:
        # Bridge the loop's bookkeeping between two requests' code (numpy: a hundred
        # thousand steps, read into arrays without a tuple each).
        if len(holds) + n > _SORT_IN_NUMPY:
            flat = np.fromiter(chain.from_iterable(chain.from_iterable(steps)), np.int64, 2 * n)
            held = np.fromiter(chain.from_iterable(holds), np.int64, 2 * len(holds))
            busy = IntervalSet._of_arrays(
                np.concatenate((held[0::2], flat[0::2])),
                np.concatenate((held[1::2], flat[1::2])),
                STEP_SLACK_NS,
            )
        else:
            busy = IntervalSet.of(holds + list(chain.from_iterable(steps)), STEP_SLACK_NS)
        busy.stepped = True
        return busy
    return IntervalSet.of(holds, slack=RESUME_SLACK_NS)


#: Above this many intervals, :meth:`IntervalSet.of` sorts and merges them with numpy (a
#: lane's own few steps are quicker in Python).
_SORT_IN_NUMPY = 256

#: Loop work between two holds that still counts as "the loop stayed busy" (framework bits).
RESUME_SLACK_NS = 2_000_000
#: Idle time between two measured steps that still counts as "the loop stayed busy" (its
#: bookkeeping, a wake-up).
STEP_SLACK_NS = 1_000_000
