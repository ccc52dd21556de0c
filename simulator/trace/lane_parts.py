"""The pieces :func:`~simulator.trace.lanes.build_lane` is made of that read no holds on the
loop: Django's time between two clock readings, a worker or a middleware's thread held, the
threads seen, and the last pass joining neighbours.

A lane is built of plain tuples (:data:`Piece`, a segment's fields in :class:`Segment`'s
order) and turned into :class:`Segment` objects once, at the end: a frozen dataclass costs
several times a tuple to make, and a lane in flight is built again many times a run.

A piece names its kind by the kind's value (a plain ``str``, equal to the :class:`Kind`) and
its clocks as plain tuples (:func:`plain_clock`): a tuple of only numbers and strings is one
the garbage collector stops walking, one holding an enum member or a ``NamedTuple`` is walked
by every full collection, and a live run keeps a dozen of them per request in flight for its
next build (``LaneBuild``: at 10,000 requests, more than a tenth of what a collection walked,
holding the GIL while the window could not draw).
"""

from __future__ import annotations

from collections.abc import Sequence
from operator import attrgetter

from embedded_site.instrumentation import Mark, RawSegment, is_sleep, over
from embedded_site.waits import Clock, waits
from simulator.trace.intervals import IntervalSet
from simulator.trace.kinds import Kind

__all__ = [
    "Body",
    "Piece",
    "awaits_held",
    "drawn_body",
    "framework",
    "held_by_worker",
    "held_during",
    "MergeState",
    "merge_from",
    "merge_touching",
    "placed_wait_overlapped",
    "resumed_late",
    "sleeps_over",
    "steps_joined",
    "threads_seen",
]

#: A segment's ``kind, start_ns, end_ns, thread, open, line`` (its ``name`` is ``None``), its
#: kind by its value (``made.make_segments`` turns it into the :class:`Kind`).
Piece = tuple[str, int, int, str, bool, int | None]
#: One thread's clocks (``Clock``'s fields) in a plain tuple, which the collector untracks.
PlainClock = tuple[int, int, int | None]
#: A declared segment as drawn: a :data:`Piece`'s fields, then its clocks at start and end,
#: then a timed await's deadline (``RawSegment.due_ns``, where it is drawn to its own end).
Body = tuple[str, int, int, str, bool, int | None, PlainClock | None, PlainClock | None, int | None]

#: The kinds a piece is made of, by value (what each is, ``kinds.Kind``).
QUEUED, FRAMEWORK, THREAD_HOP = Kind.QUEUED.value, Kind.FRAMEWORK.value, Kind.THREAD_HOP.value
IO_WAIT, IO_BLOCKING, CANCELLED = Kind.IO_WAIT.value, Kind.IO_BLOCKING.value, Kind.CANCELLED.value
CPU = Kind.CPU.value
_KNOWN = {kind.value for kind in Kind}
_PLACED = (Kind.GIL_WAIT.value, Kind.CORE_WAIT.value)
_BY_START = attrgetter("start_ns", "end_ns")


def plain_clock(clock: Clock | None) -> PlainClock | None:
    """``clock``'s fields in a plain tuple (compares equal to it)."""
    return None if clock is None else (clock[0], clock[1], clock[2])


def placed_wait_overlapped(before: Body, seg: RawSegment) -> bool:
    """Whether ``seg``, measured on another thread, starts inside ``before``, a wait to run
    that was placed, not seen: the loop monitor puts a step's standing still at the step's
    end (``loop_monitor._held_pieces``), and the step that handed the request to a thread
    ends only after that thread began, so the wait can cover the view's whole sleep. (Two
    placed waits say nothing about which came first: the later is clipped, as before.)"""
    return (
        before[0] in _PLACED
        and seg.kind not in _PLACED
        and seg.thread != before[3]
        and seg.start_ns < before[2]
    )


