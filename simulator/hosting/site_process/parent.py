"""The window's side of the site's process: a runner whose runs are measured elsewhere.

In one process, the window and the site it measures shared one GIL and one cycle collector:
a frame's drawing showed in the lanes as waits to run (the window's thread held the GIL the
views wanted), and the site's full collections, hundreds of milliseconds each at 10,000
requests in flight, stopped the window as long. :class:`SiteProcess` runs every scenario in
one process of its own (:mod:`~simulator.hosting.site_process.child`), started once and kept
for the window's life, so Django boots once, as it did in the window's process. Each run's
handle, :class:`ProcessRun`, has the shape the session asks of a run
(:class:`~app.session.runner.RunHandle` and ``Answering``): what the session did with the
engine in its own process it does with this one.

A thread reads everything the site's process says, in order, and applies each frame to the
run's :class:`~simulator.hosting.site_process.wire.LaneMirror` as it comes: the lanes in the
window's process are the same objects from frame to frame wherever the site's are.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import itertools
import os
import pickle
import socket
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

from simulator.errors import LanesError
from simulator.hosting.run_options import PLAIN, RunOptions
from simulator.hosting.site_process.gone import gone_text, lost_run, sweep_after
from simulator.hosting.site_process.record_wire import RecordFrame, RecordMirror
from simulator.hosting.site_process.wire import SNAPSHOT_ASK, Frame, LaneMirror
from simulator.metrics.summary import Summary
from simulator.scenario import Scenario
from simulator.trace import Run, Trace
from simulator.trace.collector import made_unwalked

__all__ = ["ProcessRun", "SiteProcess"]

#: How long closing waits for the site's process to stop a run and exit before killing it.
CLOSE_PATIENCE_S = 5.0
#: How long a question waits for its reply: a snapshot of 10,000 lanes amid a busy site
#: takes seconds, one that never comes (a bug there) must not hang the window.
ASK_PATIENCE_S = 60.0


@dataclass
class _Asked:
    """A question to the site's process, waiting for its reply."""

    run: ProcessRun
    kind: str
    done: threading.Event = field(default_factory=threading.Event)
    reply: Any = None


