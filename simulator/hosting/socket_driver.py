"""The client over real sockets: a scenario's requests to a real server or someone's site.

One ``httpx.AsyncClient`` with a pool as large as the burst (up to :data:`MAX_CONNECTIONS`),
so no request waits for a connection the client could have opened; its ``trace`` extension
times each request's connect, send and first byte. The answer's ``Server-Timing`` header (our
middleware's, :mod:`embedded_site.server_timing`) tells what the server did. Every failure a
request can meet (refused, timed out, TLS, a non-2xx answer) ends its lane with its reason;
the run goes on.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import anyio
import httpx

from embedded_site.server_timing import HEADER, ServerTiming, parse_server_timing
from simulator.hosting.burst import Burst
from simulator.scenario import Scenario
from simulator.trace.data import Status

__all__ = [
    "CONNECT_TIMEOUT_S",
    "MAX_CONNECTIONS",
    "REQUEST_TIMEOUT_S",
    "RUN_DEADLINE_S",
    "SocketDriver",
    "SocketRecord",
    "failure_reason",
]

#: The most connections the client opens at once.
MAX_CONNECTIONS = 1000
#: A request's longest wait for its answer, and for its connection.
REQUEST_TIMEOUT_S = 30.0
CONNECT_TIMEOUT_S = 5.0
#: The longest a run over sockets may take in all, after its last send; then it is stopped.
RUN_DEADLINE_S = 120.0


@dataclass(slots=True)
class SocketRecord:
    """What the client saw of one request (monotonic ns; ``None`` where it never got there)."""

    request_id: int
    sent_ns: int
    connected_ns: int | None = None
    request_sent_ns: int | None = None
    first_byte_ns: int | None = None
    done_ns: int | None = None
    status: Status = "running"
    status_code: int | None = None
    error: str | None = None
    timing: ServerTiming | None = None


def failure_reason(exc: BaseException) -> str:
    """One line a person understands for a request that got no answer."""
    text = str(exc) or type(exc).__name__
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, ssl.SSLError):
            return f"TLS error: {cause}"
        if isinstance(cause, ConnectionRefusedError):
            return "refused: nothing listens there (connection refused)"
        cause = cause.__cause__ or cause.__context__
    if isinstance(exc, httpx.ConnectTimeout):
        return f"timeout: no connection within {CONNECT_TIMEOUT_S:g} s"
    if isinstance(exc, httpx.TimeoutException):
        return f"timeout: no answer within {REQUEST_TIMEOUT_S:g} s"
    if isinstance(exc, httpx.ConnectError):
        if "refused" in text.lower():
            return "refused: nothing listens there (connection refused)"
        if "certificate" in text.lower() or "ssl" in text.lower():
            return f"TLS error: {text}"
        return f"connect error: {text}"
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"the server closed the connection: {text}"
    return f"{type(exc).__name__}: {text}"


class SocketDriver(Burst[SocketRecord]):
    """Sends ``scenario.requests`` GETs to ``url`` at the scenario's arrival spacing.

    ``records`` grows as requests are sent; a watcher (the window) reads it while it runs.
    """

    def __init__(self, scenario: Scenario, url: str) -> None:
        super().__init__(scenario)
        self.url = url

    async def run(self) -> None:
        """Send every request and wait for all answers, :meth:`stop` or the run's deadline."""
        connections = min(self.scenario.requests, MAX_CONNECTIONS)
        limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
        timeout = httpx.Timeout(REQUEST_TIMEOUT_S, connect=CONNECT_TIMEOUT_S)
        url = httpx.URL(self.url)
        await _warm_resolver(url, connections)

        def record_for(request_id: int) -> SocketRecord:
            return SocketRecord(request_id, sent_ns=time.perf_counter_ns())

        async with httpx.AsyncClient(limits=limits, timeout=timeout, trust_env=False) as client:
            tasks = await self._send_burst(record_for, lambda r: self._send(client, r, url))
            if tasks:
                _, pending = await asyncio.wait(tasks, timeout=RUN_DEADLINE_S)
                if pending:
                    self.stop()
                    await asyncio.gather(*pending, return_exceptions=True)

    async def _send(self, client: httpx.AsyncClient, record: SocketRecord, url: httpx.URL) -> None:
        try:
            response = await client.get(url, extensions={"trace": _tracer(record)})
        except asyncio.CancelledError:
            record.status = "cancelled"
        except Exception as exc:  # refused, timed out, TLS...: the lane says which
            record.status = "error"
            record.error = failure_reason(exc)
        else:
            record.status_code = response.status_code
            record.timing = parse_server_timing(response.headers.get(HEADER))
            if response.is_success:
                record.status = "ok"
            else:
                record.status = "error"
                record.error = f"HTTP {response.status_code} {response.reason_phrase}".strip()
        record.done_ns = time.perf_counter_ns()


async def _warm_resolver(url: httpx.URL, connections: int) -> None:
    """Start the threads the client's connects resolve the host on, before the clock runs.

    httpx connects through anyio, which looks every host up (an IP too) on a worker thread:
    the first burst of a process starts those threads, ~40 ms for 16 on a busy 2-core
    machine, which would be drawn as client time. Looked up once more here, the names are
    the ones the run will look up anyway; nothing is sent to the site.
    """
    port = url.port or (443 if url.scheme == "https" else 80)
    await asyncio.gather(
        *(anyio.getaddrinfo(url.host, port) for _ in range(min(connections, 64))),
        return_exceptions=True,
    )


def _tracer(record: SocketRecord) -> Callable[[str, dict[str, Any]], Awaitable[None]]:
    """httpcore's trace callback: when the connection was made, the request sent and the
    answer's headers in."""

    async def trace(event: str, info: dict[str, Any]) -> None:
        now = time.perf_counter_ns()
        if event in ("connection.connect_tcp.complete", "connection.start_tls.complete"):
            record.connected_ns = now
        elif event == "http11.send_request_body.complete":
            record.request_sent_ns = now
        elif event == "http11.receive_response_headers.complete":
            record.first_byte_ns = now

    return trace
