"""Building one request's lane from what its probe recorded.

The probe holds raw facts (declared segments, marks where Django's machinery ran, the loop
monitor's steps); a lane is gap-free and says at every instant what the request was doing.

A live run builds the lane of a request in flight again each time its probe records
something (a loop step, a mark). :func:`build_lane_again` then walks its records from the
first one whose walk can have changed, not from the start: the build before left a
checkpoint before each record, with how far the walk up to there read the lane's loop
steps and the holds on the loop. What it gives is what :func:`build_lane` gives from the
same records (``tests/simulator/test_live_lanes.py`` checks it frame by frame on real runs
of every kind); only the work is less.
"""

from __future__ import annotations

from embedded_site.instrumentation import RequestProbe
from simulator.trace.data import Lane, Status
from simulator.trace.growing import ReadHolds
from simulator.trace.intervals import RESUME_SLACK_NS, IntervalSet
from simulator.trace.kinds import QUEUE_THREAD, Kind
from simulator.trace.lane_await import await_entered
from simulator.trace.lane_build import (
    NEVER,
    Checkpoint,
    LaneBuild,
    handed_back,
    head_of,
    merged_again,
    probe_lane,
    resumable,
    segments_again,
)
from simulator.trace.lane_events import events_grown, events_kept, events_of
from simulator.trace.lane_parts import (
    CANCELLED,
    FRAMEWORK,
    IO_WAIT,
    QUEUED,
    THREAD_HOP,
    Piece,
    PlainClock,
    framework,
    steps_joined,
)
from simulator.trace.lane_receivers import SIGNAL, receivers_ran
from simulator.trace.lane_tail import steps_after_wait
from simulator.trace.made import make_segment

