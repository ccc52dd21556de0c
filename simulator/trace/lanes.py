"""Building one request's lane from what its probe recorded.

The probe holds raw facts (declared segments, marks where Django's machinery ran, the loop
monitor's steps); a lane is gap-free and says at every instant what the request was doing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from embedded_site.instrumentation import Mark, RawSegment, RequestProbe
from embedded_site.waits import Clock, waits
from simulator.trace.data import Lane, Segment, Status
from simulator.trace.intervals import RESUME_SLACK_NS, IntervalSet
from simulator.trace.kinds import QUEUE_THREAD, Kind

__all__ = ["build_lane"]


@dataclass(frozen=True, slots=True)
class _Point:
    ns: int
    thread: str
    where: str = ""
    clock: Clock | None = None


def build_lane(
    probe: RequestProbe,
    *,
    done_ns: int,
    status: Status,
    status_code: int | None = None,
    error: str | None = None,
    loop_thread: str | None = None,
    loop_held: IntervalSet | None = None,
) -> Lane:
    """Turn a probe's raw facts into a gap-free lane of segments ending at ``done_ns``.

    The view declared its ``io_wait``/``io_blocking``/``cpu`` segments. The gaps between them
    are derived, from where each gap starts and ends:

    - before the server picked the request up: ``queued``;
    - inside the middleware chain, where the work moves to another thread: ``thread_hop``
      (getting the loop back included);
    - anywhere else: ``framework`` (Django's handler, middleware, its own thread hand-offs),
      except that between two readings of one thread's clocks (marks, declared segments),
      only the CPU the thread used is framework: the rest it waited to run (``gil_wait``,
      ``core_wait``: ``embedded_site.waits``);
    - except that where the loop is involved, the loop monitor's steps decide: while the
      loop ran this request's code it is ``framework``; between two such steps its coroutine
      was suspended, its state unchanged, waiting for the loop (whether the loop ran others
      or idled) or for a thread to run Django's receivers: one ``queued`` piece, not a sliver
      per other request's step (a thousand requests in flight would cut it a thousand times).

    An ``io_wait`` on the loop that ended only when a run of other requests' holds on the
    loop ended was over sooner: its I/O finished during those holds, and a coroutine can only
    resume once the loop is free. That tail is ``queued`` too (it may start up to a hold
    early: the loop cannot see when I/O completes while it is blocked), but never before the
    request last ran on the loop inside the wait, woken by its I/O's progress: its coroutine
    then suspended on the I/O again, so the I/O was not over. (A loop kept busy by the others
    from before an upstream call began until after it ended turned the whole call into
    ``queued``.) A wait still open (a live snapshot) is drawn as a wait up to ``done_ns``: the
    loop being busy now does not say its I/O has finished (and so a lane in flight only grows
    with "now": ``growing``).

    A wait to run that the loop monitor placed at the end of a step (the clocks say how long,
    not when) ends where a segment measured on another thread starts inside it: the step that
    hands a sync view to a thread ends after the view began, and under load its wait could
    cover the view's whole sleep.
    """
    held = loop_held or IntervalSet()
    segments: list[Segment] = []
    client_done_ns = done_ns
    if status != "cancelled" and probe.finished_ns is not None:
        done_ns = max(done_ns, probe.finished_ns)
    picked = probe.picked_ns
    if picked is None or picked >= done_ns:
        # Never reached a worker (stopped while waiting, or refused).
        kind = Kind.CANCELLED if status == "cancelled" else Kind.QUEUED
        only = Segment(kind, probe.sent_ns, max(done_ns, probe.sent_ns), QUEUE_THREAD)
        return Lane(
            probe.request_id,
            probe.view,
            status,
            status_code,
            error or probe.error,
            probe.sent_ns,
            client_done_ns,
            (only,),
        )
    if picked > probe.sent_ns:
        segments.append(Segment(Kind.QUEUED, probe.sent_ns, picked, QUEUE_THREAD))

    declared = sorted(probe.segments_until(done_ns), key=lambda s: (s.start_ns, s.end_ns))
    marks = sorted(list(probe.marks), key=lambda m: m.ns)
    if loop_thread is None and probe.picked_thread is not None:
        declared, marks = _held_by_worker(declared, marks, probe.picked_thread)
    held_awaits = (
        _awaits_held(declared, marks, loop_thread, done_ns) if loop_thread is not None else None
    )
    mw_in = next((m.ns for m in marks if m.where == "middleware_in"), None)
    mw_out = next((m.ns for m in reversed(marks) if m.where == "middleware_out"), None)
    if mw_in is not None and mw_out is None:
        mw_out = done_ns  # still inside the chain (live) or cut short

    # Points where a gap may start or end, with the thread seen there.
    points: list[_Point] = [_Point(picked, probe.picked_thread or "?", "", probe.picked_clock)]
    points += [_Point(m.ns, m.thread, m.where, m.clock) for m in marks if picked <= m.ns <= done_ns]
    body: list[Segment] = []
    clocks: dict[int, tuple[Clock | None, Clock | None]] = {}  # by id() of a body segment
    for seg in declared:
        if body and _placed_wait_overlapped(body[-1], seg):
            # The wait only says how long, not when: the segment measured on the other
            # thread (the view's sleep, running while the loop waited to finish its step)
            # says where the request was from its start.
            cut = body.pop()
            kept = Segment(cut.kind, cut.start_ns, seg.start_ns, cut.thread, cut.open, cut.line)
            cut_clocks = clocks.pop(id(cut))
            if kept.end_ns > kept.start_ns:
                body.append(kept)
                clocks[id(kept)] = (cut_clocks[0], None)
        start = max(seg.start_ns, picked, body[-1].end_ns if body else picked)
        end = min(seg.end_ns, done_ns)
        if end > start:
            body.append(Segment(Kind(seg.kind), start, end, seg.thread, seg.open, seg.line))
            clocks[id(body[-1])] = (
                seg.start_clock if start == seg.start_ns else None,
                seg.end_clock if end == seg.end_ns else None,
            )
    # Walk points and declared segments in time order, filling the gaps between them.
    events: list[tuple[int, int, _Point | Segment]] = [(p.ns, 0, p) for p in points]
    events += [(s.start_ns, 1, s) for s in body]
    events.sort(key=lambda e: (e[0], e[1]))
    last_ns, last_thread = picked, probe.picked_thread or "?"
    last_clock = probe.picked_clock

    own_steps = IntervalSet.of(list(probe.loop_steps)) if loop_thread is not None else None

    def fill(until: int, thread_there: str, clock_there: Clock | None = None) -> None:
        if until <= last_ns:
            return
        hop = (
            mw_in is not None
            and mw_in <= last_ns
            and until <= (mw_out or done_ns)
            and thread_there != last_thread
        )
        kind = Kind.THREAD_HOP if hop else Kind.FRAMEWORK
        if loop_thread is None or loop_thread not in (thread_there, last_thread):
            if kind == Kind.FRAMEWORK and thread_there == last_thread:
                segments.extend(_framework(last_ns, until, last_thread, last_clock, clock_there))
            else:
                segments.append(Segment(kind, last_ns, until, last_thread))
            return
        # The loop is involved: while it ran this request's code, that is framework. Between
        # its own steps the request's coroutine was suspended, its state unchanged whatever
        # the loop did meanwhile: one wait, not a sliver per other request's step.
        waiting_thread = thread_there if thread_there != loop_thread else last_thread
        assert own_steps is not None  # the loop is involved, so there is one
        pieces = own_steps.split(last_ns, until)
        measured_steps = bool(own_steps.starts)
        if (
            measured_steps
            and not hop
            and last_thread != loop_thread
            and pieces
            and not pieces[0][2]
        ):
            # Back from a receiver's thread: until the loop first ran another request's code
            # (or this one's), that is Django on that thread finishing and handing back;
            # from then on, the request waited for the loop.
            s, e, _ = pieces[0]
            ran_until = held.first_other(s, e, id(probe))
            segments.append(Segment(Kind.FRAMEWORK, s, ran_until, last_thread))
            pieces[0] = (ran_until, e, False)
        for s, e, running in pieces:
            if running:
                segments.append(Segment(Kind.FRAMEWORK, s, e, loop_thread))
            elif hop:
                # A hand-off inside the middleware chain is the whole wait, getting the loop
                # back included: without the hand-off there would be nothing to wait for.
                segments.append(Segment(Kind.THREAD_HOP, s, e, waiting_thread))
            elif measured_steps:
                # Waiting for the loop (busy with others, or to wake up), or for a thread to
                # run Django's receiver or ``response.close()``: waiting to run, queued.
                segments.append(Segment(Kind.QUEUED, s, e, loop_thread))
            else:
                # No loop monitor: only the holds on the loop say when it was busy.
                for s2, e2, busy in held.split(s, e):
                    kind_there = Kind.QUEUED if busy else kind
                    segments.append(
                        Segment(kind_there, s2, e2, loop_thread if busy else last_thread)
                    )

    for ns, _, item in events:
        if isinstance(item, _Point):
            fill(ns, item.thread, item.clock)
            last_ns, last_thread, last_clock = max(last_ns, ns), item.thread, item.clock
        else:
            start_clock, end_clock = clocks[id(item)]
            fill(item.start_ns, item.thread, start_clock)
            ready = item.end_ns
            if item.kind == "io_wait" and item.thread == loop_thread and not item.open:
                assert own_steps is not None  # the wait is on the loop, so there is one
                # Each time its I/O woke the request inside the wait (httpx connected, a
                # connection refused), it ran, then suspended on it again: it was not over.
                pending = own_steps.last_end_in(item.start_ns, item.end_ns)
                ready = held.covered_tail(pending, item.end_ns, RESUME_SLACK_NS)
            segments.append(
                Segment(item.kind, item.start_ns, ready, item.thread, item.open, item.line)
            )
            if ready < item.end_ns:
                segments.append(Segment(Kind.QUEUED, ready, item.end_ns, item.thread))
            last_ns, last_thread, last_clock = item.end_ns, item.thread, end_clock
    if status == "cancelled" and last_ns < done_ns:
        segments.append(Segment(Kind.CANCELLED, last_ns, done_ns, last_thread))
    else:
        fill(done_ns, probe.picked_thread or last_thread)
    if held_awaits is not None:
        segments = _held_during(segments, *held_awaits)
    return Lane(
        probe.request_id,
        probe.view,
        status,
        status_code,
        error or probe.error,
        probe.sent_ns,
        client_done_ns,
        tuple(_merge_touching(segments)),
        _threads_seen(marks, body),
        tuple(probe.db_events),
    )


_PLACED = (Kind.GIL_WAIT, Kind.CORE_WAIT)


def _placed_wait_overlapped(before: Segment, seg: RawSegment) -> bool:
    """Whether ``seg``, measured on another thread, starts inside ``before``, a wait to run
    that was placed, not seen: the loop monitor puts a step's standing still at the step's
    end (``loop_monitor._held_pieces``), and the step that handed the request to a thread
    ends only after that thread began, so the wait can cover the view's whole sleep. (Two
    placed waits say nothing about which came first: the later is clipped, as before.)"""
    return (
        before.kind in _PLACED
        and seg.kind not in _PLACED
        and seg.thread != before.thread
        and seg.start_ns < before.end_ns
    )


def _framework(
    start: int, end: int, thread: str, a: Clock | None, b: Clock | None
) -> list[Segment]:
    """Django's time between two readings of one thread's clocks: the CPU it used, then
    what it waited to run (the clocks say how long each, not when)."""
    if a is None or b is None or a.wall_ns != start or b.wall_ns != end:
        return [Segment(Kind.FRAMEWORK, start, end, thread)]
    # Read later, here: the in-process site always ran beside its server's other threads.
    pieces = waits(a, b, alone=False)
    ran_until = pieces[0][1] if pieces else end
    return [Segment(Kind.FRAMEWORK, start, ran_until, thread)] + [
        Segment(Kind(kind), s, e, thread) for kind, s, e in pieces
    ]


def _awaits_held(
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


def _held_during(
    segments: list[Segment], thread: str, awaits: list[tuple[int, int]]
) -> list[Segment]:
    """Each await in ``awaits``, from suspend to resume (its wait for the loop included), as
    ``io_blocking`` on the held ``thread``, as an async view's await under WSGI is on its
    worker (:func:`_held_by_worker`). The hand-offs around it stay as measured."""
    if not awaits:
        return segments
    return [
        Segment(Kind.IO_BLOCKING, seg.start_ns, seg.end_ns, thread, seg.open, seg.line)
        if seg.kind in (Kind.IO_WAIT, Kind.QUEUED)
        and any(s <= seg.start_ns and seg.end_ns <= e for s, e in awaits)
        else seg
        for seg in segments
    ]


def _threads_seen(marks: list[Mark], body: list[Segment]) -> tuple[tuple[str, int], ...]:
    """Each thread a mark or a declared segment was seen on, with its first time."""
    first: dict[str, int] = {}
    for thread, ns in [(m.thread, m.ns) for m in marks] + [(s.thread, s.start_ns) for s in body]:
        if ns < first.get(thread, ns + 1):
            first[thread] = ns
    return tuple(first.items())


def _held_by_worker(
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


def _merge_touching(segments: Sequence[Segment]) -> list[Segment]:
    """Join neighbours of the same kind on the same thread, and drop empty ones."""
    merged: list[Segment] = []
    for seg in segments:
        if seg.end_ns <= seg.start_ns:
            continue
        if (
            merged
            and merged[-1].kind == seg.kind
            and merged[-1].thread == seg.thread
            and (merged[-1].end_ns == seg.start_ns)
        ):
            merged[-1] = Segment(
                seg.kind,
                merged[-1].start_ns,
                seg.end_ns,
                seg.thread,
                seg.open,
                merged[-1].line if merged[-1].line is not None else seg.line,
            )
        else:
            merged.append(seg)
    return merged
