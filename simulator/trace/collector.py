"""Python's cycle collector paused while a big run's objects are made or read.

A 10,000-request run holds hundreds of thousands of small objects (segments, lanes, the
probes' records), none in a reference cycle. Each full collection walks them all again: one
can fall due soon after they are made, and the small allocations of the figures or an export
then trigger it, costing the better part of a second in the middle of a step that takes tens
of milliseconds. Pausing the collector over such a step loses nothing: what it makes is freed by
reference counting, and collection resumes after. What it saves is occasional:
``benchmarks/collector.py`` (10,000 requests, a shared machine, December 2026) saw no full
collection between the last answer and the summary in most runs without the pauses (at
least 6 of 9), and two, about a second, in at least one; with them, none in 9. The JSON
export saw none either way. It costs nothing, so it stays, counted as below.

The collector is the process's, not a thread's: the window's loop takes a live snapshot
while a thread summarises or exports another run. So the pauses are counted under a lock:
the first to enter turns the collector off, the last to leave puts it back as the first
found it, whichever threads they run on.

**No pause while a run is measured** (:func:`measuring`, around the life of an in-process
run's server): the collector is then the site's too, and it runs as it would in a server
alone. A pause then (a live frame's snapshot and figures, taken on a worker thread while
the site serves, or the answers' figures while Django tidies up) turned the site's
collector off with ours for the whole of it: 0.3-5 s of wall time a frame at 10,000
requests, the site's own collections put off meanwhile. Nor does a pause save the walk, it
piles it up: every object made meanwhile, the site's and the snapshot's, is young when it
ends, and the first allocation after it walks them all in one young collection, then again
in the next middle one. ``benchmarks/live_window.py`` (10,000 requests, December 2026, load
4) saw a collection of generation 0 of 700 ms (CPU 493) right after a snapshot, and one of
generation 1 of 695 ms, each holding the GIL, so the window's loop stood still that long;
headless, the worst of either was 234-278 ms of CPU with the pauses, 59-83 ms without.
Inside :func:`measuring` a :func:`paused_collection` block leaves the collector as it is:
young collections come every 700 allocations, as they would, a few ms each. What it costs
is said as it is: a run watched live then has more full collections, since what is alive
when a young collection comes is promoted, the snapshot's half-built lanes and the site's
requests of the moment alike, where a pause let many of them die unwalked first. Headless,
10,000 requests with a snapshot a second (``benchmarks/gc_census.py``, load 7): 18-19 full
collections up to the last answer, 4.3-5.3 s of CPU in all, against 14-15 and 3.2-3.6 s with
the pauses; with no snapshot at all, as the command line runs, 15 and 2.6-2.9 s.

A command-line process whose run is its last (``async-lanes run``, :mod:`app.launcher`) keeps
the collector off from its start to its run's (:func:`off_after_measuring`, then the first
:func:`settle`): the imports and Django's boot make about 100,000 objects, and the collections
they set off before the settle's own (about 130 young, 12 middle and one full) were 30-60 ms
of a start of 0.4-0.5 s on a shared machine, for about a thousand objects of garbage, which the
settle's collection finds all the same. That one full collection stays, though freezing alone
would keep the run's collections off the start's objects: it also sets CPython's count of
long-lived objects, a quarter of which must reach the oldest generation before the next full
collection, so without it the run's own full collections come sooner (one more in a 3,000-
request run, measured), and what the site is measured doing would change. It also
leaves the collector off once the measuring has ended (:func:`off_after_measuring`): the lanes
it builds then (a few hundred thousand objects) are young, and the first allocation after a
pause would walk them all in one collection (0.1 s after 3,000 requests) that frees nothing,
only to exit a moment later. While the run is measured the collector is as it always was.
Such a process also keeps what its run was measured with until it ends
(:func:`kept_until_exit`): the exit frees nothing one by one, and neither should a function
returning just before it.

**Settled objects are frozen** (:func:`settle`: ``gc.collect()``, then ``gc.freeze()``),
before a run starts its server and after a run is over (``run_scenario``, the window's
session when its runs end). A full collection walks every object the collector tracks, and a
process of ours holds far more than a Django server does: counted with ``gc.get_objects()``,
a process that has only booted the site tracks about 48,000 objects; ours adds our engine
(12,000), in the window Qt and the app (53,000 more before a window is shown), and every
finished run it keeps: 280,000 for 10,000 requests (its lanes, segments, figures). The window
keeps the last run while the next one runs live, so each full collection inside a live frame
walked it again (0.2-0.7 s each, ``benchmarks/gc_frames.py``), and the site's own full
collections, which the lessons measure, walked it too. Frozen, none of them walks it: what a
run's full collections walk is what that run made (the site's requests, the client, the trace
so far), as in a fresh process, and every run of a process (a lesson's A and B, the window's
tenth) is measured alike. Django's boot objects are frozen too, which a server's full
collections would walk (about 15 ms of CPU each): freezing is all or nothing, and leaving out
those 48,000 is nearer a server than walking our 65,000 more and every run kept. What the site
is measured doing moves by that much: 1,000 ``async_io`` requests at 500 ms in a fresh
process (``overhead.py``'s (d), old and new code taking turns, load 4.3-4.5) had full
collections of 74-94 ms of CPU in all against 173-195 ms, its loop blocked 56-99 ms against
118-274 ms and its makespan 1.95-2.59 s against 2.05-2.82 s.

Freezing keeps nothing alive: a frozen object is freed by reference counting when the last
reference to it goes. Only garbage in a reference cycle needs the collector, so the
collection before each freeze takes what is garbage then, and what is frozen must not become
cyclic garbage later. A finished run forms no cycle (a trace is frozen dataclasses of tuples:
``tests/simulator/test_collector.py`` drops a frozen run and sees its objects freed); a
``LiveRun``'s server does (Django's middleware chain), which is why a run is settled before
its server is built and after its ``LiveRun`` is dropped, never while one is alive.
``benchmarks/soak.py`` checks memory stays flat over 100 runs in one process (+3.2%, as
before: +3.8%).

What freezing does not change: a full collection still falls due as a run's own objects grow
(CPython's rule: once those that reached the oldest generation since the last one are a
quarter of what it holds, frozen objects not counted), so with less held they come a little
more often and each costs less: while a 10,000-request run is measured, 19 against 16, 5.0 s
of CPU in all against 5.1 s. With thousands of requests in flight they walk the site's
requests, the client's and the probes' records (about 120 objects a request), up to a second
each: that still stalls the window's live frames of a 10,000-request run, and no policy here
can take it away without changing what the site is measured doing (turning full collections
off while a run is measured would). Counted by owner 5 s into 10,000 requests watched live
(``benchmarks/gc_census.py``, 1.36 million objects walked): the site's own (Django, asgiref,
asyncio's tasks and contexts for its requests) 50%, the live snapshot's lanes and their
bookkeeping 18%, our client 15%, our server (a real server holds its own) 10%, the probes'
records 4%, the loop monitor's wrappers 1.5%. The site's half alone makes a full collection
of hundreds of ms. Measured against the lessons (December 2026, a shared
machine): every lesson passed ``lesson N --check`` twice in a row, and the figures they print
agree with the old code's, run in the same minutes, within their own run-to-run spread.
"""