def resumed_late(declared: list[RawSegment], loop_thread: str | None) -> list[RawSegment]:
    """``declared``, each timed await closed at its deadline followed by how its thread
    waited to run from then until it resumed (``gil_wait``, ``core_wait``: the rule of
    ``embedded_site.waits``, as after a sleep), from the clocks read as it began and at the
    resume (its ``end_clock``, read after its end with nothing but waiting in between).

    Off the loop the monitor watches only: an async view under WSGI awaits on a private
    loop of its own thread, which did nothing else, so its lateness was that thread waiting
    to run. Drawn as Django framework, lesson 21's polls under load ended in bars of up to
    ~100 ms of "Django" that was waiting. On the watched loop the lateness is the loop
    running others or waiting to, which its steps tell (``build_lane``)."""
    late: list[RawSegment] = []
    for seg in declared:
        a, b, due = seg.start_clock, seg.end_clock, seg.due_ns
        if due != seg.end_ns or a is None or b is None or b.wall_ns <= due:
            continue  # (not a timed await resumed late: most segments)
        if seg.thread == loop_thread:
            continue
        pieces = waits(a, b, due - a.wall_ns, alone=False)  # (idle in its loop until due)
        late += [
            RawSegment(kind, s, e, seg.thread, False, seg.line, None, b if e == b.wall_ns else None)
            for kind, s, e in pieces
        ]
    if not late:
        return declared
    return sorted(declared + late, key=_BY_START)


def sleeps_over(segments: list[RawSegment]) -> list[RawSegment]:
    """``segments`` (a live host's, the open ones drawn to its "now"), each ``time.sleep``
    still open past its end (:func:`~embedded_site.instrumentation.over`) drawn as
    blocking I/O up to there, then as waiting for the GIL, open: the sleep is over and its
    thread waits to run again. Its close replaces both with what the clocks measured (the
    GIL or a core, ``embedded_site.waits``); until then the GIL is what a thread that slept
    beside others mostly waits for. Drawn as blocking I/O to "now", lesson 15's sleep(0)
    read as 30 ms of I/O mid-run, then as waiting for the GIL once finished."""
    if not any(s.open and is_sleep(s) for s in segments):
        return segments
    drawn: list[RawSegment] = []
    for s in segments:
        due = s.due_ns
        if not (s.open and is_sleep(s) and due is not None and over(s, s.end_ns)):
            drawn.append(s)
            continue
        kind, start, thread, line = s.kind, s.start_ns, s.thread, s.line
        if due > start:
            drawn.append(RawSegment(kind, start, due, thread, False, line, s.start_clock))
        drawn.append(RawSegment(Kind.GIL_WAIT.value, due, s.end_ns, thread, True, line))
    return drawn


def drawn_body(declared: list[RawSegment], picked: int, done_ns: int) -> list[Body]:
    """The declared segments as drawn: each from where the one before ended, up to the end."""
    body: list[Body] = []
    for seg in declared:
        if body and ran_inside_await(body[-1], seg) and picked <= seg.start_ns < done_ns:
            # The loop monitor's ``cpu`` for a step that held the loop inside the request's
            # own await (its I/O woke it, then its code ran 5 ms or more): the await is cut
            # around it, not drawn over it as "awaiting I/O" under a red "loop blocked".
            kind, s, e, thread, is_open, line, start_clock, end_clock, due = body.pop()
            ran = (CPU, seg.start_ns, min(seg.end_ns, e), thread, False, seg.line)
            body.append((kind, s, seg.start_ns, thread, False, line, start_clock, None, None))
            body.append((*ran, None, None, None))
            if e > ran[2]:
                body.append((kind, ran[2], e, thread, is_open, line, None, end_clock, due))
            continue
        if body and placed_wait_overlapped(body[-1], seg):
            # The wait only says how long, not when: the segment measured on the other
            # thread (the view's sleep, running while the loop waited to finish its step)
            # says where the request was from its start.
            kind, s, _, thread, is_open, line, start_clock, _, _ = body.pop()
            if seg.start_ns > s:
                cut = (kind, s, seg.start_ns, thread, is_open, line, start_clock, None, None)
                body.append(cut)
        start = max(seg.start_ns, picked, body[-1][2] if body else picked)
        end = min(seg.end_ns, done_ns)
        if end > start:
            body.append(
                (
                    _kind_value(seg.kind),
                    start,
                    end,
                    seg.thread,
                    seg.open,
                    seg.line,
                    plain_clock(seg.start_clock) if start == seg.start_ns else None,
                    plain_clock(seg.end_clock) if end == seg.end_ns else None,
                    seg.due_ns if end == seg.end_ns else None,
                )
            )
    return body


