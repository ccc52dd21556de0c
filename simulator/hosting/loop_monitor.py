"""Watches the site's event loop from inside: which request ran on it when, and for how long.

It is the loop's task factory: every task the loop starts (the server's per-request task,
and the tasks Django starts for it) runs its coroutine through :class:`_TimedCoroutine`,
which notes the start and end of every *step*, the stretch of code between two ``await``
points that actually suspend. A step is the unit the loop cannot interrupt, so:

- a request's steps are exactly when the loop was working for it (its lane's framework,
  as opposed to waiting while the loop served others), and
- a step of ``LOOP_BLOCKED_MS`` (5 ms) or more is the loop being blocked: nothing else could
  run meanwhile (the definition asyncio's own debug mode uses for "slow callbacks").
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Coroutine, Generator
from typing import Any

from embedded_site.instrumentation import current_probe
from simulator.trace.kinds import LOOP_BLOCKED_MS

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

    __slots__ = ("_coro", "_monitor", "_steps")

    def __init__(self, coro: Coroutine[Any, Any, Any], monitor: LoopMonitor) -> None:
        self._coro = coro
        self._monitor = monitor
        self._steps: list[tuple[int, int]] | None = None

    def send(self, value: Any) -> Any:
        start = self._monitor.step_started_ns = _now()
        try:
            return self._coro.send(value)
        finally:
            self._record(start, _now())

    def throw(self, typ: Any, val: Any = None, tb: Any = None) -> Any:
        start = self._monitor.step_started_ns = _now()
        try:
            if val is None and tb is None:
                return self._coro.throw(typ)
            return self._coro.throw(typ, val, tb)
        finally:
            self._record(start, _now())

    def close(self) -> None:
        self._coro.close()

    def __await__(self) -> Generator[Any, None, Any]:
        return self._coro.__await__()

    def _record(self, start: int, end: int) -> None:
        self._monitor.step_started_ns = None
        steps = self._steps
        if steps is None:
            probe = current_probe.get()
            if probe is not None:
                steps = self._steps = probe.loop_steps
        if steps is not None:
            steps.append((start, end))
        if end - start >= self._monitor.threshold_ns:
            self._monitor.blocked.append((start, end))

    def __repr__(self) -> str:
        return repr(self._coro)


_now = time.perf_counter_ns
