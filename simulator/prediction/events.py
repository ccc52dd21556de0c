"""A small, deterministic discrete-event loop, in the style of SimPy's ``Environment``.

The prediction model (:mod:`simulator.prediction.model`) runs on it. Time is an integer
(nanoseconds in the model), so equal times compare exactly; the heap holds
``(time, priority, eid, event)`` and the ever-increasing ``eid`` breaks ties, so events due at
the same time always come out in the order they were scheduled. Nothing here is random.

**Usage**::

    env = Environment()

    def clock(env, log):
        while True:
            log.append(env.now)
            yield env.timeout(1)

    log = []
    env.process(clock(env, log))
    env.run(until=3)
    assert log == [0, 1, 2]
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Callable, Generator, Sequence
from itertools import count
from typing import Any

__all__ = ["EmptySchedule", "Environment", "Event", "Process", "Resource", "Timeout"]

#: Priorities: an urgent event due at the same time goes before a normal one.
URGENT, NORMAL = 0, 1

_PENDING = object()


class EmptySchedule(Exception):
    """Nothing is left to happen."""


class _StopSimulation(Exception):
    """Raised by the ``until`` event of :meth:`Environment.run`."""

    @classmethod
    def callback(cls, event: Event) -> None:
        raise cls


class Event:
    """Something that happens at one moment; processes ``yield`` it to wait for it.

    Attributes
    ----------
    callbacks
        Called with the event when it is processed; ``None`` once it has been.
    """

    def __init__(self, env: Environment) -> None:
        self.env = env
        self.callbacks: list[Callable[[Event], None]] | None = []
        self._value: Any = _PENDING

    @property
    def triggered(self) -> bool:
        """Whether the event has been given its value (it may not be processed yet)."""
        return self._value is not _PENDING

    @property
    def value(self) -> Any:
        """The value the event was triggered with."""
        if self._value is _PENDING:
            raise AttributeError(f"{self!r} has no value yet")
        return self._value

    def succeed(self, value: Any = None) -> Event:
        """Trigger the event now, with ``value``."""
        if self.triggered:
            raise RuntimeError(f"{self!r} has already been triggered")
        self._value = value
        self.env.schedule(self)
        return self


class Timeout(Event):
    """An event that happens ``delay`` after it is made."""

    def __init__(self, env: Environment, delay: int, value: Any = None) -> None:
        if delay < 0:
            raise ValueError(f"negative delay {delay}")
        # Event.__init__ and Environment.schedule, inlined: the model makes one of these
        # for every step of every request (10,000 requests: about 200,000).
        self.env = env
        self.callbacks = []
        self._value = value
        heapq.heappush(env._queue, (env._now + delay, NORMAL, next(env._eid), self))


class Process(Event):
    """Runs a generator that yields events; the process is itself an event that happens
    (with the generator's return value) when the generator ends."""

    def __init__(self, env: Environment, generator: Generator[Event, Any, Any]) -> None:
        if not hasattr(generator, "send"):
            raise ValueError(f"{generator!r} is not a generator")
        super().__init__(env)
        self._generator = generator
        start = Event(env)
        start._value = None
        start.callbacks = [self._resume]
        env.schedule(start, URGENT)

    def _resume(self, event: Event) -> None:
        """Send the event's value into the generator and wait for what it yields next."""
        while True:
            try:
                target = self._generator.send(event._value)
            except StopIteration as stop:
                self.succeed(stop.value)
                return
            if not isinstance(target, Event):
                raise ValueError(f"a process may only yield events, not {target!r}")
            if target.callbacks is not None:  # not processed yet: wait for it
                target.callbacks.append(self._resume)
                return
            event = target  # already happened: go on at once


class Resource:
    """Named slots (worker threads, the event loop, the GIL) granted first come, first served.

    ``request()`` returns an event whose value is the slot granted; give it back with
    ``release(slot)``. A released slot goes straight to the longest waiter, so nobody can
    slip in between.
    """

    def __init__(self, env: Environment, slots: Sequence[str]) -> None:
        if not slots:
            raise ValueError("a resource needs at least one slot")
        if len(set(slots)) != len(slots):
            raise ValueError(f"slot names must differ: {list(slots)}")
        self.env = env
        self.slots = tuple(slots)
        self._free: deque[str] = deque(slots)
        self._waiting: deque[Event] = deque()

    @property
    def capacity(self) -> int:
        return len(self.slots)

    @property
    def free(self) -> int:
        """How many slots nobody holds."""
        return len(self._free)

    @property
    def queued(self) -> int:
        """How many requests wait for a slot."""
        return len(self._waiting)

    def request(self) -> Event:
        """An event that happens when a slot is ours; its value names the slot."""
        event = Event(self.env)
        if self._free and not self._waiting:
            # Granted at once: the event has already happened, so the process asking goes
            # on without a trip through the schedule (half the events of a big run).
            event._value = self._free.popleft()
            event.callbacks = None
        else:
            self._waiting.append(event)
        return event

    def release(self, slot: str) -> None:
        """Give ``slot`` back."""
        if slot not in self.slots or slot in self._free:
            raise ValueError(f"{slot!r} is not a slot in use")
        if self._waiting:
            self._waiting.popleft().succeed(slot)
        else:
            self._free.append(slot)


class Environment:
    """The clock and the schedule: a heap of ``(time, priority, eid, event)``."""

    def __init__(self, initial_time: int = 0) -> None:
        self._now = initial_time
        self._queue: list[tuple[int, int, int, Event]] = []
        self._eid = count()

    @property
    def now(self) -> int:
        """The current simulation time."""
        return self._now

    def event(self) -> Event:
        """A new event, to be triggered with :meth:`Event.succeed`."""
        return Event(self)

    def timeout(self, delay: int, value: Any = None) -> Timeout:
        """An event that happens after ``delay``."""
        return Timeout(self, delay, value)

    def process(self, generator: Generator[Event, Any, Any]) -> Process:
        """Start running ``generator`` as a process."""
        return Process(self, generator)

    def schedule(self, event: Event, priority: int = NORMAL, delay: int = 0) -> None:
        """Schedule ``event`` to be processed ``delay`` from now."""
        heapq.heappush(self._queue, (self._now + delay, priority, next(self._eid), event))

    def peek(self) -> int | float:
        """The time of the next event, or infinity if there is none."""
        return self._queue[0][0] if self._queue else float("inf")

    def step(self) -> None:
        """Process the next event; :class:`EmptySchedule` when there is none."""
        try:
            self._now, _, _, event = heapq.heappop(self._queue)
        except IndexError:
            raise EmptySchedule from None
        callbacks, event.callbacks = event.callbacks, None
        for callback in callbacks or ():
            callback(event)

    def run(self, until: int | None = None) -> None:
        """Run until nothing is left to happen, or until the time ``until``."""
        if until is not None:
            if until <= self._now:
                raise ValueError(
                    f"until ({until}) must be greater than the current simulation time"
                )
            stop = Event(self)
            stop._value = None
            stop.callbacks = [_StopSimulation.callback]
            self.schedule(stop, URGENT, until - self._now)
        # :meth:`step`, inlined: the loop runs once per event of a model of thousands.
        queue, pop = self._queue, heapq.heappop
        try:
            while queue:
                self._now, _, _, event = pop(queue)
                callbacks, event.callbacks = event.callbacks, None
                for callback in callbacks or ():
                    callback(event)
        except _StopSimulation:
            pass