def ran_inside_await(before: Body, seg: RawSegment) -> bool:
    """Whether ``seg`` is the loop monitor's ``cpu`` inside the await drawn last (``before``):
    the same thread, starting after it did and before it ended."""
    return (
        seg.kind == CPU
        and before[0] == IO_WAIT
        and before[3] == seg.thread
        and before[1] < seg.start_ns < before[2]
    )


def _kind_value(kind: str) -> str:
    """A declared segment's kind (a value of :class:`Kind`: anything else is refused)."""
    if kind not in _KNOWN:
        raise ValueError(f"{kind!r} is not a valid Kind")
    return str(kind)


def steps_joined(
    steps: Sequence[tuple[int, int]],
    n: int,
    new: list[tuple[int, int]],
    known: int,
    joined_known: tuple[Sequence[int], Sequence[int]] | None,
) -> IntervalSet:
    """``IntervalSet.of(steps[:n])``, given ``joined_known``, the starts and ends of that of
    the first ``known`` of them, and ``new``, those since, sorted: joined on when they all
    start after the end of those (where sorting them all would put them, joining none of
    them). A new set (its lists are copies)."""
    if joined_known is None or n < known:  # (never fewer: they only grow)
        return IntervalSet.of(steps[:n])
    starts, ends = list(joined_known[0]), list(joined_known[1])
    if not new:
        return IntervalSet(starts, ends)
    if ends and new[0][0] <= ends[-1]:
        return IntervalSet.of(steps[:n])  # (where it may reach back into the steps joined)
    for start, end in new:
        if ends and start <= ends[-1]:
            if end > ends[-1]:
                ends[-1] = end
        else:
            starts.append(start)
            ends.append(end)
    return IntervalSet(starts, ends)


def framework(
    start: int, end: int, thread: str, a: PlainClock | None, b: PlainClock | None
) -> list[Piece]:
    """Django's time between two readings of one thread's clocks: the CPU it used, then
    what it waited to run (the clocks say how long each, not when).

    A first reading made before ``start`` (the stretch since went to the loop, which ran
    on meanwhile) still times the wait: placed at the end, it is the stretch's end. Drawn
    whole as framework instead, lesson 9's sync-middleware threads, waiting 20–140 ms for
    the GIL beside siblings drawn waiting, read as Django running all that time."""
    if a is None or b is None or a[0] > start or b[0] != end:
        whole: Piece = (FRAMEWORK, start, end, thread, False, None)
        return [whole]
    # Read later, here: the in-process site always ran beside its server's other threads.
    measured = waits(Clock(*a), Clock(*b), alone=False)
    pieces = [(kind, max(s, start), e) for kind, s, e in measured if e > start]
    ran_until = pieces[0][1] if pieces else end
    ran: list[Piece] = [(FRAMEWORK, start, ran_until, thread, False, None)]
    return [p for p in ran if p[2] > p[1]] + [
        (_kind_value(kind), s, e, thread, False, None) for kind, s, e in pieces
    ]


def awaits_held(
    declared: list[RawSegment], marks: list[Mark], loop_thread: str, done_ns: int
) -> tuple[str, list[tuple[int, int]]] | None:
    """Under ASGI behind a sync-only middleware, an await holds the middleware's thread.

    Django runs the middleware on a thread (``sync_to_async``), which calls the rest of the
    chain with ``async_to_sync`` and blocks until the async view returns: while the view
    awaits on the loop, that thread can serve nobody else. Returns that thread (the one the
    middleware's marks were made on) and the view's awaits on the loop meanwhile; ``None``
    without such a middleware.
    """
    entered = next((m for m in marks if m.where == "sync_middleware_in"), None)
    if entered is None or entered.thread == loop_thread:
        return None
    left = next((m.ns for m in reversed(marks) if m.where == "sync_middleware_out"), done_ns)
    return entered.thread, [
        (seg.start_ns, seg.end_ns)
        for seg in declared
        if seg.kind == "io_wait"
        and seg.thread == loop_thread
        and entered.ns <= seg.start_ns
        and seg.end_ns <= left
    ]


