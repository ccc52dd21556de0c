"""A lane in flight whose only news is loop steps while it waits for the loop: its last
segment cut at the first new step, then the steps and the waits between them.

With 10,000 requests on one loop, the loop runs every request a step in rounds, so for a
stretch of the run nearly every lane's only news between two frames is one loop step. The
general walk (:func:`~simulator.trace.lanes.build_lane_again`) then resumes after the lane's
last event and draws its wait for the loop again from there to now, joins the pieces,
compares them with the last build's and makes the lane: ~14 µs a lane, 140 ms a frame.
:func:`steps_after_wait` gives the very same lane and build (``tests/simulator/
test_live_lanes.py`` and ``benchmarks/live_snapshot.py``'s check compare them with builds
from scratch) by cutting the last build's last piece, taken only where that is provably what
the walk gives; anywhere else it says ``None`` and the general walk goes on.

Why it is the walk's answer. The walk resumes at the last checkpoint (after the last event,
at ``last_ns``) when the records are the same but for the new steps, those start after the
walk's horizon, and the holds it read up to there are unchanged (:func:`~simulator.trace.
lane_build.resumable`). From there it draws one gap up to now (``fill``): on the loop, with
the lane's own steps measured and no hand-off inside the middleware chain (``hop``), each
stretch of the lane's own steps is framework on the loop and each stretch between is queued
on the loop, reading no holds (back from a receiver's thread too: ``lane_receivers``). The
last build drew the same gap up to its own now: its own steps there all end before that now
(so it ended queued, the last piece it joined), and the new ones start after every earlier
one ended and after where the walk stands, each after the one before ended: so the new gap
is the old one with its queued end cut at the first new step, then each new step as
framework and the wait after it as queued, none of which joins its neighbour (other kinds,
or a stretch between).
"""

from __future__ import annotations

from embedded_site.instrumentation import RequestProbe
from simulator.trace.data import Lane, Status
from simulator.trace.growing import ReadHolds
from simulator.trace.lane_build import (
    NEVER,
    LaneBuild,
    builds_on,
    handed_back,
    head_of,
    probe_lane,
)
from simulator.trace.lane_events import events_kept
from simulator.trace.lane_parts import FRAMEWORK, QUEUED, THREAD_HOP, Piece
from simulator.trace.made import make_segments

__all__ = ["steps_after_wait"]


def steps_after_wait(
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
    ``done_ns`` (not finished, not cancelled) whose probe recorded only loop steps since
    ``before`` while it waited for the loop, and ``reads`` as that leaves them; ``None``
    where this does not provably give it (the general walk then does)."""
    records, merge_states = before.records, before.merge_states
    if not builds_on(before, probe, status) or records is None or merge_states is None:
        return None
    steps = probe.loop_steps
    n_steps, known = len(steps), before.n_steps
    if n_steps <= known or not known:
        return None
    # The same records but for the steps (what ``events_kept`` reuses the events on).
    if events_kept(records, before.events, probe, done_ns) is None:
        return None
    _, _, _, mw_in, mw_out, threads = records
    start = before.start
    picked = probe.picked_ns
    if picked is None or picked >= done_ns or start[:5] != head_of(probe, picked, loop_thread):
        return None
    events, checkpoints = before.events, before.checkpoints
    at = len(events)
    if len(checkpoints) != at + 1 or len(merge_states) != at + 1:
        return None
    last_ns, last_thread, _, _, held_until, horizon, n_windows = checkpoints[at]
    new = steps[known:n_steps]
    if len(new) > 1:
        new.sort()
    starts, ends = before.own_steps or ((), ())
    if not ends:
        return None
    # Where the walk resumes (``resumable``): after the last event.
    out_ns = done_ns if mw_out is None else (mw_out or done_ns)
    first = new[0][0]
    if (
        first <= horizon
        or not (held_until == NEVER or held_until < unchanged_until)
        or min(before.out_ns, horizon) != min(out_ns, horizon)
    ):
        return None
    # The new steps: after every earlier one, each after the one before, all before now.
    was = ends[-1]
    if first <= was or first <= last_ns:
        return None
    end_before = was
    for s, e in new:
        if s <= end_before or e <= s or e >= done_ns:
            return None
        end_before = e
    # The gap to now, drawn on the loop from its own steps, the same then and now.
    thread_there = probe.picked_thread or last_thread
    handed = handed_back(events[at - 1], loop_thread)
    if loop_thread not in (thread_there, last_thread) and not handed:
        return None
    swapped = thread_there != last_thread or handed
    hop = mw_in is not None and mw_in <= last_ns and done_ns <= out_ns and swapped
    merged_before = before.merged
    tail = merged_before[-1]
    then = tail[2]  # the last build's now
    hop_then = mw_in is not None and mw_in <= last_ns and then <= before.out_ns and swapped
    if hop != hop_then or was >= then or last_ns >= then or before.lane.done_ns != then:
        return None
    if hop:
        waiting, on = THREAD_HOP, (thread_there if thread_there != loop_thread else last_thread)
    else:
        waiting, on = QUEUED, loop_thread
    if tail[0] != waiting or tail[3] != on or tail[4] or tail[1] >= first:
        return None
    # The last build's last piece cut at the first new step, then the steps and waits.
    cut: Piece = (waiting, tail[1], first, on, False, tail[5])
    added: list[Piece] = [cut]
    new_starts: tuple[int, ...] = ()
    new_ends: tuple[int, ...] = ()
    for s, e in new:
        if new_starts:
            added.append((waiting, new_ends[-1], s, on, False, None))
        added.append((FRAMEWORK, s, e, loop_thread, False, None))
        new_starts += (s,)
        new_ends += (e,)
    added.append((waiting, end_before, done_ns, on, False, None))
    kept = len(merged_before) - 1
    segments = before.lane.segments
    if first == then:  # (the cut piece is the last build's: its segment, the same object)
        made = segments + make_segments(added[1:])
    else:
        made = segments[:kept] + make_segments(added)
    lane = probe_lane(
        probe,
        status,
        status_code,
        error,
        done_ns,
        made,
        threads,
        tuple(probe.db_events),
    )
    # What the walk noted of the holds: what it had read up to the checkpoint, no more.
    reads.until = held_until
    windows = before.windows[:n_windows]
    reads.windows = list(windows)
    build = LaneBuild(
        lane,
        probe,
        start,
        n_steps,
        out_ns,
        events,
        checkpoints,
        (),
        merged_before[:kept] + tuple(added),
        at,
        merge_states,
        (tuple(starts) + new_starts, tuple(ends) + new_ends),
        windows,
        records,
        (records[0], records[1], 0, done_ns, mw_in, mw_out, threads),
    )
    return lane, build
