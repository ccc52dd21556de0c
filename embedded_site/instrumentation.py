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

import functools
import itertools
import sys
import threading
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

from .waits import WAIT_MIN_NS, Clock, read_clock, waits

__all__ = [
    "AWAIT_SLACK_NS",
    "DECLARED_KINDS",
    "CopiedAt",
    "Mark",
    "RawSegment",
    "RequestProbe",
    "is_sleep",
    "over",
    "past_due",
    "current_probe",
    "measured",
    "view_line",
]

#: The segment kinds a view may declare; the host derives the others.
DECLARED_KINDS = ("io_wait", "io_blocking", "cpu")


# Records are never changed once made, but not frozen: a frozen dataclass takes five times
# as long to make (each field set through object.__setattr__), and every request makes
# several on its way (benchmarks/overhead.py, the probes' share).
@dataclass(slots=True)
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
    #: The thread's clocks where the segment began and ended, if read: the lane builder
    #: tells Django's work around it from the waits to run (``embedded_site.waits``). An
    #: end read later, with nothing but waiting between: after a sleep, or at the resume of
    #: a timed await ended at its deadline.
    start_clock: Clock | None = None
    end_clock: Clock | None = None
    #: A timed await's deadline (``measured(awaits=...)``): from then on the coroutine was
    #: ready, and a host looking later sees it ended there (:func:`past_due`); kept once it
    #: closed, since before it the timer was not due, however busy the loop was. On an open
    #: sleep (:func:`is_sleep`), where the sleep ends: not kept once it closed.
    due_ns: int | None = None


#: How late an idle loop may resume a timed await: ``selectors`` rounds epoll's timeout up
#: to a whole millisecond; and a sliver under ``WAIT_MIN_NS`` says nothing. Later than this,
#: the loop was busy (or starved of the GIL) when the timer was due.
AWAIT_SLACK_NS = 1_000_000 + WAIT_MIN_NS


def over(s: RawSegment, at_ns: int) -> bool:
    """Whether the open segment ``s`` was over by ``at_ns``: a timed await past its deadline
    (:func:`past_due`), or a sleep past its end by a wait worth drawing (``WAIT_MIN_NS``: the
    OS wakes a sleeper within about 0.1 ms, and its close draws waits from that long on)."""
    return past_due(s.due_ns, at_ns, _slack(s))


def _slack(s: RawSegment) -> int:
    return WAIT_MIN_NS if is_sleep(s) else AWAIT_SLACK_NS


def past_due(due_ns: int | None, at_ns: int, slack_ns: int = AWAIT_SLACK_NS) -> bool:
    """Whether a timed await (or a sleep: :func:`over` hands its slack) due at ``due_ns``,
    still not resumed at ``at_ns``, was over at its deadline: late by ``slack_ns``
    (``AWAIT_SLACK_NS``) or more, the rest is waiting for the loop. (Late by less, the
    sliver stays in the await.) The one comparison of a deadline with its slack."""
    return due_ns is not None and at_ns - due_ns >= slack_ns


@dataclass(slots=True)
class Mark:
    """A moment Django's own machinery was seen working for the request.

    ``where`` says what was seen: ``"middleware_in"``/``"middleware_out"`` (the timing
    middleware, outermost), ``"sync_middleware_in"``/``"sync_middleware_out"``,
    ``"hook_in"``/``"hook_out"`` (a hook of ``startproject``'s middleware, on its thread:
    ``embedded_site.startproject``), or ``"signal"`` (a ``request_started``/
    ``request_finished`` receiver).
    """

    ns: int
    thread: str
    where: str
    #: The thread's clocks at the mark (``ns`` is its wall time): between two marks on one
    #: thread, the CPU it used is Django working, the rest waiting to run.
    clock: Clock | None = None


@dataclass(slots=True)
class CopiedAt:
    """When a copy of another process's probes (the window's, of the site's) was last
    brought up to date, one for all its probes. Past it, nothing is known of them: a sleep or
    a timed await not over then is drawn going on up to a later "now", as what it was doing
    then (:meth:`RequestProbe.known_at`); while the site collects (none of its Python runs),
    after any time."""

    ns: int = 0


