"""The GIL of the model's process, as CPython hands it round (``Python/ceval_gil.c``).

A thread that holds the GIL keeps it while it goes on running Python: it lets go only when
it stops (a wait, a hand-off, the loop leaving a step for another's step that needs no
Python) or when another thread has waited the switch interval for it
(``sys.getswitchinterval()``, 5 ms), which forces a switch; each new holder then gets its
interval before it can be forced in turn. So the event loop runs one request's step after
another's without queueing for the GIL between them, and twenty threads starting their views
while one computes are all started within a few switch intervals, not one per round of
every computing thread (a first-come-first-served lock per piece of work did that).

Waiters take it first come, first served. Time is integer nanoseconds, as in
:mod:`simulator.prediction.events`.
"""

from __future__ import annotations

from collections import deque

from simulator.prediction.events import Environment, Event

__all__ = ["Gil"]

#: After every other event due at the same instant: a thread letting go of the GIL and
#: asking for it again at once (the loop going on to the next step) has not let go.
_LATE = 2


class Gil:
    """The GIL: :meth:`acquire` by thread name, run at most :meth:`slice_ns`, :meth:`release`."""

    def __init__(self, env: Environment, switch_ns: int) -> None:
        self.env = env
        self.switch_ns = switch_ns
        self.holder: str | None = None
        #: When the holder got it from another thread: its interval starts there.
        self._since = 0
        self._waiting: deque[tuple[str, int, Event]] = deque()
        #: The thread that let go this instant while others waited, and when.
        self._let_go: tuple[str, int] | None = None

    @property
    def queued(self) -> int:
        return len(self._waiting)

    def acquire(self, thread: str) -> Event:
        """An event that happens when ``thread`` holds the GIL."""
        event = Event(self.env)
        now = self.env.now
        again = self._let_go is not None and self._let_go == (thread, now)
        if self.holder is None and (not self._waiting or (again and not self._due(now))):
            if not again:
                self._since = now
            self.holder, self._let_go = thread, None
            event._value = thread
            event.callbacks = None  # granted: the asking process goes straight on
        else:
            self._waiting.append((thread, now, event))
        return event

    def slice_ns(self) -> int:
        """How long the holder may run now before a waiter forces a switch."""
        if not self._waiting:
            return self.switch_ns
        return max(1, self._due_at() - self.env.now)

    def release(self, thread: str) -> None:
        """``thread`` stops running Python. If others wait, they get the GIL at the end of
        this instant, unless ``thread`` asks again meanwhile and no waiter is due."""
        if thread != self.holder:
            raise ValueError(f"{thread!r} does not hold the GIL ({self.holder!r} does)")
        self.holder = None
        if self._waiting:
            self._let_go = (thread, self.env.now)
            late = Event(self.env)
            late._value = None
            late.callbacks = [self._hand_over]
            self.env.schedule(late, _LATE)

    def _due_at(self) -> int:
        return max(self._since, self._waiting[0][1]) + self.switch_ns

    def _due(self, now: int) -> bool:
        return bool(self._waiting) and now >= self._due_at()

    def _hand_over(self, _: Event) -> None:
        if self.holder is not None or not self._waiting:
            return  # taken back by the thread that let go, or nobody left waiting
        thread, _asked, event = self._waiting.popleft()
        self.holder, self._since, self._let_go = thread, self.env.now, None
        event.succeed(thread)
