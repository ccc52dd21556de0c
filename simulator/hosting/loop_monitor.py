"""Watches the site's event loop from inside: which request ran on it when, and for how long.

It is the loop's task factory: every task the loop starts (the server's per-request task,
and the tasks Django starts for it) runs its coroutine through :class:`_TimedCoroutine`,
which notes the start and end of every *step*, the stretch of code between two ``await``
points that actually suspend. A step is the unit the loop cannot interrupt, so:

- a request's steps are exactly when the loop was working for it (its lane's framework,
  as opposed to waiting while the loop served others), and
- a step of ``LOOP_BLOCKED_MS`` (5 ms) or more is the loop being blocked: nothing else could
  run meanwhile (the definition asyncio's own debug mode uses for "slow callbacks").

It reads the loop thread's clocks at each step's start and end (``embedded_site.waits``). A
step in which the loop stood still without declaring why (a ``time.sleep``, a burn's own
recorded waits) waited to run, for the GIL or a core: that wait goes on the request's lane
as such. Whether the step blocked the loop is decided without it: a step of 1 ms of code
that waited 40 ms for the GIL did not, its code did not hold the loop (another thread, or
the machine, did). A step whose code held the loop past the threshold blocked it from its
start to its end, its waits to run included: no other request could run until it ended
(a busy machine's lesson 5 drew its strip dashed, the gaps reading "loop free" while each
computing step stood waiting for a core), as the live strip draws a step while it lasts
(:meth:`LoopMonitor.blocking_now`).
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Coroutine, Generator
from dataclasses import dataclass
from typing import Any

from embedded_site.instrumentation import RawSegment, RequestProbe, current_probe
from embedded_site.waits import WAIT_MIN_NS, Clock, note_thread_starts, read_clock, waits
from simulator.trace.kinds import LOOP_BLOCKED_MS, Kind

__all__ = ["LoopMonitor"]

_wall = time.perf_counter_ns


class LoopMonitor:
    """Install with :meth:`install` on a loop; read :attr:`blocked` (``(start, end)`` ns)."""

    def __init__(self, *, threshold_ms: float = LOOP_BLOCKED_MS) -> None:
        self.threshold_ns = int(threshold_ms * 1e6)
        self.blocked: list[tuple[int, int]] = []
        #: The loop thread's clocks when the step running now began (the loop runs one step
        #: at a time), and that step's request, or None.
        self.step_started: Clock | None = None
        self.step_probe: RequestProbe | None = None
        #: The loop thread's CPU clock, readable from any thread (``None``: not installed
        #: yet, or a system without per-thread clocks).
        self._loop_cpu_clock: int | None = None
        self._loop_thread = ""
        #: Set (from any thread) when the run was abandoned and the process is about to
        #: exit: each step first sleeps this long, so the loop's thousands of ready steps
        #: stop competing for the GIL at once, not after the batch it is in.
        self.hold_s = 0.0

    def blocking_now(self, now_ns: int) -> tuple[int, int] | None:
        """The step holding the loop at ``now_ns`` if it has held it past the threshold:
        a live picture shows the loop blocked while it is, not once the step ends. Held means
        running (the loop thread's CPU clock) or in a declared blocking wait; a step that
        has mostly waited to run (for the GIL, a core) is not blocking it. Its stretch is
        what the step's end will record if it ended now (:func:`_step_between`, one rule for
        both): inside the request's own await, less its waits to run, which have no free
        stretch of the lane to be drawn in (drawn up to now, the strip shrank at the end)."""
        start, probe = self.step_started, self.step_probe
        if start is None or now_ns - start.wall_ns < self.threshold_ns:
            return None
        end = now_ns
        if self._loop_cpu_clock is not None:
            try:
                cpu = time.clock_gettime_ns(self._loop_cpu_clock)
            except OSError:  # the step ended and the thread with it: nothing is blocking
                return None
            step = _step_between(probe, self._loop_thread, start, Clock(now_ns, cpu, None))
            if step.held_ns < self.threshold_ns:
                return None
            end -= step.unplaced_ns
        if self.step_started is not start:
            return None  # that step has ended meanwhile
        return (start.wall_ns, end)

    def install(self, loop: asyncio.AbstractEventLoop) -> None:
        """Time ``loop``'s tasks; called on the loop's own thread. Thread starts are noted
        from then on: Django starts a thread per request from the loop, and the loop's wait
        for one to get a core is a wait for a core (``embedded_site.waits``)."""
        note_thread_starts()
        loop.set_task_factory(self._make_task)
        self._loop_thread = threading.current_thread().name
        try:
            self._loop_cpu_clock = time.pthread_getcpuclockid(threading.get_ident())
        except (AttributeError, OSError):
            self._loop_cpu_clock = None

    def _make_task(
        self, loop: asyncio.AbstractEventLoop, coro: Any, /, **kwargs: Any
    ) -> asyncio.Task[Any]:
        if getattr(coro, "__qualname__", "") in _UNTIMED:
            return asyncio.Task(coro, loop=loop, **kwargs)
        return asyncio.Task(_TimedCoroutine(coro, self), loop=loop, **kwargs)


#: Tasks that only ever wait (Django's disconnect listener): timing them costs every
#: request and tells nothing.
_UNTIMED = frozenset({"ASGIHandler.listen_for_disconnect"})


class _TimedCoroutine(Coroutine[Any, Any, Any]):
    """A coroutine that times each step of the one it wraps, for its request's probe.

    The probe is read after a step, in the task's own context (the server's task sets it
    during its first step; tasks Django starts inherit it), and kept once found. This runs
    for every step of every request, so it is kept to the bare minimum.
    """

    __slots__ = ("_coro", "_monitor", "_probe")

    def __init__(self, coro: Coroutine[Any, Any, Any], monitor: LoopMonitor) -> None:
        self._coro = coro
        self._monitor = monitor
        self._probe: RequestProbe | None = None

    def send(self, value: Any) -> Any:
        if self._monitor.hold_s:  # abandoned: run nothing more (outside any step's timing)
            time.sleep(self._monitor.hold_s)
        start = read_clock(run_queue=False)  # the loop may have idled: no reading needed
        self._monitor.step_probe = self._probe or current_probe.get()
        self._monitor.step_started = start
        try:
            return self._coro.send(value)
        finally:
            self._record(start)

    def throw(self, typ: Any, val: Any = None, tb: Any = None) -> Any:
        start = read_clock(run_queue=False)  # the loop may have idled: no reading needed
        self._monitor.step_probe = self._probe or current_probe.get()
        self._monitor.step_started = start
        try:
            if val is None and tb is None:
                return self._coro.throw(typ)
            return self._coro.throw(typ, val, tb)
        finally:
            self._record(start)

    def close(self) -> None:
        self._coro.close()

    def __await__(self) -> Generator[Any, None, Any]:
        return self._coro.__await__()

    def _record(self, start_clock: Clock) -> None:
        monitor = self._monitor
        monitor.step_started = None
        start, end = start_clock.wall_ns, _wall()
        probe = self._probe
        if probe is None:
            probe = self._probe = current_probe.get()
        if probe is not None:
            probe.loop_steps.append((start, end))
            probe.touch()
        if end - start < WAIT_MIN_NS:
            return  # most steps: too short to have stood still, no more clocks to read
        end_clock = read_clock()._replace(wall_ns=end)  # (the step's end, as recorded)
        if (end - start) - (end_clock.cpu_ns - start_clock.cpu_ns) >= WAIT_MIN_NS:
            held, blocked = _held_pieces(probe, start_clock, end_clock, monitor.threshold_ns)
        elif end - start >= monitor.threshold_ns:
            held = blocked = [(start, end)]
        else:
            return
        monitor.blocked += blocked  # (no one else ran meanwhile: its waits included)
        if probe is not None and held:
            _ran_inside_await(probe, held)

    def __repr__(self) -> str:
        return repr(self._coro)


def _ran_inside_await(probe: RequestProbe, held: list[tuple[int, int]]) -> None:
    """A step that held the loop inside the request's own declared await (its I/O woke it,
    then its code ran 5 ms or more: a large answer parsed, a handshake) ran this request's
    code: its holds are declared ``cpu`` on the loop, so the lane shows what held the loop,
    not "awaiting I/O" under the red "loop blocked" strip (the lane builder cuts the await
    around them)."""
    thread = threading.current_thread().name
    awaits = [
        (seg.start_ns, seg.end_ns)
        for seg in probe.segments_until(held[-1][1])
        if seg.kind == Kind.IO_WAIT and seg.thread == thread
    ]
    for s, e in held:
        if any(a < s and e <= b for a, b in awaits):
            probe.add_segment(Kind.CPU, s, e)


def _held_pieces(
    probe: RequestProbe | None, start: Clock, end: Clock, threshold_ns: int
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """A step in which the loop stood still: note on the request what it waited to run,
    and return the stretches the step's code held the loop, and the stretch it blocked the
    loop: none if its code held it under the threshold; else the whole step, its waits
    included, less those with no free stretch to be drawn in (as the holds give way to them).

    The step's declared segments say part of it (a sleep holds the loop; a burn's waits do
    not); the rest of the standing still is waiting to run, put in the step's longest stretch
    with nothing declared (the clocks say how long, not when)."""
    step = _step_between(probe, threading.current_thread().name, start, end)
    cored_ns = sum(s.end_ns - s.start_ns for s in step.waited if s.kind == Kind.CORE_WAIT)
    rest = end._replace(
        run_queue_ns=None if end.run_queue_ns is None else end.run_queue_ns - cored_ns
    )
    free_start, free_end = step.free
    pieces: list[tuple[int, int]] = []
    for kind, s, e in waits(start, rest, step.slept_ns + step.waited_ns):
        shift = end.wall_ns - free_end
        s, e = max(free_start, s - shift), e - shift
        if e > s:
            pieces.append((s, e))
            if probe is not None:
                probe.add_segment(kind, s, e)
    holds = _minus(
        start.wall_ns, end.wall_ns, pieces + [(s.start_ns, s.end_ns) for s in step.waited]
    )
    # Standing still with no free stretch to draw it in (a step inside a declared await: the
    # request's I/O woke it, and under load it waited for a core before running) held the
    # loop no more: not drawn, and not counted toward the threshold either (the end of the
    # step's holds gives way to it, as the pieces would have).
    holds = _cut_from_end(holds, step.unplaced_ns)
    if sum(e - s for s, e in holds) < threshold_ns:
        return [], []
    return holds, _cut_from_end([(start.wall_ns, end.wall_ns)], step.unplaced_ns)


@dataclass(frozen=True, slots=True)
class _Step:
    """What a loop step's clocks and declared segments say of it from its start to an end:
    its own (``blocking_now``'s "now", or its end). One rule for the live strip and the
    finished one.

    Attributes
    ----------
    held_ns
        What its code held the loop: run (the CPU clock) or a declared blocking wait (a
        ``time.sleep``); the threshold is judged on it.
    slept_ns
        Its declared blocking waits.
    waited
        Its declared waits to run (a burn's own).
    wait_ns
        The rest of its standing still: waiting to run, undeclared, placed by the clocks.
    free
        Its longest stretch with nothing declared on the loop, where that wait is drawn.
    """

    held_ns: int
    slept_ns: int
    waited: list[RawSegment]
    wait_ns: int
    free: tuple[int, int]

    @property
    def waited_ns(self) -> int:
        return sum(s.end_ns - s.start_ns for s in self.waited)

    @property
    def unplaced_ns(self) -> int:
        """The wait to run with no free stretch to be drawn in (all of it inside the
        request's own await): not drawn on the lane, and not "loop blocked" either."""
        if self.wait_ns < WAIT_MIN_NS:  # (:func:`waits` places none)
            return 0
        return max(0, self.wait_ns - (self.free[1] - self.free[0]))


def _step_between(probe: RequestProbe | None, thread: str, start: Clock, end: Clock) -> _Step:
    """The step that began at ``start`` on the loop's ``thread``, as it stood at ``end``."""
    touching = [
        seg
        for seg in (probe.segments_until(end.wall_ns) if probe is not None else [])
        if seg.thread == thread and seg.start_ns < end.wall_ns and start.wall_ns < seg.end_ns
    ]
    inside = [s for s in touching if start.wall_ns <= s.start_ns and s.end_ns <= end.wall_ns]
    waited = [s for s in inside if s.kind in (Kind.GIL_WAIT, Kind.CORE_WAIT)]
    slept = sum(s.end_ns - s.start_ns for s in inside if s.kind == Kind.IO_BLOCKING)
    ran = end.cpu_ns - start.cpu_ns
    stood = (end.wall_ns - start.wall_ns) - ran - slept - sum(s.end_ns - s.start_ns for s in waited)
    free = _longest_free(start.wall_ns, end.wall_ns, touching)
    return _Step(ran + slept, slept, waited, stood, free)


def _longest_free(start: int, end: int, inside: list[RawSegment]) -> tuple[int, int]:
    """The longest stretch of ``[start, end]`` that no segment in ``inside`` covers."""
    best, cursor = (start, start), start
    for seg in sorted(inside, key=lambda s: s.start_ns):
        if seg.start_ns - cursor > best[1] - best[0]:
            best = (cursor, seg.start_ns)
        cursor = max(cursor, seg.end_ns)
    return (cursor, end) if end - cursor > best[1] - best[0] else best


def _cut_from_end(pieces: list[tuple[int, int]], ns: int) -> list[tuple[int, int]]:
    """``pieces`` (in time order) less their last ``ns`` nanoseconds."""
    kept = list(pieces)
    while kept and ns > 0:
        s, e = kept.pop()
        if e - s > ns:
            kept.append((s, e - ns))
        ns -= e - s
    return kept


def _minus(start: int, end: int, cuts: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """``[start, end]`` without the ``cuts`` (disjoint, inside it)."""
    pieces, cursor = [], start
    for s, e in sorted(cuts):
        if s > cursor:
            pieces.append((cursor, s))
        cursor = max(cursor, e)
    if end > cursor:
        pieces.append((cursor, end))
    return pieces
