"""The transport that carries the client's requests into an in-process server: as an httpx
transport, and plainly (``exchange``) for the driver."""

from __future__ import annotations

import asyncio
import threading
import time

import httpx

from embedded_site.instrumentation import RequestProbe
from simulator.hosting.servers.base import Answer, Server, SiteRequest, SiteResponse

__all__ = ["PROBE_EXTENSION", "SiteTransport", "read_stream"]

#: The httpx request extension that carries a request's probe to the server.
PROBE_EXTENSION = "lanes.probe"


class SiteTransport(httpx.AsyncBaseTransport):
    """Like ``httpx.ASGITransport``, but the app runs on the server's threads, not ours.

    The caller's loop only hands the request over and awaits the server's answer, so a view
    that blocks the site's loop never blocks the caller (the window). No connection pool:
    nothing caps how many requests are in flight.
    """

    def __init__(self, server: Server) -> None:
        self._server = server
        # Answers arrive on the server's threads; waking this loop costs a write to its
        # self-pipe, so a burst of answers wakes it once and is handed over together.
        self._answers: list[tuple[asyncio.Future[SiteResponse], Answer]] = []
        self._answers_lock = threading.Lock()
        #: Who awaits each answer (by the same lock), and the one callback every answer
        #: calls: not a callback per request bound to its waiter (a ``partial``, its
        #: arguments and a bound method: three objects a request in flight that every full
        #: collection walks, ``benchmarks/gc_census.py``).
        self._waiting: dict[Answer, asyncio.Future[SiteResponse]] = {}
        self._on_answer = self._answered

    def _answered(self, answer: Answer) -> None:
        """On the server's thread: queue the answer for its waiter's loop."""
        with self._answers_lock:
            waiter = self._waiting.pop(answer, None)
            if waiter is None:
                return  # the client gave up: nobody waits for it
            wake = not self._answers
            self._answers.append((waiter, answer))
        if wake:
            try:
                waiter.get_loop().call_soon_threadsafe(self._hand_over)
            except RuntimeError:  # the loop closed: nobody waits for it
                pass

    def _hand_over(self) -> None:
        with self._answers_lock:
            answers, self._answers = self._answers, []
        for waiter, answer in answers:
            if waiter.done():
                continue  # the client gave up meanwhile
            if answer.response is not None:
                waiter.set_result(answer.response)
            elif answer.error is not None:
                waiter.set_exception(answer.error)
            else:
                waiter.cancel()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        probe = request.extensions.get(PROBE_EXTENSION)
        if not isinstance(probe, RequestProbe):
            raise TypeError(
                f"every request needs a RequestProbe in extensions[{PROBE_EXTENSION!r}]"
            )
        site_request = SiteRequest(
            method=request.method,
            path=request.url.path,
            query=request.url.query,
            headers=list(request.headers.raw),
            body=await read_stream(request.stream),
            probe=probe,
        )
        response = await self.exchange(site_request)
        # As a network transport hands it over: the body as a stream, headers as sent (the
        # site's Content-Length among them); ``content=`` would have httpx encode and read it.
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=httpx.ByteStream(response.body),
            request=request,
        )

    async def exchange(self, request: SiteRequest) -> SiteResponse:
        """Hand ``request`` to the server and await its answer on this loop: what
        :meth:`handle_async_request` does without httpx's models around it (the driver's
        way: ``simulator.hosting.driver``). Cancelled, it cancels the request on the server."""
        waiter: asyncio.Future[SiteResponse] = asyncio.get_running_loop().create_future()
        # Sent now, as it leaves for the server: the time the client took to get here (a
        # thousand requests built one after another on one loop) is the client's, which
        # real clients, each on its own machine, would not add to the site's queue.
        request.probe.sent_ns = time.perf_counter_ns()
        request.probe.touch()
        answer = self._server.submit(request)
        with self._answers_lock:
            self._waiting[answer] = waiter
        answer.add_done_callback(self._on_answer)
        try:
            return await waiter
        except asyncio.CancelledError:
            with self._answers_lock:
                self._waiting.pop(answer, None)
            self._server.cancel(request, answer)
            raise


async def read_stream(stream: httpx.SyncByteStream | httpx.AsyncByteStream) -> bytes:
    """A request's body, read from its stream as httpx's ``ASGITransport`` reads it.

    Not ``aread()``: it checks the stream's type against ``typing.AsyncIterable`` (a slow
    ``isinstance``). A body given whole (``content=``) is one chunk, read without an async
    generator."""
    if isinstance(stream, httpx.ByteStream):
        return b"".join(stream)
    if isinstance(stream, httpx.AsyncByteStream):
        return b"".join([chunk async for chunk in stream])
    raise TypeError("an async transport needs an async request stream")
