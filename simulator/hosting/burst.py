"""What both clients share: a burst of a scenario's requests at its arrival spacing, Stop.

The in-process driver (:mod:`simulator.hosting.driver`) and the socket driver
(:mod:`simulator.hosting.socket_driver`) differ in how one request is sent and recorded; when
each is sent, how Stop abandons them and what a watcher reads while they run is the same, and
lives here once.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import time
from collections.abc import Callable, Coroutine
from typing import Generic, TypeVar

from simulator.scenario import Scenario

__all__ = ["Burst"]

R = TypeVar("R")


class Burst(Generic[R]):
    """Sends ``scenario.requests`` requests at the scenario's arrival spacing.

    ``records`` grows as requests are sent; a watcher (the window) reads it while it runs.
    """

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.records: list[R] = []
        self.start_ns: int | None = None
        self._tasks: list[asyncio.Task[None]] = []
        #: The most requests in flight at once (``concurrency``; by default the whole burst).
        self.max_in_flight = scenario.concurrency or scenario.requests
        self._in_flight = 0
        # Set whenever a request ends: a request held back for a free slot goes then.
        self._slot_free = asyncio.Event()
        self._stopping = False
        # Set by stop(): a client waiting seconds to send its next request wakes at once.
        self._stop_event = asyncio.Event()
        # Every task's done callback, and the context it runs in (it reads no context
        # variable): one of each for the run, not a bound method and a copy of the context
        # per request, which every full collection walks while thousands are in flight.
        self._ended_callback = self._request_ended
        self._callback_context = contextvars.Context()
        #: What a request's send raised first: a bug (a send records in its record every
        #: failure it expects), raised once every request has ended (:meth:`_raise_failure`).
        self._failure: BaseException | None = None

    @property
    def stopped(self) -> bool:
        return self._stopping

    def stop(self) -> None:
        """Give up on every request in flight; unsent ones are never sent."""
        self._stopping = True
        self._stop_event.set()
        self._slot_free.set()
        for task in self._tasks:
            task.cancel()

    def stop_sending(self) -> None:
        """Send nothing more from now on; requests in flight are left as they are.

        It only sets a flag, read before each send (a task made but not started yet sends
        nothing either), so a signal handler on the loop's thread may call it: in the middle
        of a burst of thousands, the loop's next look at anything else is seconds away. A
        process about to exit calls it instead of :meth:`stop`, whose cancelled tasks cost
        the loop a step each."""
        self._stopping = True

    async def _send_burst(
        self, record_for: Callable[[int], R], send: Callable[[R], Coroutine[object, object, None]]
    ) -> list[asyncio.Task[None]]:
        """Send each request as a task of its own, on schedule; returns the tasks.

        ``record_for(request_id)`` makes a request's record at the instant it is sent.
        """
        self.start_ns = time.perf_counter_ns()
        spacing_ns = int(self.scenario.arrival_ms * 1e6)
        for request_id in range(self.scenario.requests):
            if self._stopping:
                break
            if spacing_ns and request_id:
                late = time.perf_counter_ns() - (self.start_ns + request_id * spacing_ns)
                # Only sleep when ahead of the schedule: a loop busy with something else (a
                # window painting) must not stretch the spacing; overdue requests go out at
                # once, as clients would have sent them meanwhile.
                if late < 0:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._stop_event.wait(), -late / 1e9)
                if self._stopping:
                    break
            while self._in_flight >= self.max_in_flight and not self._stopping:
                self._slot_free.clear()
                await self._slot_free.wait()
            if self._stopping:
                break
            record = record_for(request_id)
            self.records.append(record)
            self._in_flight += 1
            task = asyncio.create_task(send(record))
            task.add_done_callback(self._ended_callback, context=self._callback_context)
            self._tasks.append(task)
        return self._tasks

    async def _all_ended(self, tasks: list[asyncio.Task[None]]) -> None:
        """Return once every task sent has ended: ``gather(*tasks, return_exceptions=True)``,
        told by the count in flight instead of a callback per task (a context copy and a
        tuple each, which every full collection walks while thousands are in flight).
        Cancelled, it cancels them all and returns once they have ended, as ``gather``.
        A send that raised fails the run then (:meth:`_raise_failure`)."""
        try:
            while self._in_flight:
                self._slot_free.clear()
                await self._slot_free.wait()
        except asyncio.CancelledError:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            raise
        self._raise_failure()

    def _raise_failure(self) -> None:
        """Raise what a request's send raised, if one did: the run fails with that bug's own
        traceback, where it would otherwise end as if complete, its lane still "running",
        and asyncio log "Task exception was never retrieved" at exit."""
        if self._failure is not None:
            raise self._failure

    def _request_ended(self, task: asyncio.Task[None]) -> None:
        """Free the request's slot for the next one held back; keep what its send raised
        (read here, it is retrieved: asyncio logs no "never retrieved" for it)."""
        self._in_flight -= 1
        self._slot_free.set()
        if not task.cancelled() and (error := task.exception()) is not None:
            if self._failure is None:
                self._failure = error
