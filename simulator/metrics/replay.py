"""A finished run as it stood at one moment: what a replay shows, figures included.

A replay that shows the final figures while the lanes are still growing gives the ending
away. :func:`trace_at` cuts a trace at a moment the way a live snapshot is cut: requests not
yet sent are left out, those not yet answered are ``running`` with their current segment
open, and a loop block in progress is the one being drawn; so the figures computed from it
(:func:`~simulator.metrics.summary.summarize`) count only what had ended by then.
"""

from __future__ import annotations

import bisect
from dataclasses import replace

import numpy as np

from simulator.trace.data import Lane, Segment, Trace

__all__ = ["event_times", "next_event", "trace_at"]


def _lane_at(lane: Lane, ns: int) -> Lane:
    # What the lane says it saw is cut at ``ns`` too: the threads that worked for it (Django's
    # receivers, on no segment) and its database connections, else "threads used" and "DB
    # connections" read the whole run's from the replay's start.
    seen = tuple(thread for thread in lane.threads_seen if thread[1] < ns)
    db_events = tuple(event for event in lane.db_events if event[0] < ns)
    segments: list[Segment] = []
    for seg in lane.segments:
        if seg.start_ns >= ns:
            break
        if seg.end_ns > ns:
            segments.append(replace(seg, end_ns=ns, open=True))
            break
        segments.append(seg)
    if lane.done_ns <= ns:
        return replace(lane, segments=tuple(segments), threads_seen=seen, db_events=db_events)
    return replace(
        lane,
        status="running",
        status_code=None,
        error=None,
        done_ns=ns,
        segments=tuple(segments),
        threads_seen=seen,
        db_events=db_events,
    )


def trace_at(trace: Trace, ns: int) -> Trace:
    """``trace`` as a live snapshot taken at ``ns`` would have shown it."""
    if ns >= trace.last_ns and trace.loop_blocking_now is None:
        return trace
    lanes = tuple(_lane_at(lane, ns) for lane in trace.lanes if lane.sent_ns <= ns)
    ended = tuple((s, e) for s, e in trace.loop_blocked if e <= ns)
    now = next(((s, ns) for s, e in trace.loop_blocked if s < ns < e), None)
    return Trace(trace.t0_ns, lanes, trace.loop_thread, ended, now)


def event_times(traces: list[Trace]) -> list[float]:
    """Every moment something starts or ends in ``traces``, in ms from each one's start,
    sorted and without repeats: where "step to the next event" stops. Read from the traces'
    columns: a loop over 10,000 lanes' segments held the window for most of a second as a
    finished run came on screen."""
    moments = [
        (
            np.concatenate([t.lane_columns.sent_ns, t.lane_columns.done_ns, t.columns.start_ns])
            - t.t0_ns
        )
        / 1e6
        for t in traces
    ]
    ordered = np.unique(np.concatenate(moments)) if moments else np.zeros(0)
    # Moments closer than a microsecond are one step.
    keep = np.ones(len(ordered), np.bool_)
    keep[1:] = np.diff(ordered) >= 1e-3
    times: list[float] = ordered[keep].tolist()
    return times


def next_event(
    times: list[float], at_ms: float, forward: bool, min_gap_ms: float = 0.0
) -> float | None:
    """The event after (or before) ``at_ms`` in ``times``, or None.

    With ``min_gap_ms`` (a pixel, or 1% of what is shown) a step moves to the next *visible*
    change: the events within the gap of the next one are taken with it, the step landing
    past all of them (8 requests sent 0.1 ms apart are one step, not eight steps with
    nothing to see); backwards, it lands at such a burst's start."""
    if forward:
        i = bisect.bisect_right(times, at_ms + 1e-6)
        if i >= len(times):
            return None
        return times[bisect.bisect_right(times, times[i] + min_gap_ms) - 1]
    i = bisect.bisect_left(times, at_ms - 1e-6)
    if i <= 0:
        return None
    return times[bisect.bisect_left(times, times[i - 1] - min_gap_ms)]
