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
as such, and it does not count as blocking the loop. Its code did not hold the loop; another
thread, or the machine, did.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine, Generator
from typing import Any

from embedded_site.instrumentation import RawSegment, RequestProbe, current_probe
from embedded_site.waits import WAIT_MIN_NS, Clock, read_clock, waits
from simulator.trace.kinds import LOOP_BLOCKED_MS, Kind

__all__ = ["LoopMonitor"]


class LoopMonitor:
    """Install with :meth:`install` on a loop; read :attr:`blocked` (``(start, end)`` ns)."""

    def __init__(self, *, threshold_ms: float = LOOP_BLOCKED_MS) -> None:
        self.threshold_ns = int(threshold_ms * 1e6)
        self.blocked: list[tuple[int, int]] = []
        #: When the step running now began (the loop runs one step at a time), or None.
        self.step_started_ns: int | None = None

    def blocking_now(self, now_ns: int) -> tuple[int, int] | None:
        """The step holding the loop at ``now_ns`` if it has held it past the threshold:
        a live picture shows the loop blocked while it is, not once the step ends."""
        start = self.step_started_ns
        if start is not None and now_ns - start >= self.threshold_ns:
            return (start, now_ns)
        return None

    def install(self, loop: asyncio.AbstractEventLoop) -> None:
        loop.set_task_factory(self._make_task)

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
        start = read_clock()
        self._monitor.step_started_ns = start.wall_ns
        try:
            return self._coro.send(value)
        finally:
            self._record(start, read_clock())

    def throw(self, typ: Any, val: Any = None, tb: Any = None) -> Any:
        start = read_clock()
        self._monitor.step_started_ns = start.wall_ns
        try:
            if val is None and tb is None:
                return self._coro.throw(typ)
            return self._coro.throw(typ, val, tb)
        finally:
            self._record(start, read_clock())

    def close(self) -> None:
        self._coro.close()

    def __await__(self) -> Generator[Any, None, Any]:
        return self._coro.__await__()

    def _record(self, start_clock: Clock, end_clock: Clock) -> None:
        monitor = self._monitor
        monitor.step_started_ns = None
        start, end = start_clock.wall_ns, end_clock.wall_ns
        probe = self._probe
        if probe is None:
            probe = self._probe = current_probe.get()
        if probe is not None:
            probe.loop_steps.append((start, end))
        if (end - start) - (end_clock.cpu_ns - start_clock.cpu_ns) >= WAIT_MIN_NS:
            monitor.blocked += _held_pieces(probe, start_clock, end_clock, monitor.threshold_ns)
        elif end - start >= monitor.threshold_ns:
            monitor.blocked.append((start, end))

    def __repr__(self) -> str:
        return repr(self._coro)


def _held_pieces(
    probe: RequestProbe | None, start: Clock, end: Clock, threshold_ns: int
) -> list[tuple[int, int]]:
    """A step in which the loop stood still: note on the request what it waited to run,
    and return the stretches the step held the loop (none if it held it under the threshold).

    The step's declared segments say part of it (a sleep holds the loop; a burn's waits do
    not); the rest of the standing still is waiting to run, put in the step's longest stretch
    with nothing declared (the clocks say how long, not when)."""
    thread = threading.current_thread().name
    touching = [
        seg
        for seg in (probe.segments_until(end.wall_ns) if probe is not None else [])
        if seg.thread == thread and seg.start_ns < end.wall_ns and start.wall_ns < seg.end_ns
    ]
    inside = [s for s in touching if start.wall_ns <= s.start_ns and s.end_ns <= end.wall_ns]
    waited = [s for s in inside if s.kind in (Kind.GIL_WAIT, Kind.CORE_WAIT)]
    slept = sum(s.end_ns - s.start_ns for s in inside if s.kind == Kind.IO_BLOCKING)
    waited_ns = sum(s.end_ns - s.start_ns for s in waited)
    cored_ns = sum(s.end_ns - s.start_ns for s in waited if s.kind == Kind.CORE_WAIT)
    rest = end._replace(
        run_queue_ns=None if end.run_queue_ns is None else end.run_queue_ns - cored_ns
    )
    free_start, free_end = _longest_free(start.wall_ns, end.wall_ns, touching)
    pieces: list[tuple[int, int]] = []
    for kind, s, e in waits(start, rest, slept + waited_ns):
        shift = end.wall_ns - free_end
        s, e = max(free_start, s - shift), e - shift
        if e > s:
            pieces.append((s, e))
            if probe is not None:
                probe.add_segment(kind, s, e)
    holds = _minus(start.wall_ns, end.wall_ns, pieces + [(s.start_ns, s.end_ns) for s in waited])
    if sum(e - s for s, e in holds) < threshold_ns:
        return []
    return holds


def _longest_free(start: int, end: int, inside: list[RawSegment]) -> tuple[int, int]:
    """The longest stretch of ``[start, end]`` that no segment in ``inside`` covers."""
    best, cursor = (start, start), start
    for seg in sorted(inside, key=lambda s: s.start_ns):
        if seg.start_ns - cursor > best[1] - best[0]:
            best = (cursor, seg.start_ns)
        cursor = max(cursor, seg.end_ns)
    return (cursor, end) if end - cursor > best[1] - best[0] else best


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
