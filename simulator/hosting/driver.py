"""The client: sends a scenario's requests through an httpx client and records each one."""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass

import httpx

from embedded_site.instrumentation import RequestProbe
from simulator.hosting.servers.base import SITE_HOST
from simulator.hosting.transport import PROBE_EXTENSION
from simulator.scenario import Scenario
from simulator.trace.data import Status

__all__ = ["Driver", "RequestRecord"]


@dataclass(slots=True)
class RequestRecord:
    """The client's record of one request; ``done_ns`` is ``None`` while it is in flight."""

    probe: RequestProbe
    status: Status = "running"
    status_code: int | None = None
    error: str | None = None
    done_ns: int | None = None


class Driver:
    """Sends ``scenario.requests`` GETs to the scenario's view, at its arrival spacing.

    The transport is injected, as in httpx: the driver never builds the server it talks to.
    ``records`` grows as requests are sent; a watcher (the window) reads it while it runs.
    """

    def __init__(self, scenario: Scenario, transport: httpx.AsyncBaseTransport) -> None:
        self.scenario = scenario
        self._transport = transport
        self.records: list[RequestRecord] = []
        self.start_ns: int | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = False
        # Set by stop(): a client waiting seconds to send its next request wakes at once.
        self._stop_event = asyncio.Event()

    @property
    def stopped(self) -> bool:
        return self._stopping

    async def run(self) -> None:
        """Send every request and wait for all answers (or for :meth:`stop`)."""
        scenario = self.scenario
        params = {"io_ms": f"{scenario.io_ms:g}", "cpu_ms": f"{scenario.cpu_ms:g}"}
        if scenario.fanout != 1:
            params["fanout"] = str(scenario.fanout)
        # One URL for the whole run: httpx would otherwise parse and merge it per request.
        url = httpx.URL(f"http://{SITE_HOST}/{scenario.view}/", params=params)
        # No proxies, .netrc or cookies from the environment: nothing to look up per request.
        async with httpx.AsyncClient(
            transport=self._transport, timeout=None, trust_env=False
        ) as client:
            self.start_ns = time.perf_counter_ns()
            spacing_ns = int(scenario.arrival_ms * 1e6)
            for request_id in range(scenario.requests):
                if self._stopping:
                    break
                if spacing_ns and request_id:
                    due = self.start_ns + request_id * spacing_ns
                    late = time.perf_counter_ns() - due
                    # Only sleep when ahead of the schedule: a loop busy with something
                    # else (a window painting) must not stretch the spacing; overdue
                    # requests go out at once, as clients would have sent them meanwhile.
                    if late < 0:
                        with contextlib.suppress(TimeoutError):
                            await asyncio.wait_for(self._stop_event.wait(), -late / 1e9)
                    if self._stopping:
                        break
                record = RequestRecord(
                    RequestProbe(request_id, scenario.view, sent_ns=time.perf_counter_ns())
                )
                self.records.append(record)
                self._tasks.append(asyncio.create_task(self._send(client, record, url)))
            await asyncio.gather(*self._tasks, return_exceptions=True)

    def stop(self) -> None:
        """Give up on every request in flight; unsent ones are never sent."""
        self._stopping = True
        self._stop_event.set()
        for task in self._tasks:
            task.cancel()

    async def _send(self, client: httpx.AsyncClient, record: RequestRecord, url: httpx.URL) -> None:
        try:
            response = await client.get(url, extensions={PROBE_EXTENSION: record.probe})
        except asyncio.CancelledError:
            record.status = "cancelled"
        except Exception as exc:  # the server itself failed; the run goes on
            record.status = "error"
            record.error = f"{type(exc).__name__}: {exc}"
        else:
            record.status_code = response.status_code
            if response.is_success:
                record.status = "ok"
            else:
                record.status = "error"
                record.error = (
                    record.probe.error or f"HTTP {response.status_code}: {response.text[:200]}"
                )
        record.done_ns = time.perf_counter_ns()
