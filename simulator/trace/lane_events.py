"""The events a lane's walk goes through (:func:`~simulator.trace.lanes.build_lane_again`),
made from its probe's records, or those of the build before where its records are the same.

Most builds of a big run's lanes in flight follow a loop step alone (10,000 requests
waiting for the loop: each step of one changes its lane), or only a later "now": the
records the events are made of are then the same, and so are the events, unless they read
the build's "now" (a segment still open, drawn up to it; a record after it; a held
middleware's thread, ``awaits_held``). Those builds reuse the events, and skip reading the
records again (``tests/simulator/test_live_lanes.py`` checks the lanes so built frame by
frame on real runs against builds from scratch).
"""

from __future__ import annotations

from operator import attrgetter, itemgetter

from embedded_site.instrumentation import Mark, RawSegment, RequestProbe
from simulator.trace.lane_build import NEVER, Event, Records
from simulator.trace.lane_parts import (
    PlainClock,
    awaits_held,
    drawn_body,
    held_by_worker,
    resumed_late,
    threads_seen,
)

__all__ = ["Head", "Made", "events_kept", "events_of"]

_TIME_ORDER = itemgetter(0, 1)
_BY_START = attrgetter("start_ns", "end_ns")
_BY_NS = attrgetter("ns")

#: The start of a walk as the records say it: ``picked_ns, picked_thread, clock, sent_ns,
#: loop_thread`` (``LaneBuild.start`` but the middleware's start).
Head = tuple[int, str, PlainClock | None, int, str | None]
#: The events in time order; where the middleware chain began and ended (``None``: not
#: seen); a sync-only middleware's thread held (``awaits_held``); the threads seen; and
#: what a next build needs to reuse them (``None``: they read its "now").
Made = tuple[
    list[Event] | tuple[Event, ...],
    int | None,
    int | None,
    tuple[str, list[tuple[int, int]]] | None,
    tuple[tuple[str, int], ...],
    Records | None,
]


def events_of(probe: RequestProbe, head: Head, done_ns: int, loop_thread: str | None) -> Made:
    """The points where a gap may start or end, with the thread seen there, and the
    declared segments as drawn, in time order (:data:`Event`), and the rest of
    :data:`Made`, from all of ``probe``'s records."""
    picked, picked_thread, picked_clock, _, _ = head
    # How many records there are, read before them: one recorded meanwhile is read, and
    # the next build reads the records again (they only grow, by appending).
    n_segments, n_marks = len(probe.segments), len(probe.marks)
    opened = bool(probe.open_segments)  # (read once: one may open or go meanwhile)
    segments = probe.segments_until(done_ns) if opened else probe.segments
    declared = resumed_late(sorted(segments, key=_BY_START), loop_thread)
    marks = sorted(probe.marks, key=_BY_NS)
    if loop_thread is None and probe.picked_thread is not None:
        declared, marks = held_by_worker(declared, marks, probe.picked_thread)
    mw_in, mw_out, held_in = _middleware(marks)
    held_awaits = (
        awaits_held(declared, marks, loop_thread, done_ns)
        if held_in and loop_thread is not None
        else None
    )
    events: list[Event] = [(picked, 0, (picked, picked_thread, "", picked_clock))]
    for m in marks:
        ns = m.ns
        if picked <= ns <= done_ns:
            c = m.clock
            events.append(
                (ns, 0, (ns, m.thread, m.where, None if c is None else (c[0], c[1], c[2])))
            )
    body = drawn_body(declared, picked, done_ns)
    if body:  # (the points alone are in order: marks sorted, none before ``picked``)
        events += [(b[1], 1, b) for b in body]
        events.sort(key=_TIME_ORDER)
    threads = threads_seen(marks, body)
    # Reusable while none of it reads ``done_ns``: every record before it, none open, no
    # middleware's thread held up to it.
    reach = _reach(declared, marks)
    records = None
    if reach < done_ns and not opened and held_awaits is None:
        records = (n_segments, n_marks, reach, mw_in, mw_out, threads)
    return events, mw_in, mw_out, held_awaits, threads, records


def events_kept(
    records: Records, events: tuple[Event, ...], probe: RequestProbe, done_ns: int
) -> Made | None:
    """:func:`events_of` ``probe``'s records, given what it made of them before
    (``records``, ``events``; from the same start), where they are the same: as many of
    each (they only grow), none open, all before ``done_ns``; else ``None``."""
    n_segments, n_marks, reach, mw_in, mw_out, threads = records
    if (
        reach >= done_ns
        or probe.open_segments
        or len(probe.segments) != n_segments
        or len(probe.marks) != n_marks
    ):
        return None
    return events, mw_in, mw_out, None, threads, records


def _reach(declared: list[RawSegment], marks: list[Mark]) -> int:
    """The latest time ``declared`` (their ends) and ``marks`` (sorted) reach."""
    reach = marks[-1].ns if marks else NEVER
    for seg in declared:
        if seg.end_ns > reach:
            reach = seg.end_ns
    return reach


def _middleware(marks: list[Mark]) -> tuple[int | None, int | None, bool]:
    """Where the middleware chain began (the first ``middleware_in``) and ended (the last
    ``middleware_out``; ``None``: not seen), and whether a sync-only middleware's thread
    was held (``awaits_held``)."""
    mw_in = mw_out = None
    held_in = False
    for m in marks:
        where = m.where
        if where == "middleware_in":
            if mw_in is None:
                mw_in = m.ns
        elif where == "middleware_out":
            mw_out = m.ns
        elif where == "sync_middleware_in":
            held_in = True
    return mw_in, mw_out, held_in
