"""A live trace sent from the site's process to the window's, at the cost of what changed.

The engine's snapshots (:meth:`~simulator.hosting.engine.LiveRun.snapshot`) already cost what
changed since the last one: a settled lane is the same object frame after frame, a lane in
flight that only grew keeps every segment but its last, and a lane built again keeps its
unchanged segments as the same objects. Across a process boundary object identity is lost,
so :class:`LaneSender` (in the site's process) sends, per frame, only the lanes that are not
the object it sent last time at the same place: one that only grew to the new "now" as its
place and that now, any other with how many of its first segments are the very segments
sent before, and the rest as plain tuples (pickled in C). On the
window's side :class:`LaneMirror` applies that to the lanes it holds, reusing its own
objects for everything the site reused: the window's painter and figures, which work per
changed lane by identity (``app/timeline/live_spans.py``, ``simulator/trace/live_columns.py``),
cost what they cost with the site in their own process.

A mirror's trace equals the sender's trace, lane for lane and segment for segment
(``tests/simulator/test_site_wire.py``), as long as every frame sent is applied, in order:
the window's process applies each on the thread that reads them, whoever asked.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass

from simulator.trace.data import Lane, Status, Trace
from simulator.trace.kinds import Kind
from simulator.trace.made import make_lane, make_segment, reaching, same_prefix

__all__ = ["SNAPSHOT_ASK", "Frame", "LaneMirror", "LaneSender"]

#: A snapshot asked of the site's process, on a socket of its own (its run, the question's
#: number, the "now" it is asked at, 0 for the site's own, and when to take it, 0 for at
#: once: a snapshot asked ahead of the window's next frame, ``ahead.py``; asked again with 0,
#: the same question is hurried): read there by the thread that takes the snapshot, in one
#: read, which costs it one wait for the GIL the site's busy loop holds; the thread that
#: reads the window's other questions took several (each read of a message, and the
#: worker's wake-up after it).
SNAPSHOT_ASK = struct.Struct("!qqqq")

#: A segment as sent: ``kind`` (its value), ``start_ns``, ``end_ns``, ``thread``, ``open``,
#: ``line``, ``name``: the fields of :class:`~simulator.trace.data.Segment` in order.
SegmentTuple = tuple[str, int, int, str, bool, int | None, str | None]
#: A lane's own fields but its segments: ``request_id``, ``view``, ``status``,
#: ``status_code``, ``error``, ``sent_ns``, ``done_ns``, ``threads_seen``, ``db_events``,
#: ``notes``.
LaneFacts = tuple[
    int,
    str,
    Status,
    int | None,
    str | None,
    int,
    int,
    tuple[tuple[str, int], ...],
    tuple[tuple[int, int], ...],
    tuple[str, ...],
]
#: One changed lane: its place, its facts, how many of its first segments are those of the
#: lane sent last at that place, and the rest.
Change = tuple[int, LaneFacts, int, list[SegmentTuple]]

_KIND_OF: dict[str, Kind] = {kind.value: kind for kind in Kind}


@dataclass(frozen=True, slots=True)
class Frame:
    """One trace as sent: the changed lanes and the trace's own fields (all plain data)."""

    t0_ns: int
    count: int
    changes: list[Change]
    #: The lanes that only grew to a new "now" (``made.reaching``: their answer and their
    #: last segment's end moved there, nothing else): their place and that now. Most lanes of
    #: a big run in flight, each sent as two numbers, and made again by the same function.
    grown: list[tuple[int, int]]
    loop_thread: str | None
    loop_blocked: tuple[tuple[int, int], ...]
    loop_blocking_now: tuple[int, int] | None
    worker_pids: tuple[int, ...]
    client_cpu_ns: int | None


def _facts(lane: Lane) -> LaneFacts:
    return (
        lane.request_id,
        lane.view,
        lane.status,
        lane.status_code,
        lane.error,
        lane.sent_ns,
        lane.done_ns,
        lane.threads_seen,
        lane.db_events,
        lane.notes,
    )


