"""The trace of a run: one lane of timed segments per request, on one clock.

Times are ``time.perf_counter_ns`` values; :class:`Trace` knows ``t0_ns`` (the first send) so
exports can speak in milliseconds from the start.

Segment kinds (what a lane's colours mean):

``queued``       sent, and waiting to be run: for a worker thread, or for the event loop
                 (at first, or again while another request holds the loop)
``framework``    Django's handler and middleware before and after the view
``io_wait``      awaiting I/O: holds no thread
``io_blocking``  waiting on I/O while holding a thread, or the event loop
``cpu``          computing
``thread_hop``   waiting for a ``sync_to_async``/``async_to_sync`` hand-off
``cancelled``    the rest of a request stopped before it finished

A request that failed keeps its segments; its lane carries the error (the app marks the
lane's end in the "failed" colour).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from embedded_site.instrumentation import Mark, RawSegment, RequestProbe

__all__ = [
    "HOLDS_THREAD",
    "KINDS",
    "Lane",
    "Segment",
    "Trace",
    "build_lane",
    "loop_holding_intervals",
]

KINDS = ("queued", "framework", "cpu", "io_wait", "io_blocking", "thread_hop", "cancelled")
#: Kinds during which the segment's thread (or event loop) can do nothing else.
HOLDS_THREAD = frozenset({"framework", "cpu", "io_blocking"})

Status = Literal["ok", "error", "cancelled", "running"]


@dataclass(frozen=True, slots=True)
class Segment:
    """One stretch of a request's life, on the thread (or loop) named by ``thread``."""

    kind: str
    start_ns: int
    end_ns: int
    thread: str

    @property
    def duration_ns(self) -> int:
        return self.end_ns - self.start_ns


@dataclass(frozen=True, slots=True)
class Lane:
    """Everything measured about one request.

    ``sent_ns``/``done_ns`` are the client's view (latency). ``segments`` follow in time order
    without gaps or overlaps from ``sent_ns`` to ``end_ns``, which is later than ``done_ns``
    where Django still worked after sending the answer (``response.close()``).
    """

    request_id: int
    view: str
    status: Status
    status_code: int | None
    error: str | None
    sent_ns: int
    done_ns: int
    segments: tuple[Segment, ...]
    #: Every thread (or the loop) seen working for this request, with when it was first
    #: seen: Django's signal receivers run on a thread of the request's even where the lane
    #: shows the request waiting for the loop meanwhile.
    threads_seen: tuple[tuple[str, int], ...] = ()

    @property
    def latency_ns(self) -> int:
        return self.done_ns - self.sent_ns

    @property
    def end_ns(self) -> int:
        return self.segments[-1].end_ns if self.segments else self.done_ns

    def segment_at(self, ns: int) -> Segment | None:
        """The segment running at ``ns``, if any (for hover text)."""
        starts = [s.start_ns for s in self.segments]
        i = bisect.bisect_right(starts, ns) - 1
        if i >= 0 and self.segments[i].end_ns >= ns:
            return self.segments[i]
        return None


@dataclass(frozen=True, slots=True)
class Trace:
    """All lanes of one run, plus what the loop monitor saw.

    ``loop_thread`` names the site's event loop thread (``None`` under WSGI, where there is
    no such loop); ``loop_blocked`` lists the periods it was blocked for 5 ms or more.
    """

    t0_ns: int
    lanes: tuple[Lane, ...]
    loop_thread: str | None = None
    loop_blocked: tuple[tuple[int, int], ...] = ()

    @property
    def end_ns(self) -> int:
        """When the last client got its answer (the makespan ends here)."""
        return max((lane.done_ns for lane in self.lanes), default=self.t0_ns)

    @property
    def last_ns(self) -> int:
        """When the last segment ended (Django may work on after its answer is sent)."""
        return max((lane.end_ns for lane in self.lanes), default=self.t0_ns)

    def ms(self, ns: int) -> float:
        """``ns`` as milliseconds from the first send."""
        return (ns - self.t0_ns) / 1e6

    def threads(self) -> list[str]:
        """Every thread or loop that held work for some request, or ran Django's machinery
        for it, in order of first use."""
        seen: dict[str, int] = {}
        for lane in self.lanes:
            for seg in lane.segments:
                if seg.kind in HOLDS_THREAD:
                    seen.setdefault(seg.thread, seg.start_ns)
                    seen[seg.thread] = min(seen[seg.thread], seg.start_ns)
        for lane in self.lanes:
            for thread, ns in lane.threads_seen:
                if ns < seen.get(thread, ns + 1):
                    seen[thread] = ns
        return sorted(seen, key=seen.__getitem__)


