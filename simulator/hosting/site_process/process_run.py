"""The window's handle of one run in the site's process (:class:`ProcessRun`), with the
shape the session asks of a run (:class:`~app.session.runner.RunHandle` and
``Answering``): what the session did with the engine in its own process it does with this
one. :class:`~simulator.hosting.site_process.parent.SiteProcess` makes it, carries its
questions and hands it what the site's process says of it, on the thread that reads that
process (its frames applied there, in order: ``wire.LaneMirror``, ``record_wire.RecordMirror``).

An in-process run's frames are asked ahead (``ahead.py``): each frame builds the lanes from
the records that have arrived, at its own now, and asks for the next frame's.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from simulator.errors import LanesError
from simulator.hosting.site_process.ahead import ENOUGH, Ahead, Asked, fresh
from simulator.hosting.site_process.gone import lost_run
from simulator.hosting.site_process.record_wire import NEVER, RecordFrame, RecordMirror
from simulator.hosting.site_process.wire import Frame, LaneMirror
from simulator.metrics.summary import Summary
from simulator.scenario import Scenario
from simulator.trace import Run, Trace

__all__ = ["ProcessRun", "Site"]


class Site(Protocol):
    """What a run asks of the site's process (``SiteProcess``)."""

    def begin(self, run: ProcessRun) -> int: ...
    def send(self, *message: Any) -> bool: ...
    def ask(self, run: ProcessRun, kind: str, *args: Any) -> Any: ...
    def ask_ahead(self, run: ProcessRun, at_ns: int) -> Asked | None: ...
    def hurry(
        self, run: ProcessRun, asked: Asked, enough: Callable[[], bool] | None = None
    ) -> Any: ...


