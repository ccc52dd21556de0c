"""The event loop of the model's process, as asyncio runs it: in iterations.

``asyncio``'s ``BaseEventLoop._run_once`` runs, in one iteration, the callbacks that were
ready when it began, in order; whatever becomes ready meanwhile (a task's next step, a
thread handing back with ``call_soon_threadsafe``, a new request handed over) waits for the
next iteration, and the timers and I/O that came due meanwhile (an ``asyncio.sleep``
ending, an awaited call's answer arriving) are appended *after* those when the next
iteration begins. A plain first-come-first-served lock put a sleep that ended at ``t``
ahead of every step that became ready after ``t``; with thousands of requests in one
iteration (each request's way in is three of them) that let the answers overtake the
requests still coming in, spreading them out. Measured, a burst's requests all come in
first and its answers then bunch at the end: 1,000 ``async_io`` × 500 ms answer half
their requests in the last 231 ms of 1,511 (``benchmarks/model.py``, a quiet machine).

Time is integer nanoseconds, as in :mod:`simulator.prediction.events`.
"""

from __future__ import annotations

from collections import deque

from simulator.prediction.events import Environment, Event

__all__ = ["Loop"]


class Loop:
    """One event loop: :meth:`request` a step (``due=True`` for a timer or I/O that came
    due), run it, :meth:`release`. Steps are granted one at a time, iteration by
    iteration."""

    def __init__(self, env: Environment, name: str) -> None:
        self.env, self.name = env, name
        self._busy = False
        #: Steps ready to run: the current iteration's first, then the next's.
        self._ready: deque[Event] = deque()
        #: Timers and I/O that came due during the current iteration.
        self._due: deque[Event] = deque()
        #: How many of the current iteration's steps are still to run.
        self._batch = 0

    @property
    def queued(self) -> int:
        """How many steps wait for the loop."""
        return len(self._ready) + len(self._due)

    def request(self, due: bool = False) -> Event:
        """An event that happens when the step may run: at once on an idle loop, else in
        this iteration's order (``due``: a timer or I/O, after the next iteration's ready
        steps)."""
        event = Event(self.env)
        if not self._busy and not self._ready and not self._due:
            self._busy = True
            event._value = self.name
            event.callbacks = None  # granted: the asking process goes straight on
        else:
            (self._due if due else self._ready).append(event)
        return event

    def release(self, slot: str) -> None:
        """The step ends: the iteration's next one runs, or a new iteration begins."""
        if slot != self.name or not self._busy:
            raise ValueError(f"{slot!r} is not a step in progress")
        if self._batch == 0:  # a new iteration: what is ready, then what came due
            self._ready.extend(self._due)
            self._due.clear()
            self._batch = len(self._ready)
        if self._batch:
            self._batch -= 1
            self._ready.popleft().succeed(self.name)
        else:
            self._busy = False
