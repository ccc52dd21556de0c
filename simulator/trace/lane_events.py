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
from simulator.trace.lane_build import NEVER, Drawn, Event, Records
from simulator.trace.lane_parts import (
    IO_WAIT,
    PlainClock,
    awaits_held,
    drawn_body,
    held_by_worker,
    plain_clock,
    resumed_late,
    sleeps_over,
    threads_seen,
)

__all__ = ["Head", "Made", "events_grown", "events_kept", "events_of"]

_TIME_ORDER = itemgetter(0, 1)
_BY_START = attrgetter("start_ns", "end_ns")
_BY_NS = attrgetter("ns")

#: The start of a walk as the records say it: ``picked_ns, picked_thread, clock, sent_ns,
#: loop_thread`` (``LaneBuild.start`` but the middleware's start).
Head = tuple[int, str, PlainClock | None, int, str | None]
#: The events in time order; where the middleware chain began and ended (``None``: not
#: seen); a sync-only middleware's thread held (``awaits_held``); the threads seen; what
#: a next build needs to reuse them (``None``: they read its "now"); and what they were
#: drawn from, for a next build to grow them (``None``: not kept).
Made = tuple[
    list[Event] | tuple[Event, ...],
    int | None,
    int | None,
    tuple[str, list[tuple[int, int]]] | None,
    tuple[tuple[str, int], ...],
    Records | None,
    Drawn | None,
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
    segments = sleeps_over(probe.segments_until(done_ns)) if opened else probe.segments
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
    drawn = None
    if loop_thread is not None and held_awaits is None:
        # (Those open: as many as were drawn beyond the closed ones counted; one closed
        # meanwhile counts as open, which only ever refuses a growth.)
        n_open = len(segments) - n_segments if opened else 0
        drawn = (n_segments, n_marks, n_open, done_ns, mw_in, mw_out, threads)
    return events, mw_in, mw_out, held_awaits, threads, records, drawn


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
    drawn = (n_segments, n_marks, 0, done_ns, mw_in, mw_out, threads)
    return events, mw_in, mw_out, None, threads, records, drawn


def events_grown(
    drawn: Drawn, events: tuple[Event, ...], probe: RequestProbe, done_ns: int, loop_thread: str
) -> Made | None:
    """:func:`events_of` ``probe``'s records up to ``done_ns`` on the watched loop, given
    those of the same start drawn up to an earlier "now" (``events``, made from what
    ``drawn`` says), where its records only grew after all those drew: ``None`` elsewhere.

    So it is (a request answered after its await, or finished after Django tidied up) when
    no segment is open now and either
    - none was then, none closed since, and every segment ended before that "now": each is
      drawn as it was (none reaches it to be cut there); or
    - one was, an await on the loop, drawn last from where it began, and it is the one
      segment closed since: every other began and ended before it began, so is drawn as it
      was, and it is drawn closed from there (what :func:`~simulator.trace.lane_parts.
      drawn_body` reads before it is the same);
    - no other segment resumed late off the loop (``resumed_late`` adds nothing), and every
      mark recorded since lies after all drawn before, as do the marks drawn now that were
      not then (after that "now", or after the await's start, which came last): the points
      new since come after every event kept, in the order :func:`events_of` sorts them.
    A sync-only middleware's mark refuses it (its thread's awaits are drawn otherwise)."""
    n0, m0, open0, done0, _, _, threads = drawn
    if done_ns < done0 or probe.open_segments:
        return None
    segments = probe.segments
    n_segments = len(segments)
    made: list[Event]
    if n_segments == n0 and not open0:
        limit, made, ends = done0, list(events), NEVER
    elif n_segments == n0 + 1 and open0 == 1:
        closed = segments[n0]
        _, is_body, was = events[-1]
        start = closed.start_ns
        if (
            closed.kind != IO_WAIT
            or closed.thread != loop_thread
            or closed.open
            or not is_body
            or was[0] != IO_WAIT
            or was[1] != start
            or was[3] != loop_thread
        ):
            return None
        ends = closed.end_ns
        end = min(ends, done_ns)
        if end <= start:
            return None
        whole = end == ends
        body = (
            IO_WAIT,
            start,
            end,
            loop_thread,
            False,
            closed.line,
            plain_clock(closed.start_clock),
            plain_clock(closed.end_clock) if whole else None,
            closed.due_ns if whole else None,
        )
        limit, made = start, [*events[:-1], (start, 1, body)]
    else:
        return None
    # Every other segment drawn as it was: before the limit, none resumed late off the loop.
    for seg in segments[:n0]:
        end_ns = seg.end_ns
        if end_ns > ends:
            ends = end_ns
        if ((end_ns >= limit) if not open0 else (end_ns > limit or seg.start_ns >= limit)) or (
            seg.thread != loop_thread
            and seg.due_ns == end_ns
            and seg.start_clock is not None
            and seg.end_clock is not None
            and seg.end_clock.wall_ns > end_ns
        ):
            return None
    n_marks = len(probe.marks)
    marks = probe.marks[:n_marks]
    same_marks = n_marks == m0 and not open0  # (then all but the points as they were)
    if same_marks:
        mw_in, mw_out = drawn[4], drawn[5]  # (and no middleware's thread held, as then)
    else:
        for m in marks[m0:]:
            if m.ns <= limit:
                return None
        marks.sort(key=_BY_NS)
        mw_in, mw_out, held_in = _middleware(marks)
        if held_in:
            return None
    reach = NEVER
    points: list[Mark] = []
    for m in marks:
        ns = m.ns
        if ns > reach:
            reach = ns
        if limit < ns <= done_ns:
            points.append(m)
    if same_marks and len(points) > 1:
        points.sort(key=_BY_NS)  # (as :func:`events_of` orders them, ties as recorded)
    for m in points:
        ns, c = m.ns, m.clock
        made.append((ns, 0, (ns, m.thread, m.where, None if c is None else (c[0], c[1], c[2]))))
    if not same_marks:
        threads = threads_seen(marks, [item for _, is_body, item in made if is_body])
    if ends > reach:
        reach = ends
    records = None
    if reach < done_ns:
        records = (n_segments, n_marks, reach, mw_in, mw_out, threads)
    drawn_now = (n_segments, n_marks, 0, done_ns, mw_in, mw_out, threads)
    return made, mw_in, mw_out, None, threads, records, drawn_now


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
