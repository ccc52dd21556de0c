"""Django's ASGI application on an event loop of its own, in its own thread."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from typing import Any

from embedded_site.instrumentation import current_probe
from simulator.hosting.loop_monitor import LoopMonitor
from simulator.hosting.loops import close_loop
from simulator.hosting.servers.base import SITE_HOST, Answer, Server, SiteRequest, SiteResponse
from simulator.trace.kinds import LOOP_THREAD

__all__ = ["AsgiServer"]

ASGIApp = Any  # (scope, receive, send) -> Awaitable[None]

#: Every scope's ``asgi`` key: one dict for all (an application reads it, never writes it).
_ASGI = {"version": "3.0", "spec_version": "2.3"}


class AsgiServer(Server):
    """Runs an ASGI application on its own event loop, in a thread named ``LOOP_THREAD``.

    As an ASGI server does, it reads no socket: each submitted request becomes a task on the
    loop that calls the application with a scope, a ``receive`` and a ``send``. Cancelling a
    request answers Django's ``listen_for_disconnect`` with ``http.disconnect``, so Django
    cancels the view exactly as it would for a client that hung up.
    """

    loop_thread = LOOP_THREAD

    def __init__(self, app: ASGIApp, *, monitor: LoopMonitor | None = None) -> None:
        self._app = app
        self._monitor = monitor or LoopMonitor()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._disconnects: dict[int, asyncio.Event] = {}  # by id() of the request's probe
        self._tasks: set[asyncio.Task[None]] = set()
        self._inbox: list[tuple[SiteRequest, Answer]] = []
        self._inbox_lock = threading.Lock()

    def start(self) -> None:
        ready = threading.Event()
        self._loop = loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._run, args=(loop, ready), name=self.loop_thread, daemon=True
        )
        self._thread.start()
        ready.wait()

    def _run(self, loop: asyncio.AbstractEventLoop, ready: threading.Event) -> None:
        asyncio.set_event_loop(loop)
        self._monitor.install(loop)
        loop.call_soon(ready.set)
        try:
            loop.run_forever()
        finally:
            close_loop(loop)

    def submit(self, request: SiteRequest) -> Answer:
        if self._loop is None:
            raise RuntimeError("start() the server before submitting requests")
        answer = Answer()
        # Waking the loop costs a write to its self-pipe: a burst of sends (all requests at
        # once) wakes it once, and the loop starts everything that arrived meanwhile.
        with self._inbox_lock:
            wake = not self._inbox
            self._inbox.append((request, answer))
        if wake:
            self._loop.call_soon_threadsafe(self._begin_arrived)
        return answer

    def _begin_arrived(self) -> None:
        with self._inbox_lock:
            arrived, self._inbox = self._inbox, []
        assert self._loop is not None  # we run on it
        for request, answer in arrived:
            if not answer.begin():
                continue  # the client gave up before the loop got to it
            task = self._loop.create_task(
                self._serve(request, answer), name=f"lane-{request.probe.request_id}"
            )
            self._tasks.add(task)  # until its last step (_serve's end), no done callback

    def cancel(self, request: SiteRequest, answer: Answer) -> None:
        # Not yet started: never start it. Started: a disconnect lets Django cancel the view
        # itself and clean up, as it does for a client that hung up.
        request.probe.abandoned = True  # a view not yet started never starts
        if answer.cancel():
            return
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._disconnect, id(request.probe))

    def _disconnect(self, probe_id: int) -> None:
        event = self._disconnects.get(probe_id)
        if event is not None:
            event.set()

    def hold(self, seconds: float) -> None:
        # Each task step first sleeps (the GIL released), from the next one on; an idle loop
        # blocks in one callback. Every request waits for this loop between its thread
        # hand-offs, so the site's threads soon have nothing to run either.
        self._monitor.hold_s = seconds
        loop = self._loop
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # closed meanwhile
                loop.call_soon_threadsafe(time.sleep, seconds)

    def loop_blocked(self) -> list[tuple[int, int]]:
        return list(self._monitor.blocked)

    def loop_blocking_now(self, now_ns: int) -> tuple[int, int] | None:
        return self._monitor.blocking_now(now_ns)

    def close(self) -> None:
        if self._loop is None or self._thread is None:
            return

        # Let the requests still on the loop finish (a blocking view cannot be interrupted).
        async def drain() -> None:
            if self._tasks:
                await asyncio.wait(set(self._tasks))

        if self._thread.is_alive():
            asyncio.run_coroutine_threadsafe(drain(), self._loop).result()
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join()
        self._loop = None

    async def _serve(self, request: SiteRequest, answer: Answer) -> None:
        probe = request.probe
        probe.picked_ns = time.perf_counter_ns()
        probe.picked_thread = self.loop_thread
        probe.touch()
        # Tasks Django starts from here copy this context, so the whole request sees the probe.
        current_probe.set(probe)
        exchange = _Exchange(request, answer, asyncio.Event())
        self._disconnects[id(probe)] = exchange.disconnected
        scope = {
            "type": "http",
            "asgi": _ASGI,
            "http_version": "1.1",
            "method": request.method,
            "scheme": "http",
            "path": request.path,
            "raw_path": request.path.encode(),
            "query_string": request.query,
            "root_path": "",
            "headers": request.headers,
            "client": ("127.0.0.1", 50000 + probe.request_id % 10000),
            "server": (SITE_HOST, 80),
        }
        try:
            await self._app(scope, exchange.receive, exchange.send)
        except BaseException as exc:
            if not answer.done():
                answer.set_exception(exc)
            if not isinstance(exc, Exception):
                raise
        finally:
            probe.finished_ns = time.perf_counter_ns()
            probe.touch()
            del self._disconnects[id(probe)]
            # Here, not in a done callback: that would cost each request a turn of the loop.
            # Nothing runs between this last step and the task's end.
            self._tasks.discard(asyncio.current_task())
            if not answer.done():
                answer.set_exception(ConnectionAbortedError("the site sent no response"))


class _Exchange:
    """One request's ASGI ``receive`` and ``send``, its state in one object's slots.

    Not closures over ``_serve``'s locals: their seven cells, two functions and their
    closure tuples, with the response and a list of chunks made ahead, were a dozen objects
    per request in flight that every full collection walked (``benchmarks/gc_census.py``:
    10,000 requests in flight, GIL held while the window could not draw).
    """

    __slots__ = ("answer", "body_sent", "chunks", "disconnected", "headers", "request", "status")

    def __init__(self, request: SiteRequest, answer: Answer, disconnected: asyncio.Event) -> None:
        self.request, self.answer, self.disconnected = request, answer, disconnected
        self.body_sent = False
        #: The answer's start, as Django sent it (500 and no headers until then).
        self.status = 500
        self.headers: list[tuple[bytes, bytes]] | None = None
        #: The body's chunks before the last, while it streams.
        self.chunks: list[bytes] | None = None

    async def receive(self) -> dict[str, Any]:
        if not self.body_sent:
            self.body_sent = True
            return {"type": "http.request", "body": self.request.body, "more_body": False}
        await self.disconnected.wait()
        return {"type": "http.disconnect"}

    async def send(self, message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
            self.headers = list(message.get("headers", []))
        elif message["type"] == "http.response.body":
            chunk = message.get("body", b"")
            answer = self.answer
            if message.get("more_body", False) or answer.done():
                if self.chunks is None:
                    self.chunks = []
                self.chunks.append(chunk)
                return
            # The client has its answer now, as from a real server's socket; what Django
            # does after this (response.close, request_finished) is its own.
            body = b"".join([*self.chunks, chunk] if self.chunks else (chunk,))
            probe = self.request.probe
            probe.responded_ns = time.perf_counter_ns()
            probe.touch()
            headers = self.headers if self.headers is not None else []
            answer.set_result(SiteResponse(self.status, headers, body))
            # As the ASGI spec has it (and uvicorn does), a ``receive`` after the response
            # is ``http.disconnect``: Django's ``listen_for_disconnect`` ends by itself, where
            # Django cancelled it and awaited the cancel, two more turns of the site's loop
            # before its clean-up began, which the client waited out for the GIL
            # (``benchmarks/overhead.py``, one at a time).
            self.disconnected.set()
