"""The work a lesson view does: read its dials, wait, burn CPU, call the slow upstream.

Kept apart from ``views.py`` so that each view reads as the few lines a Django developer would
write, while the measuring stays in one place.
"""

from __future__ import annotations

import asyncio
import functools
import ssl
import time
from dataclasses import dataclass

import httpx
from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse

from .instrumentation import RequestProbe, current_probe, view_line
from .loopback import NotLoopback, pinned
from .waits import WAIT_MIN_NS, Clock, read_clock, waits

__all__ = [
    "Dials",
    "UpstreamRefused",
    "UpstreamTooLarge",
    "UpstreamTooSlow",
    "burn_cpu",
    "fetch",
    "fetch_async",
    "page",
    "tls_context",
    "upstream_url",
]


@functools.cache
def tls_context() -> ssl.SSLContext:
    """The one TLS context of the views' httpx clients.

    Building an httpx client loads the CA bundle (~20 ms here) unless it is handed a context.
    The views make a client per request (an async client cannot outlive the loop that made
    it, and under WSGI every async view gets a fresh loop), so they all share this one. Made
    at the first upstream call (the warm-up request's, before anything is measured), not at
    import: every run boots the site, and most lessons call no upstream."""
    return ssl.create_default_context()


@dataclass(frozen=True, slots=True)
class Dials:
    """The dials a request carries in its query string."""

    io_ms: float = 0.0
    cpu_ms: float = 0.0
    fanout: int = 1

    @property
    def io_s(self) -> float:
        return self.io_ms / 1000

    @classmethod
    def from_request(cls, request: HttpRequest) -> Dials:
        """Read ``io_ms``, ``cpu_ms`` and ``fanout``; a bad value is the client's error (400)."""
        query = request.GET
        try:
            return cls(
                io_ms=max(0.0, float(query.get("io_ms", 0))),
                cpu_ms=max(0.0, float(query.get("cpu_ms", 0))),
                fanout=max(1, int(query.get("fanout", 1))),
            )
        except ValueError as exc:
            raise BadRequest(f"bad dial in the query string: {exc}") from None


#: How often (thread CPU time) a CPU loop looks whether its client has gone.
CPU_SLICE_NS = 2_000_000


def burn_cpu(cpu_ms: float) -> None:
    """Keep the CPU busy until this thread has used ``cpu_ms`` of its own CPU time.

    Thread CPU time, not wall time: when threads share the GIL each one still does the same
    amount of work, and the lanes show how long that took them. Every stretch of 0.5 ms or
    more in which this thread's CPU clock stood still, it was ready but not running: that is
    recorded as waiting for the GIL or for a core (``embedded_site.waits``), not as CPU.
    Between slices it looks whether the host abandoned the request (Stop): seconds of CPU
    nobody will read must not hold a thread, or the loop, after the person pressed Stop.
    """
    if cpu_ms <= 0:
        return
    probe = current_probe.get()
    if probe is None:  # a plain Django site: nothing to record
        deadline = time.thread_time_ns() + int(cpu_ms * 1_000_000)
        while time.thread_time_ns() < deadline:
            pass
        return
    _burn_recorded(probe, int(cpu_ms * 1_000_000), view_line())


def _burn_recorded(probe: RequestProbe, cpu_ns: int, line: int | None) -> None:
    """:func:`burn_cpu` on a probed request: ``cpu`` pieces between the waits to run."""
    clock = read_clock()
    token = probe.open_segment("cpu", clock.wall_ns, line, clock)
    deadline = clock.cpu_ns + cpu_ns
    next_look = clock.cpu_ns + CPU_SLICE_NS
    cpu = clock.cpu_ns
    try:
        while cpu < deadline:
            cpu, wall = time.thread_time_ns(), time.perf_counter_ns()
            # Stood still since the piece began (at once, or in slivers adding up)?
            if (wall - clock.wall_ns) - (cpu - clock.cpu_ns) >= WAIT_MIN_NS:
                token, clock = _stood_still(probe, token, clock, line)
                cpu = clock.cpu_ns
            if cpu >= next_look:
                if probe.abandoned:
                    return
                next_look = cpu + CPU_SLICE_NS
    finally:
        end = read_clock()
        probe.close_segment(token, end.wall_ns, end)


