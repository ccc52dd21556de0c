"""Server-Timing lanes for any Django project: one file, Django only, nothing else.

This file is the distributable part of Django Async Lanes: copy it into your project (it
imports nothing but Django and the standard library) and add two lines to ``settings.py``::

    MIDDLEWARE = ["yourproject.server_timing.ServerTimingMiddleware", *MIDDLEWARE]

Then ``async-lanes run --url http://127.0.0.1:8000/some/page/`` draws, in each request's lane,
what the server did: Django's own time (``framework``), the view (``view``) and every SQL
query (``sql``, through ``connection.execute_wrapper``), each with its thread and process id.
A copied file rather than a package on PyPI: there is nothing to install, nothing pulls Qt or
httpx into a production image, and the code a team adds to its site is the 150 lines it can
read here.

The header is standard ``Server-Timing`` (browsers' developer tools show it too)::

    Server-Timing: lanes;desc="pid=812 thread=MainThread t0=123456789012",
                   view;dur=52.100;desc="at=0.410 thread=MainThread",
                   sql;dur=3.250;desc="at=1.020 thread=MainThread", total;dur=53.000

``t0`` is the server's monotonic clock (``time.perf_counter_ns``) when the request reached
the middleware; ``at`` is each segment's start in ms after that. A client on the same machine
shares that clock; one elsewhere places the server's span inside its own wait.

Segments recorded elsewhere (the lesson site's ``measured()`` blocks) can be handed to
:func:`server_timing_header` too: the lesson site's own middleware does exactly that.
"""

from __future__ import annotations

import math
import os
import re
import threading
import time
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

__all__ = [
    "HEADER",
    "ServerSegment",
    "ServerTiming",
    "ServerTimingMiddleware",
    "header_metrics",
    "parse_server_timing",
    "server_timing_header",
]

#: The response header every timing goes into.
HEADER = "Server-Timing"


@dataclass(frozen=True, slots=True)
class ServerSegment:
    """One timed stretch on the server: ``start_ms`` after the middleware saw the request."""

    kind: str
    start_ms: float
    duration_ms: float
    thread: str


@dataclass(frozen=True, slots=True)
class ServerTiming:
    """What one response's header said: the server's process, thread and clock, its segments."""

    pid: int
    thread: str
    t0_ns: int
    total_ms: float
    segments: tuple[ServerSegment, ...]


#: At most this many segments go into one header (each entry is under 200 bytes, so a
#: response head stays well under the 16 KB many servers and proxies allow).
MAX_SEGMENTS = 60

#: Kinds that alternate in long runs on one thread (a computation and its waits to run):
#: past ``MAX_SEGMENTS``, neighbours of these are summed (see :func:`_coalesced`).
_ALTERNATING = ("cpu", "gil_wait", "core_wait")

_Segment = tuple[str, int, int, str]


def server_timing_header(t0_ns: int, end_ns: int, segments: Iterable[_Segment]) -> str:
    """The header's value for a request seen from ``t0_ns`` to ``end_ns`` (monotonic ns),
    with ``segments`` as ``(kind, start_ns, end_ns, thread)``."""
    thread = threading.current_thread().name
    parts = [f'lanes;desc="pid={os.getpid()} thread={_clean(thread)} t0={t0_ns}"']
    for kind, start, end, seg_thread in _coalesced(sorted(segments, key=lambda s: s[1])):
        parts.append(
            f"{_clean(kind)};dur={(end - start) / 1e6:.3f};"
            f'desc="at={(start - t0_ns) / 1e6:.3f} thread={_clean(seg_thread)}"'
        )
    parts.append(f"total;dur={(end_ns - t0_ns) / 1e6:.3f}")
    return ", ".join(parts)


