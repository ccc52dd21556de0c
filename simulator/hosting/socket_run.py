"""A run over real sockets: real uvicorn/gunicorn processes, or someone's own site (``url``).

:class:`SocketLiveRun` has the shape of :class:`~simulator.hosting.engine.LiveRun` (which
hands such scenarios to it): ``run``, ``stop``, ``snapshot``, ``partial_run``. It needs no
Django in this process: the site runs in the server's processes.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Iterator

from simulator.catalog import view_info
from simulator.hosting.real_servers import RealServer
from simulator.hosting.run_options import PLAIN, RunOptions
from simulator.hosting.socket_driver import SocketDriver
from simulator.hosting.socket_lanes import socket_lane
from simulator.hosting.upstream import SlowUpstream
from simulator.metrics.summary import summarize
from simulator.scenario import Scenario
from simulator.trace import Lane, Run, Trace
from simulator.trace.collector import settle
from simulator.upstream_address import allowed_by_name

__all__ = ["SocketLiveRun", "request_url"]


def request_url(scenario: Scenario, base_url: str) -> str:
    """The URL every request of ``scenario`` goes to on a server of the lesson site."""
    query = f"io_ms={scenario.io_ms:g}&cpu_ms={scenario.cpu_ms:g}"
    if scenario.fanout != 1:
        query += f"&fanout={scenario.fanout}"
    return f"{base_url}/{scenario.view}/?{query}"


@contextlib.contextmanager
def _upstream(scenario: Scenario) -> Iterator[str | None]:
    """The upstream the servers' views call: the scenario's, or a slow one started here."""
    if scenario.url is not None or not view_info(scenario.view).uses_upstream:
        yield scenario.upstream_url
    elif scenario.upstream_url is not None:
        yield scenario.upstream_url
    else:
        with SlowUpstream() as upstream:
            yield upstream.url


class SocketLiveRun:
    """One run over sockets, watchable while it happens (see the module docstring)."""

    def __init__(self, scenario: Scenario, options: RunOptions = PLAIN) -> None:
        self.scenario = scenario
        self.options = options
        self._driver: SocketDriver | None = None
        self._server: RealServer | None = None
        self._stop_requested = False
        #: The real server's worker process ids, once every one has answered.
        self.worker_pids: tuple[int, ...] = ()
        #: Each answered request's lane, by its record's place: built once.
        self._answered: list[Lane | None] = []

    @property
    def stopping(self) -> bool:
        return self._stop_requested

    @property
    def started(self) -> bool:
        return self._driver is not None and self._driver.start_ns is not None

    @property
    def server(self) -> RealServer | None:
        """The real server while it runs."""
        return self._server

    def stop(self) -> None:
        """Stop sending and give up on requests in flight; the servers are stopped as
        :meth:`run` returns (within a second)."""
        self._stop_requested = True
        if self._driver is not None:
            self._driver.stop()

    async def run(self) -> Run:
        scenario = self.scenario
        settle()  # what this process holds is not walked by the run's collections
        with _upstream(scenario) as upstream_url:
            server = None
            try:
                if scenario.url is not None:
                    url = scenario.url
                else:
                    server = RealServer(scenario, upstream_url, self.options.allowed_hosts)
                    self._server = server
                    server.start()
                    self.worker_pids = tuple(sorted(await self._ready(server)))
                    url = request_url(scenario, server.base_url)
                own = scenario.url is not None
                self._driver = SocketDriver(
                    scenario,
                    url,
                    self.options.headers if own else (),
                    any_host=own and allowed_by_name(url, self.options.allowed_hosts),
                )
                if self._stop_requested:
                    self._driver.stop()
                await self._driver.run()
            finally:
                if server is not None and self._stop_requested:
                    # Stopped: nothing more is measured, so no grace for connections the
                    # client has abandoned (uvicorn would wait for each); Stop takes < 1 s.
                    server.kill()
                elif server is not None:
                    # Up to a second of waiting for processes to end: off the caller's loop
                    # (the window's), which keeps painting meanwhile.
                    await asyncio.shield(asyncio.to_thread(server.stop))
        trace = self.snapshot(final=True)
        return Run(scenario, trace, summarize(trace), stopped=self._stop_requested)

    async def _ready(self, server: RealServer) -> set[int]:
        """Every worker answered; a Stop meanwhile ends the wait (the run has no requests)."""
        ready = asyncio.ensure_future(server.wait_ready())
        while not ready.done():
            if self._stop_requested:
                ready.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await ready
                return set()
            await asyncio.wait({ready}, timeout=0.05)
        return ready.result()

    def partial_run(self) -> Run:
        trace = self.snapshot(final=True)
        return Run(self.scenario, trace, summarize(trace), stopped=True)

    def snapshot(self, now_ns: int | None = None, *, final: bool = False) -> Trace:
        """The trace so far (see ``LiveRun.snapshot``): an answered request's lane is built
        once and is the same object in every later snapshot; those in flight up to now."""
        driver = self._driver
        now_ns = now_ns or time.perf_counter_ns()
        if driver is None or driver.start_ns is None:
            return Trace(t0_ns=now_ns, lanes=())
        view = self.scenario.url or self.scenario.view
        records = list(driver.records)
        answered = self._answered
        answered += [None] * (len(records) - len(answered))
        lanes: list[Lane] = []
        for i, record in enumerate(records):
            lane = answered[i]
            if lane is None:
                # ``done_ns`` is the client's last word on a request: nothing changes after.
                done = record.done_ns is not None
                lane = socket_lane(record, view, now_ns)
                if done:
                    answered[i] = lane
            lanes.append(lane)
        return Trace(
            t0_ns=driver.start_ns,
            lanes=tuple(lanes),
            worker_pids=self.worker_pids,
            client_cpu_ns=driver.client_cpu_ns,
        )
