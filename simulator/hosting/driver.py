"""The client: sends a scenario's requests into an in-process server and records each one."""

from __future__ import annotations

import asyncio
import functools
import time
from dataclasses import dataclass

import httpx

from embedded_site.instrumentation import RequestProbe
from simulator.hosting.burst import Burst
from simulator.hosting.servers.base import SITE_HOST, USER_AGENT, SiteRequest, SiteResponse
from simulator.hosting.transport import SiteTransport
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


class Driver(Burst[RequestRecord]):
    """Sends ``scenario.requests`` GETs to the scenario's view, at its arrival spacing.

    The transport is injected: the driver never builds the server it talks to.
    ``records`` grows as requests are sent; a watcher (the window) reads it while it runs.
    """

    def __init__(self, scenario: Scenario, transport: SiteTransport) -> None:
        super().__init__(scenario)
        self._transport = transport
        #: The last URL sent and its path, query and headers, worked out once for a run.
        self._url: httpx.URL | None = None
        self._parts: tuple[str, bytes, tuple[tuple[bytes, bytes], ...]] = ("", b"", ())

    async def run(self) -> None:
        """Send every request and wait for all answers (or for :meth:`stop`)."""
        scenario = self.scenario
        params = {"io_ms": f"{scenario.io_ms:g}", "cpu_ms": f"{scenario.cpu_ms:g}"}
        if scenario.fanout != 1:
            params["fanout"] = str(scenario.fanout)
        # One URL for the whole run: httpx would otherwise parse and merge it per request.
        url = httpx.URL(f"http://{SITE_HOST}/{scenario.view}/", params=params)

        def record_for(request_id: int) -> RequestRecord:
            sent_ns = time.perf_counter_ns()
            return RequestRecord(RequestProbe(request_id, scenario.view, sent_ns=sent_ns))

        tasks = await self._send_burst(record_for, lambda r: self.send(r, url))
        await self._all_ended(tasks)

    async def send(self, record: RequestRecord, url: httpx.URL) -> None:
        """Send one GET of ``url`` carrying ``record``'s probe; record how it ended.

        The site gets what an HTTP client sends for ``url`` (the headers httpx makes for it,
        Host first, and no body), handed to the transport as the server takes it
        (:meth:`SiteTransport.exchange`), with no ``httpx.Request`` or ``httpx.Response``
        made around it: nothing on this path reads them, and building the two cost each
        request a third of the client's own Python (``benchmarks/harness_cpu.py``).
        Nor an ``httpx.AsyncClient``: a lane needs none of its cookie jar, redirects, auth or
        event hooks, and no shared cookie jar is what a thousand different visitors would
        have. The answer's body comes whole, as the site sent it.
        """
        if self.stopped:
            return  # stopped before it left: never sent, cancelled with the rest
        if url is not self._url:
            self._url, self._parts = url, (url.path, url.query, _headers(url.netloc))
        path, query, headers = self._parts
        request = SiteRequest("GET", path, query, list(headers), b"", record.probe)
        try:
            response = await self._transport.exchange(request)
        except asyncio.CancelledError:
            record.status = "cancelled"
        except Exception as exc:  # the server itself failed; the run goes on
            record.status = "error"
            record.error = f"{type(exc).__name__}: {exc}"
        else:
            status = record.status_code = response.status
            if 200 <= status < 300:
                record.status = "ok"
            else:
                record.status = "error"
                text = _text(response)
                record.error = record.probe.error or f"HTTP {status}: {text[:200]}"
        record.done_ns = time.perf_counter_ns()
        record.probe.touch()  # what the client saw is the lane's too


@functools.lru_cache(maxsize=16)
def _headers(netloc: bytes) -> tuple[tuple[bytes, bytes], ...]:
    """A GET's headers as httpx would make them for a URL on ``netloc`` (``Host`` first),
    and what the lean socket client sends too (``http_client``)."""
    return ((b"Host", netloc), (b"User-Agent", USER_AGENT.encode()), (b"Accept", b"*/*"))


def _text(response: SiteResponse) -> str:
    """An error answer's body as text, in the charset its ``Content-Type`` names (httpx's
    rule: else UTF-8)."""
    encoding = httpx.Response(response.status, headers=response.headers).encoding
    return response.body.decode(encoding or "utf-8", "replace")