def _coalesced(segments: list[_Segment]) -> list[_Segment]:
    """At most about ``MAX_SEGMENTS``: a long computation that took turns with other threads
    is hundreds of ``cpu``/``gil_wait`` pieces. Past the limit, each run of such neighbours on
    one thread is cut into groups, and a group becomes one piece per kind, laid end to end
    from where it began: every kind's sum and the group's span stay exact, only the order
    inside a group is lost."""
    if len(segments) <= MAX_SEGMENTS:
        return segments
    per_group = -(-len(segments) // (MAX_SEGMENTS // len(_ALTERNATING)))
    out: list[_Segment] = []
    group: list[_Segment] = []

    def flush() -> None:
        cursor = group[0][1]
        for kind in _ALTERNATING:
            total = sum(e - s for k, s, e, _ in group if k == kind)
            if total > 0:
                out.append((kind, cursor, cursor + total, group[0][3]))
                cursor += total
        group.clear()

    for seg in segments:
        if group and (
            seg[0] not in _ALTERNATING or seg[3] != group[0][3] or len(group) >= per_group
        ):
            flush()
        if seg[0] in _ALTERNATING:
            group.append(seg)
        else:
            out.append(seg)
    if group:
        flush()
    return out


def _clean(text: str) -> str:
    """A name fit for the header: no quotes, commas, semicolons, spaces or control bytes."""
    return "".join(ch if ch.isprintable() and ch not in '",; =\\' else "_" for ch in text)[:80]


def parse_server_timing(value: str | None) -> ServerTiming | None:
    """Read a header written by :func:`server_timing_header`; ``None`` if it holds no lanes
    entry (a site without this middleware, or another tool's Server-Timing)."""
    if not value:
        return None
    head: dict[str, str] | None = None
    total = 0.0
    segments: list[ServerSegment] = []
    for name, params in header_metrics(value):
        if name == "lanes":
            head = _desc(params.get("desc", ""))
        elif name == "total":
            total = _float(params.get("dur")) or 0.0
        elif name and "dur" in params:
            desc = _desc(params.get("desc", ""))
            at, dur = _float(desc.get("at")), _float(params.get("dur"))
            if at is None or dur is None:
                continue  # inf, nan, 1e308: no measurement, not a lane to draw
            segments.append(ServerSegment(name, at, max(0.0, dur), desc.get("thread", "?")))
    if head is None:
        return None
    try:
        pid, t0 = int(head.get("pid", "0")), int(head.get("t0", "0"))
    except ValueError:
        return None
    return ServerTiming(pid, head.get("thread", "?"), t0, total, tuple(segments))


#: A metric's or a parameter's name: an HTTP token (RFC 9110).
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")


def header_metrics(value: str) -> list[tuple[str, dict[str, str]]]:
    """A ``Server-Timing`` value's metrics as the W3C spec writes them: comma-separated
    metrics, each a name and ``;``-separated parameters whose values are tokens or quoted
    strings (which may hold commas, semicolons and ``\\`` escapes). Several headers are one
    value joined by commas. Parameter names are lower-cased; the first of a repeated one
    counts; a metric whose name is not a token is skipped, as the spec says."""
    metrics: list[tuple[str, dict[str, str]]] = []
    i, n = 0, len(value)
    while i < n:
        j = i
        while j < n and value[j] not in ",;":
            j += 1
        name = value[i:j].strip()
        params: dict[str, str] = {}
        i = j
        while i < n and value[i] == ";":
            j = i + 1
            while j < n and value[j] not in "=;,":
                j += 1
            key = value[i + 1 : j].strip().lower()
            i, text = j, ""
            if i < n and value[i] == "=":
                i += 1
                while i < n and value[i] in " \t":
                    i += 1
                if i < n and value[i] == '"':
                    i, text = _quoted(value, i + 1)
                j = i
                while j < n and value[j] not in ";,":
                    j += 1
                text, i = text or value[i:j].strip(), j
            if key:
                params.setdefault(key, text)
        i += 1  # past the comma
        if _TOKEN.fullmatch(name):
            metrics.append((name, params))
    return metrics


def _quoted(value: str, i: int) -> tuple[int, str]:
    """The quoted string starting after its opening quote at ``i``: where it ends, its text."""
    out: list[str] = []
    while i < len(value) and value[i] != '"':
        if value[i] == "\\" and i + 1 < len(value):
            i += 1
        out.append(value[i])
        i += 1
    return i + 1, "".join(out)


def _desc(desc: str) -> dict[str, str]:
    return dict(item.partition("=")[::2] for item in desc.split() if "=" in item)


#: The most a header's time may say, in ms (about 11 days). Beyond it, or not finite, a
#: number is no measurement: the rule of ``simulator/numbers.py``, kept here as well because
#: this file is copied into a project on its own.
_LARGEST_MS = 1e9


def _float(text: str | None) -> float | None:
    """A time from the header, or ``None`` when it is not a finite number in range."""
    try:
        value = float(text or 0)
    except ValueError:
        return None
    return value if math.isfinite(value) and abs(value) <= _LARGEST_MS else None


class _Recorder:
    """The segments of one request, appended from whatever thread runs them."""

    def __init__(self) -> None:
        self.t0_ns = time.perf_counter_ns()
        self.view_ns: int | None = None
        self.segments: list[tuple[str, int, int, str]] = []
        self.thread = threading.current_thread().name


#: The recorder of the request being served here. Context variables follow a request through
#: Django's ``sync_to_async``/``async_to_sync`` hand-offs, so an SQL query on any thread finds it.
_current: ContextVar[_Recorder | None] = ContextVar("lanes_server_timing", default=None)


def _timed_sql(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
    """An ``execute_wrapper`` that records the query on the current request, if any."""
    recorder = _current.get()
    if recorder is None:
        return execute(sql, params, many, context)
    start = time.perf_counter_ns()
    try:
        return execute(sql, params, many, context)
    finally:
        end = time.perf_counter_ns()
        recorder.segments.append(("sql", start, end, threading.current_thread().name))


def _wrap_connection(sender: Any, connection: Any, **kwargs: Any) -> None:
    """``connection_created`` receiver: every database connection, on every thread, times
    its queries (Django opens one per thread, and again after closing it at a request's end)."""
    if _timed_sql not in connection.execute_wrappers:
        connection.execute_wrappers.append(_timed_sql)


class ServerTimingMiddleware:
    """Times Django's framework, the view and each SQL query; answers with a Server-Timing
    header. Put it first in ``MIDDLEWARE`` so that it sees every other layer.

    Sync and async capable, with a ``process_view`` of the handler's own kind: under ASGI it
    costs no thread hand-off. ``view`` runs from the moment Django calls the view until the
    response is back here (inner middleware on the way out included; SQL drawn over it).
    """

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        from asgiref.sync import iscoroutinefunction, markcoroutinefunction
        from django.db import connections
        from django.db.backends.signals import connection_created

        self.get_response = get_response
        self._async = iscoroutinefunction(get_response)
        if self._async:
            markcoroutinefunction(self)
            self.process_view = self._process_view_async  # type: ignore[method-assign,assignment]
        connection_created.connect(_wrap_connection, dispatch_uid="lanes_server_timing")
        for connection in connections.all(initialized_only=True):
            _wrap_connection(None, connection)

    def __call__(self, request: Any) -> Any:
        if self._async:
            return self._acall(request)
        recorder = _Recorder()
        token = _current.set(recorder)
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        return _stamped(response, recorder)

    async def _acall(self, request: Any) -> Any:
        recorder = _Recorder()
        token = _current.set(recorder)
        try:
            response = await self.get_response(request)
        finally:
            _current.reset(token)
        return _stamped(response, recorder)

    def process_view(self, request: Any, view: Any, args: Any, kwargs: Any) -> None:
        """Note when Django calls the view (WSGI, or a sync-only stack)."""
        _note_view()

    async def _process_view_async(self, request: Any, view: Any, args: Any, kwargs: Any) -> None:
        """The same under ASGI, without a thread hand-off. It calls the shared body, not
        ``self.process_view``: ``__init__`` points that name here, so it would call itself."""
        _note_view()


def _note_view() -> None:
    """Note, on the request being served, when Django called its view."""
    recorder = _current.get()
    if recorder is not None:
        recorder.view_ns = time.perf_counter_ns()


def _stamped(response: Any, recorder: _Recorder) -> Any:
    end = time.perf_counter_ns()
    segments = list(recorder.segments)
    if recorder.view_ns is not None:
        segments.append(("view", recorder.view_ns, end, recorder.thread))
    response[HEADER] = server_timing_header(recorder.t0_ns, end, segments)
    return response
