"""How a session runs a scenario: an injected runner, so the session needs no Django in tests.

The app hands in :class:`~simulator.hosting.site_process.SiteProcess`: each run is measured
by the real engine in the site's own process, its handle here awaiting the outcome and
reading its frames. :class:`~simulator.hosting.engine.LiveRun` is a runner too (the site in
this process, its client on a loop of its own thread: ``client_loop``). A test passes a fake
that returns made-up runs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, runtime_checkable

from simulator.scenario import Scenario
from simulator.trace import Run, Trace

__all__ = ["Answering", "Leftover", "RunHandle", "Runner"]


class RunHandle(Protocol):
    """One run in progress; :class:`~simulator.hosting.engine.LiveRun` has this shape."""

    #: (Optional, ``False`` if absent.) Whether :meth:`run` may go on an asyncio loop of a
    #: thread of its own, :meth:`stop` and ``answered()`` then called on that loop: the
    #: window's loop is then left to draw (:mod:`app.session.client_loop`).

    @property
    def started(self) -> bool:
        """Whether requests are being sent (before that, :meth:`snapshot` has nothing)."""
        ...

    def snapshot(self, now_ns: int | None = None) -> Trace:
        """The trace so far."""
        ...

    def stop(self) -> None:
        """End early: :meth:`run` then returns what was measured, marked stopped."""
        ...

    async def run(self) -> Run:
        """Run to the end (or to :meth:`stop`); raises ``LanesError`` when it cannot."""
        ...


class Leftover(Protocol):
    """Views a stopped run abandoned that still hold threads (a ``time.sleep`` cannot be
    interrupted): a thread in this process, or the site's process saying so."""

    def is_alive(self) -> bool: ...


@runtime_checkable
class Answering(Protocol):
    """A run whose client can tell when every request has its answer, before the site has
    tidied up after them (:class:`~simulator.hosting.engine.LiveRun` in process): the
    window then shows the answers' figures, as the command line prints them."""

    @property
    def stopping(self) -> bool:
        """Whether the run was stopped (its answers are then no run's figures)."""
        ...

    async def answered(self) -> None:
        """Return once every request has its answer (never, for a run over sockets)."""
        ...

    def answers(self) -> tuple[Run, int]:
        """The run's answers as they stand, and how many answered requests the site is
        still tidying up after."""
        ...


#: Makes the handle of one run of a scenario (``LiveRun`` itself is one).
Runner = Callable[[Scenario], RunHandle]
