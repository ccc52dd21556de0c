"""The prediction model: what the site should do with a scenario, worked out, not measured.

:func:`predict` plays a scenario through a small deterministic event loop
(:mod:`simulator.prediction.events`) and returns a :class:`~simulator.trace.Trace` of *predicted*
lanes, with the same segment kinds as a measured one, so :func:`simulator.metrics.summary.summarize`
and the painter take it as they are. It is always a prediction; ``async-lanes predict
--check`` sets it beside the measurement.

What it models (every time an integer of nanoseconds; nothing random):

- **ASGI**: the one event loop, a resource of capacity 1. Django's own work before and after
  the view runs on it, with two ``sync_to_async`` hand-offs per request (``request_started``,
  then ``response.close()``) to the request's own thread. A coroutine that waits
  (``asyncio.sleep``, an awaited HTTP call) gives the loop up; one that computes or calls
  ``time.sleep`` keeps it. Coroutines ready to run take the loop first come, first served, as
  asyncio runs the ready callbacks of one iteration in order: hence the staircase.
- **Sync views under ASGI** run on the request's own thread (asgiref's
  ``ThreadSensitiveContext``: threads are unbounded), after a hand-off there and back.
- **The GIL**, capacity 1: Python work (Django's and the views' CPU) on any thread or on the
  loop needs it too, and the interpreter hands it round every 5 ms when others wait for it.
  Plain waiting (``time.sleep``, ``asyncio.sleep``, I/O) needs no GIL.
- **WSGI**: ``workers`` threads fed first come, first served. An async view runs on an event
  loop of its own (``async_to_sync``) while its worker waits for it.
- ``sync_fanout`` waits ``fanout`` times in a row; ``async_fanout`` once, for the gather.
  ``async_orm``/``async_sync_to_async`` hand the blocking part to the request's thread.
  ``async_cpu_chunked`` computes in 2 ms slices and yields the loop between them.
  The ``_bug`` views cost framework time only and end as errors (500).
- ``middleware="sync"`` under ASGI runs the middleware chain on the request's thread, with
  the hand-offs that costs (into the chain; to an async view and back; out of the chain).

Segments follow :func:`simulator.trace.build_lane`: waiting for a worker or for the loop is
``queued``; a hand-off inside the middleware chain is ``thread_hop``; Django's own work
(including its signal hand-offs, and waiting for the GIL) is ``framework``.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass, field, replace
from typing import Any

from embedded_site.lesson_views import CPU_CHUNK_MS, IoStyle
from simulator.catalog import view_info
from simulator.errors import ScenarioError
from simulator.prediction.costs import Costs
from simulator.prediction.events import Environment, Event, Resource
from simulator.scenario import Scenario
from simulator.trace import LOOP_BLOCKED_MS, Kind, Lane, Segment, Trace
from simulator.trace import LOOP_THREAD as LOOP
from simulator.trace import QUEUE_THREAD as QUEUE

__all__ = ["GIL_SWITCH_MS", "IO_KINDS", "Costs", "predict"]

#: ``sys.getswitchinterval()``: how long a thread keeps the GIL while others want it.
GIL_SWITCH_MS = 5.0

#: The segment a view's own wait is drawn as, by how the view waits (the site declares how:
#: :mod:`embedded_site.lesson_views`). A view handing its I/O to a thread (``sync_to_async``)
#: is drawn as hand-offs around a blocking wait there.
IO_KINDS: dict[IoStyle, Kind] = {IoStyle.AWAIT: Kind.IO_WAIT, IoStyle.BLOCKING: Kind.IO_BLOCKING}

Steps = Generator[Event, Any, None]


def _ns(ms: float) -> int:
    return round(ms * 1_000_000)


@dataclass(slots=True)
class _Request:
    """One request's predicted life, recorded as it happens."""

    rid: int
    sent: int
    thread: str  # its own thread under ASGI
    segments: list[Segment] = field(default_factory=list)
    done: int | None = None

    def log(self, kind: Kind, start: int, end: int, thread: str) -> None:
        if end > start:
            self.segments.append(Segment(kind, start, end, thread))

    def lane(self, view: str, error: str | None) -> Lane:
        merged: list[Segment] = []
        for seg in self.segments:
            last = merged[-1] if merged else None
            # Separate waits stay separate (the fan-out's calls); anything else touching joins.
            if (
                last
                and (last.kind, last.thread, last.end_ns) == (seg.kind, seg.thread, seg.start_ns)
                and seg.kind not in (Kind.IO_WAIT, Kind.IO_BLOCKING)
            ):
                merged[-1] = replace(last, end_ns=seg.end_ns)
            else:
                merged.append(seg)
        done = self.done if self.done is not None else self.sent
        return Lane(
            self.rid,
            view,
            "error" if error else "ok",
            500 if error else 200,
            error,
            self.sent,
            done,
            tuple(merged),
        )