def _stood_still(
    probe: RequestProbe, token: int, since: Clock, line: int | None
) -> tuple[int, Clock]:
    """The thread stood still: end the ``cpu`` piece (begun at ``since``) where it began
    waiting, record the wait, and open the next ``cpu`` piece: its token and clocks."""
    now = read_clock()
    pieces = waits(since, now)
    probe.close_segment(token, pieces[0][1] if pieces else now.wall_ns)
    for kind, s, e in pieces:
        probe.add_segment(kind, s, e, line)
    return probe.open_segment("cpu", now.wall_ns, line, now), now


def upstream_url(dials: Dials, source: int = 0) -> str:
    """The slow upstream's address for one call that answers after ``dials.io_ms``."""
    base = settings.LANES_UPSTREAM_URL.rstrip("/")
    return f"{base}/news?delay_ms={dials.io_ms:g}&source={source}"


class UpstreamRefused(Exception):
    """The upstream's host does not resolve to this machine only, and no one allowed it."""


def _target(url: str) -> tuple[str, dict[str, str]]:
    """Where the call really goes: unless the person running it allowed another host
    (``LANES_UPSTREAM_ANY_HOST``), the loopback address the host resolves to *now*, pinned,
    so a name mapped elsewhere (a hosts file, a resolver) never sends the call off the
    machine."""
    if settings.LANES_UPSTREAM_ANY_HOST:
        return url, {}
    try:
        return pinned(url)
    except NotLoopback as exc:
        raise UpstreamRefused(f"upstream refused: {exc}") from None


class UpstreamTooLarge(Exception):
    """The upstream answered more than ``LANES_UPSTREAM_MAX_BYTES``."""


class UpstreamTooSlow(Exception):
    """The upstream call took longer than ``LANES_UPSTREAM_DEADLINE`` in all."""


def _checked_length(read: int, chunk: bytes) -> int:
    read += len(chunk)
    if read > settings.LANES_UPSTREAM_MAX_BYTES:
        raise UpstreamTooLarge(
            f"the upstream answered more than {settings.LANES_UPSTREAM_MAX_BYTES} bytes"
        )
    return read


def _too_slow(answered: bool) -> UpstreamTooSlow:
    deadline = settings.LANES_UPSTREAM_DEADLINE
    if not answered:
        return UpstreamTooSlow(f"the upstream gave no answer in {deadline:g} s")
    return UpstreamTooSlow(f"the upstream call took over {deadline:g} s")


def fetch(client: httpx.Client, url: str) -> None:
    """GET ``url``; fail on an error status, a body over the cap, or a call over the deadline.

    httpx's timeouts bound each read, not the call: an upstream trickling a byte a second
    would hold the view for ever, and one sending gigabytes would fill the memory. An
    upstream that never answers fails when the read times out (the client's timeout is the
    deadline), saying so."""
    deadline = time.monotonic() + settings.LANES_UPSTREAM_DEADLINE
    url, headers = _target(url)
    answered = False
    try:
        with client.stream("GET", url, headers=headers) as response:
            answered = True
            response.raise_for_status()
            read = 0
            for chunk in response.iter_raw():
                read = _checked_length(read, chunk)
                if time.monotonic() > deadline:
                    raise _too_slow(answered)
    except httpx.TimeoutException:
        raise _too_slow(answered) from None


async def fetch_async(client: httpx.AsyncClient, url: str) -> None:
    """:func:`fetch` for an async client; the deadline cancels the call itself."""
    answered = False
    try:
        url, headers = _target(url)
        async with asyncio.timeout(settings.LANES_UPSTREAM_DEADLINE):
            async with client.stream("GET", url, headers=headers) as response:
                answered = True
                response.raise_for_status()
                read = 0
                async for chunk in response.aiter_raw():
                    read = _checked_length(read, chunk)
    except (TimeoutError, httpx.TimeoutException):
        raise _too_slow(answered) from None


def page(view: str, dials: Dials, detail: str = "") -> HttpResponse:
    """The small page every lesson view answers with."""
    text = f"{view}: io {dials.io_ms:g} ms, cpu {dials.cpu_ms:g} ms"
    return HttpResponse(f"{text}. {detail}".strip(), content_type="text/plain")
