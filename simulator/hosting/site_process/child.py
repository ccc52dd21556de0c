"""The site's process: runs the window's scenarios with the real engine, one at a time.

Started by :class:`~simulator.hosting.site_process.parent.SiteProcess` as
``python -m simulator.hosting.site_process.child FD ASKS``, ``FD`` a socket to the window's
process, ``ASKS`` one the window asks snapshots on (``wire.SNAPSHOT_ASK``). Messages are tuples
(:mod:`multiprocessing.connection` frames them); the window asks (``run``, ``answers``,
``stop``), this process answers and tells (``started``,
``answered``, ``done``, ``failed``, ``leftover``). Each message names its run, so a late one
of an ended run is ignored.

Everything a run measures happens here, as it would in the window's process before: the
site's loop and threads, the client's own loop (:class:`~simulator.hosting.engine.LiveRun`),
the snapshots (taken on a thread of their own, one at a time, as the window's worker took
them). What the window's process no longer shares with the site: the GIL and the cycle
collector. Its drawing no longer shows in the lanes as waits to run, and the site's full
collections (hundreds of milliseconds at 10,000 requests in flight) no longer stop the window.

The window's process holds the other end of the socket: when it is gone, for any reason
(SIGKILL included), a read here ends, a run still going is stopped, and this process exits,
its exit handlers run (the site's scratch folder removed, a real server stopped).
Ctrl+C and a closed terminal reach the window, which stops the run: here they are ignored.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import queue
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import Connection, wait
from typing import Any

import embedded_site
from simulator.errors import LanesError
from simulator.hosting.engine import STOP_PATIENCE_S, LiveRun
from simulator.hosting.loops import end_thread_loop
from simulator.hosting.run_options import RunOptions
from simulator.hosting.site_process.asks import Asks, collector_held, framed
from simulator.hosting.site_process.collecting import CollectionTeller
from simulator.hosting.site_process.record_wire import RecordFrame, RecordSender
from simulator.hosting.site_process.wire import LaneSender
from simulator.process_exit import exit_now
from simulator.scenario import Scenario
from simulator.trace import Run
from simulator.trace.collector import Collections

__all__ = ["main"]


#: How often the run's loop looks whether requests are being sent yet (only until they are).
STARTED_POLL_S = 0.005


class _Site:
    """This process's side of the socket: one run at a time, its snapshots on a worker."""

    def __init__(self, connection: Connection, asks: int | None = None) -> None:
        self._connection = connection
        #: The socket the window asks snapshots on (:data:`~.wire.SNAPSHOT_ASK`).
        self._asks = asks
        self._send_lock = threading.Lock()
        # Held from a frame's encoding to its sending: the window applies frames in the order
        # they were encoded (wire.py).
        self._frame_lock = threading.Lock()
        self._run_id = -1
        self._live: LiveRun | None = None
        #: The run whose ``_live`` it is (set with it, under the frame lock): ``_run_id`` is
        #: the last run asked for, whose live is installed only once the last run's thread
        #: has ended.
        self._live_run = -1
        #: The last run whose every answer the window was told: it draws no frame after it
        #: (``app/session/live.py``), so none of its collections is told (``collecting.py``).
        self._answered_run = -1
        self._loop: asyncio.AbstractEventLoop | None = None
        self._sender = LaneSender()
        #: Tells the window of the full collections, as ``collections`` sees them.
        self.teller = CollectionTeller(
            self._frame_now, self._write_whole, self._frame_lock, self._send_lock
        )
        #: This process's collections (recorded once ``main`` installs it), sent with an
        #: in-process run's frames.
        self.collections = Collections(full=self.teller.seen)
        self._records = RecordSender(self.collections)
        self._stop_asked = False
        self._runner: threading.Thread | None = None
        self._work: queue.SimpleQueue[Callable[[], None] | None] = queue.SimpleQueue()
        self._exit_code = 0  # the window is gone: nothing went wrong here

    def send(self, *message: Any) -> None:
        with self._send_lock, contextlib.suppress(OSError):  # the window is gone: we end soon
            self._connection.send(message)

    def send_whole(self, data: bytes) -> None:
        """Send a message :func:`framed`, in one write however long: ``Connection.send``
        writes a message of more than 16 kB as its length, then the rest, and between the
        two writes this thread waited for the GIL again (up to the 5 ms the site's busy loop
        holds it), the window waiting for the rest."""
        with self._send_lock:
            self._write_whole(data)

    def _write_whole(self, data: bytes) -> None:
        """:meth:`send_whole`'s write, the send lock held by the caller."""
        whole = memoryview(data)
        fd = self._connection.fileno()
        with contextlib.suppress(OSError):  # the window is gone: we end soon
            while whole:
                whole = whole[os.write(fd, whole) :]

    def serve(self, woken: int | None = None) -> None:
        """Answer the window until it is gone. ``woken``: the read end of the signals'
        wake-up pipe (``signal.set_wakeup_fd``), waited on beside the window's socket."""
        worker = threading.Thread(target=self._serve_work, name="site-answers", daemon=True)
        worker.start()
        if self._asks is not None:
            snapshots = threading.Thread(
                target=self._serve_asks, args=(self._asks,), name="site-snapshots", daemon=True
            )
            snapshots.start()
        while True:
            if woken is not None and woken in wait([self._connection, woken]):
                # A signal came, maybe to another of this process's threads, which leaves
                # this one's read asleep: its handler (SIGTERM's) has run on the way here.
                with contextlib.suppress(BlockingIOError):
                    os.read(woken, 512)
                continue
            try:
                message = self._connection.recv()
            except (EOFError, OSError):
                break
            self._take(message)
        self._work.put(None)
        self._end()

    def _take(self, message: tuple[Any, ...]) -> None:
        kind, run_id, *rest = message
        if kind == "run":
            scenario, options = rest
            self._run_id = run_id
            self._stop_asked = False
            last = self._runner
            self._runner = threading.Thread(
                target=self._run, args=(run_id, scenario, options, last), name="site-run"
            )
            self._runner.daemon = True
            self._runner.start()
        elif run_id != self._run_id:
            if kind == "answers":
                self.send("reply", rest[0], None)  # an ended run's: nothing to give
        elif kind == "stop":
            self._stop()
        elif kind == "answers":
            self._work.put(lambda: self._answers(rest[0]))

    def _serve_work(self) -> None:
        while (work := self._work.get()) is not None:
            work()

    def _serve_asks(self, fd: int) -> None:
        """Take the snapshots the window asks on their own socket, one at a time, until it
        is gone. Not on the thread that reads the window's other questions: a Stop or the
        window's end would be read only after a snapshot (seconds at 10,000 lanes, when the
        site built the lanes); nor handed to a worker by it: reading each question there and
        waking the worker cost several waits for the GIL the site's busy loop holds, each up
        to 5 ms, where one wake-up here costs one (:class:`~.asks.Asks`).

        A snapshot asked ahead (``ahead.py``) is taken at the time it names, or at once if
        the window hurries it; hurried after it was taken, it is not taken again. Due after
        its run ended and the next began, it is answered with nothing: taken, it would be
        the next run's records given to the run that asked, and the next run's copies would
        lack them for good (lessons 6, 8, 13, 18, 19, 21 ended "IndexError: list index out
        of range" at B's run, or at the next run's end)."""
        asks = Asks(fd)
        # Asked ahead: its number, when to take it, and the run it was asked for.
        ahead: tuple[int, int, int] | None = None
        answered = -1  # the last question answered
        while True:
            due_ns = None if ahead is None else ahead[1] - time.perf_counter_ns()
            if ahead is not None and due_ns is not None and due_ns <= 0:
                (answered, _, run_id), ahead = ahead, None
                self._snapshot(answered, None, run_id)
                continue
            try:
                questions = asks.read(due_ns)
            except OSError:
                return
            if questions is None:
                continue  # the time of the snapshot asked ahead
            if not questions:
                return  # the window is gone (the main thread sees it too, and ends us)
            for run_id, asked, now_ns, at_ns in questions:
                if asked <= answered:
                    continue  # hurried on its way: taken already
                if ahead is not None and ahead[0] != asked:
                    self.send("reply", ahead[0], None)  # replaced: nobody waits for it
                    ahead = None
                if run_id == self._run_id and at_ns:
                    ahead = (asked, at_ns, run_id)
                    continue
                answered, ahead = asked, None
                self._snapshot(asked, now_ns or None, run_id)

    def _snapshot(self, asked: int, now_ns: int | None, run_id: int) -> None:
        """Answer ``asked``, a snapshot of run ``run_id``: with nothing unless that run is
        the one measured (an ended run's, or one whose run has not begun here: taken, it
        would be another run's records framed by, and counted in, that run's sender).
        Checked under the frame lock, with which the next run's sender is installed."""
        cpu = time.thread_time()
        try:
            # An in-process run's probes: what they recorded since the last frame, the lanes
            # built in the window's process (record_wire.py). A run over sockets: its lanes,
            # built here first. The collector back on only once the frame lock is free: the
            # collection the framing's allocations bring begins then, where one begun with
            # the lock held (as the reply was written) could not be told (collecting.py).
            with collector_held(), self._frame_lock:
                live = self._measured_live(run_id)
                if live is None:
                    self.send("reply", asked, None)
                    return
                data = self._records_framed(live, asked, now_ns, cpu)
                if data is not None:
                    self.send_whole(data)
                    return
            trace = live.snapshot(now_ns)
            with self._frame_lock:
                if self._measured_live(run_id) is not live:
                    self.send("reply", asked, None)  # the next run's began meanwhile
                    return
                cpu_s = time.thread_time() - cpu
                self.send_whole(framed(("reply", asked, (self._sender.frame(trace), cpu_s))))
        except Exception as error:  # noqa: BLE001 (raised by the asker: unanswered, it waits on)
            self.send("reply", asked, ("error", *error_text(error)))

    def _measured_live(self, run_id: int) -> LiveRun | None:
        """Run ``run_id``'s live run, if it is the one installed and has started sending."""
        live = self._live
        ok = live is not None and live.started and self._live_run == run_id
        return live if ok else None

    def _frame_now(self, now_ns: int) -> tuple[int, RecordFrame] | None:
        """The run measured in process and what its probes recorded since the last frame,
        at ``now_ns`` (the frame lock held by the caller): ``collecting.py``'s. ``None`` once
        the window was told every answer: it draws no frame after that."""
        run_id = self._live_run
        live = self._measured_live(run_id) if run_id != self._answered_run else None
        records = live.records_now(now_ns) if live is not None else None
        return None if records is None else (run_id, self._records.frame(records))

    def _records_framed(
        self, live: LiveRun, asked: int, now_ns: int | None, cpu: float
    ) -> bytes | None:
        """The reply to ``asked``: what an in-process run's probes recorded since the last
        frame, framed (``None`` for a run over sockets). What it makes but the bytes is
        garbage once it returns."""
        records = live.records_now(now_ns or time.perf_counter_ns())
        if records is None:
            return None
        frame = self._records.frame(records)
        return framed(("reply", asked, (frame, time.thread_time() - cpu)))

    def _answers(self, asked: int) -> None:
        live = self._live
        try:
            assert live is not None
            run, tidying = live.answers()
        except Exception as error:  # noqa: BLE001 (told to the window, which says it)
            self.send("reply", asked, ("error", *error_text(error)))
            return
        frame = LaneSender().frame(run.trace)  # a trace of its own, not the frames' mirror
        self.send("reply", asked, ("ok", frame, run.summary, run.stopped, tidying))

    def _stop(self) -> None:
        self._stop_asked = True
        live, loop = self._live, self._loop
        if live is not None and loop is not None:
            with contextlib.suppress(RuntimeError):  # the run's loop closed: nothing to stop
                loop.call_soon_threadsafe(live.stop)

    def _run(
        self, run_id: int, scenario: Scenario, options: RunOptions, last: threading.Thread | None
    ) -> None:
        # One run at a time: the window starts this one as soon as the last told its end, when
        # its thread still closes its loop and waits for views it left running (as the window
        # said while it waited, its ``leftover``).
        if last is not None:
            last.join()
        loop = asyncio.new_event_loop()
        try:
            live = LiveRun(scenario, options)
        except Exception as error:  # noqa: BLE001 (told to the window, which says it)
            self.send("failed", run_id, error_text(error))
            loop.close()
            return
        with self._frame_lock:  # a snapshot frames one run's records with that run's sender
            self.collections.taken()  # (the last run's, and the boot's: not this run's)
            self._sender, self._records = LaneSender(), RecordSender(self.collections)
            self._live, self._loop, self._live_run = live, loop, run_id
        if self._stop_asked:
            live.stop()
        asyncio.set_event_loop(loop)
        leftover: threading.Thread | None = None
        try:
            run = loop.run_until_complete(self._measured(run_id, live))
        except BaseException as error:  # noqa: BLE001 (told to the window, which says it)
            leftover = self._tell_leftover(run_id, live)
            self.send("failed", run_id, error_text(error))
        else:
            leftover = self._tell_leftover(run_id, live)
            self._done(run_id, live, run)
        finally:
            end_thread_loop(loop)
            self._loop = None
        if leftover is not None:
            leftover.join()
            self.send("leftover_ended", run_id)

    def _tell_leftover(self, run_id: int, live: LiveRun) -> threading.Thread | None:
        """The thread closing the run's server while views it abandoned finish, if any: told
        before the run's end, which the window reads as the run ends (its next run waits for
        them, and says so)."""
        leftover = live.leftover
        self.send("leftover", run_id, leftover is not None)
        return leftover

    def _done(self, run_id: int, live: LiveRun, run: Run | None) -> None:
        """The run's end told: an in-process run's (``run`` ``None``) as what its probes
        recorded since the last frame, its final trace and figures made in the window's
        process from its copies (it had the rest already: ``record_wire.py``); a run over
        sockets' as its trace and figures."""
        with self._frame_lock:
            if run is None:
                records = live.records_now(time.perf_counter_ns(), final=True)
                assert records is not None
                frame = self._records.frame(records)
                self.send("done", run_id, frame, None, live.stopping, False)
                return
            lanes = self._sender.frame(run.trace)
            self.send("done", run_id, lanes, run.summary, run.stopped, run.tidying_cut_short)

    async def _measured(self, run_id: int, live: LiveRun) -> Run | None:
        """``live`` run to its end, the window told when requests are being sent and when
        every one has its answer. In process, only measured (``LiveRun.measure``): its final
        trace is built in the window's process, from the records."""
        running = asyncio.ensure_future(live.run() if live.sockets is not None else live.measure())
        watching = asyncio.ensure_future(self._watch(run_id, live, running))
        try:
            return await running
        finally:
            watching.cancel()
            await asyncio.gather(watching, return_exceptions=True)

    async def _watch(self, run_id: int, live: LiveRun, running: asyncio.Future[Run | None]) -> None:
        while not live.started and not running.done():
            await asyncio.sleep(STARTED_POLL_S)
        if not live.started:
            return
        self.send("started", run_id)
        if live.sockets is None:  # over sockets the servers' own work is theirs: never told
            await live.answered()
            self._answered_run = run_id
            self.send("answered", run_id)

    def _end(self) -> None:
        """The window is gone: stop a run still going, give it its patience (until its loop
        has closed: views a stopped run abandoned are not waited for), exit."""
        runner = self._runner
        if runner is not None and runner.is_alive():
            self._stop()
            deadline = time.monotonic() + STOP_PATIENCE_S + 2.0
            while self._loop is not None and runner.is_alive() and time.monotonic() < deadline:
                runner.join(0.02)
        exit_now(self._exit_code)

    def terminate(self) -> None:
        """SIGTERM: end as when the window is gone (its reading ends), with SIGTERM's exit
        status. Safe in a signal handler, and to repeat."""
        self._exit_code = 128 + signal.SIGTERM
        with (
            contextlib.suppress(OSError, ValueError),  # closed already: we are ending
            socket.fromfd(self._connection.fileno(), socket.AF_UNIX, socket.SOCK_STREAM) as ours,
        ):
            ours.shutdown(socket.SHUT_RD)


