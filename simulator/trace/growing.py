"""A lane in flight that only grows with "now": drawn again without being built again.

Most requests in flight of a big run are in the middle of one wait (an ``await`` on the
upstream, a ``sleep``, a worker's queue): between two frames their probe records nothing, and
:func:`~simulator.trace.lanes.build_lane` would give the same lane with its last segment
reaching the new "now". :func:`grows_from` says when that is so (with how far the building
read the loop's holds, which :class:`ReadHolds` notes), :func:`grown` draws it.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence

from embedded_site.instrumentation import RequestProbe
from simulator.trace.data import Lane
from simulator.trace.intervals import RESUME_SLACK_NS, STEP_SLACK_NS, IntervalSet
from simulator.trace.made import reaching

__all__ = [
    "HOLDS_READ_SLACK_NS",
    "NOTHING_SEEN",
    "READ_MARGIN_NS",
    "ReadHolds",
    "Seen",
    "grown",
    "grows_from",
    "read_near",
]

#: How far past the last time a lane read the loop's holds a change to them can still move
#: what it read (holds this close are joined into one).
HOLDS_READ_SLACK_NS = max(RESUME_SLACK_NS, STEP_SLACK_NS)
#: How far from a stretch of the holds a lane read a change to them can move what it read:
#: the holds' joining slack (a change joins a neighbour that close) and a read's own (it
#: looks that far before a stretch for a hold that joins it).
READ_MARGIN_NS = 2 * HOLDS_READ_SLACK_NS

#: Before any time: a lane that never read the holds.
_NEVER = -(2**62)

#: How many of a probe's marks, declared segments and loop steps were read, and the latest
#: time any of those reached (:func:`grows_from` reads on from there).
Seen = tuple[int, int, int, int]
#: None read yet.
NOTHING_SEEN: Seen = (0, 0, 0, _NEVER)


class ReadHolds(IntervalSet):
    """Holds on the loop (the same lists) that note how far building a lane read them, and
    which stretches of them it read.

    ``build_lane`` reads the holds only through these three methods: one that read them
    otherwise would go unnoticed, and a lane kept from an earlier frame could differ from
    a build from scratch (``tests/simulator/test_live_lanes.py`` would say so).
    """

    __slots__ = ("until", "windows")

    def __init__(self, held: IntervalSet) -> None:
        super().__init__(held.starts, held.ends, held.stepped)
        #: The latest end of a stretch asked about since this was last set.
        self.until = _NEVER
        #: The stretches asked about since this was last set, each as its start and end: a
        #: change to the holds away from all of them (:func:`read_near`) leaves what was
        #: read as it was.
        self.windows: list[int] = []

    def covered_tail(self, start: int, end: int, slack: int) -> int:
        self.until = max(self.until, end)
        found = super().covered_tail(start, end, slack)
        self.windows += (found, end)  # (and up to ``slack`` before: see ``read_near``)
        return found

    def split(self, start: int, end: int) -> list[tuple[int, int, bool]]:
        self.until = max(self.until, end)
        self.windows += (start, end)
        return super().split(start, end)


def read_near(windows: Sequence[int], starts: Sequence[int], ends: Sequence[int]) -> bool:
    """Whether a lane that read the holds over ``windows`` (:attr:`ReadHolds.windows`) may
    read them otherwise once they changed over the sorted, disjoint stretches ``starts``,
    ``ends``: one of those lies within :data:`READ_MARGIN_NS` of a window. (A change moves
    the merged holds only up to their joining slack away from it, and a read of a stretch
    looks up to its own slack before it, for a hold close enough to join it.)"""
    margin = READ_MARGIN_NS
    n = len(starts)
    for k in range(0, len(windows), 2):
        lo, hi = windows[k] - margin, windows[k + 1] + margin
        i = bisect.bisect_left(ends, lo)
        if i < n and starts[i] <= hi:
            return True
    return False


def grows_from(
    probe: RequestProbe, lane: Lane, now_ns: int, read_until: int, seen: Seen = NOTHING_SEEN
) -> tuple[bool, Seen]:
    """Whether ``lane`` (``build_lane`` of ``probe`` in flight at ``now_ns``, which read the
    loop's holds up to ``read_until``) only grows with "now" while ``probe`` records nothing
    more and the holds stay as they are up to ``read_until``.

    So it is when the probe recorded nothing after ``now_ns`` (a record made while the
    snapshot was taken would be new at the next one) and the building read no holds up to
    now: ``build_lane`` then gives the same segments up to the last record, and after it one
    segment to now whose kind does not depend on now, drawn out to the next now (then merged
    with its neighbour as before). That is a request still waiting to be picked up, one in
    the middle of an open segment (an ``await``, a sleep, a burn: an open wait is drawn as a
    wait, see ``build_lane``), or one waiting for the loop or a thread between its records.
    A timed await stops growing at its deadline (``RequestProbe.due_by``: the live lanes
    build it again then, ended there and waiting for the loop after).

    Also what was read of its records (:data:`Seen`), to read on from there next time
    (``seen``: what an earlier call gave).
    """
    if probe.finished_ns is not None or not lane.segments or read_until >= now_ns:
        return False, seen
    if lane.segments[-1].end_ns != now_ns:
        return False, seen
    last, seen = _last_record(probe, seen)
    return last < now_ns, seen


def _last_record(probe: RequestProbe, seen: Seen) -> tuple[int, Seen]:
    """The time of the probe's latest record (an open segment's start), read on from
    ``seen`` (its lists only grow: what was read stays as it was), and what was read."""
    # (A lane in flight's records, read at every build of it: only those new since.)
    n_marks, n_segments, n_steps, last = seen
    marks, segments, steps = probe.marks, probe.segments, probe.loop_steps
    to_marks, to_segments, to_steps = len(marks), len(segments), len(steps)
    for mark in marks[n_marks:to_marks]:
        if mark.ns > last:
            last = mark.ns
    for seg in segments[n_segments:to_segments]:
        if seg.end_ns > last:
            last = seg.end_ns
    for _, end in steps[n_steps:to_steps]:
        if end > last:
            last = end
    seen = (to_marks, to_segments, to_steps, last)
    last = max(last, probe.sent_ns, probe.picked_ns or 0)
    if probe.open_segments:  # (a dict may change size while read: copied)
        for seg in list(probe.open_segments.values()):
            if seg.start_ns > last:
                last = seg.start_ns
    return last, seen


def grown(lane: Lane, now_ns: int) -> Lane:
    """``lane`` (one :func:`grows_from` accepted) with its last segment reaching ``now_ns``
    (10,000 lanes a frame: made slot by slot, :mod:`simulator.trace.made`)."""
    return reaching(lane, now_ns)