class _Site:
    """The server of one scenario, as resources and processes on one :class:`Environment`."""

    def __init__(self, scenario: Scenario, costs: Costs) -> None:
        self.scenario, self.costs = scenario, costs
        self.env = Environment()
        self.gil = Resource(self.env, ["GIL"])
        self.loop = Resource(self.env, [LOOP])
        self.workers = Resource(self.env, [f"wsgi-worker-{n + 1}" for n in range(scenario.workers)])
        self.view = view_info(scenario.view)
        self.is_async = self.view.is_async
        self.error = self.view.expected_error
        self.uses_upstream = self.view.uses_upstream
        self.unfinished = scenario.requests
        self.blocked: list[tuple[int, int]] = []

    # --- the building blocks -----------------------------------------------------------

    def wait(self, r: _Request, kind: Kind, thread: str, ms: float) -> Steps:
        """Time passing with no GIL: I/O, ``time.sleep``, a hand-off in flight."""
        start = self.env.now
        yield self.env.timeout(_ns(ms))
        r.log(kind, start, self.env.now, thread)

    def hand_off(self, r: _Request, kind: Kind, from_thread: str, ms: float | None = None) -> Steps:
        """A ``sync_to_async``/``async_to_sync`` hand-off, drawn on the thread it leaves."""
        yield from self.wait(r, kind, from_thread, self.costs.hop_ms if ms is None else ms)

    def compute(self, ms: float) -> Steps:
        """Python running on a thread (or the loop) we hold: it needs the GIL, which the
        interpreter hands round every :data:`GIL_SWITCH_MS` while others want it."""
        left = _ns(ms)
        while left > 0:
            slot = yield self.gil.request()
            piece = min(left, _ns(GIL_SWITCH_MS))
            yield self.env.timeout(piece)
            left -= piece
            self.gil.release(slot)

    def work(self, r: _Request, kind: Kind, thread: str, ms: float) -> Steps:
        """:meth:`compute` on ``thread``, drawn as ``kind``."""
        start = self.env.now
        yield from self.compute(ms)
        r.log(kind, start, self.env.now, thread)

    def take_loop(self, r: _Request, waiting_on: str, since: int | None = None) -> Steps:
        """Wait for the event loop; the wait is ``queued``."""
        start = self.env.now if since is None else since
        yield self.loop.request()
        r.log(Kind.QUEUED, start, self.env.now, waiting_on)

    def leave_loop(self) -> None:
        self.loop.release(LOOP)

    def loop_monitor(self) -> Steps:
        """The loop monitor: a tick every 1 ms that needs the loop (and the GIL, being
        Python); a tick 5 ms late or more means the loop was blocked."""
        tick, late = _ns(1.0), _ns(LOOP_BLOCKED_MS)
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

    # --- a view's body -----------------------------------------------------------------

    def run_view(self, r: _Request, place: str, *, sync_thread: str) -> Steps:
        """The view's I/O, then its CPU, on ``place`` (the shared loop, or a thread or loop
        of its own); ``sync_to_async`` inside it goes to ``sync_thread``."""
        s, view = self.scenario, self.view
        in_a_row = view.uses_fanout and view.io is IoStyle.BLOCKING  # else one gather
        calls = s.fanout if view.uses_fanout and not in_a_row else 1
        for _ in range(s.fanout if in_a_row else 1):
            if view.io is not IoStyle.THREAD:
                how = IO_KINDS[view.io]
                yield from self.wait_for_io(r, how, place, calls if self.uses_upstream else 0)
            else:
                shared = place == LOOP
                if shared:
                    self.leave_loop()
                yield from self.hand_off(r, Kind.THREAD_HOP, place)
                yield from self.wait(r, Kind.IO_BLOCKING, sync_thread, s.io_ms)
                yield from self.hand_off(r, Kind.THREAD_HOP, sync_thread)
                if shared:
                    yield from self.take_loop(r, sync_thread)
        if view.cpu_in_slices:
            yield from self.compute_in_slices(r, place)
        else:
            yield from self.work(r, Kind.CPU, place, s.cpu_ms * self.costs.cpu_scale)

    def wait_for_io(self, r: _Request, how: Kind, place: str, calls: int) -> Steps:
        """One wait of ``io_ms``; first the upstream calls' own Python work, drawn as part
        of the wait, as the measurement draws it. Awaiting gives the shared loop up."""
        start, shared = self.env.now, place == LOOP and how is Kind.IO_WAIT
        yield from self.compute(calls * self.costs.http_call_ms)
        if shared:
            self.leave_loop()
        yield self.env.timeout(_ns(self.scenario.io_ms))
        r.log(how, start, self.env.now, place)
        if shared:
            yield from self.take_loop(r, place)

    def compute_in_slices(self, r: _Request, place: str) -> Steps:
        """CPU in 2 ms slices with ``await asyncio.sleep(0)`` after each: back of the line."""
        left = self.scenario.cpu_ms
        while left > 0:
            yield from self.work(r, Kind.CPU, place, min(CPU_CHUNK_MS, left) * self.costs.cpu_scale)
            left -= CPU_CHUNK_MS
            if place == LOOP:
                self.leave_loop()
                yield from self.take_loop(r, place)

    # --- one request, start to end -------------------------------------------------------

    def asgi_request(self, r: _Request) -> Steps:
        c = self.costs
        yield from self.take_loop(r, QUEUE, since=r.sent)
        self.leave_loop()
        yield from self.hand_off(r, Kind.FRAMEWORK, LOOP, c.asgi_before_ms)
        yield from self.work(r, Kind.FRAMEWORK, r.thread, c.asgi_started_ms)  # request_started
        if self.scenario.middleware == "sync":
            # The chain runs on the request's thread: one more hand-off to get there.
            chain = r.thread
            yield from self.hand_off(r, Kind.FRAMEWORK, r.thread)
        else:
            chain = LOOP
            yield from self.take_loop(r, r.thread)
        yield from self.work(r, Kind.FRAMEWORK, chain, c.asgi_view_in_ms)
        if self.error:
            yield from self.work(r, Kind.FRAMEWORK, chain, c.error_ms)
        else:
            place = LOOP if self.is_async else r.thread
            if place != chain:
                if chain == LOOP:
                    self.leave_loop()
                yield from self.hand_off(r, Kind.THREAD_HOP, chain)
                if place == LOOP:
                    yield from self.take_loop(r, chain)
            yield from self.run_view(r, place, sync_thread=r.thread)
            if place != chain:
                if place == LOOP:
                    self.leave_loop()
                yield from self.hand_off(r, Kind.THREAD_HOP, place)
                if chain == LOOP:
                    yield from self.take_loop(r, place)
        if chain != LOOP:
            yield from self.hand_off(r, Kind.FRAMEWORK, chain)
            yield from self.take_loop(r, chain)
        yield from self.work(r, Kind.FRAMEWORK, LOOP, c.asgi_after_ms)
        r.done = self.env.now
        self.leave_loop()
        yield from self.hand_off(
            r, Kind.FRAMEWORK, r.thread, c.asgi_finished_ms
        )  # response.close()

    def wsgi_request(self, r: _Request) -> Steps:
        c = self.costs
        worker = yield self.workers.request()
        r.log(Kind.QUEUED, r.sent, self.env.now, QUEUE)
        yield from self.work(r, Kind.FRAMEWORK, worker, c.wsgi_before_ms)
        if self.error:
            yield from self.work(r, Kind.FRAMEWORK, worker, c.error_ms)
        elif self.is_async:  # async_to_sync: a loop of its own, while the worker waits
            own = f"async_to_sync-{r.rid}"
            yield from self.hand_off(r, Kind.THREAD_HOP, worker, c.wsgi_async_hop_ms)
            yield from self.run_view(r, own, sync_thread=worker)
            yield from self.hand_off(r, Kind.THREAD_HOP, own, c.wsgi_async_hop_ms)
        else:
            yield from self.run_view(r, worker, sync_thread=worker)
        yield from self.work(r, Kind.FRAMEWORK, worker, c.wsgi_after_ms)
        r.done = self.env.now
        yield from self.work(r, Kind.FRAMEWORK, worker, c.wsgi_finished_ms)
        self.workers.release(worker)

    def client(self, requests: list[_Request]) -> Steps:
        """Send every request at its time; each reaches the server ``send_ms`` later."""
        for r in requests:
            if r.sent > self.env.now:
                yield self.env.timeout(r.sent - self.env.now)
            self.env.process(self.request(r))

    def request(self, r: _Request) -> Steps:
        yield self.env.timeout(_ns(self.costs.send_ms))
        if self.scenario.mode == "asgi":
            yield from self.asgi_request(r)
        else:
            yield from self.wsgi_request(r)
        self.unfinished -= 1