@dataclass(slots=True)
class RequestProbe:
    """The raw record of one request, filled in by the host, the site and its views.

    The host sets ``picked_ns`` (a worker or the loop took the request), ``responded_ns``
    (the last byte of the response left the site) and ``finished_ns`` (Django returned, after
    its clean-up), and the client sets ``sent_ns``.

    Appends come from several threads; ``list.append`` is atomic, so no lock is needed.
    Whoever records anything here (or in the client's record) calls :meth:`touch` after it:
    a live picture tells the few that recorded since its last frame by :attr:`version`.
    """

    request_id: int
    view: str
    sent_ns: int
    picked_ns: int | None = None
    picked_thread: str | None = None
    #: The picking thread's clocks then (a WSGI worker's; ``None`` when not read).
    picked_clock: Clock | None = None
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
    #: Set anew by :meth:`touch` after each record, to a number never set before (on any
    #: probe): a reader that read it, then the records, and finds it the same later has
    #: read every record made since (one made meanwhile sets it after itself).
    version: int = 0
    #: A copy's (the window's of the site's probes): when it was last brought up to date
    #: (``None``: the probe itself, up to date whenever it is read).
    copied: CopiedAt | None = None

    def known_at(self, now_ns: int) -> int:
        """How far ``now_ns`` its records are known: ``now_ns``, or a copy's :class:`CopiedAt`."""
        copied = self.copied
        return now_ns if copied is None else min(now_ns, copied.ns)

    def touch(self) -> None:
        """Note that something was recorded (call it after the record is in place)."""
        self.version = next(_VERSIONS)

    def mark(self, where: str, *, run_queue: bool = True) -> None:
        """Note that Django's machinery ran here, now, with this thread's clocks
        (``run_queue``: as :func:`~embedded_site.waits.read_clock` takes it)."""
        clock = read_clock(run_queue)
        self.marks.append(Mark(clock.wall_ns, threading.current_thread().name, where, clock))
        self.version = next(_VERSIONS)

    def add_segment(
        self,
        kind: str,
        start_ns: int,
        end_ns: int,
        line: int | None = None,
        end_clock: Clock | None = None,
    ) -> None:
        """Record a segment that ran on the calling thread (``end_clock``: the thread's
        clocks read at ``end_ns`` or later, with nothing but waiting in between)."""
        thread = threading.current_thread().name
        segment = RawSegment(kind, start_ns, end_ns, thread, line=line, end_clock=end_clock)
        self.segments.append(segment)
        self.version = next(_VERSIONS)

    def open_segment(
        self,
        kind: str,
        start_ns: int,
        line: int | None = None,
        clock: Clock | None = None,
        due_ns: int | None = None,
    ) -> int:
        """Note that a segment of ``kind`` started on the calling thread; returns its token.
        ``due_ns``: a timed await's deadline (:func:`past_due`), or where a sleep ends
        (:func:`is_sleep`)."""
        thread = threading.current_thread().name
        segment = RawSegment(kind, start_ns, start_ns, thread, True, line, clock, None, due_ns)
        token = id(segment)
        self.open_segments[token] = segment
        self.version = next(_VERSIONS)
        return token

    def close_segment(
        self, token: int, end_ns: int, clock: Clock | None = None, *, due: bool = True
    ) -> None:
        """Record the open segment ``token`` as ended at ``end_ns`` (without its deadline if
        not ``due``: a sleep's, which only says how its open segment is drawn).

        Appended before the open one is dropped (:meth:`closed_and_open` reads it once)."""
        s = self.open_segments[token]
        due_ns = s.due_ns if due else None
        self.segments.append(
            RawSegment(
                s.kind, s.start_ns, end_ns, s.thread, False, s.line, s.start_clock, clock, due_ns
            )
        )
        del self.open_segments[token]
        self.version = next(_VERSIONS)

    def segments_until(self, now_ns: int) -> list[RawSegment]:
        """Every declared segment, the open ones drawn up to ``now_ns``: a timed await past
        its deadline as its close will record it, ended there (:func:`past_due`); a sleep
        with where it ends only if it is over (then ``lane_parts.sleeps_over`` draws the
        rest), else going on; "past", "over" as :meth:`known_at` ``now_ns`` (:func:`_so_far`)."""
        closed, running = self.closed_and_open()
        known = self.known_at(now_ns)
        return closed + [_so_far(s, now_ns, known) for s in running]

    def closed_and_open(self, since: int = 0) -> tuple[list[RawSegment], list[RawSegment]]:
        """The closed segments (from the ``since``-th) and the open ones as of one moment,
        read while the site records: the open first, less those whose closed one is among
        the last appended (:meth:`close_segment` appends it, then drops the open one: a
        reader between the two, or before both, reads it once, closed)."""
        running = list(self.open_segments.values()) if self.open_segments else []
        closed = self.segments[since:]
        if running:
            end = since + len(closed)
            recent = self.segments[max(0, end - len(running) - 3) : end]  # (none since)
            ended = {(s.start_ns, s.thread) for s in recent}
            running = [s for s in running if (s.start_ns, s.thread) not in ended]
        return closed, running

    def due_by(self, now_ns: int) -> int | None:
        """When the next open timed await will be past its deadline, or the next open
        sleep past its end (:func:`over`), if not over by :meth:`known_at` ``now_ns``: a
        lane in flight drawn up to ``now_ns`` only grows with later "now"s until then (for a
        copy, that may be before ``now_ns``: its lane is drawn again until it is known)."""
        if not self.open_segments:
            return None  # (most lanes in flight of a big run, every frame)
        known = self.known_at(now_ns)  # (a copy's sleep not over then: drawn again each frame)
        dues = [
            s.due_ns + _slack(s)
            for s in list(self.open_segments.values())
            if s.due_ns is not None and not over(s, known)
        ]
        return min(dues, default=None)


