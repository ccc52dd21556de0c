"""What the site records about each request while it serves it.

A host hands every request a :class:`RequestProbe` through the :data:`current_probe` context
variable before it calls Django. Context variables follow the request through ``sync_to_async``
and ``async_to_sync`` hand-offs, so a receiver or a view on any thread finds the probe of the
request it works for, and no global registry is needed.

The probe records raw facts only, each on one clock (``time.perf_counter_ns``) with the name of
the thread it happened on: *segments* that a view declares (``io_wait``, ``io_blocking``,
``cpu``) and *marks* where Django's own machinery was seen (signal receivers, middleware
entry and exit). Turning those facts into a lane of coloured segments is the host's job.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

__all__ = [
    "DECLARED_KINDS",
    "LaneErrorHandler",
    "Mark",
    "RawSegment",
    "RequestProbe",
    "current_probe",
    "measured",
]

#: The segment kinds a view may declare; the host derives the others.
DECLARED_KINDS = ("io_wait", "io_blocking", "cpu")


@dataclass(frozen=True, slots=True)
class RawSegment:
    """A stretch of time a view declared, on the thread where it happened."""

    kind: str
    start_ns: int
    end_ns: int
    thread: str
    #: Still running: ``end_ns`` is only "now", the moment the host looked.
    open: bool = False
    #: The line of ``views.py`` the segment belongs to (the ``with measured(...)`` around an
    #: await or a sleep, the ``burn_cpu(...)`` call), so the code panel can point at it.
    line: int | None = None


@dataclass(frozen=True, slots=True)
class Mark:
    """A moment Django's own machinery was seen working for the request.

    ``where`` says what was seen: ``"middleware_in"``/``"middleware_out"`` (the timing
    middleware, outermost), ``"sync_middleware_in"``/``"sync_middleware_out"``, or
    ``"signal"`` (a ``request_started``/``request_finished`` receiver).
    """

    ns: int
    thread: str
    where: str


@dataclass(slots=True)
class RequestProbe:
    """The raw record of one request, filled in by the host, the site and its views.

    The host sets ``picked_ns`` (a worker or the loop took the request), ``responded_ns``
    (the last byte of the response left the site) and ``finished_ns`` (Django returned, after
    its clean-up), and the client sets ``sent_ns``.

    Appends come from several threads; ``list.append`` is atomic, so no lock is needed.
    """

    request_id: int
    view: str
    sent_ns: int
    picked_ns: int | None = None
    picked_thread: str | None = None
    responded_ns: int | None = None
    finished_ns: int | None = None
    segments: list[RawSegment] = field(default_factory=list)
    marks: list[Mark] = field(default_factory=list)
    error: str | None = None
    #: Set by the host when the client has gone (Stop): the view should not start.
    abandoned: bool = False
    #: When the host's event loop ran this request's code: ``(start_ns, end_ns)`` steps.
    loop_steps: list[tuple[int, int]] = field(default_factory=list)
    #: Declared segments still running, by token: a live picture shows a wait as a wait
    #: while the class watches it, not only once it has ended.
    open_segments: dict[int, RawSegment] = field(default_factory=dict)
    #: ``(ns, +1)`` when a database connection opened for this request, ``(ns, -1)`` when it
    #: closed (see ``embedded_site.db.base``): one connection per thread, so they add up.
    db_events: list[tuple[int, int]] = field(default_factory=list)

    def mark(self, where: str) -> None:
        """Note that Django's machinery ran here, now."""
        self.marks.append(Mark(time.perf_counter_ns(), threading.current_thread().name, where))

    def add_segment(self, kind: str, start_ns: int, end_ns: int) -> None:
        """Record a segment that ran on the calling thread."""
        self.segments.append(RawSegment(kind, start_ns, end_ns, threading.current_thread().name))

    def open_segment(self, kind: str, start_ns: int, line: int | None = None) -> int:
        """Note that a segment of ``kind`` started on the calling thread; returns its token."""
        thread = threading.current_thread().name
        segment = RawSegment(kind, start_ns, start_ns, thread, True, line)
        token = id(segment)
        self.open_segments[token] = segment
        return token

    def close_segment(self, token: int, end_ns: int) -> None:
        """Record the open segment ``token`` as ended at ``end_ns``.

        The closed segment is appended before the open one is dropped, so a reader on
        another thread sees it at least once (overlaps are clipped when lanes are built).
        """
        segment = self.open_segments[token]
        self.segments.append(
            RawSegment(segment.kind, segment.start_ns, end_ns, segment.thread, False, segment.line)
        )
        del self.open_segments[token]

    def segments_until(self, now_ns: int) -> list[RawSegment]:
        """Every declared segment, the open ones drawn up to ``now_ns``."""
        closed = list(self.segments)
        running = [
            RawSegment(s.kind, s.start_ns, max(now_ns, s.start_ns), s.thread, True, s.line)
            for s in list(self.open_segments.values())
        ]
        return closed + running


#: The probe of the request being served in this context, set by the host.
current_probe: ContextVar[RequestProbe | None] = ContextVar("current_probe", default=None)


@contextmanager
def measured(kind: str) -> Iterator[None]:
    """Record the body of the ``with`` block as one segment of ``kind`` for this request.

    Outside a probed request (a plain ``runserver``, Django's test client) it only runs the
    body, so the views stay ordinary Django code.
    """
    if kind not in DECLARED_KINDS:
        raise ValueError(f"kind must be one of {DECLARED_KINDS}, not {kind!r}")
    probe = current_probe.get()
    if probe is None:
        yield
        return
    token = probe.open_segment(kind, time.perf_counter_ns(), _view_line())
    try:
        yield
    finally:
        probe.close_segment(token, time.perf_counter_ns())


#: The lesson views' file: the frame of a segment's view is found by it.
_VIEWS_FILE = str(Path(__file__).with_name("views.py"))


def _view_line() -> int | None:
    """The line of ``views.py`` whose code opened the segment being measured, if it is on
    this thread's stack (an ORM query run by ``sync_to_async`` is not: ``None``).

    A walk of a few frames per segment: microseconds, against segments of milliseconds."""
    frame: FrameType | None = sys._getframe(2)  # past measured() and contextlib's __enter__
    for _ in range(40):
        if frame is None:
            return None
        if frame.f_code.co_filename == _VIEWS_FILE:
            return frame.f_lineno
        frame = frame.f_back
    return None


def mark(where: str) -> None:
    """Mark, on the current request's probe if there is one, that Django's machinery ran."""
    probe = current_probe.get()
    if probe is not None:
        probe.mark(where)


def on_request_signal(**kwargs: object) -> None:
    """Receiver for ``request_started`` and ``request_finished``.

    Under ASGI Django sends both from worker threads (``sync_to_async``); marking them makes
    those threads, and the hand-offs to them, part of the trace.
    """
    mark("signal")


class LaneErrorHandler(logging.Handler):
    """Keeps the error behind a 500 with the request's trace.

    Django logs every unhandled view error to ``django.request`` with the exception attached;
    this handler is wired there in ``settings.LOGGING``. The probe is found through the
    context variable, or, where Django logged from another context, through ``record.request``.
    """

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info is None or record.exc_info[1] is None:
            return
        probe = current_probe.get()
        request = getattr(record, "request", None)
        if probe is None and request is not None:
            probe = getattr(request, "lane_probe", None)
        if probe is None or probe.error is not None:
            return
        exc = record.exc_info[1]
        probe.error = f"{type(exc).__name__}: {exc}"