def predict(scenario: Scenario, costs: Costs | None = None, cores: int | None = None) -> Trace:
    """The predicted trace of ``scenario``: one lane per request, times from 0 ns.

    Deterministic: the same scenario and costs always give the same trace.
    ``scenario.upstream_url`` plays no part (the upstream is taken to answer in ``io_ms``).
    Real servers (``uvicorn``, ``gunicorn``) are ``workers`` processes sharing ``cores``
    cores (default: this machine's; :mod:`simulator.prediction.processes`).

    Raises
    ------
    ScenarioError
        For ``url`` (someone's own site): the model knows only the lesson site's views.
    """
    if not isinstance(scenario, Scenario):
        raise ValueError(f"scenario must be a Scenario, not {scenario!r}")
    if scenario.url is not None:
        raise ScenarioError(
            "the model knows only the lesson site's views; a run with --url has no prediction",
            key="url",
        )
    if scenario.in_processes:
        from simulator.prediction.processes import machine_cores, predict_processes

        return predict_processes(
            scenario, costs if costs is not None else Costs(), cores or machine_cores()
        )
    site = _Site(scenario, costs if costs is not None else Costs())
    spacing = _ns(scenario.arrival_ms)
    requests = [
        _Request(rid, sent=rid * spacing, thread=f"thread-{rid}")
        for rid in range(scenario.requests)
    ]
    asgi = scenario.mode == "asgi"
    site.env.process(site.client(requests))
    if asgi:
        site.env.process(site.loop_monitor())
    site.env.run()
    lanes = tuple(r.lane(scenario.view, site.error) for r in requests)
    last = max(lane.end_ns for lane in lanes)
    return Trace(
        t0_ns=0,
        lanes=lanes,
        loop_thread=LOOP if asgi else None,
        # As the engine does: only blocks within the run.
        loop_blocked=tuple((s, min(e, last)) for s, e in site.blocked if s < last),
    )