#: :attr:`RequestProbe.version`'s numbers (``next`` of it is atomic: one thread's at a time).
_VERSIONS = itertools.count(1)


def is_sleep(s: RawSegment) -> bool:
    """Whether ``s`` is a ``time.sleep`` (``measured(sleeps=...)``): blocking I/O whose
    deadline is where the sleep ends, not where an await's timer was due."""
    return s.kind == "io_blocking" and s.due_ns is not None


def _so_far(s: RawSegment, now_ns: int, known_ns: int) -> RawSegment:
    """The open segment ``s`` as a host looking at ``now_ns`` draws it, its records known up
    to ``known_ns``: a timed await past its deadline then, ended there; a sleep still open
    past its end then, whole, to ``now_ns``, with where it ends (``lane_parts.sleeps_over``
    says how it is drawn); one not over then, going on up to ``now_ns``: a copy drawn later
    than it was brought up to date does not know whether its thread woke, or its coroutine
    ran, and a guess of "waiting to run" drew lesson 20's sleepers as waiting for the GIL
    mid-run, which the finished picture said never happened."""
    due = s.due_ns
    if due is not None and not is_sleep(s) and over(s, known_ns):
        return RawSegment(
            s.kind, s.start_ns, due, s.thread, False, s.line, s.start_clock, None, due
        )
    sleeps_until = due if is_sleep(s) and over(s, known_ns) else None
    end = max(now_ns, s.start_ns)
    return RawSegment(
        s.kind, s.start_ns, end, s.thread, True, s.line, s.start_clock, None, sleeps_until
    )


#: The probe of the request being served in this context, set by the host.
current_probe: ContextVar[RequestProbe | None] = ContextVar("current_probe", default=None)


class measured:  # a context manager used as a function: ``with measured("io_wait"):``
    """Record the body of the ``with`` block as one segment of ``kind`` for this request.

    ``sleeps`` (seconds) says the body is a ``time.sleep`` of that long. The OS wakes a
    sleeper within about 0.1 ms, so time beyond it is the thread waiting to run again (for
    the GIL or a core: ``embedded_site.waits``), recorded as such; a sleep of 0 is no I/O.
    ``awaits`` (seconds) says the body awaits ``asyncio.sleep`` (or a timeout) of that long:
    0 is no I/O either, only a turn of the loop, drawn as waiting for the loop (lesson 15's B
    under load: 564 ms of it were drawn as awaiting I/O). Otherwise the wait was over when
    asyncio's timer was due: a resume later (by ``AWAIT_SLACK_NS`` or more) is the coroutine
    waiting for the loop, and the segment ends at the deadline (off the watched loop, such as
    asgiref's under WSGI, its thread waiting to run, told by the clocks read at the resume).
    (A 1 s ``asyncio.sleep`` under 10,000 requests was drawn as 3-11 s of awaiting I/O.)

    Outside a probed request (a plain ``runserver``, Django's test client) it only runs the
    body, so the views stay ordinary Django code.

    A class rather than ``@contextmanager``: a generator's context manager costs a request
    several microseconds more, and every measured wait pays it.
    """

    __slots__ = ("_awaits", "_kind", "_line", "_probe", "_sleeps", "_start", "_token")

    def __init__(self, kind: str, sleeps: float | None = None, awaits: float | None = None) -> None:
        if kind not in DECLARED_KINDS:
            raise ValueError(f"kind must be one of {DECLARED_KINDS}, not {kind!r}")
        if sleeps is not None and kind != "io_blocking":
            raise ValueError(f"a sleep is io_blocking, not {kind!r}")  # (see is_sleep)
        if awaits is not None and kind != "io_wait":
            raise ValueError(f"a timed await is io_wait, not {kind!r}")  # (see is_sleep)
        self._kind = kind
        self._sleeps = sleeps
        self._awaits = awaits
        self._probe: RequestProbe | None = None

    def __enter__(self) -> None:
        probe = current_probe.get()
        if probe is None or self._awaits == 0:
            return
        self._probe = probe
        self._line = view_line()
        self._start = start = read_clock()
        due = start.wall_ns + round(self._awaits * 1e9) if self._awaits else None
        if self._sleeps is not None:
            # A sleep's end, for a host looking while it is open: past it, the thread is
            # waiting to run again (``lane_parts.sleeps_over``), not sleeping.
            due = start.wall_ns + round(max(0.0, self._sleeps) * 1e9)
        self._token = probe.open_segment(self._kind, start.wall_ns, self._line, start, due)

    def __exit__(self, *exc_info: object) -> None:
        probe = self._probe
        if probe is None:
            return
        end = read_clock()
        if self._sleeps is not None:
            slept_ns = round(max(0.0, self._sleeps) * 1e9)
            _close_sleep(probe, self._token, self._start, end, slept_ns, self._line)
            return
        due_ns = probe.open_segments[self._token].due_ns
        if due_ns is not None and past_due(due_ns, end.wall_ns):
            # Ended at its deadline; the clocks read at the resume say how the thread
            # waited to run since (``lane_parts.resumed_late``).
            probe.close_segment(self._token, due_ns, end)
            return
        probe.close_segment(self._token, end.wall_ns, end)