def held_during(pieces: list[Piece], thread: str, awaits: list[tuple[int, int]]) -> list[Piece]:
    """Each await in ``awaits``, from suspend to its end (its wait for the loop inside it
    included), as ``io_blocking`` on the held ``thread``, as an async view's await under WSGI
    is on its worker (:func:`held_by_worker`). The hand-offs around it stay as measured: a
    timed await ends at its deadline, and the wait for the loop after it is a hand-off on
    the held thread, as every wait for the loop inside the middleware chain is."""
    if not awaits:
        return pieces
    return [
        (IO_BLOCKING, start, end, thread, is_open, line)
        if kind in (IO_WAIT, QUEUED) and any(s <= start and end <= e for s, e in awaits)
        else (kind, start, end, on, is_open, line)
        for kind, start, end, on, is_open, line in pieces
    ]


def threads_seen(marks: list[Mark], body: Sequence[Body]) -> tuple[tuple[str, int], ...]:
    """Each thread a mark or a declared segment was seen on, with its first time."""
    first: dict[str, int] = {}
    for m in marks:
        thread, ns = m.thread, m.ns
        if thread not in first or ns < first[thread]:
            first[thread] = ns
    for b in body:
        thread, ns = b[3], b[1]
        if thread not in first or ns < first[thread]:
            first[thread] = ns
    return tuple(first.items())


def held_by_worker(
    declared: list[RawSegment], marks: list[Mark], worker: str
) -> tuple[list[RawSegment], list[Mark]]:
    """Under WSGI, whatever a request does, its worker thread is held for it.

    An async view there runs on a private event loop that ``async_to_sync`` starts on
    another thread, while the worker waits for it: the worker can serve nobody else. So
    the work is drawn on the worker, and an ``await`` that holds the worker is
    ``io_blocking``. That is the lesson: an async view under WSGI still costs a worker.
    """
    moved = [
        seg
        if seg.thread == worker
        else RawSegment(
            "io_blocking" if seg.kind == "io_wait" else seg.kind,
            seg.start_ns,
            seg.end_ns,
            worker,
            seg.open,
            seg.line,
        )
        for seg in declared
    ]
    return moved, [m if m.thread == worker else Mark(m.ns, worker, m.where) for m in marks]


def merge_touching(pieces: Sequence[Piece]) -> list[Piece]:
    """Join neighbours of the same kind on the same thread, and drop empty ones."""
    merged: list[Piece] = []
    merge_from(merged, pieces, 0, ())
    return merged


#: How far a merge had come: how many pieces ``merged`` then held, and its last (``None``
#: when empty). The ones before the last stay as they are; the last may grow.
MergeState = tuple[int, Piece | None]


def merge_from(
    merged: list[Piece], pieces: Sequence[Piece], start: int, stops: Sequence[int]
) -> list[MergeState]:
    """Fold ``pieces[start:]`` into ``merged`` (what :func:`merge_touching` made of
    ``pieces[:start]``), as it does; returns the state after each count of pieces in
    ``stops`` (ascending, from ``start`` on), to go on from there another time."""
    states: list[MergeState] = []
    n_stops, k = len(stops), 0
    stop = stops[0] if n_stops else -1
    append = merged.append
    for i in range(start, len(pieces)):
        while stop == i:
            states.append((len(merged), merged[-1] if merged else None))
            k += 1
            stop = stops[k] if k < n_stops else -1
        piece = pieces[i]
        kind, begin, end, thread, is_open, line = piece
        if end <= begin:
            continue
        if merged:
            last = merged[-1]
            if last[0] == kind and last[3] == thread and last[2] == begin:
                line = last[5] if last[5] is not None else line
                merged[-1] = (kind, last[1], end, thread, is_open, line)
                continue
        append(piece)
    while stop != -1:
        states.append((len(merged), merged[-1] if merged else None))
        k += 1
        stop = stops[k] if k < n_stops else -1
    return states
