"""What every in-process server offers: submit a request, get a future of its answer.

The request carries the probe that records it; the caller's thread only submits and waits,
so a view that blocks never blocks the caller (the window).
"""

from __future__ import annotations

import concurrent.futures
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from types import TracebackType

from embedded_site.instrumentation import RequestProbe

__all__ = ["Server", "SiteRequest", "SiteResponse", "SITE_HOST"]

#: The host name the site answers to (``settings.ALLOWED_HOSTS``).
SITE_HOST = "site.local"


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
    def submit(self, request: SiteRequest) -> concurrent.futures.Future[SiteResponse]:
        """Queue ``request``; the future completes with its response. Thread-safe."""

    @abstractmethod
    def cancel(self, request: SiteRequest, future: concurrent.futures.Future[SiteResponse]) -> None:
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