from __future__ import annotations

import contextlib
import gc
import threading
import time
from collections.abc import Callable, Iterator

__all__ = [
    "Collections",
    "kept_until_exit",
    "made_unwalked",
    "measuring",
    "measuring_ended",
    "off_after_measuring",
    "paused_collection",
    "settle",
]


class _Pauses:
    """How many :func:`paused_collection` blocks are open, in every thread, and whether
    the collector was on when the first of them opened."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.depth = 0
        self.was_enabled = False
        self.off_after_measuring = False
        #: The pause :func:`off_after_measuring` opened for the process's start, which the
        #: first :func:`settle` leaves.
        self.starting = False
        #: A process that said :func:`off_after_measuring` and whose measuring has ended.
        self.exiting = False
        #: How many in-process runs are being measured (:func:`measuring`): no pause then.
        self.measuring = 0

    def enter(self, was_enabled: bool | None = None) -> bool:
        """Pause the collector, unless a run is measured; returns whether it paused. The
        first pause puts it back as it is now when it ends, or on if ``was_enabled``
        says it was on before its caller turned it off."""
        with self.lock:
            if self.measuring and not self.exiting:
                return False
            if self.depth == 0:
                self.was_enabled = gc.isenabled() or bool(was_enabled)
                gc.disable()
            self.depth += 1
            return True

    def leave(self) -> None:
        with self.lock:
            self.depth -= 1
            if self.depth == 0 and self.was_enabled:
                gc.enable()


_PAUSES = _Pauses()

#: What :func:`kept_until_exit` holds.
_KEPT: list[object] = []


@contextlib.contextmanager
def paused_collection() -> Iterator[None]:
    """The cycle collector off inside the block, back as it was after the last open block
    ends (nested, or open at once in several threads); left as it is if the block opens
    while a run is measured (:func:`measuring`)."""
    paused = _PAUSES.enter()
    try:
        yield
    finally:
        if paused:
            _PAUSES.leave()


@contextlib.contextmanager
def made_unwalked() -> Iterator[None]:
    """:func:`paused_collection`, and what is alive at the block's end frozen
    (``gc.freeze()``): the window's reader of the site's frames makes ~100,000 objects at
    once (a frame of 10,000 lanes unpickled and applied), none in a reference cycle. Paused
    alone, they were all young when the pause ended, and the first allocation after it, on
    whichever thread (the window's, as a rule, drawing), walked them in one young
    collection, then again in the next middle one: 38-72 ms each in the window's loop at
    10,000 lanes (``benchmarks/live_window.py``, December 2026), one of them the most of a
    118 ms frame. Frozen, no collection walks them; each is freed by reference counting when
    the next frame replaces it, as before. What it costs: garbage in a reference cycle that
    was alive at the block's end (anything of the process's, young or old) is never
    collected; the window's :func:`settle` freezes everything at every run's end anyway.
    Left as it is, like the pause, while a run is measured in this process."""
    paused = _PAUSES.enter()
    try:
        yield
        if paused:
            gc.freeze()
    finally:
        if paused:
            _PAUSES.leave()


@contextlib.contextmanager
def measuring() -> Iterator[None]:
    """An in-process run is measured inside the block (its server's whole life): the
    collector is the site's, and no :func:`paused_collection` opened meanwhile, on any
    thread, turns it off (module docstring). One opened before goes on to its end."""
    with _PAUSES.lock:
        _PAUSES.measuring += 1
    try:
        yield
    finally:
        with _PAUSES.lock:
            _PAUSES.measuring -= 1


def off_after_measuring(off: bool = True, *, was_enabled: bool | None = None) -> None:
    """Say that this process exits once its run is measured and saved: the collector is off
    from now to the run's first :func:`settle`, and from :func:`measuring_ended` on
    (``False`` says it no more, and ends the first pause). Importing this module imports
    numpy and the trace's classes, whose collections the launcher spares too: it turns the
    collector off first and says here that it ``was_enabled`` before."""
    _PAUSES.off_after_measuring = off
    if off and not _PAUSES.starting:
        _PAUSES.starting = _PAUSES.enter(was_enabled)
    elif not off and _PAUSES.starting:
        _PAUSES.starting = False
        _PAUSES.leave()


def measuring_ended() -> None:
    """The run's measuring is over (every request answered or given up, Django's tidying
    after them ended): in a process that said :func:`off_after_measuring`, the collector is
    paused from here to the exit (a pause never left). Elsewhere (the window, a lesson's
    several runs, the tests) nothing changes."""
    if _PAUSES.off_after_measuring:
        _PAUSES.exiting = True
        _PAUSES.enter()


def kept_until_exit(*objects: object) -> None:
    """In a process that said :func:`off_after_measuring`, hold ``objects`` until it exits
    (which frees nothing one by one: ``app.launcher``): a 10,000-request run's probes,
    records and lanes, freed object by object when the function holding them returns, cost
    a tenth of a second of CPU or more just before the exit. Elsewhere, nothing is held."""
    if _PAUSES.off_after_measuring:
        _KEPT.extend(objects)


def settle(*, full: bool = True) -> None:
    """Everything alive now is settled for the collector: what is garbage is collected (one
    full collection, which walks only what was made since the last settle), the rest frozen
    (``gc.freeze()``): never walked by a collection again, still freed by reference counting
    when dropped. Call it between runs, with no ``LiveRun`` alive but the one about to start
    its server (module docstring). In a process that exits once its run is measured, the
    first settle also ends the collector's pause since the start (its full collection is
    the start's only one: module docstring); after the measuring, nothing is done: it stays
    off to the exit.

    ``full=False`` collects only the young generations first: in the window's process, whose
    site runs in a process of its own, no collection there is measured, and the full one found
    no garbage at a run's end (0 objects, 61 ms at 1,000 requests, 135-165 ms at 10,000), only
    held the window's loop that long as the finished run was drawn."""
    if _PAUSES.exiting:
        return
    gc.collect(2 if full else 1)
    gc.freeze()
    if _PAUSES.starting:
        _PAUSES.starting = False
        _PAUSES.leave()