def _only_grew(lane: Lane, old: Lane, kept: int) -> bool:
    """Whether ``lane`` is what :func:`~simulator.trace.made.reaching` makes of ``old`` at
    ``lane.done_ns`` (``kept``: how many of their first segments are the same objects)."""
    segments, olds = lane.segments, old.segments
    if kept != len(segments) - 1 or len(olds) != len(segments):
        return False
    last, was = segments[-1], olds[-1]
    return (
        lane.done_ns == last.end_ns
        and last.kind is was.kind
        and last.start_ns == was.start_ns
        and last.thread == was.thread
        and last.open == was.open
        and last.line == was.line
        and last.name == was.name
        and lane.request_id == old.request_id
        and lane.view == old.view
        and lane.status == old.status
        and lane.status_code == old.status_code
        and lane.error == old.error
        and lane.sent_ns == old.sent_ns
        and lane.threads_seen == old.threads_seen
        and lane.db_events == old.db_events
        and lane.notes == old.notes
    )


class LaneSender:
    """The site's side: each trace as a :class:`Frame` against the last one sent."""

    def __init__(self) -> None:
        self._sent: Sequence[Lane] = ()

    def frame(self, trace: Trace) -> Frame:
        """``trace`` as the lanes that changed since the last frame, each from the first
        segment not sent before at its place."""
        sent = self._sent
        known = len(sent)
        changes: list[Change] = []
        grown: list[tuple[int, int]] = []
        for i, lane in enumerate(trace.lanes):
            old = sent[i] if i < known else None
            if lane is old:
                continue
            segments = lane.segments
            kept = 0 if old is None else same_prefix(segments, old.segments)
            if old is not None and kept and _only_grew(lane, old, kept):
                grown.append((i, lane.done_ns))
                continue
            rest: list[SegmentTuple] = [
                (s.kind.value, s.start_ns, s.end_ns, s.thread, s.open, s.line, s.name)
                for s in segments[kept:]
            ]
            changes.append((i, _facts(lane), kept, rest))
        self._sent = trace.lanes
        return Frame(
            t0_ns=trace.t0_ns,
            count=len(trace.lanes),
            changes=changes,
            grown=grown,
            loop_thread=trace.loop_thread,
            loop_blocked=trace.loop_blocked,
            loop_blocking_now=trace.loop_blocking_now,
            worker_pids=trace.worker_pids,
            client_cpu_ns=trace.client_cpu_ns,
        )


class LaneMirror:
    """The window's side: the lanes as the last frame applied left them."""

    def __init__(self) -> None:
        self._lanes: list[Lane] = []

    def apply(self, frame: Frame) -> Trace:
        """The trace ``frame`` stands for; a lane or segment the site reused is the object
        this mirror made for it before."""
        lanes = self._lanes
        del lanes[frame.count :]
        for i, facts, kept, rest in frame.changes:
            head = lanes[i].segments[:kept] if kept else ()
            segments = head + tuple(
                make_segment(_KIND_OF[kind], start, end, thread, is_open, line, name)
                for kind, start, end, thread, is_open, line, name in rest
            )
            (request_id, view, status, code, error, sent, done, seen, db, notes) = facts
            lane = make_lane(
                request_id, view, status, code, error, sent, done, segments, seen, db, notes
            )
            if i < len(lanes):
                lanes[i] = lane
            else:  # lanes come in order of their place: a new one is the next place
                lanes.append(lane)
        for i, now_ns in frame.grown:  # each had a lane here before: none is new
            lanes[i] = reaching(lanes[i], now_ns)
        return Trace(
            t0_ns=frame.t0_ns,
            lanes=tuple(lanes),
            loop_thread=frame.loop_thread,
            loop_blocked=frame.loop_blocked,
            loop_blocking_now=frame.loop_blocking_now,
            worker_pids=frame.worker_pids,
            client_cpu_ns=frame.client_cpu_ns,
        )