__all__ = ["LaneBuild", "build_lane", "build_lane_again"]


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
      (getting the loop back included), and so after a middleware's hook ended on the
      request's thread (a ``hook_out`` mark: it hands back to the loop), up to the next
      point, on that thread too (the next hook): the loop ran this request's code between
      (``framework``), the rest is the hand-offs, not that thread working;
    - anywhere else: ``framework`` (Django's handler, middleware, its own thread hand-offs),
      except that between two readings of one thread's clocks (marks, declared segments),
      only the CPU the thread used is framework: the rest it waited to run (``gil_wait``,
      ``core_wait``: ``embedded_site.waits``);
    - except that where the loop is involved, the loop monitor's steps decide: while the
      loop ran this request's code it is ``framework``; between two such steps its coroutine
      was suspended, its state unchanged, waiting for the loop (whether the loop ran others
      or idled) or for a thread to run Django's receivers: one ``queued`` piece, not a sliver
      per other request's step (a thousand requests in flight would cut it a thousand times),
      but for the receivers' own CPU before their mark (``lane_receivers``);

    An ``io_wait`` on the loop that ended only when a run of other requests' holds on the
    loop ended was over sooner: its I/O finished during those holds, and a coroutine can only
    resume once the loop is free. That tail is ``queued`` too (it may start up to a hold
    early: the loop cannot see when I/O completes while it is blocked), but never before the
    request last ran on the loop inside the wait, woken by its I/O's progress: its coroutine
    then suspended on the I/O again, so the I/O was not over. (A loop kept busy by the others
    from before an upstream call began until after it ended turned the whole call into
    ``queued``.) A wait still open (a live snapshot) is drawn as a wait up to ``done_ns``: the
    loop being busy now does not say its I/O has finished (and so a lane in flight only grows
    with "now": ``growing``), except a timed await past its deadline, which the probe hands
    over ended there (``RequestProbe.segments_until``): its timer was due, the rest is
    waiting for the loop, as its close will record.

    A wait to run that the loop monitor placed at the end of a step (the clocks say how long,
    not when) ends where a segment measured on another thread starts inside it: the step that
    hands a sync view to a thread ends after the view began, and under load its wait could
    cover the view's whole sleep.
    """
    return build_lane_again(
        None,
        probe,
        done_ns=done_ns,
        status=status,
        status_code=status_code,
        error=error,
        loop_thread=loop_thread,
        loop_held=loop_held or IntervalSet(),
        unchanged_until=NEVER,
    )[0]


def build_lane_again(
    before: LaneBuild | None,
    probe: RequestProbe,
    *,
    done_ns: int,
    status: Status,
    status_code: int | None,
    error: str | None,
    loop_thread: str | None,
    loop_held: IntervalSet,
    unchanged_until: int,
) -> tuple[Lane, LaneBuild | None]:
    """What :func:`build_lane` gives, walking again only from the first of ``before``'s
    checkpoints (its build of the same ``probe``) whose walk up to there read nothing that
    changed since: the same records, no new loop step before its horizon, the holds on the
    loop as they were up to ``unchanged_until``, the middleware's end as it was. Also
    what to pass as ``before`` next time (``None`` for a lane that is not walked). Only
    holds that note how far they were read (:class:`ReadHolds`) leave checkpoints."""
    held = loop_held
    reads = held if isinstance(held, ReadHolds) else None  # kept for a next build
    if before is not None and reads is not None and loop_thread is not None:
        # (Most builds of a big run's lanes waiting for the loop: one step more, no more.)
        quick = steps_after_wait(
            before, probe, done_ns, status, status_code, error, loop_thread, reads, unchanged_until
        )
        if quick is None:  # (those entering their await: most lanes of two frames)
            quick = await_entered(
                before, probe, done_ns, status, status_code, error, loop_thread, reads,
                unchanged_until,
            )  # fmt: skip
        if quick is not None:
            return quick
    client_done_ns = done_ns
    if status != "cancelled" and probe.finished_ns is not None:
        done_ns = max(done_ns, probe.finished_ns)
    picked = probe.picked_ns
    if picked is None or picked >= done_ns:
        # Never reached a worker (stopped while waiting, or refused).
        # (Made slot by slot: 10,000 such lanes in a big run's first frames.)
        kind = Kind.CANCELLED if status == "cancelled" else Kind.QUEUED
        only = make_segment(kind, probe.sent_ns, max(done_ns, probe.sent_ns), QUEUE_THREAD)
        lane = probe_lane(
            probe,
            status,
            status_code,
            error,
            client_done_ns,
            (only,),
        )
        return lane, None

    # (A lane in flight is built again several times a second, a few records long: each
    # step here is one pass over them, no generator, no function call per record.)
    same = before is not None and before.probe is probe
    head = head_of(probe, picked, loop_thread)
    _, picked_thread, picked_clock, _, _ = head
    made = (
        events_kept(before.records, before.events, probe, done_ns)
        if same and before is not None and before.records is not None and before.start[:5] == head
        else None
    )
    if made is None and same and before is not None and before.drawn is not None:
        if loop_thread is not None and before.start[:5] == head:
            # (Records that only grew after all the last build drew: an answer, a finish.)
            made = events_grown(before.drawn, before.events, probe, done_ns, loop_thread)
    if made is None:  # (the first build, or records that changed or read its "now")
        made = events_of(probe, head, done_ns, loop_thread)
    events, mw_in, mw_out, held_awaits, threads, records, drawn = made
    start = (*head, mw_in)
    db_events = tuple(probe.db_events)
    if mw_in is not None and mw_out is None:
        mw_out = done_ns  # still inside the chain (live) or cut short
    out_ns = mw_out or done_ns
    steps = probe.loop_steps if loop_thread is not None else []
    n_steps = len(steps)
    new_steps = sorted(steps[before.n_steps : n_steps]) if same and before is not None else []
    own_steps = (
        steps_joined(steps, n_steps, new_steps, before.n_steps, before.own_steps)
        if same and before is not None
        else IntervalSet.of(steps[:n_steps])
    )
    measured_steps = bool(own_steps.starts)

    # Where to walk from: the start, or a checkpoint of the build before.
    at = 0
    if same and before is not None and before.start[:5] == head:
        at = resumable(before, events, new_steps, out_ns, mw_in, unchanged_until)
        if held_awaits is not None and before.merge_states is not None:
            at = 0  # (a middleware's thread held since: its pieces are redrawn from the first)
    pieces: list[Piece]  # (those from the ``base``-th on)
    # Whether the point walked last is a hook's end on a thread the loop handed it to: from
    # there the work went back to the loop (read from the events: a checkpoint's are alike).
    handed = at > 0 and handed_back(events[at - 1], loop_thread)
    base = 0
    checkpoints: list[Checkpoint] | None = None
    if at:
        assert before is not None and reads is not None
        checkpoints = []  # (those from ``at`` on: the first ``at`` are ``before``'s)
        last_ns, last_thread, last_clock, n_pieces, reads.until, horizon, n_windows = (
            before.checkpoints[at]
        )
        reads.windows = list(before.windows[:n_windows])  # (what the walk up to there read)
        if events[at - 1] is not before.events[at - 1]:
            last_clock = events[at - 1][2][7]  # (alike but for its end's clocks: those now)
        if before.merge_states is None:  # (its pieces joined from the first: all kept)
            pieces = list(before.pieces[:n_pieces])
        else:  # (joined on from where the joining stood there: the new ones only)
            pieces, base = [], n_pieces
    else:
        if reads is not None:
            checkpoints = []
        last_ns, last_thread, last_clock, horizon = picked, picked_thread, picked_clock, NEVER
        pieces = (
            [(QUEUED, probe.sent_ns, picked, QUEUE_THREAD, False, None)]
            if picked > probe.sent_ns
            else []
        )

    def fill(until: int, thread_there: str, clock_there: PlainClock | None = None) -> None:
        if until <= last_ns:
            return
        hop = (
            mw_in is not None
            and mw_in <= last_ns
            and until <= out_ns
            and (thread_there != last_thread or handed)
        )
        kind = THREAD_HOP if hop else FRAMEWORK
        if loop_thread is None or (loop_thread not in (thread_there, last_thread) and not handed):
            if kind == FRAMEWORK and thread_there == last_thread:
                pieces.extend(framework(last_ns, until, last_thread, last_clock, clock_there))
            else:
                pieces.append((kind, last_ns, until, last_thread, False, None))
            return
        # The loop is involved: while it ran this request's code, that is framework. Between
        # its own steps the request's coroutine was suspended, its state unchanged whatever
        # the loop did meanwhile: one wait, not a sliver per other request's step.
        waiting_thread = thread_there if thread_there != loop_thread else last_thread
        for s, e, running in own_steps.split(last_ns, until):
            if running:
                pieces.append((FRAMEWORK, s, e, loop_thread, False, None))
            elif hop:
                # A hand-off inside the middleware chain is the whole wait, getting the loop
                # back included: without the hand-off there would be nothing to wait for.
                pieces.append((THREAD_HOP, s, e, waiting_thread, False, None))
            elif measured_steps:
                # Waiting for the loop (busy with others, or to wake up), or for a thread to
                # run Django's receiver or ``response.close()``: waiting to run, queued
                # (but the receivers' CPU: ``lane_receivers``).
                pieces.append((QUEUED, s, e, loop_thread, False, None))
            else:
                # No loop monitor: only the holds on the loop say when it was busy.
                for s2, e2, busy in held.split(s, e):
                    if busy:
                        pieces.append((QUEUED, s2, e2, loop_thread, False, None))
                    else:
                        pieces.append((kind, s2, e2, last_thread, False, None))

    # Walk points and declared segments in time order, filling the gaps between them;
    # where the walk stands kept before each (and after the last: :data:`Checkpoint`).
    for k in range(at, len(events)):
        if checkpoints is not None and reads is not None:
            checkpoints.append(
                (last_ns, last_thread, last_clock, base + len(pieces), reads.until, horizon,
                 len(reads.windows))
            )  # fmt: skip
        ns, is_body, item = events[k]
        if not is_body:
            _, thread, where, clock = item
            drawn_from = len(pieces)
            fill(ns, thread, clock)
            if where == SIGNAL and measured_steps and loop_thread is not None:
                receivers_ran(pieces, drawn_from, events, k, clock, loop_thread)
            horizon = max(horizon, ns)
            last_ns, last_thread, last_clock = max(last_ns, ns), thread, clock
            handed = handed_back(events[k], loop_thread)
            continue
        kind, s, e, thread, is_open, line, start_clock, end_clock, due = item
        fill(s, thread, start_clock)
        ready = e
        if kind == IO_WAIT and thread == loop_thread and not is_open:
            # Each time its I/O woke the request inside the wait (httpx connected, a
            # connection refused), it ran, then suspended on it again: it was not over.
            pending = own_steps.last_end_in(s, e)
            ready = held.covered_tail(pending, e, RESUME_SLACK_NS)
            if due is not None and ready < due:
                # A timer is not due before its deadline, however busy the loop was (a burst
                # of 3,000 drew a quarter of its lanes' 500 ms sleeps wholly as queued).
                ready = min(due, e)
        pieces.append((kind, s, ready, thread, is_open, line))
        if ready < e:
            pieces.append((QUEUED, ready, e, thread, False, None))
        horizon = max(horizon, e)
        last_ns, last_thread, last_clock = e, thread, end_clock
        handed = False
    if checkpoints is not None and reads is not None:
        checkpoints.append(
            (last_ns, last_thread, last_clock, base + len(pieces), reads.until, horizon,
             len(reads.windows))
        )  # fmt: skip
    if status == "cancelled" and last_ns < done_ns:
        pieces.append((CANCELLED, last_ns, done_ns, last_thread, False, None))
    else:
        fill(done_ns, probe.picked_thread or last_thread)
    merged, merge_states, alike = merged_again(pieces, base, held_awaits, at, checkpoints, before)
    lane = probe_lane(
        probe,
        status,
        status_code,
        error,
        client_done_ns,
        segments_again(merged, before if same else None, alike),
        threads,
        db_events,
    )
    if checkpoints is None:
        return lane, None
    build = LaneBuild(
        lane,
        probe,
        start,
        n_steps,
        out_ns,
        events if isinstance(events, tuple) else tuple(events),
        _checkpoints_now(before, at, checkpoints),
        tuple(pieces) if merge_states is None else (),
        tuple(merged),
        at,
        merge_states,
        (
            before.own_steps
            if same and before is not None and before.n_steps == n_steps
            else (tuple(own_steps.starts), tuple(own_steps.ends))
        ),
        tuple(reads.windows) if reads is not None else (),
        records,
        drawn,
    )
    return lane, build


def _checkpoints_now(
    before: LaneBuild | None, at: int, walked: list[Checkpoint]
) -> tuple[Checkpoint, ...]:
    """The checkpoints of a build walked from ``before``'s ``at``-th (``walked``: those from
    there on): ``before``'s own where it walked no event (the one from there on is the very
    checkpoint it resumed from, unless the event before it is alike but for its end's
    clocks: ``lane_build.alike_events``)."""
    if not at or before is None:
        return tuple(walked)
    if (
        len(walked) == 1
        and at == len(before.checkpoints) - 1
        and walked[0] == before.checkpoints[at]
    ):
        return before.checkpoints
    return before.checkpoints[:at] + tuple(walked)