@dataclass(slots=True)
class _IntervalSet:
    """Sorted, merged intervals, for "was the loop held by someone at this time?"."""

    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)
    #: The loop monitor's raw steps (disjoint: the loop runs one at a time) and whose they
    #: were, to tell "busy with others" from the slack bridged between one's own steps.
    steps: list[tuple[int, int, int]] = field(default_factory=list)  # (start, end, owner)
    _step_ends: list[int] = field(default_factory=list)

    def others_in(self, start: int, end: int, own: int, slack: int) -> bool:
        """Whether the loop was busy with someone else's code over ``[start, end)``: it ran
        some, or the piece is a short idle gap between two other requests' steps. (True
        when the steps are unknown: then the merged set is all there is to go by.)"""
        if not self.steps:
            return True
        steps = self.steps
        i = bisect.bisect_right(self._step_ends, start)  # steps[:i] ended by ``start``
        j = i
        while j < len(steps) and steps[j][0] < end:
            if steps[j][2] != own:
                return True
            j += 1
        before = steps[i - 1] if i > 0 else None
        after = steps[j] if j < len(steps) else None
        return (
            before is not None
            and after is not None
            and before[2] != own
            and after[2] != own
            and start - before[1] <= slack
            and after[0] - end <= slack
        )

    @classmethod
    def of(cls, intervals: Iterable[tuple[int, int]], slack: int = 0) -> _IntervalSet:
        """Merge ``intervals``, joining those less than ``slack`` apart."""
        merged = cls()
        for start, end in sorted(intervals):
            if merged.ends and start <= merged.ends[-1] + slack:
                merged.ends[-1] = max(merged.ends[-1], end)
            else:
                merged.starts.append(start)
                merged.ends.append(end)
        return merged

    def covered_tail(self, start: int, end: int, slack: int) -> int:
        """The earliest ``t >= start`` such that ``[t, end]`` lies in the set, gaps up to
        ``slack`` forgiven; ``end`` itself when the set does not reach ``end``."""
        i = bisect.bisect_left(self.starts, end) - 1
        if i < 0 or end - self.ends[i] > slack:
            return end
        t = self.starts[i]
        while i > 0 and t > start and t - self.ends[i - 1] <= slack:
            i -= 1
            t = self.starts[i]
        return max(t, start)

    def split(self, start: int, end: int) -> list[tuple[int, int, bool]]:
        """Cut ``[start, end)`` into pieces, each flagged True where it lies in the set."""
        pieces: list[tuple[int, int, bool]] = []
        i = max(0, bisect.bisect_right(self.ends, start))
        cursor = start
        while cursor < end and i < len(self.starts) and self.starts[i] < end:
            s, e = max(self.starts[i], cursor), min(self.ends[i], end)
            if s > cursor:
                pieces.append((cursor, s, False))
            if e > s:
                pieces.append((s, e, True))
                cursor = e
            i += 1
        if cursor < end:
            pieces.append((cursor, end, False))
        return pieces