def error_text(error: BaseException) -> tuple[bool, str]:
    """What the window says of a run that failed here: whether it is one of ours (its
    message is the whole story), and the message."""
    if isinstance(error, LanesError):
        return (True, str(error))
    return (False, f"{type(error).__name__}: {error}")


def main(argv: list[str] | None = None) -> None:
    """Serve the window on the socket whose descriptor is the first argument, snapshots
    asked on the second's."""
    args = sys.argv[1:] if argv is None else argv
    for number in (signal.SIGINT, signal.SIGHUP):  # the window's to handle: it stops us
        signal.signal(number, signal.SIG_IGN)
    site = _Site(Connection(int(args[0])), int(args[1]) if len(args) > 1 else None)
    # SIGTERM (``kill``, a session's end, a whole process group's) ends this process as the
    # window's end does, its exit handlers run: by default it would end on the spot, its
    # scratch folder left behind.
    signal.signal(signal.SIGTERM, lambda number, frame: site.terminate())
    # The kernel hands a signal to any thread; Python runs its handler on this one, which may
    # be asleep in a read: woken by this pipe, or a SIGTERM mid-run went unheeded until the
    # window next asked something (a run not stopped, once in a few on a busy machine).
    woken, wake = os.pipe()
    os.set_blocking(woken, False)
    os.set_blocking(wake, False)
    signal.set_wakeup_fd(wake, warn_on_full_buffer=False)
    with contextlib.suppress(Exception):  # a run boots again, and says what went wrong
        embedded_site.boot()  # now, so the first run does not wait for it
    site.collections.install()  # (tests that make a _Site record none, nor tell)
    site.serve(woken)


if __name__ == "__main__":
    main()
