"""A lane in flight whose news is that its view entered its first await on the loop: the
middleware chain's first mark, the loop's steps, and the await still open.

With 10,000 requests on one loop, the loop takes each request into Django's middleware chain
and its view's ``await`` in rounds, so for two frames of the run most lanes' news is this.
The general walk (:func:`~simulator.trace.lanes.build_lane_again`) then makes the lane's
events again from every record, looks for where to resume and walks the new ones: ~27 µs a
lane. :func:`await_entered` gives the very same lane and build (``tests/simulator/
test_live_lanes.py`` and ``benchmarks/live_snapshot.py``'s check compare them with builds
from scratch), making only the two new events and walking only them, where that is provably
what the walk does; anywhere else it says ``None`` and the general walk goes on.

Why it is the walk's answer. With no declared segment before it, the records' events are
the last build's (the same marks, all before the new one) and then the new mark and the
open await (``lane_events.events_of``: an open await not past its deadline is drawn up to
now; nothing before it to cut it or be cut). The middleware chain had not begun at the last
build's horizon, so the walk resumes at its last checkpoint, as
:func:`~simulator.trace.lane_build.resumable` says when the holds it read are unchanged and
no new step starts before it. From there the walk fills two gaps on the loop with the lane's
own steps measured, neither a hand-off (the chain begins at the mark, after the first gap's
start; the second is on the loop both ends), then draws the await up to now, which reads no
holds while it is open; the rest (joining the pieces, the segments kept, the lane) is done
by the walk's own functions, except that where the last build's walk from that checkpoint
drew the first gap alike up to where the loop next ran the request (``_wait_cut``), its
pieces joined are taken as they were, the wait cut there.
"""

from __future__ import annotations

from embedded_site.instrumentation import RequestProbe, past_due
from simulator.trace.data import Lane, Status
from simulator.trace.growing import ReadHolds
from simulator.trace.intervals import RESUME_SLACK_NS
from simulator.trace.lane_build import (
    EVER,
    NEVER,
    Checkpoint,
    Event,
    LaneBuild,
    builds_on,
    head_of,
    merged_again,
    probe_lane,
    segments_again,
)
from simulator.trace.lane_parts import (
    FRAMEWORK,
    IO_WAIT,
    QUEUED,
    Piece,
    PlainClock,
    merge_from,
    plain_clock,
    steps_joined,
)
from simulator.trace.made import make_segments

__all__ = ["await_entered"]

#: The middleware chain's first mark (``embedded_site``'s timing middleware).
_CHAIN_IN = "middleware_in"