class Collections:
    """The collector's own pauses in this process as they happen (``gc.callbacks``): when
    each began and ended (``perf_counter_ns``) and its generation, those of at least
    ``shortest_ns``. A collection holds the GIL throughout: in the site's process, none of
    its threads runs meanwhile, nor can the records of a live run be read there. The site's
    process keeps them and sends them with its live frames, so that a frame of the window's
    that waited for the site's records can say whether the site's own collection held them
    up (``benchmarks/render.py``; what that found, and how the window is told of a full one
    as it begins: ``hosting/site_process/collecting.py``). Two calls per collection, as it
    starts and stops, one clock read each: the site is not measured doing anything else for
    it."""

    def __init__(
        self, shortest_ns: int = 1_000_000, full: Callable[[str, int], None] | None = None
    ) -> None:
        self.shortest_ns = shortest_ns
        #: Told of each full collection as it starts and stops: ``full(phase, now_ns)``
        #: (the site's process tells the window: ``collecting.CollectionTeller.seen``).
        self.full = full
        self._began = 0
        self._pauses: list[tuple[int, int, int]] = []

    def install(self) -> None:
        """Record this process's collections from now on."""
        gc.callbacks.append(self._called)

    def uninstall(self) -> None:
        """Record no more of them (those recorded stay to be :meth:`taken`)."""
        with contextlib.suppress(ValueError):
            gc.callbacks.remove(self._called)

    def _called(self, phase: str, info: dict[str, int]) -> None:
        now = time.perf_counter_ns()
        if phase == "start":
            self._began = now
        elif now - self._began >= self.shortest_ns:
            self._pauses.append((self._began, now, info["generation"]))
        if self.full is not None and info["generation"] == 2:
            self.full(phase, now)

    def taken(self) -> list[tuple[int, int, int]]:
        """The pauses recorded since the last call: ``(start_ns, end_ns, generation)``."""
        pauses, self._pauses = self._pauses, []
        return pauses