def loop_holding_intervals(
    probes: Iterable[RequestProbe], loop_thread: str | None
) -> _IntervalSet:
    """When the event loop was busy with some request: running its code (the loop
    monitor's steps), or held by its view (cpu or blocking I/O on the loop).

    Busy stretches less than a resume-slack apart are joined: the loop's own bookkeeping
    between two of them does not let a waiting request through (and a thousand back-to-back
    holds stay one interval, not a thousand pieces in every waiting lane).
    """
    if loop_thread is None:
        return _IntervalSet()
    probes = list(probes)
    holds = [
        (seg.start_ns, seg.end_ns)
        for probe in probes
        for seg in list(probe.segments)
        if seg.thread == loop_thread and seg.kind in HOLDS_THREAD
    ]
    steps = sorted(
        (start, end, id(probe)) for probe in probes for start, end in list(probe.loop_steps)
    )
    if steps:
        # Bridge the loop's bookkeeping between two requests' code; a request's own waits
        # between its steps are told apart later (others_in).
        busy = _IntervalSet.of(holds + [(s, e) for s, e, _ in steps], slack=_STEP_SLACK_NS)
        busy.steps = steps
        busy._step_ends = [e for _, e, _ in steps]
        return busy
    return _IntervalSet.of(holds, slack=_RESUME_SLACK_NS)


#: Loop work between two holds that still counts as "the loop stayed busy" (framework bits).
_RESUME_SLACK_NS = 2_000_000
#: Idle time between two measured steps of other requests that still counts as "the loop
#: stayed busy with others" (its bookkeeping, a wake-up): without it, a long wait for the
#: loop would be cut into hundreds of slivers.
_STEP_SLACK_NS = 1_000_000


@dataclass(frozen=True, slots=True)
class _Point:
    ns: int
    thread: str
    where: str = ""


