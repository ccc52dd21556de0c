"""The window's side of the site's process: a runner whose runs are measured elsewhere.

In one process, the window and the site it measures shared one GIL and one cycle collector:
a frame's drawing showed in the lanes as waits to run (the window's thread held the GIL the
views wanted), and the site's full collections, hundreds of milliseconds each at 10,000
requests in flight, stopped the window as long. :class:`SiteProcess` runs every scenario in
one process of its own (:mod:`~simulator.hosting.site_process.child`), started once and kept
for the window's life, so Django boots once, as it did in the window's process. Each run's
handle is a :class:`~simulator.hosting.site_process.process_run.ProcessRun`.

A thread reads everything the site's process says, in order, and hands each run what is
said of it (:mod:`~simulator.hosting.site_process.process_run`), its frames applied as they
come: the lanes in the window's process are the same objects from frame to frame wherever
the site's are.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import itertools
import os
import pickle
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from simulator.errors import LanesError
from simulator.hosting.run_options import PLAIN, RunOptions
from simulator.hosting.site_process.ahead import ENOUGH, Asked
from simulator.hosting.site_process.gone import gone_text, sweep_after
from simulator.hosting.site_process.process_run import ProcessRun
from simulator.hosting.site_process.wire import SNAPSHOT_ASK
from simulator.scenario import Scenario
from simulator.trace.collector import made_unwalked

__all__ = ["SiteProcess"]

#: How long closing waits for the site's process to stop a run and exit before killing it.
CLOSE_PATIENCE_S = 5.0
#: How often a frame waiting for the records it hurried looks whether those that have
#: arrived meanwhile will do.
ENOUGH_EVERY_S = 0.002
#: How long a question waits for its reply: a snapshot of 10,000 lanes amid a busy site
#: takes seconds, one that never comes (a bug there) must not hang the window.
ASK_PATIENCE_S = 60.0


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
        self._asked: dict[int, Asked] = {}
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
        asked = Asked(functools.partial(run.replied, kind))
        asked.number = number = next(self._ids)
        self._asked[number] = asked
        if not (
            self._ask_snapshot(run.run_id, number, args[0] or 0, 0)
            if kind == "snapshot"
            else self.send(kind, run.run_id, number, *args)
        ):
            self._asked.pop(number, None)
            return None
        return _reply(asked)

    def ask_ahead(self, run: ProcessRun, at_ns: int) -> Asked | None:
        """Ask for a snapshot of ``run`` to be taken at ``at_ns`` (``ahead.py``), without
        waiting: the reader applies it as it comes. ``None`` if the process is gone."""
        asked = Asked(functools.partial(run.replied, "snapshot"), at_ns=at_ns)
        asked.number = number = next(self._ids)
        self._asked[number] = asked
        if not self._ask_snapshot(run.run_id, number, 0, at_ns):
            self._asked.pop(number, None)
            return None
        return asked

    def hurry(self, run: ProcessRun, asked: Asked, enough: Callable[[], bool] | None = None) -> Any:
        """The snapshot asked ahead as ``asked``, wanted now: its reply, as :meth:`ask`'s;
        or :data:`~.ahead.ENOUGH` as soon as ``enough()`` says what has arrived meanwhile
        will do (a full collection of the site's told as it began: ``collecting.py``)."""
        if not asked.done.is_set():
            asked.at_ns = min(asked.at_ns, time.perf_counter_ns())  # to be taken now
            if not self._ask_snapshot(run.run_id, asked.number, 0, 0):
                return None
        return _reply(asked, enough)

    def _ask_snapshot(self, run_id: int, number: int, now_ns: int, at_ns: int) -> bool:
        """Ask for a snapshot on the socket the site's process takes them from."""
        with self._send_lock:
            try:
                self._asks.sendall(SNAPSHOT_ASK.pack(run_id, number, now_ns, at_ns))  # type: ignore[union-attr]
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
                asked.answer(rest[0])
            return
        run = self._runs.get(number)
        if run is not None:
            run.told(kind, rest)


def _reply(asked: Asked, enough: Callable[[], bool] | None = None) -> Any:
    """``asked``'s reply, once it came (``None`` if none came within :data:`ASK_PATIENCE_S`);
    :data:`~.ahead.ENOUGH` once ``enough()`` says so, asked every :data:`ENOUGH_EVERY_S`."""
    if enough is None:
        return asked.reply if asked.done.wait(ASK_PATIENCE_S) else None
    deadline = time.monotonic() + ASK_PATIENCE_S
    while not asked.done.wait(ENOUGH_EVERY_S):
        if enough():
            return ENOUGH
        if time.monotonic() > deadline:
            return None
    return asked.reply
