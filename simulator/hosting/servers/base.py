"""What every in-process server offers: submit a request, get the :class:`Answer` to come.

The request carries the probe that records it; the caller's thread only submits and waits,
so a view that blocks never blocks the caller (the window).
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType

from embedded_site.instrumentation import RequestProbe

__all__ = ["SITE_HOST", "USER_AGENT", "Answer", "Server", "SiteRequest", "SiteResponse"]

#: The host name the site answers to (``settings.ALLOWED_HOSTS``).
SITE_HOST = "site.local"

#: The ``User-Agent`` our clients send (the in-process ``driver`` and the socket client,
#: ``http_client``). Here, not in ``http_client``: an in-process run imports no h11.
USER_AGENT = "async-lanes"


@dataclass(slots=True)
class SiteRequest:
    """A request on its way into the site, with the probe that will record it."""

    method: str
    path: str
    query: bytes
    headers: list[tuple[bytes, bytes]]
    body: bytes
    probe: RequestProbe


@dataclass(slots=True)
class SiteResponse:
    status: int
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    body: bytes = b""


_PENDING, _RUNNING, _CANCELLED, _FINISHED = range(4)
#: Guards every answer's move out of "pending" (begun by the server, or cancelled by the
#: client, never both): held for a few bytecodes, so one lock for all of them.
_STATES = threading.Lock()


class Answer:
    """A request's answer to come: begun and set once on the server's threads, handed to
    the one callback the client added.

    What ``concurrent.futures.Future`` did here, without its condition variable and
    re-entrant lock: nobody blocks on an answer (the client's loop is called back), and that
    bookkeeping cost each request ~10 us of the harness's share, spread over both threads
    (``benchmarks/overhead.py``).
    """

    __slots__ = ("_on_done", "_state", "error", "response")

    def __init__(self) -> None:
        self._state = _PENDING
        self._on_done: Callable[[Answer], None] | None = None
        #: The site's response, or why there is none; set once the answer is done.
        self.response: SiteResponse | None = None
        self.error: BaseException | None = None

    def add_done_callback(self, on_done: Callable[[Answer], None]) -> None:
        """Call ``on_done(self)`` once the answer is done (now, if it is already), on
        whichever thread finished it. One callback per answer."""
        with _STATES:
            if self._on_done is not None:
                raise RuntimeError("an answer takes one callback")
            if self._state < _CANCELLED:
                self._on_done = on_done
                return
        on_done(self)

    def begin(self) -> bool:
        """The server starts on the request: ``False`` if the client cancelled it first."""
        with _STATES:
            if self._state != _PENDING:
                return False
            self._state = _RUNNING
            return True

    def cancel(self) -> bool:
        """The client gives up: ``True`` if the server had not begun (it never will)."""
        with _STATES:
            if self._state != _PENDING:
                return False
            self._state = _CANCELLED
        self._done()
        return True

    def cancelled(self) -> bool:
        return self._state == _CANCELLED

    def done(self) -> bool:
        return self._state >= _CANCELLED

    def set_result(self, response: SiteResponse) -> None:
        self._finish(response, None)

    def set_exception(self, error: BaseException) -> None:
        self._finish(None, error)

    def _finish(self, response: SiteResponse | None, error: BaseException | None) -> None:
        with _STATES:
            if self._state >= _CANCELLED:
                raise RuntimeError("an answer is set once")  # and stays as it was
            self.response, self.error = response, error
            self._state = _FINISHED
        self._done()

    def _done(self) -> None:
        on_done, self._on_done = self._on_done, None
        if on_done is not None:
            on_done(self)


class Server(ABC):
    """Hosts the site on threads of its own; the caller's thread only submits and waits.

    ``loop_thread`` names the thread of the site's event loop, or is ``None`` when the site
    has no loop of its own (WSGI).
    """

    loop_thread: str | None = None

    @abstractmethod
    def start(self) -> None:
        """Start the server's threads; returns when it can take requests."""

    @abstractmethod
    def submit(self, request: SiteRequest) -> Answer:
        """Queue ``request``; its answer is set with the response. Thread-safe."""

    @abstractmethod
    def cancel(self, request: SiteRequest, answer: Answer) -> None:
        """Give up on ``request``: drop it if queued, tell the app the client went away.

        Thread-safe. A request already running on a thread cannot be interrupted; it runs to
        its end and its response is dropped.
        """

    @abstractmethod
    def close(self) -> None:
        """Stop taking requests, let running ones finish, and join every thread started."""

    def hold(self, seconds: float) -> None:
        """Run nothing more of the site for up to ``seconds`` (any thread), for a process
        about to exit after a Stop: the site's own threads would otherwise go on competing
        with the caller's for the GIL while it writes what was measured. Never :meth:`close`
        a held server: closing waits for the site.

        Here, nothing: WSGI's few workers share no loop through which to hold them."""
        del seconds

    def loop_blocked(self) -> list[tuple[int, int]]:
        """Periods (ns) the site's event loop was blocked for ``LOOP_BLOCKED_MS`` or more."""
        return []

    def loop_blocking_now(self, now_ns: int) -> tuple[int, int] | None:
        """The block in progress at ``now_ns`` (a step already past the threshold), if any."""
        return None

    def __enter__(self) -> Server:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
