"""The site one process serves, as resources on one event loop of the model
(:mod:`simulator.prediction.events`): the GIL, the event loop, the WSGI workers, and the
building blocks a request's steps are made of. :mod:`simulator.prediction.model` says what
it models; :mod:`simulator.prediction.processes` runs one site per real server process.
The steps of one request (its way through Django) and :func:`~simulator.prediction.flows.simulate`
are in :mod:`simulator.prediction.flows`.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from simulator.catalog import view_info
from simulator.prediction.costs import Costs
from simulator.prediction.events import Environment, Event, Resource
from simulator.prediction.lane_log import RequestLog
from simulator.scenario import Scenario
from simulator.trace import LOOP_BLOCKED_MS, Kind
from simulator.trace import LOOP_THREAD as LOOP

__all__ = ["GIL_SWITCH_MS", "Site", "Steps", "ns"]

#: ``sys.getswitchinterval()``: how long a thread keeps the GIL while others want it.
GIL_SWITCH_MS = 5.0

Steps = Generator[Event, Any, None]


def ns(ms: float) -> int:
    return round(ms * 1_000_000)


class Site:
    """The server of one scenario: the GIL, the loop, the WSGI workers, and the building
    blocks every request's steps are made of."""

    def __init__(self, scenario: Scenario, costs: Costs, weight: float = 1.0) -> None:
        self.scenario, self.costs = scenario, costs
        #: How many of the scenario's requests each modelled request stands for (above
        #: 1 only at scale, :mod:`simulator.prediction.scale`): its Python and the time it
        #: holds the loop or a worker are ``weight`` requests' worth.
        self.weight = weight
        self.env = Environment()
        self.gil = Resource(self.env, ["GIL"])
        self.loop = Resource(self.env, [LOOP])
        # Every worker there is, while there are pieces enough to keep them busy: a worker
        # serves its ``weight`` requests one after another, as a real one serves its share.
        workers = min(scenario.workers, max(1, round(scenario.requests / weight)))
        #: How much longer a modelled request holds its worker than one request would:
        #: ``weight`` requests on ``workers`` workers, or the share of all of them each of
        #: fewer pieces than workers stands for (1 without weight).
        self.held_scale = weight * workers / scenario.workers
        self.workers = Resource(self.env, [f"wsgi-worker-{n + 1}" for n in range(workers)])
        self.view = view_info(scenario.view)
        self.is_async = self.view.is_async
        self.error = self.view.expected_error
        self.uses_upstream = self.view.uses_upstream
        self.unfinished = scenario.requests
        #: Requests inside the server (past the client, not yet ended): what per-request
        #: costs grow with (``Costs.growth_per_1000``).
        self.inside = 0.0
        self.blocked: list[tuple[int, int]] = []
        #: Requests sent and not yet answered, and the client's wait for one to be, held
        #: back by ``concurrency`` (:meth:`Flows.client`).
        self._in_flight = 0
        self._slot_freed: Event | None = None

    # --- the building blocks -----------------------------------------------------------

    def wait(self, r: RequestLog, kind: Kind, thread: str, ms: float) -> Steps:
        """Time passing with no GIL: I/O, ``time.sleep``, a hand-off in flight."""
        start = self.env.now
        yield self.env.timeout(ns(ms * self.held(thread, kind)))
        r.log(kind, start, self.env.now, thread)

    def held(self, place: str, kind: Kind) -> float:
        """How much longer than one request's a modelled request's wait on ``place`` lasts
        (1 without weight): under WSGI everything holds the worker; under ASGI only a
        blocking wait on the loop holds the loop."""
        if self.scenario.mode != "asgi":
            return self.held_scale
        return self.weight if place == LOOP and kind is Kind.IO_BLOCKING else 1.0

    def hand_off(
        self, r: RequestLog, kind: Kind, from_thread: str, ms: float | None = None
    ) -> Steps:
        """A ``sync_to_async``/``async_to_sync`` hand-off, drawn on the thread it leaves."""
        yield from self.wait(r, kind, from_thread, self.costs.hop_ms if ms is None else ms)

    def compute(
        self, ms: float, r: RequestLog | None = None, kind: Kind = Kind.CPU, thread: str = ""
    ) -> Steps:
        """Python running on a thread (or the loop) we hold: it needs the GIL, which the
        interpreter hands round every :data:`GIL_SWITCH_MS` while others want it; all but
        a view's CPU takes :meth:`grown` times longer with many requests inside. With
        ``r``, the pieces are drawn on ``thread``: ``kind`` while running, ``gil_wait``
        while another thread held the GIL, as the measurement splits a view's work."""
        # Django's own steps keep their wait as ``framework``, as the lanes draw it: a GIL
        # wait there is the machinery's, not a thread a view holds (``threads_held_peak``).
        waiting = kind if kind is Kind.FRAMEWORK else Kind.GIL_WAIT
        if kind is not Kind.CPU:  # Python's own bookkeeping, not the view's asked-for CPU
            ms *= self.grown()
        left, switch = ns(ms * self.weight), ns(GIL_SWITCH_MS * self.weight)
        while left > 0:
            asked = self.env.now
            slot = yield self.gil.request()
            got = self.env.now
            piece = min(left, switch)
            yield self.env.timeout(piece)
            left -= piece
            self.gil.release(slot)
            if r is not None:
                r.log(waiting, asked, got, thread)
                r.log(kind, got, self.env.now, thread)

    def work(self, r: RequestLog, kind: Kind, thread: str, ms: float) -> Steps:
        """:meth:`compute` on ``thread``, drawn as ``kind`` (and ``gil_wait``)."""
        yield from self.compute(ms, r, kind, thread)

    def grown(self) -> float:
        """How much longer Django's and asyncio's own Python takes per request with this
        many requests inside the server (more tasks, threads and objects to wade through)."""
        return 1 + self.costs.growth_per_1000 * self.inside / 1000

    def overhead(self, ms: float) -> Steps:
        """Per-request Python the lanes do not show (the client building and reading the
        request, asyncio's and the thread pool's bookkeeping): it only takes the GIL, more
        of it the more requests are inside the server."""
        yield from self.compute(ms, kind=Kind.FRAMEWORK)

    def take_loop(self, r: RequestLog, waiting_on: str, since: int | None = None) -> Steps:
        """Wait for the event loop; the wait is ``queued``."""
        start = self.env.now if since is None else since
        yield self.loop.request()
        r.log(Kind.QUEUED, start, self.env.now, waiting_on)

    def leave_loop(self) -> None:
        self.loop.release(LOOP)

    def loop_monitor(self) -> Steps:
        """The loop monitor: a tick every 1 ms that needs the loop (and the GIL, being
        Python); a tick 5 ms late or more means the loop was blocked."""
        tick, late = ns(1.0), ns(LOOP_BLOCKED_MS)
        last = self.env.now
        while self.unfinished:
            gap = self.env.peek() - self.env.now
            if self._idle() and gap > tick:  # nothing can delay a tick until then
                yield self.env.timeout(int(gap) - tick)
                last = self.env.now
            yield self.env.timeout(tick)
            loop = yield self.loop.request()
            gil = yield self.gil.request()
            self.gil.release(gil)
            self.loop.release(loop)
            if self.env.now - last - tick >= late:
                self.blocked.append((last, self.env.now))
            last = self.env.now

    def _idle(self) -> bool:
        return (
            self.loop.queued == 0
            and self.gil.queued == 0
            and self.loop.free > 0
            and self.gil.free > 0
        )
