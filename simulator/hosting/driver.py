"""The client: sends a scenario's requests through an httpx transport and records each one."""

from __future__ import annotations

import asyncio
import functools
import time
from dataclasses import dataclass

import httpx

from embedded_site.instrumentation import RequestProbe
from simulator.hosting.burst import Burst
from simulator.hosting.http_client import USER_AGENT
from simulator.hosting.servers.base import SITE_HOST
from simulator.hosting.transport import PROBE_EXTENSION, read_stream
from simulator.scenario import Scenario
from simulator.trace.data import Status

__all__ = ["Driver", "RequestRecord"]

#: A GET has no body: every request shares this empty stream.
_NO_BODY = httpx.ByteStream(b"")


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

    The transport is injected, as in httpx: the driver never builds the server it talks to.
    ``records`` grows as requests are sent; a watcher (the window) reads it while it runs.
    """

    def __init__(self, scenario: Scenario, transport: httpx.AsyncBaseTransport) -> None:
        super().__init__(scenario)
        self._transport = transport

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
        await asyncio.gather(*tasks, return_exceptions=True)

    async def send(self, record: RequestRecord, url: httpx.URL) -> None:
        """Send one GET of ``url`` carrying ``record``'s probe; record how it ended.

        The request goes to the transport as ``httpx.AsyncClient.send`` would hand it over,
        without the client around it: a lane needs none of its cookie jar, redirects, auth
        or event hooks, and they cost each request about a fifth of Django's own time for
        it (``benchmarks/overhead.py``, one at a time). No shared cookie jar is also what a
        thousand different visitors would have. The answer's body is read whole as the
        transport hands it over (:func:`read_stream`).
        """
        if self.stopped:
            return  # stopped before it left: never sent, cancelled with the rest
        # Headers and body given whole (``stream=``), so httpx adds and checks none per request.
        request = httpx.Request(
            "GET",
            url,
            headers=_headers(url.netloc),
            stream=_NO_BODY,
            extensions={PROBE_EXTENSION: record.probe},
        )
        try:
            response = await self._transport.handle_async_request(request)
            body = await read_stream(response.stream)
            await response.aclose()
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
                text = body.decode(response.encoding or "utf-8", "replace")
                record.error = record.probe.error or f"HTTP {response.status_code}: {text[:200]}"
        record.done_ns = time.perf_counter_ns()
        record.probe.touch()  # what the client saw is the lane's too


@functools.lru_cache(maxsize=16)
def _headers(netloc: bytes) -> httpx.Headers:
    """A GET's headers as httpx would make them for a URL on ``netloc`` (``Host`` first),
    and what the lean socket client sends too (``http_client``)."""
    return httpx.Headers(
        [(b"Host", netloc), (b"User-Agent", USER_AGENT.encode()), (b"Accept", b"*/*")]
    )