class ProcessRun:
    """One run in the site's process, with the handle's shape the session asks for."""

    #: The run awaits only a reply: it goes on the caller's loop.
    off_loop = False

    def __init__(self, site: Site, scenario: Scenario) -> None:
        scenario.check_runnable()  # as the engine does: one line, before anything starts
        self.scenario = scenario
        self.run_id = -1
        self._site = site
        self._mirror = LaneMirror()
        self._records = RecordMirror()
        self._last: Trace | None = None
        self._started = False
        self._stopping = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._done: asyncio.Future[Run] | None = None
        self._answered: asyncio.Future[None] | None = None
        self._leftover = _Leftover()
        #: Whether the site's process told this run's end (or it ended otherwise): once it
        #: has, that process's end tells it nothing more.
        self.ended = False
        #: The CPU time spent on the last snapshot other than by the thread that took it (on
        #: the replies that arrived since the one before: some frames take none): the site's
        #: process reading the records, and this one building their lanes as they arrived
        #: (``built_ahead_cpu_s``), which the window's pace of frames counts
        #: (``app.session.live``).
        self.snapshot_cpu_s = 0.0
        #: Of it, the lanes built as the records arrived (``RecordMirror.build_ahead``).
        self.built_ahead_cpu_s = 0.0
        self._site_cpu_s = 0.0  # of the replies since the last snapshot
        self._ahead_cpu_s = 0.0
        self._ahead = Ahead()

    @property
    def started(self) -> bool:
        return self._started

    @property
    def stopping(self) -> bool:
        return self._stopping

    @property
    def leftover(self) -> _Leftover | None:
        """After a stopped run, views it abandoned that still hold threads there (a
        ``time.sleep`` cannot be interrupted): the next run waits for them."""
        return self._leftover if self._leftover.is_alive() else None

    async def run(self) -> Run:
        loop = asyncio.get_running_loop()
        self._loop = loop
        self._done = loop.create_future()
        self._answered_future()
        self.run_id = self._site.begin(self)
        if self._stopping:
            self._site.send("stop", self.run_id)
        try:
            return await asyncio.shield(self._done)
        except asyncio.CancelledError:
            self.stop()
            raise

    def stop(self) -> None:
        self._stopping = True
        if self.run_id >= 0:
            self._site.send("stop", self.run_id)

    async def answered(self) -> None:
        """Once every request has its answer (never, over sockets: as the engine)."""
        await self._answered_future()

    def answers(self) -> tuple[Run, int]:
        reply = self._site.ask(self, "answers")
        if reply is None:
            raise LanesError("The run's answers are gone with the site's process.")
        if isinstance(reply, LanesError):
            raise reply
        return reply  # type: ignore[no-any-return]

    def snapshot(self, now_ns: int | None = None) -> Trace:
        """The trace at ``now_ns`` (the same clock in every process of this machine:
        ``perf_counter_ns``). An in-process run's: its lanes built here from the records
        that have arrived (asked ahead, when frames come at a pace: ``ahead.py``), as the
        records stood when the site's process read them, at ``now_ns``."""
        reply = self._taken(now_ns) if self.run_id >= 0 else None
        self.built_ahead_cpu_s, self._ahead_cpu_s = self._ahead_cpu_s, 0.0
        self.snapshot_cpu_s, self._site_cpu_s = self._site_cpu_s + self.built_ahead_cpu_s, 0.0
        if reply is None:
            return self._last or Trace(t0_ns=now_ns or 0, lanes=())
        if isinstance(reply, LanesError):
            raise reply
        if reply is self._records:  # the probes' records taken: their lanes built here
            try:
                reply = self._last = self._records.trace(now_ns)
            except Exception as error:  # noqa: BLE001 (a bug: said where asked, as the site's)
                text = f"The run's snapshot failed: {type(error).__name__}: {error}"
                raise LanesError(text) from error
        return reply  # type: ignore[no-any-return]

    @property
    def records_taken_ns(self) -> int:
        """When the site's process read the records an in-process run's last snapshot was
        built of (``benchmarks/render.py`` prints their age at the frame's now)."""
        return self._records.taken_ns

    @property
    def site_collections(self) -> list[tuple[int, int, int]]:
        """The site's process's own collections of 1 ms or more during an in-process run, as
        its frames told them so far: ``(start_ns, end_ns, generation)``, none of its threads
        running meanwhile (``benchmarks/render.py`` sets them beside the frames that waited)."""
        return self._records.site_collections

    def frame_at(self, at_ns: int) -> None:
        """The window's next frame will be taken at about ``at_ns``: an in-process run's
        records are asked to be taken for it a push's latency before (``ahead.py``)."""
        if self.run_id < 0 or self._records.taken_ns == NEVER:  # over sockets: never
            return
        at_ns -= self._ahead.lead_ns
        asked = self._site.ask_ahead(self, at_ns)
        if asked is not None:
            self._ahead.asked.append(asked)

    def _taken(self, now_ns: int | None) -> Any:
        """The reply a snapshot at ``now_ns`` is made of: the records that have arrived if
        recent (:func:`~.ahead.fresh`), else those asked ahead once hurried if they are on
        their way (and recent), or those that arrived meanwhile if they will do (a full
        collection of the site's told as it began: ``collecting.py``), else asked now."""
        if now_ns is not None:
            if fresh(self._records.unseen_ns(now_ns)):
                return self._records
            on_its_way = self._ahead.on_its_way
            if on_its_way is not None:
                records = self._records
                reply = self._site.hurry(self, on_its_way, lambda: fresh(records.unseen_ns(now_ns)))
                if reply is ENOUGH:
                    return records
                if reply is not records or fresh(records.unseen_ns(now_ns)):
                    return reply
        return self._site.ask(self, "snapshot", now_ns)

    # What the reader thread hands over (``SiteProcess._take``).

    def replied(self, kind: str, reply: Any) -> Any:
        """A reply, made what :meth:`ask` returns; a frame is applied here, whoever asked
        (on the reader's thread, the collector paused)."""
        if reply is None:
            return None
        if reply[0] == "error":  # raised by the asker, not on the reader's thread
            _, ours, text = reply
            return LanesError(text if ours else f"The run's {kind} failed: {text}")
        if kind == "snapshot":
            frame, cpu_s = reply
            self._site_cpu_s += cpu_s
            if isinstance(frame, RecordFrame):
                self._records.take(frame)
                self._ahead_cpu_s += self._records.build_ahead()  # (the pace counts it)
                return self._records
            self._last = self._mirror.apply(frame)
            return self._last
        _, frame, summary, stopped, tidying = reply
        trace = LaneMirror().apply(frame)
        return Run(self.scenario, trace, summary, stopped=stopped), tidying

    def told(self, kind: str, rest: list[Any]) -> None:
        """Something the site's process said of this run unasked."""
        if kind == "started":
            self._started = True
        elif kind == "answered":
            self._post(lambda: _settle(self._answered_future(), None))
        elif kind == "done":
            frame, summary, stopped, cut = rest
            self._finished(frame, summary, stopped, cut)
        elif kind == "failed":
            ours, text = rest[0]
            self.ended_with(error=LanesError(text if ours else f"The run failed: {text}"))
        elif kind == "collecting":  # a full collection of the site's began: read then
            self._records.take(rest[0], collecting=True)
            self._ahead_cpu_s += self._records.build_ahead()
        elif kind == "collected":
            self._records.collected(*rest)
        elif kind == "leftover":
            self._leftover.alive = bool(rest[0])
        elif kind == "leftover_ended":
            self._leftover.alive = False

    def _finished(
        self, frame: Frame | RecordFrame, summary: Summary | None, stopped: bool, cut: bool
    ) -> None:
        self.ended = True
        if isinstance(frame, RecordFrame):  # in process: the final trace is made here
            try:
                trace, summary = self._records.finished(frame)
            except Exception as error:  # noqa: BLE001 (a bug: the run's end, in one line)
                text = f"The run's final trace failed: {type(error).__name__}: {error}"
                return self.ended_with(error=LanesError(text))
        else:
            trace = self._mirror.apply(frame)
        assert summary is not None
        trace.columns, trace.lane_columns  # noqa: B018 (built on this thread, not the window's)
        run = Run(self.scenario, trace, summary, stopped=stopped, tidying_cut_short=cut)
        self._post(lambda: _settle(self._done, run))

    def lost(self, text: str) -> None:
        """The site's process is gone mid-run: the run ends with ``text`` and its last frame,
        measured up to then, as a stopped run (:class:`RunLost`). Nothing for a run that has
        ended already."""
        if self.ended:
            self._leftover.alive = False
            return
        self.ended_with(error=lost_run(self.scenario, self._last, text))

    def ended_with(self, *, error: BaseException) -> None:
        """The run cannot end as measured (the site's process is gone, or said it failed)."""
        self.ended = True
        self._leftover.alive = False

        def fail() -> None:
            if self._done is not None and not self._done.done():
                self._done.set_exception(error)

        self._post(fail)

    def _answered_future(self) -> asyncio.Future[None]:
        if self._answered is None:
            self._answered = asyncio.get_running_loop().create_future()
        return self._answered

    def _post(self, work: Callable[[], None]) -> None:
        loop = self._loop
        if loop is not None:
            with contextlib.suppress(RuntimeError):  # the caller's loop has closed
                loop.call_soon_threadsafe(work)


@dataclass
class _Leftover:
    """Whether views a stopped run abandoned still hold threads in the site's process."""

    alive: bool = False

    def is_alive(self) -> bool:
        return self.alive


def _settle(future: asyncio.Future[Any] | None, result: Any) -> None:
    if future is not None and not future.done():
        future.set_result(result)