class SiteProcess:
    """The site's process for one window: called with a scenario, it makes that run's
    handle (a ``Runner``). Started by :meth:`start` (the window does at once, so Django has
    booted by the first click) or by the first run; ended by :meth:`close`, or when this
    process ends."""

    def __init__(self, options: RunOptions = PLAIN) -> None:
        self.options = options
        self._lock = threading.Lock()
        self._send_lock = threading.Lock()
        self._child: subprocess.Popen[bytes] | None = None
        self._socket: socket.socket | None = None
        self._asks: socket.socket | None = None  # snapshots are asked on (wire.SNAPSHOT_ASK)
        self._connection: Connection | None = None
        self._asked: dict[int, _Asked] = {}
        self._runs: dict[int, ProcessRun] = {}
        self._ids = itertools.count()
        self._closed = False
        self._reader: threading.Thread | None = None

    def __call__(self, scenario: Scenario) -> ProcessRun:
        return ProcessRun(self, scenario)

    @property
    def pid(self) -> int | None:
        """The site's process's id while it runs."""
        child = self._child
        return child.pid if child is not None and child.poll() is None else None

    def start(self) -> None:
        """Start the site's process if it is not running (again, if it ended)."""
        with self._lock:
            if self._closed:
                raise LanesError("The site's process was closed with its window.")
            if self._child is not None and self._child.poll() is None:
                return
            if self._socket is not None:
                self._socket.close()  # an earlier site's process's, which has ended
            if self._asks is not None:
                self._asks.close()
            ours, theirs = socket.socketpair()
            asks, their_asks = socket.socketpair()
            fds = (theirs.fileno(), their_asks.fileno())
            try:
                # ``-P``: the current folder is not put first on the path (a person's own
                # ``simulator`` or ``embedded_site`` there is not ours).
                self._child = subprocess.Popen(
                    [sys.executable, "-P", "-m", "simulator.hosting.site_process.child"]
                    + [str(fd) for fd in fds],
                    stdin=subprocess.DEVNULL,
                    pass_fds=fds,
                )
            except OSError as error:
                ours.close()
                asks.close()
                raise LanesError(f"Could not start the site's process: {error}") from None
            finally:
                theirs.close()
                their_asks.close()
            self._asks = asks
            self._socket = ours  # kept to shut down: that wakes the reader, and tells the site
            self._connection = connection = Connection(os.dup(ours.fileno()))
            self._reader = threading.Thread(
                target=self._read,
                args=(connection, self._child),
                name="site-process reader",
                daemon=True,
            )
            self._reader.start()
            atexit.register(self.close)

    def close(self) -> None:
        """End the site's process: a run still going is stopped there, the process exits
        (its exit handlers run); killed if it has not within :data:`CLOSE_PATIENCE_S`."""
        with self._lock:
            self._closed = True
            child, ours, reader, asks = self._child, self._socket, self._reader, self._asks
            self._child = self._connection = self._socket = self._reader = self._asks = None
            self._runs = {}  # the window is closing: no run of its is left to tell anything
        atexit.unregister(self.close)
        if ours is not None:
            with contextlib.suppress(OSError):  # wakes the reader, and the site sees the end
                ours.shutdown(socket.SHUT_RDWR)
            ours.close()
        if asks is not None:
            asks.close()
        if reader is not None:
            # Its end done before the window's process goes on to its own (Qt's teardown):
            # a thread still running Python then crashed the process (a segfault, once).
            reader.join(CLOSE_PATIENCE_S)
        if child is not None:
            try:
                child.wait(CLOSE_PATIENCE_S)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
                sweep_after(child)

    def send(self, *message: Any) -> bool:
        """Tell the site's process ``message``; ``False`` if it is gone."""
        connection = self._connection
        if connection is None:
            return False
        with self._send_lock:
            try:
                connection.send(message)
            except (OSError, ValueError):
                return False
        return True

    def begin(self, run: ProcessRun) -> int:
        """Send ``run``'s scenario to be run; returns the run's number."""
        self.start()
        run_id = next(self._ids)
        self._runs = {run_id: run}  # events of an earlier run are of no one's interest now
        if not self.send("run", run_id, run.scenario, self.options):
            raise LanesError(gone_text(self._child))
        return run_id

    def ask(self, run: ProcessRun, kind: str, *args: Any) -> Any:
        """Ask the site's process about ``run`` and wait for the reply (``None`` if the
        process is gone, the run has none to give, or none came within
        :data:`ASK_PATIENCE_S`: a frame then draws what it had, and a reply that comes
        later is still applied by the reader, so the mirror stays in step)."""
        asked = _Asked(run, kind)
        number = next(self._ids)
        self._asked[number] = asked
        if not (
            self._ask_snapshot(run.run_id, number, args[0])
            if kind == "snapshot"
            else self.send(kind, run.run_id, number, *args)
        ):
            self._asked.pop(number, None)
            return None
        if not asked.done.wait(ASK_PATIENCE_S):
            return None
        return asked.reply

    def _ask_snapshot(self, run_id: int, number: int, now_ns: int | None) -> bool:
        """Ask for a snapshot on the socket the site's process takes them from."""
        with self._send_lock:
            try:
                self._asks.sendall(SNAPSHOT_ASK.pack(run_id, number, now_ns or 0))  # type: ignore[union-attr]
            except (OSError, AttributeError):  # the process is gone (or never started)
                return False
        return True

    def _read(self, connection: Connection, child: subprocess.Popen[bytes]) -> None:
        failure = None
        while True:
            try:
                data = connection.recv_bytes()
            except (EOFError, OSError):
                break
            try:
                # A frame of 10,000 lanes unpickled and applied makes ~100,000 objects at
                # once: no collection walks the window's process in the middle of it (a full
                # one took 0.4 s of the window's loop there), nor them after it (a young one
                # of them all took up to 72 ms of the window's loop: collector.py).
                with made_unwalked():
                    self._take(pickle.loads(data))
            except Exception as error:  # noqa: BLE001 (a bug: said, never waited on for ever)
                failure = f"{type(error).__name__}: {error}"
                child.kill()  # what it says next would go unread: it ends, its run with it
                break
        connection.close()
        text = gone_text(child)
        if failure is not None:
            text = f"The window could not follow the site's process ({failure}); the run ended."
        sweep_after(child)
        with self._lock:  # a run begun on a new process as this one died is not told
            if self._child is not child and self._child is not None:
                return
            runs, asked = list(self._runs.values()), list(self._asked.values())
            self._asked.clear()
        for question in asked:
            question.done.set()
        for run in runs:
            run.lost(text)

    def _take(self, message: tuple[Any, ...]) -> None:
        kind, number, *rest = message
        if kind == "reply":
            asked = self._asked.pop(number, None)
            if asked is not None:
                asked.reply = asked.run.replied(asked.kind, rest[0])
                asked.done.set()
            return
        run = self._runs.get(number)
        if run is not None:
            run.told(kind, rest)


class ProcessRun:
    """One run in the site's process, with the handle's shape the session asks for."""

    #: The run awaits only a reply: it goes on the caller's loop.
    off_loop = False

    def __init__(self, site: SiteProcess, scenario: Scenario) -> None:
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
        #: The CPU time the site's process spent on the last snapshot (and its frame): the
        #: site's time, which the window's pace of frames counts (``app.session.live``).
        self.snapshot_cpu_s = 0.0

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
        """The trace as the site's process saw it at ``now_ns`` (the same clock in every
        process of this machine: ``perf_counter_ns``)."""
        trace = self._site.ask(self, "snapshot", now_ns) if self.run_id >= 0 else None
        if trace is None:
            return self._last or Trace(t0_ns=now_ns or 0, lanes=())
        if isinstance(trace, LanesError):
            raise trace
        if trace is self._records:  # the probes' records taken: their lanes built here
            try:
                trace = self._last = self._records.trace()
            except Exception as error:  # noqa: BLE001 (a bug: said where asked, as the site's)
                text = f"The run's snapshot failed: {type(error).__name__}: {error}"
                raise LanesError(text) from error
        return trace  # type: ignore[no-any-return]

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
            frame, self.snapshot_cpu_s = reply
            if isinstance(frame, RecordFrame):
                self._records.take(frame)  # built by the asker (its CPU, the pace's)
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