def await_entered(
    before: LaneBuild,
    probe: RequestProbe,
    done_ns: int,
    status: Status,
    status_code: int | None,
    error: str | None,
    loop_thread: str,
    reads: ReadHolds,
    unchanged_until: int,
) -> tuple[Lane, LaneBuild] | None:
    """What ``build_lane_again(before, probe, ...)`` gives for a request in flight at
    ``done_ns`` (not finished, not cancelled) whose probe recorded since ``before`` only
    loop steps, the middleware chain's first mark on the loop and an await on the loop,
    still open, and no declared segment before it; and ``reads`` as that leaves them.
    ``None`` where this does not provably give it (the general walk then does)."""
    records, merge_states = before.records, before.merge_states
    if not builds_on(before, probe, status) or records is None or merge_states is None:
        return None
    n_segments, n_marks, reach, mw_in, mw_out, threads = records
    marks = probe.marks
    if n_segments or probe.segments or mw_in is not None or mw_out is not None:
        return None
    if len(marks) != n_marks + 1:
        return None
    mark = marks[n_marks]
    opened = list(probe.open_segments.values())
    if len(opened) != 1 or mark.where != _CHAIN_IN or mark.thread != loop_thread:
        return None
    wait = opened[0]
    t_mark, s_wait = mark.ns, wait.start_ns
    picked = probe.picked_ns
    # A timed await past its deadline is drawn ended there (``RequestProbe.segments_until``).
    due = wait.due_ns
    late = due is not None and past_due(due, probe.known_at(done_ns))
    end_wait = due if late and due is not None else done_ns
    if (
        wait.kind != IO_WAIT
        or wait.thread != loop_thread
        or picked is None
        or not (picked <= t_mark and reach < t_mark <= s_wait < end_wait)
        or (late and (probe.picked_thread or loop_thread) != loop_thread)
    ):
        return None
    start = before.start
    if start[:5] != head_of(probe, picked, loop_thread) or start[5] is not None:
        return None
    events, checkpoints = before.events, before.checkpoints
    at = len(events)
    if len(checkpoints) != at + 1 or len(merge_states) != at + 1:
        return None
    last_ns, _, _, base, held_until, horizon, n_windows = checkpoints[at]
    # Where the walk resumes (``resumable``): after the last event.
    steps = probe.loop_steps
    n_steps, known = len(steps), before.n_steps
    if not known or n_steps < known:
        return None
    new = sorted(steps[known:n_steps])
    limit = new[0][0] if new else EVER
    if (
        horizon >= limit
        or not (held_until == NEVER or held_until < unchanged_until)
        or min(before.out_ns, horizon) != min(done_ns, horizon)
        or t_mark <= horizon
    ):
        return None
    own = steps_joined(steps, n_steps, new, known, before.own_steps)
    if not own.starts:
        return None
    # The two new events, as ``events_of`` makes them.
    clock = mark.clock
    mark_clock: PlainClock | None = None if clock is None else (clock[0], clock[1], clock[2])
    line = wait.line
    body = (IO_WAIT, s_wait, end_wait, loop_thread, not late, line, plain_clock(wait.start_clock))
    new_events: tuple[Event, ...] = (
        (t_mark, 0, (t_mark, loop_thread, _CHAIN_IN, mark_clock)),
        (s_wait, 1, (*body, None, due if late else None)),
    )
    seen = dict(threads)
    if loop_thread not in seen or t_mark < seen[loop_thread]:
        seen[loop_thread] = t_mark
    # The walk from the last checkpoint (``fill`` on the loop, the lane's steps measured).
    reads.until = held_until
    reads.windows = list(before.windows[:n_windows])
    walked: list[Checkpoint] = [checkpoints[at]]
    pieces: list[Piece] = []
    cut = _wait_cut(before, at, last_ns, loop_thread, min(limit, t_mark))
    skipped = 0  # (the pieces walked before the cut, which the last build joined)
    if cut is not None:
        merged_cut, skipped, from_ns = cut
        for s, e, running in own.split(from_ns, t_mark):
            pieces.append((FRAMEWORK if running else QUEUED, s, e, loop_thread, False, None))
    else:
        for s, e, running in own.split(last_ns, t_mark):
            pieces.append((FRAMEWORK if running else QUEUED, s, e, loop_thread, False, None))
    walked.append(
        (t_mark, loop_thread, mark_clock, base + skipped + len(pieces), reads.until, t_mark,
         len(reads.windows))
    )  # fmt: skip
    for s, e, running in own.split(t_mark, s_wait) if s_wait > t_mark else ():
        pieces.append((FRAMEWORK if running else QUEUED, s, e, loop_thread, False, None))
    if not late:
        pieces.append((IO_WAIT, s_wait, done_ns, loop_thread, True, line))
    else:
        # Awaiting I/O up to its deadline however busy the loop was, reading the holds as
        # the walk does for a closed await (how far a run of others' holds covered it).
        ready = reads.covered_tail(own.last_end_in(s_wait, end_wait), end_wait, RESUME_SLACK_NS)
        if ready < end_wait:
            ready = end_wait
        pieces.append((IO_WAIT, s_wait, ready, loop_thread, False, line))
    walked.append(
        (end_wait, loop_thread, None, base + skipped + len(pieces), reads.until, end_wait,
         len(reads.windows))
    )  # fmt: skip
    if late:  # (the wait for the loop after it, as ``fill`` draws it on the loop)
        for s, e, running in own.split(end_wait, done_ns):
            pieces.append((FRAMEWORK if running else QUEUED, s, e, loop_thread, False, None))
    if cut is None:
        merged, states, alike = merged_again(pieces, base, None, at, walked, before)
        segments = segments_again(merged, before, alike)
    else:
        # Joined on from the cut, where the last build's joining stood but for its last
        # piece (cut there); at each checkpoint since, as ``merged_again`` notes it.
        merged = merged_cut
        stops = [c[3] - base - skipped for c in walked[1:]]
        states = (*merge_states[: at + 1], *merge_from(merged, pieces, 0, stops))
        same = len(before.merged) - 1  # (all but the last joined piece: the same pieces)
        if merged[same] == before.merged[same]:
            same += 1
        segments = before.lane.segments[:same] + make_segments(merged[same:])
    threads_now = tuple(seen.items())
    lane = probe_lane(
        probe,
        status,
        status_code,
        error,
        done_ns,
        segments,
        threads_now,
        tuple(probe.db_events),
    )
    build = LaneBuild(
        lane,
        probe,
        (*start[:5], t_mark),
        n_steps,
        done_ns,
        events + new_events,
        checkpoints[:at] + tuple(walked),
        (),
        tuple(merged),
        at,
        states,
        before.own_steps if n_steps == known else (tuple(own.starts), tuple(own.ends)),
        tuple(reads.windows),
        None,
        (0, n_marks + 1, 1, done_ns, t_mark, None, threads_now),
    )
    return lane, build


def _wait_cut(
    before: LaneBuild,
    at: int,
    last_ns: int,
    loop_thread: str,
    cut_ns: int,
) -> tuple[list[Piece], int, int] | None:
    """Where the walk from ``before``'s last checkpoint (``at``) may take the pieces the
    last build joined, up to ``cut_ns`` (the first new step's start, or the mark's):
    those joined, the last cut there, how many pieces the walk drew up to there, and where
    it goes on from. ``None`` elsewhere (the walk draws them all again: ~8 pieces a lane
    entering its await, 10,000 lanes a frame).

    So it is where the last build's walk went on from there as the walk now does: on the
    loop, by the lane's own steps (the same up to the cut), reading no holds (from the loop,
    or back from a receiver's thread: ``lane_receivers``), ending
    waiting for the loop after its last own step, which came before the cut: the pieces
    drawn up to the cut are the same, the wait reaching the cut now."""
    states, merged = before.merge_states, before.merged
    if states is None or not merged or before.own_steps is None:
        return None
    count, last = states[at]
    kind, start, then, thread, is_open, line = merged[-1]
    ends = before.own_steps[1]
    drawn = len(merged) - count + (1 if count and merged[count - 1] != last else 0)
    waited_from = max(start, last_ns)  # (where the wait was drawn from, unjoined)
    if (
        kind != QUEUED
        or thread != loop_thread
        or is_open
        or then <= last_ns
        or drawn < 1
        or not ends
        or ends[-1] > waited_from
        or cut_ns <= waited_from
    ):
        return None
    cut: Piece = (QUEUED, start, cut_ns, loop_thread, False, line)
    return [*merged[:-1], cut], drawn, cut_ns
