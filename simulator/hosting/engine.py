"""Runs a scenario end to end: host the site, start the upstream, drive the client, trace.

:class:`LiveRun` is what the window uses (start it on the window's loop, read
:meth:`LiveRun.snapshot` while it runs, :meth:`LiveRun.stop` it); :func:`run_scenario` is
the one-call form the command line and the tests use.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import gc
import threading
import time
import warnings
from collections.abc import Iterator
from typing import TYPE_CHECKING

import embedded_site
from simulator.catalog import view_info
from simulator.errors import UpstreamError
from simulator.hosting.driver import Driver
from simulator.hosting.live_lanes import (
    LiveLanes,
    LiveRecords,
    blocks_within,
    from_scratch_ending,
)
from simulator.hosting.record_state import head, tidying
from simulator.hosting.run_options import PLAIN, RunOptions
from simulator.hosting.servers import AsgiServer, Server, WsgiServer
from simulator.hosting.transport import SiteTransport
from simulator.metrics.summary import summarize
from simulator.scenario import Scenario
from simulator.trace import Run, Trace
from simulator.trace.collector import measuring, measuring_ended, paused_collection, settle
from simulator.upstream_address import upstream_any_host

if TYPE_CHECKING:
    from simulator.hosting.socket_run import SocketLiveRun

__all__ = ["STOP_PATIENCE_S", "LiveRun", "build_server", "run_scenario"]

#: After Stop, how long closing the server may wait for views still running before they are
#: left to finish on their own (Stop must return within a second).
STOP_PATIENCE_S = 0.3

#: After :meth:`LiveRun.abandon`, how long the site is kept from running: long enough to
#: write what was measured and exit, short enough that nothing waits on it for long.
ABANDONED_HOLD_S = 5.0

# The missing_await_bug lesson leaves a coroutine nobody awaits; its error is in the trace,
# Python's "never awaited" warning at garbage collection would only be noise on stderr.
warnings.filterwarnings(
    "ignore", message=r"coroutine 'render_front_page' was never awaited", category=RuntimeWarning
)


def build_server(scenario: Scenario) -> Server:
    """The server the scenario asks for, hosting a fresh application with its middleware."""
    if scenario.mode == "asgi":
        from embedded_site.asgi import application_with

        return AsgiServer(application_with(scenario.middleware))
    from embedded_site.wsgi import application_with as wsgi_application_with

    return WsgiServer(wsgi_application_with(scenario.middleware), workers=scenario.workers)


@contextlib.contextmanager
def _upstream_for(scenario: Scenario, allowed: tuple[str, ...]) -> Iterator[None]:
    """Point the site at an upstream: the scenario's, or a slow one started for this run.

    Django's test utilities and the upstream's HTTP server are imported only then: every run
    starts a process that imports this module, and most lessons call no upstream."""
    if not view_info(scenario.view).uses_upstream:
        yield
        return
    from django.test.utils import override_settings

    from simulator.hosting.upstream import SlowUpstream

    if scenario.upstream_url is not None:
        any_host = upstream_any_host(scenario.upstream_url, allowed)
        with override_settings(
            LANES_UPSTREAM_URL=scenario.upstream_url, LANES_UPSTREAM_ANY_HOST=any_host
        ):
            yield
    else:
        with SlowUpstream() as upstream, override_settings(LANES_UPSTREAM_URL=upstream.url):
            yield


class LiveRun:
    """One run of a scenario, watchable while it happens: :meth:`snapshot` gives the trace
    so far (the window calls it for every frame), :meth:`stop` ends it early.

    ``options`` say how to reach the site beyond the dials (:class:`RunOptions`): the same
    for a run over sockets, which this hands on to :class:`SocketLiveRun`.
    """

    #: :meth:`run` touches no loop but the one it runs on: a window runs it on a loop of
    #: its own thread, and its own loop only draws (``app/session/client_loop.py``).
    off_loop = True

    def __init__(self, scenario: Scenario, options: RunOptions = PLAIN) -> None:
        scenario.check_runnable()  # the model takes a million requests; a real run does not
        self.scenario = scenario
        self.options = options
        self._driver: Driver | None = None
        self._server: Server | None = None
        self._stop_requested = False
        self._warm_driver: Driver | None = None
        self._leftover: threading.Thread | None = None
        # The lanes so far, kept from one snapshot to the next.
        self._live: LiveLanes | None = None
        # Whether a snapshot is updating them (a signal handler's call then builds afresh).
        self._updating = False
        # Held while a snapshot reads or updates them: the window takes its frames on a
        # worker thread, and the final trace may be built while one is under way.
        self._snapshot_lock = threading.RLock()
        self._all_answered = asyncio.Event()
        #: Real servers or someone's own site: driven over sockets, by its own runner.
        self.sockets: SocketLiveRun | None = None
        if scenario.over_sockets:  # imported only then: real servers' and sockets' clients
            from simulator.hosting.socket_run import SocketLiveRun

            self.sockets = SocketLiveRun(scenario, options)

    @property
    def stopping(self) -> bool:
        """Whether :meth:`stop` was called."""
        return self._stop_requested

    @property
    def started(self) -> bool:
        if self.sockets is not None:
            return self.sockets.started
        return self._driver is not None and self._driver.start_ns is not None

    @property
    def leftover(self) -> threading.Thread | None:
        """After a stopped run: the thread still closing the server while abandoned views
        finish (a thread in ``time.sleep`` cannot be interrupted), if any. The next run in
        this process should :meth:`~threading.Thread.join` it first."""
        thread = self._leftover
        return thread if thread is not None and thread.is_alive() else None

    @property
    def every_answered(self) -> bool:
        """Whether every request of an in-process run has its answer (ok or failed): what
        is left is Django's own tidying up after them, which no client waits for."""
        driver = self._driver
        if driver is None or self.sockets is not None:
            return False
        records = list(driver.records)
        return len(records) == self.scenario.requests and all(
            r.done_ns is not None and r.status != "cancelled" for r in records
        )

    def stop(self) -> None:
        """Stop sending, give up on requests in flight; :meth:`run` returns what was measured
        within :data:`STOP_PATIENCE_S` or so, in every state (sending, warming up, queued,
        running): requests still running are marked cancelled and abandoned, not waited for.
        Call it on the loop's thread."""
        self._stop_requested = True
        if self.sockets is not None:
            self.sockets.stop()
        for driver in (self._warm_driver, self._driver):
            if driver is not None:
                driver.stop()

    def stop_sending(self) -> None:
        """Send nothing more, now: safe in a signal handler on the loop's thread (it only
        sets flags; :meth:`stop` or :meth:`abandon` follows, from the loop)."""
        if self.sockets is not None:
            return  # its client runs on a thread of its own: stop() reaches it at once
        for driver in (self._warm_driver, self._driver):
            if driver is not None:
                driver.stop_sending()

    async def run(self) -> Run:
        """Run to the end (or to :meth:`stop`) and return the trace and figures.

        Boots Django first if nothing in this process has (a scenario needs no Django), on a
        thread: migrating takes a moment the caller's loop (the window's) must not wait.
        Over sockets, the site runs in other processes: nothing is booted here."""
        if self.sockets is not None:
            return await self.sockets.run()
        await self.measure()
        # On a worker thread: a second or more at 10,000 requests, which the window's loop
        # (the caller's) spends drawing and answering clicks meanwhile.
        return await asyncio.to_thread(self._final_run)

    async def measure(self) -> None:
        """:meth:`run` in process, but its final trace: the records are complete on return
        (:meth:`records_now`), for a window that builds the lanes in its own process from
        those it had of the last frame (``site_process/record_wire.py``)."""
        await asyncio.to_thread(embedded_site.boot)
        settle()  # what this process holds is not walked by the run's collections
        with measuring(), _upstream_for(self.scenario, self.options.allowed_hosts):
            server = build_server(self.scenario)
            threads_before = set(threading.enumerate())
            server.start()
            self._server = server
            try:
                self._warm_driver = _warm_up_driver(server, self.scenario)
                if self._stop_requested:
                    self._warm_driver.stop()
                await self._warm_driver.run()
                _refuse_a_silent_upstream(self._warm_driver)
                self._driver = Driver(self.scenario, SiteTransport(server))
                if self._stop_requested:
                    self._driver.stop()
                await self._driver.run()
                self._all_answered.set()
            finally:
                patience = STOP_PATIENCE_S if self._stop_requested else None
                self._leftover = await _close_off_loop(server, patience)
                # asgiref gives each async_to_sync call a one-thread pool; when a view raised,
                # the exception's traceback keeps that pool (and its thread) in a reference
                # cycle. Collect it now, so no thread outlives the run; only then: a full
                # collection walks every object of a 10,000-request run (a second or more).
                if any(t.is_alive() for t in set(threading.enumerate()) - threads_before):
                    gc.collect()
        measuring_ended()  # a command line's collector stays off from here (collector.py)

    def _final_run(self) -> Run:
        trace = self.snapshot(final=True)
        return Run(self.scenario, trace, summarize(trace), stopped=self._stop_requested)

    async def answered(self) -> None:
        """Return once the client has every answer of an in-process run (or gave up on it).

        :meth:`run` returns later: Django still has work of its own for each request after
        answering it (closing the response, ``request_finished``, ending the thread asgiref
        gave the request), seconds for thousands of requests. Over sockets this never
        returns (the servers' own work is theirs): await it beside :meth:`run`."""
        await self._all_answered.wait()

    def answers(self) -> tuple[Run, int]:
        """The run's answers as they stand, and how many answered requests Django is still
        tidying up after: every lane its request's status and times, but no segments, and
        the figures of the answers only (the server's read "not measured": they need its
        lanes, which are not done while Django works on them).

        Cheap on purpose: right after a burst's last answer thousands of Django's threads
        want the GIL to tidy up, and building the lanes then takes ten times as long as
        after (10 s at 10,000) and slows that tidying, which the trace measures."""
        driver, server = self._driver, self._server
        if driver is None or driver.start_ns is None or server is None:
            raise RuntimeError("answers() is for an in-process run that has started")
        now_ns = time.perf_counter_ns()
        records = list(driver.records)
        lanes = tuple(head(r, now_ns) for r in records)
        trace = Trace(t0_ns=driver.start_ns, lanes=lanes, loop_thread=server.loop_thread)
        summary = dataclasses.replace(summarize(trace), server_threads_known=False)
        still = sum(map(tidying, records))
        return Run(self.scenario, trace, summary, stopped=self._stop_requested), still

    def partial_run(self) -> Run:
        """What was measured so far, as a stopped run (for quitting at once, mid-run).

        Safe in a signal handler on the loop's thread, even one that interrupted a
        snapshot: the lanes kept between snapshots are then left alone (halfway through an
        update they are neither the last frame's nor the next's) and built afresh."""
        if self.sockets is not None:
            return self.sockets.partial_run()
        trace = self.snapshot(final=True, abandoned=self._stop_requested)
        return Run(self.scenario, trace, summarize(trace), stopped=True)

    def abandon(self) -> Run:
        """Stop now and return what was measured, waiting for nothing: the requests in
        flight are cancelled at this instant, as :meth:`stop` would mark them, and abandoned
        (a view not yet started never starts, CPU stops at its next slice).

        For a process about to exit (the command line after Ctrl+C): with thousands of
        requests in flight, :meth:`stop` and :meth:`run` unwind each one (a cancelled task,
        a disconnect, the server's threads closed), seconds on a machine whose threads all
        want the GIL at once. Here no task is cancelled and the server is not closed, so the
        caller's loop must not be run again: its tasks stay pending until the process ends.
        In-process runs only (over sockets, :meth:`stop` is already quick and the servers
        must be killed).

        A run abandoned once every request was answered is not stopped: only Django's
        tidying up after its answers is cut short (``tidying_cut_short``), each lane it was
        still tidying measured up to now."""
        if self.sockets is not None:
            raise RuntimeError("abandon() is for in-process runs; stop() a run over sockets")
        now_ns = time.perf_counter_ns()
        self._stop_requested = True
        if self._server is not None:
            self._server.hold(ABANDONED_HOLD_S)
        self.stop_sending()
        for driver in (self._warm_driver, self._driver):
            if driver is not None:
                for record in driver.records:
                    if record.done_ns is None:
                        record.probe.abandoned = True
        answered = self.every_answered
        cut = answered and self._driver is not None and any(map(tidying, self._driver.records))
        trace = self.snapshot(now_ns, final=True, abandoned=True)
        return Run(
            self.scenario, trace, summarize(trace), stopped=not answered, tidying_cut_short=cut
        )

    def snapshot(
        self,
        now_ns: int | None = None,
        *,
        final: bool = False,
        abandoned: bool = False,
    ) -> Trace:
        """The trace so far: finished lanes as measured, lanes in flight up to ``now_ns``
        (a wait, CPU or a blocked loop in progress is drawn as what it is, up to then; with
        ``abandoned``, as cancelled then).

        Each call costs what changed since the last one (:class:`~simulator.hosting.
        live_lanes.LiveLanes`): a settled request's lane is built once and is the same object
        in every later snapshot; a lane in flight that recorded nothing new grows to now.
        Every lane is what building it from scratch from the same records at ``now_ns``
        would give; the final trace (``final``) is checked to be, and built from scratch if
        it is not."""
        if self.sockets is not None:
            return self.sockets.snapshot(now_ns, final=final)
        driver, server = self._driver, self._server
        if driver is None or driver.start_ns is None or server is None:
            return Trace(t0_ns=now_ns or time.perf_counter_ns(), lanes=())
        now_ns = now_ns or time.perf_counter_ns()
        records = list(driver.records)
        loop_thread = server.loop_thread
        # The final trace of a run nobody watched (the command line's): built from scratch,
        # which is what the live lanes give by definition, without the bookkeeping they
        # keep for a next frame (a tenth of the build) that none will ask for. Millions of
        # small objects, none in a cycle: no collection. One snapshot at a time (the
        # window takes its frames on a worker thread).
        with self._snapshot_lock, paused_collection():
            afresh = self._updating or (final and self._live is None)
            if not afresh and (self._live is None or self._live.loop_thread != loop_thread):
                self._live = LiveLanes(loop_thread)
            live = self._live
            grown = None
            if afresh or live is None:  # a signal handler's inside an update: leave it alone
                lanes, last = from_scratch_ending(records, now_ns, loop_thread, abandoned)
            else:
                self._updating = True
                try:
                    lanes, last = live.at(records, now_ns, final=final, abandoned=abandoned)
                    grown = live.grown_from
                finally:
                    self._updating = False
        trace = Trace(
            t0_ns=driver.start_ns,
            lanes=lanes,
            loop_thread=loop_thread,
            loop_blocked=blocks_within(server.loop_blocked(), driver.start_ns, last),
            loop_blocking_now=None if final else server.loop_blocking_now(now_ns),
        )
        trace.note_grown(grown)
        return trace

    def records_now(self, now_ns: int, final: bool = False) -> LiveRecords | None:
        """What a snapshot at ``now_ns`` is built of (``final``: the final trace, after
        :meth:`measure`), for a window that builds the lanes in its own process
        (``site_process/record_wire.py``): the records so far (their probes still recording),
        with the server's blocks of the loop. ``None`` for a run over sockets, whose lanes are
        the client's and the site's headers (:meth:`snapshot`)."""
        if self.sockets is not None:
            return None
        driver, server = self._driver, self._server
        if driver is None or driver.start_ns is None or server is None:
            return LiveRecords(now_ns, now_ns, [], None, [], None)
        return LiveRecords(
            now_ns,
            driver.start_ns,
            list(driver.records),
            server.loop_thread,
            server.loop_blocked(),
            None if final else server.loop_blocking_now(now_ns),
        )


