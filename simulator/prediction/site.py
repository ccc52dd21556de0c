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
from simulator.prediction.gil import Gil
from simulator.prediction.lane_log import RequestLog
from simulator.prediction.loop import Loop
from simulator.scenario import Scenario
from simulator.trace import CLIENT_THREAD, LOOP_BLOCKED_MS, Kind
from simulator.trace import LOOP_THREAD as LOOP

__all__ = ["GIL_SWITCH_MS", "GROWTH_SEEN_UP_TO", "Site", "Steps", "ns"]

#: ``sys.getswitchinterval()``: how long a thread keeps the GIL while others want it.
GIL_SWITCH_MS = 5.0
#: The most requests inside the server the growth of per-request costs is carried to: what
#: a run can hold (``run`` takes up to 10,000 requests), so what it was ever measured at.
GROWTH_SEEN_UP_TO = 10_000

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
        self.gil = Gil(self.env, ns(GIL_SWITCH_MS * weight))
        self.loop = Loop(self.env, LOOP)
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
        #: What a thread of each request's own serves under ASGI beyond Django's signals:
        #: its sync view (``Costs.thread_cpu_ms``), else the chain behind a sync-only
        #: middleware (``Costs.middleware_thread_ms``), else nothing.
        self.threaded = (
            "view" if not self.is_async else "middleware" if scenario.middleware == "sync" else None
        )
        self.burst_share = costs.burst_share(scenario.mode, self.threaded)
        self.error = self.view.expected_error
        self.uses_upstream = self.view.uses_upstream
        #: Requests inside the server (past the client, not yet ended): what per-request
        #: costs grow with (``Costs.growth_per_1000``).
        self.inside = 0.0
        #: The loop's blocked stretches (:meth:`leave_loop`), and the step holding it now:
        #: when it began and its waits for the GIL meanwhile.
        self.blocked: list[tuple[int, int]] = []
        self._step_start = 0
        self._step_waits: list[tuple[int, int]] = []
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
        self,
        ms: float,
        r: RequestLog | None = None,
        kind: Kind = Kind.CPU,
        thread: str = "",
        django: bool = True,
    ) -> Steps:
        """Python running on ``thread`` (or the loop), which we hold: it needs the GIL
        (:class:`~simulator.prediction.gil.Gil`); all but a view's CPU takes :meth:`grown`
        times longer with many requests inside, and Django's own (``django``; not the
        view's httpx client and calls, nor its database connection) :meth:`warmed`'s share
        of a lone request's in a burst. With ``r``, the pieces are drawn on
        ``thread``: ``kind`` while running, ``gil_wait`` while another thread held the GIL,
        as the measurement splits them (Django's time counts its running only). Django's
        wait to *begin* a step is ``queued``: the measurement first reads a thread's clocks
        once its code runs, so a thread woken for Django's receivers, or the loop's next
        step, waited for the GIL inside the queued gap before it (it holds no view)."""
        if kind is not Kind.CPU:  # Python's own bookkeeping, not the view's asked-for CPU
            ms *= self.grown() * (self.warmed() if django else 1.0)
        left, name = ns(ms * self.weight), thread or CLIENT_THREAD
        waiting = Kind.QUEUED if kind is Kind.FRAMEWORK else Kind.GIL_WAIT
        while left > 0:
            asked = self.env.now
            yield self.gil.acquire(name)
            got = self.env.now
            piece = min(left, self.gil.slice_ns())
            yield self.env.timeout(piece)
            left -= piece
            self.gil.release(name)
            if got > asked and thread == LOOP:
                self._step_waits.append((asked, got))
            if r is not None:
                r.log(waiting, asked, got, thread)
                r.log(kind, got, self.env.now, thread)
            waiting = Kind.GIL_WAIT

    def work(
        self,
        r: RequestLog,
        kind: Kind,
        thread: str,
        ms: float,
        django: bool = True,
    ) -> Steps:
        """:meth:`compute` on ``thread``, drawn as ``kind`` (and ``gil_wait``)."""
        yield from self.compute(ms, r, kind, thread, django)

    def grown(self) -> float:
        """How much longer Django's and asyncio's own Python takes per request with this
        many requests inside the server (more tasks, threads and objects to wade through),
        up to :data:`GROWTH_SEEN_UP_TO` of them: the growth was measured there and is not
        carried on past it (at a million requests inside it would read 81 times as long)."""
        inside = min(self.inside, GROWTH_SEEN_UP_TO)
        return 1 + self.costs.growth_per_1000 * inside / 1000

    def warmed(self) -> float:
        """Django's Python per request with this many requests inside, as a share of a
        lone request's: all of it alone, :meth:`Costs.burst_share` of it in a big burst
        (what a lone request measures and what a burst does per request, both measured)."""
        share = self.burst_share
        return share + (1 - share) / max(1.0, self.inside)

    def overhead(self, ms: float) -> Steps:
        """Per-request Python the lanes do not show (the client building and reading the
        request, asyncio's and the thread pool's bookkeeping): it only takes the GIL, more
        of it the more requests are inside the server."""
        yield from self.compute(ms, kind=Kind.FRAMEWORK)

    def take_loop(
        self,
        r: RequestLog,
        waiting_on: str,
        since: int | None = None,
        draw: bool = True,
        due: bool = False,
    ) -> Steps:
        """Wait for the event loop (``due``: woken by a timer or I/O, which asyncio runs
        after the steps that became ready meanwhile: :mod:`~simulator.prediction.loop`);
        the wait is ``queued`` (unless the caller draws it). Its step begins."""
        start = self.env.now if since is None else since
        yield self.loop.request(due)
        if draw:
            r.log(Kind.QUEUED, start, self.env.now, waiting_on)
        self._step_start, self._step_waits = self.env.now, []

    def next_step(self) -> Steps:
        """End this step and wait for the loop again, as a task going to the back of the
        ready queue does; the wait is drawn as part of whatever the caller draws."""
        self.leave_loop()
        yield self.loop.request()
        self._step_start, self._step_waits = self.env.now, []

    def leave_loop(self) -> None:
        """The step ends. As the real loop monitor does (``simulator.hosting.loop_monitor``),
        a step that held the loop :data:`LOOP_BLOCKED_MS` or more (``weight`` requests'
        worth: a piece's step is ``weight`` steps), its waits for the GIL left out, blocked
        it from its start to its end, those waits included (no other request ran until it
        ended): a burst of short steps one after another blocks nothing."""
        now = self.env.now
        held = now - self._step_start - sum(e - s for s, e in self._step_waits)
        if held >= ns(LOOP_BLOCKED_MS * self.weight):
            self.blocked.append((self._step_start, now))
        self.loop.release(LOOP)
