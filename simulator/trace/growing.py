"""A lane in flight that only grows with "now": drawn again without being built again.

Most requests in flight of a big run are in the middle of one wait (an ``await`` on the
upstream, a ``sleep``, a worker's queue): between two frames their probe records nothing, and
:func:`~simulator.trace.lanes.build_lane` would give the same lane with its last segment
reaching the new "now". :func:`grows_from` says when that is so (with how far the building
read the loop's holds, which :class:`ReadHolds` notes), :func:`grown` draws it.
"""

from __future__ import annotations

from embedded_site.instrumentation import RequestProbe
from simulator.trace.data import Lane, Segment
from simulator.trace.intervals import RESUME_SLACK_NS, STEP_SLACK_NS, IntervalSet

__all__ = ["HOLDS_READ_SLACK_NS", "ReadHolds", "grown", "grows_from"]

#: How far past the last time a lane read the loop's holds a change to them can still move
#: what it read (holds this close are joined into one).
HOLDS_READ_SLACK_NS = max(RESUME_SLACK_NS, STEP_SLACK_NS)

#: Before any time: a lane that never read the holds.
_NEVER = -(2**62)


class ReadHolds(IntervalSet):
    """Holds on the loop (the same lists) that note how far building a lane read them.

    ``build_lane`` reads the holds only through these three methods: one that read them
    otherwise would go unnoticed, and a lane kept from an earlier frame could differ from
    a build from scratch (``tests/simulator/test_live_lanes.py`` would say so).
    """

    __slots__ = ("until",)

    def __init__(self, held: IntervalSet) -> None:
        super().__init__(held.starts, held.ends, held.steps, held._step_ends)
        #: The latest end of a stretch asked about since this was last set.
        self.until = _NEVER

    def first_other(self, start: int, end: int, own: int) -> int:
        # Once another's step is found, later ones are not read: nor is the rest.
        found = super().first_other(start, end, own)
        self.until = max(self.until, found)
        return found

    def covered_tail(self, start: int, end: int, slack: int) -> int:
        self.until = max(self.until, end)
        return super().covered_tail(start, end, slack)

    def split(self, start: int, end: int) -> list[tuple[int, int, bool]]:
        self.until = max(self.until, end)
        return super().split(start, end)


def grows_from(probe: RequestProbe, lane: Lane, now_ns: int, read_until: int) -> bool:
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
    """
    if probe.finished_ns is not None or not lane.segments or read_until >= now_ns:
        return False
    return lane.segments[-1].end_ns == now_ns and _last_record(probe) < now_ns


def _last_record(probe: RequestProbe) -> int:
    """The time of the probe's latest record (an open segment's start)."""
    times = [probe.sent_ns, probe.picked_ns or 0]
    times += [mark.ns for mark in list(probe.marks)]
    times += [seg.end_ns for seg in list(probe.segments)]
    times += [seg.start_ns for seg in list(probe.open_segments.values())]
    times += [end for _, end in list(probe.loop_steps)]
    return max(times)


def grown(lane: Lane, now_ns: int) -> Lane:
    """``lane`` (one :func:`grows_from` accepted) with its last segment reaching ``now_ns``.

    Every lane in flight of a big run is grown each frame (10,000 a frame): the copies are
    made slot by slot, as equal to ``dataclasses.replace`` of each as can be (the tests
    say), but at half what the frozen dataclasses' ``__init__`` costs (``object.
    __setattr__`` per field)."""
    last = lane.segments[-1]
    reaching = _new(Segment)
    _seg_kind(reaching, last.kind)
    _seg_start(reaching, last.start_ns)
    _seg_end(reaching, now_ns)
    _seg_thread(reaching, last.thread)
    _seg_open(reaching, last.open)
    _seg_line(reaching, last.line)
    _seg_name(reaching, last.name)
    copy = _new(Lane)
    _lane_id(copy, lane.request_id)
    _lane_view(copy, lane.view)
    _lane_status(copy, lane.status)
    _lane_code(copy, lane.status_code)
    _lane_error(copy, lane.error)
    _lane_sent(copy, lane.sent_ns)
    _lane_done(copy, now_ns)
    _lane_segments(copy, (*lane.segments[:-1], reaching))
    _lane_threads(copy, lane.threads_seen)
    _lane_db(copy, lane.db_events)
    _lane_notes(copy, lane.notes)
    return copy


_new = object.__new__
# The slots' own setters, in the dataclasses' field order (checked here: a field added to
# either must be copied above too).
assert Segment.__slots__ == ("kind", "start_ns", "end_ns", "thread", "open", "line", "name")
_seg_kind, _seg_start, _seg_end, _seg_thread, _seg_open, _seg_line, _seg_name = (
    getattr(Segment, name).__set__ for name in Segment.__slots__
)
assert Lane.__slots__ == (
    "request_id",
    "view",
    "status",
    "status_code",
    "error",
    "sent_ns",
    "done_ns",
    "segments",
    "threads_seen",
    "db_events",
    "notes",
)
(
    _lane_id,
    _lane_view,
    _lane_status,
    _lane_code,
    _lane_error,
    _lane_sent,
    _lane_done,
    _lane_segments,
    _lane_threads,
    _lane_db,
    _lane_notes,
) = (getattr(Lane, name).__set__ for name in Lane.__slots__)