def build_lane(
    probe: RequestProbe,
    *,
    done_ns: int,
    status: Status,
    status_code: int | None = None,
    error: str | None = None,
    loop_thread: str | None = None,
    loop_held: _IntervalSet | None = None,
) -> Lane:
    """Turn a probe's raw facts into a gap-free lane of segments ending at ``done_ns``.

    The view declared its ``io_wait``/``io_blocking``/``cpu`` segments. The gaps between them
    are derived, from where each gap starts and ends:

    - before the server picked the request up: ``queued``;
    - inside the middleware chain, where the work moves to another thread: ``thread_hop``
      (getting the loop back included);
    - anywhere else: ``framework`` (Django's handler, middleware, its own thread hand-offs);
    - except that where the loop is involved, the loop monitor's steps decide: while the
      loop ran this request's code it is ``framework``, while it ran other requests' code
      (or was held by their views) this request waited, ``queued``.

    An ``io_wait`` on the loop that ended only when a run of other requests' holds on the
    loop ended was over sooner: its I/O finished during those holds, and a coroutine can only
    resume once the loop is free. That tail is ``queued`` too (it may start up to a hold
    early: the loop cannot see when I/O completes while it is blocked).
    """
    held = loop_held or _IntervalSet()
    segments: list[Segment] = []
    client_done_ns = done_ns
    if status != "cancelled" and probe.finished_ns is not None:
        done_ns = max(done_ns, probe.finished_ns)
    picked = probe.picked_ns
    if picked is None or picked >= done_ns:
        # Never reached a worker (stopped while waiting, or refused).
        kind = "cancelled" if status == "cancelled" else "queued"
        only = Segment(kind, probe.sent_ns, max(done_ns, probe.sent_ns), "queue")
        return Lane(
            probe.request_id, probe.view, status, status_code, error or probe.error,
            probe.sent_ns, client_done_ns, (only,),
        )
    if picked > probe.sent_ns:
        segments.append(Segment("queued", probe.sent_ns, picked, "queue"))

    declared = sorted(list(probe.segments), key=lambda s: (s.start_ns, s.end_ns))
    marks = sorted(list(probe.marks), key=lambda m: m.ns)
    if loop_thread is None and probe.picked_thread is not None:
        declared, marks = _held_by_worker(declared, marks, probe.picked_thread)
    mw_in = next((m.ns for m in marks if m.where == "middleware_in"), None)
    mw_out = next((m.ns for m in reversed(marks) if m.where == "middleware_out"), None)
    if mw_in is not None and mw_out is None:
        mw_out = done_ns  # still inside the chain (live) or cut short

    # Points where a gap may start or end, with the thread seen there.
    points: list[_Point] = [_Point(picked, probe.picked_thread or "?")]
    points += [_Point(m.ns, m.thread, m.where) for m in marks if picked <= m.ns <= done_ns]
    body: list[Segment] = []
    for seg in declared:
        start = max(seg.start_ns, picked, body[-1].end_ns if body else picked)
        end = min(seg.end_ns, done_ns)
        if end > start:
            body.append(Segment(seg.kind, start, end, seg.thread))
    # Walk points and declared segments in time order, filling the gaps between them.
    events: list[tuple[int, int, object]] = [(p.ns, 0, p) for p in points]
    events += [(s.start_ns, 1, s) for s in body]
    events.sort(key=lambda e: (e[0], e[1]))
    last_ns, last_thread = picked, probe.picked_thread or "?"

    own_steps = _IntervalSet.of(list(probe.loop_steps)) if loop_thread is not None else None

    def fill(until: int, thread_there: str) -> None:
        if until <= last_ns:
            return
        hop = (
            mw_in is not None
            and mw_in <= last_ns
            and until <= (mw_out or done_ns)
            and thread_there != last_thread
        )
        kind = "thread_hop" if hop else "framework"
        if loop_thread is None or loop_thread not in (thread_there, last_thread):
            segments.append(Segment(kind, last_ns, until, last_thread))
            return
        # The loop is involved: while it ran this request's code, that is framework; while
        # it was busy with others, this request waited (queued); the rest is the hand-off
        # itself, or Django between two points on one thread.
        waiting_thread = thread_there if thread_there != loop_thread else last_thread
        for s, e, running in own_steps.split(last_ns, until):
            if running:
                segments.append(Segment("framework", s, e, loop_thread))
                continue
            if hop:
                # A hand-off inside the middleware chain is the whole wait, getting the loop
                # back included: without the hand-off there would be nothing to wait for.
                segments.append(Segment("thread_hop", s, e, waiting_thread))
                continue
            for s2, e2, busy in held.split(s, e):
                if busy and held.others_in(s2, e2, id(probe), _STEP_SLACK_NS):
                    segments.append(Segment("queued", s2, e2, loop_thread))
                else:
                    segments.append(Segment(kind, s2, e2, last_thread))

    for ns, order, item in events:
        if order == 0:
            fill(ns, item.thread)
            last_ns, last_thread = max(last_ns, ns), item.thread
        else:
            fill(item.start_ns, item.thread)
            ready = item.end_ns
            if item.kind == "io_wait" and item.thread == loop_thread:
                ready = held.covered_tail(item.start_ns, item.end_ns, _RESUME_SLACK_NS)
            segments.append(Segment(item.kind, item.start_ns, ready, item.thread))
            if ready < item.end_ns:
                segments.append(Segment("queued", ready, item.end_ns, item.thread))
            last_ns, last_thread = item.end_ns, item.thread
    if status == "cancelled" and last_ns < done_ns:
        segments.append(Segment("cancelled", last_ns, done_ns, last_thread))
    else:
        fill(done_ns, probe.picked_thread or last_thread)
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
    )


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
        seg if seg.thread == worker else RawSegment(
            "io_blocking" if seg.kind == "io_wait" else seg.kind, seg.start_ns, seg.end_ns, worker
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
        if merged and merged[-1].kind == seg.kind and merged[-1].thread == seg.thread and (
            merged[-1].end_ns == seg.start_ns
        ):
            merged[-1] = Segment(seg.kind, merged[-1].start_ns, seg.end_ns, seg.thread)
        else:
            merged.append(seg)
    return merged
