"""A live run's frames and what a stopped run left behind: the pace of the snapshots.

A snapshot of thousands of lanes costs tens to hundreds of milliseconds: the site's process
takes it (``SiteProcess``, counting its CPU: ``snapshot_cpu_s``), or this one, competing with
the site for the GIL (``LiveRun`` in process). So it is asked for on a worker thread,
with whatever else the frame can work out from it without Qt (``prepare``: the figures'
columns and summary), and the window's thread only draws the result: a click waits for a
drawing, never for a snapshot. The frames are spaced by what the last one cost, whole
(:class:`Pace`): the CPU the worker spent, and the CPU the window's thread spent drawing it
(the timeline's layout and paint, the figures when due, and ``settle``: Qt delivering the
paints and layouts its widgets asked for). The site's views get three quarters of the
time, counted from one frame's start to the next; a frame comes at most every
:data:`FRAME_MS` after the last was drawn.

Once every request of an in-process run is answered, Django still tidies up after each for
seconds (:mod:`app.cli.answered` says why): no frame is taken while it does. Its threads
would make each snapshot ten times dearer and be slowed by it, and the window's thread,
drawing, would wait behind thousands of them for the GIL at every switch (a frame of 40 ms
of CPU took 5 s of wall time then). The answers' figures show instead, and the finished
run once it has ended.
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from simulator.metrics.figures import format_count
from simulator.trace import Run, Trace

from .runner import Answering, Leftover, RunHandle

__all__ = [
    "ANSWERS_GRACE_S",
    "FRAME_MS",
    "LANES_AFTER_TIDYING",
    "VIEWS_SHARE_RATIO",
    "LiveFrames",
    "Pace",
    "Prepare",
    "answers_once_answered",
    "answered_state",
    "stream_frames",
    "tidying_notice",
    "wait_for_leftovers",
]

#: Snapshot period while a run is live, at the shortest.
FRAME_MS = 33
#: A frame starts this many times what the last cost, plus once, after the last's start:
#: the site's views get three quarters of the time.
VIEWS_SHARE_RATIO = 3.0

#: How long after the last answer Django's tidying may take before the answers' figures are
#: shown without waiting for it: as the command line's ``app.cli.answered.GRACE_S``.
ANSWERS_GRACE_S = 0.3

#: Work done with each snapshot on the worker thread, before the window draws it (no Qt).
Prepare = Callable[[Trace, int], None]


@dataclass
class Pace:
    """When the next frame is due (:meth:`after`): from the last frame's start, ``1 +``
    :data:`VIEWS_SHARE_RATIO` times what it cost, whole; and ``frame_s`` after it was drawn
    at the shortest."""

    frame_s: float

    def after(self, made_cpu_s: float, drawn_cpu_s: float, took_s: float = 0.0) -> float:
        """The wait before the next frame, after one whose snapshot (and the work prepared
        with it) took ``made_cpu_s`` of its thread's CPU, whose drawing took ``drawn_cpu_s``
        of the window's thread's, and which took ``took_s`` of wall time from its snapshot's
        start to the end of its drawing. Wall times are not the frame's cost: amid
        thousands of the site's threads most of them is waiting for the GIL while those
        run, or for a full collection in one of them (a frame drawn in 30 ms of CPU took a
        second of wall time then). That wait is the site's time already: it is counted from
        the frame's start, not added after its end (which spaced the frames of 10,000
        requests 3.7 s apart for 0.35 s of CPU each)."""
        cost = made_cpu_s + drawn_cpu_s
        return max(self.frame_s, cost * (1 + VIEWS_SHARE_RATIO) - took_s)


def _made(handle: RunHandle, now_ns: int, prepare: Sequence[Prepare]) -> tuple[Trace, float]:
    """On the worker thread: the snapshot at ``now_ns``, prepared, and the CPU they took,
    the site's process's included where the snapshot was taken there (``snapshot_cpu_s``)."""
    cpu = time.thread_time()
    trace = handle.snapshot(now_ns)
    for each in prepare:
        each(trace, now_ns)
    elsewhere = float(getattr(handle, "snapshot_cpu_s", 0.0))
    return trace, time.thread_time() - cpu + elsewhere


async def _off_the_loop(work: Callable[[], tuple[Trace, float]]) -> tuple[Trace, float]:
    """``work()`` on a worker thread. Cancelled, it still waits for the worker to finish (a
    thread cannot be stopped): no snapshot of this run outlives its stream of frames."""
    done = asyncio.ensure_future(asyncio.to_thread(work))
    try:
        return await asyncio.shield(done)
    except asyncio.CancelledError:
        await asyncio.gather(done, return_exceptions=True)
        raise


async def stream_frames(
    handle: RunHandle,
    frame_s: float,
    frame: Callable[[Trace, int], None],
    settle: Callable[[], None] | None = None,
    *,
    prepare: Sequence[Prepare] = (),
    answered: asyncio.Future[None] | None = None,
) -> None:
    """Call ``frame(snapshot, now_ns)`` on the loop for the live run of ``handle`` until
    cancelled, or until ``answered`` is done (the last answer: no frame after it). Each
    snapshot is taken, and ``prepare`` run on it, on a worker thread; ``frame`` then draws it
    (the window lays its timeline out and paints it inside the call), and after a turn of
    the loop ``settle`` runs the paints the window's widgets posted for later (what Qt drew
    in that turn is timed with the frame). The next frame waits as :class:`Pace` says, the
    loop free meanwhile."""
    pace = Pace(frame_s)
    last = answered
    wait = frame_s
    while True:
        if last is not None:
            await asyncio.wait({last}, timeout=wait)
        else:
            await asyncio.sleep(wait)
        if last is not None and last.done():
            return
        if not handle.started:
            wait = frame_s
            continue
        now = time.perf_counter_ns()
        trace, made_cpu_s = await _off_the_loop(functools.partial(_made, handle, now, prepare))
        if last is not None and last.done():
            return  # taken before the last answer, it would be drawn amid Django's tidying
        start = time.thread_time()
        frame(trace, now)
        # A turn of the loop between the lanes and the paints the widgets posted: a click
        # waits for one of them, not both.
        await asyncio.sleep(0)
        if settle is not None:
            settle()
        took_s = (time.perf_counter_ns() - now) / 1e9
        wait = pace.after(made_cpu_s, time.thread_time() - start, took_s)
        ahead = getattr(handle, "frame_at", None)  # the site's process: records sent ahead
        if ahead is not None:
            ahead(time.perf_counter_ns() + int(wait * 1e9))


async def answers_once_answered(
    handle: Answering,
    answered: asyncio.Future[None],
    frames: asyncio.Future[None],
    show: Callable[[Run, int], None],
) -> None:
    """Once every request is answered, the frames have ended and :data:`ANSWERS_GRACE_S`
    has passed: the answers' figures (:meth:`~simulator.hosting.engine.LiveRun.answers`,
    read on a worker thread amid Django's tidying) handed to ``show`` with how many
    answered requests Django is still tidying up after; nothing for a stopped run. Cancel
    it when the run ends."""
    await answered
    await asyncio.wait({frames})
    # A run whose tidying ends within the grace shows its figures once, the whole run's
    # (the session cancels this as the run ends): no answers' figures flashing by first.
    await asyncio.sleep(ANSWERS_GRACE_S)
    if handle.stopping:
        return
    answers, tidying = await asyncio.to_thread(handle.answers)
    show(answers, tidying)


class LiveFrames:
    """A live run's frames (:func:`stream_frames`) and, for a run that says when every
    request is answered (:class:`~app.session.runner.Answering`; ``answered`` awaits that
    where the run goes), the answers' figures then (:func:`answers_once_answered`), handed
    to ``show_answers``. Started at once;
    :meth:`close` when the run has ended."""

    def __init__(
        self,
        handle: RunHandle,
        answered: Callable[[], Awaitable[None]] | None,
        frame_s: float,
        frame: Callable[[Trace, int], None],
        settle: Callable[[], None] | None,
        prepare: Sequence[Prepare],
        show_answers: Callable[[Run, int], None],
    ) -> None:
        answering = handle if isinstance(handle, Answering) and answered else None
        self._answered = asyncio.ensure_future(answered()) if answered and answering else None
        self._frames = asyncio.ensure_future(
            stream_frames(handle, frame_s, frame, settle, prepare=prepare, answered=self._answered)
        )
        self._answers = None
        if answering is not None and self._answered is not None:
            self._answers = asyncio.ensure_future(
                answers_once_answered(answering, self._answered, self._frames, show_answers)
            )

    @property
    def answers_shown(self) -> bool:
        """Whether the answers' figures were handed over before the run ended."""
        shown = self._answers
        return shown is not None and shown.done() and not shown.cancelled()

    async def close(self) -> None:
        """No frame more (one under way is drawn or dropped first), no answers."""
        tasks = [t for t in (self._frames, self._answered, self._answers) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def tidying_notice(tidying: int) -> str:
    """What the window says while Django tidies up after ``tidying`` answered requests."""
    plural = "s" if tidying != 1 else ""
    return (
        f"Every request answered: the figures are the answers'. Django is still closing "
        f"{format_count(tidying)} answered request{plural} (response, request_finished, "
        "thread); the server's figures follow once it has."
    )


#: What is drawn once Django has tidied up after its answers: every lane, whole.
LANES_AFTER_TIDYING = "The lanes are drawn whole once Django has tidied up."


def answered_state(drawn_ns: int | None) -> str:
    """A run's state while Django tidies up after its answers, for its header: the lanes on
    screen are the last live frame's (at ``drawn_ns`` from the run's start; ``None``: none was
    drawn), older than the answers' figures beside them, and the header says so."""
    if drawn_ns is None:
        return "every request answered; " + LANES_AFTER_TIDYING[0].lower() + LANES_AFTER_TIDYING[1:]
    return (
        f"every request answered; the lanes as at {drawn_ns / 1e9:.1f} s,"
        " drawn whole once Django has tidied up"
    )


async def wait_for_leftovers(leftover: Leftover | None, say: Callable[[str], None]) -> None:
    """Views a stopped run abandoned may still hold threads (a ``time.sleep`` cannot be
    interrupted): the next run waits for them, so they do not crowd its lanes, and says so."""
    if leftover is None or not leftover.is_alive():
        return
    say("Waiting for views the stopped run left running to finish…")
    while leftover.is_alive():
        await asyncio.sleep(0.05)
    say("")