def _close_sleep(
    probe: RequestProbe, token: int, start: Clock, end: Clock, slept_ns: int, line: int | None
) -> None:
    """Close a sleep's segment at its end, less the wait to run again after it."""
    pieces = waits(start, end, slept_ns)
    if slept_ns > 0:
        probe.close_segment(token, pieces[0][1] if pieces else end.wall_ns, end, due=False)
    else:
        del probe.open_segments[token]  # time.sleep(0): no I/O at all
        probe.touch()
    for n, (kind, s, e) in enumerate(pieces, 1):
        probe.add_segment(kind, s, e, line, end if n == len(pieces) else None)


#: The lesson views' file: the frame of a segment's view is found by it.
_VIEWS_FILE = str(Path(__file__).with_name("views.py"))


def view_line(depth: int = 2) -> int | None:
    """The line of ``views.py`` whose code opened the segment being measured, if it is on
    this thread's stack (an ORM query run by ``sync_to_async`` is not: ``None``).

    A walk of a few frames per segment: microseconds, against segments of milliseconds."""
    # From the frame ``depth`` up (the caller of measured's __enter__ or of burn_cpu), upwards.
    frame: FrameType | None = sys._getframe(depth)
    for _ in range(40):
        if frame is None:
            return None
        if frame.f_code.co_filename == _VIEWS_FILE:
            return frame.f_lineno
        frame = frame.f_back
    return None


def mark(where: str, *, run_queue: bool = True) -> None:
    """Mark, on the current request's probe if there is one, that Django's machinery ran."""
    probe = current_probe.get()
    if probe is not None:
        probe.mark(where, run_queue=run_queue)


def on_request_signal(sender: object = None, **kwargs: object) -> None:
    """Receiver for ``request_started`` and ``request_finished``.

    Under ASGI Django sends both from worker threads (``sync_to_async``); marking them makes
    those threads, and the hand-offs to them, part of the trace.

    There the thread is Django's own for this one request (``ThreadSensitiveContext``), and
    a mark reads no run queue: between the two signals it stood still (the loop ran the
    view), and each signal sits next to a point on the loop, so no wait is read between a
    signal and another reading of that thread. The reading opens the thread's ``/proc``
    schedstat (``embedded_site.waits``), and such a thread takes ~0.6 ms longer to end, which
    Django's handler awaits: a third of Django's own time for a request, one at a time
    (``benchmarks/overhead.py``). Under WSGI the worker threads live on and read it.
    """
    probe = current_probe.get()
    if probe is not None:
        probe.mark("signal", run_queue=not _asgi_handler(sender))


def _asgi_handler(sender: object) -> bool:
    return isinstance(sender, type) and issubclass(sender, _asgi_handler_class())


@functools.cache
def _asgi_handler_class() -> type:
    """Django's ASGI handler, imported once: an import statement run per signal (``from``
    a package's module goes through importlib's Python) cost each request ~7 us."""
    from django.core.handlers.asgi import ASGIHandler  # loaded: it is sending the signal

    return ASGIHandler