async def _close_off_loop(server: Server, patience: float | None) -> threading.Thread | None:
    """Close ``server`` without blocking the caller's loop.

    Joining the server's threads waits for views still running (a thread cannot be
    interrupted), so it happens on a thread of its own, started and ended here: the caller's
    default executor (a window's) is left alone. After a Stop it is waited for ``patience``
    seconds at most: then the closing thread is returned, still running, and left to finish
    on its own (it is a daemon: it never keeps the process alive).
    """
    loop = asyncio.get_running_loop()
    closed: asyncio.Future[None] = loop.create_future()

    def close() -> None:
        try:
            server.close()
        finally:
            # Left to finish on its own after a Stop, it may end after the loop closed.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(_settle, closed)

    closer = threading.Thread(target=close, name="server-close", daemon=True)
    closer.start()
    try:
        await asyncio.wait_for(asyncio.shield(closed), patience)
    except TimeoutError:
        return closer
    closer.join()
    return None


def _settle(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


def _warm_up_driver(server: Server, scenario: Scenario) -> Driver:
    """The driver of one unmeasured request served first, as a deployed site has served many.

    The first request of a process pays one-off costs (URL patterns compiled, the database
    opened); they are real, but they are not what a lesson is about.
    """
    warm = scenario.replace(requests=1, io_ms=0, cpu_ms=0, arrival_ms=0, fanout=1)
    return Driver(warm, SiteTransport(server))


def _refuse_a_silent_upstream(warm: Driver) -> None:
    """An upstream that gave the warm-up request no answer within its deadline will give
    none to the run's requests either: say so now, rather than after another deadline."""
    for record in warm.records:
        if record.error is not None and "no answer in" in record.error:
            raise UpstreamError(f"{record.error}; nothing was measured")


def run_scenario(scenario: Scenario) -> Run:
    """Run ``scenario`` on a fresh event loop of its own and return the finished run (its
    objects settled for the collector, :func:`~simulator.trace.collector.settle`)."""
    run = asyncio.run(LiveRun(scenario).run())
    settle()
    return run
