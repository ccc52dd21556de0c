"""A question the window asks the site's process always gets its answer: a snapshot that
fails there is told, and raised where it was asked (as in the window's own process: its
frames stop, the run goes on), never left unanswered, which would hold the window's frame
thread, and then its closing, for ever."""

from __future__ import annotations

import multiprocessing
import os
import signal
import socket
import threading
import time
from multiprocessing.connection import Connection

import pytest

from simulator.errors import LanesError
from simulator.hosting.site_process import ProcessRun, SiteProcess
from simulator.hosting.site_process.child import _Site
from simulator.hosting.site_process.wire import SNAPSHOT_ASK
from simulator.scenario import Scenario
from simulator.trace import Trace


class _Broken:
    """A run whose snapshot fails in the site's process (a bug in reading its records, or
    over sockets in building its lanes, say)."""

    started = True

    def records_now(self, now_ns: int) -> None:
        raise RuntimeError("lanes out of order")

    def snapshot(self, now_ns: int | None = None) -> Trace:
        raise RuntimeError("lanes out of order")


def test_a_snapshot_that_fails_in_the_site_s_process_is_answered_and_raised_where_asked(
    monkeypatch: pytest.MonkeyPatch,
):
    window, theirs = multiprocessing.Pipe()
    site = _Site(theirs)
    monkeypatch.setattr(site, "_live", _Broken())
    site._live_run = 0
    site._snapshot(7, 0, 0)
    assert window.poll(5)
    kind, asked, reply = window.recv()
    assert (kind, asked) == ("reply", 7)

    run = ProcessRun(SiteProcess(), Scenario(view="async_io", requests=3))
    run.run_id = 0
    monkeypatch.setattr(run._site, "ask", lambda handle, what, *args: run.replied(what, reply))
    with pytest.raises(LanesError, match=r"snapshot failed: RuntimeError: lanes out of order"):
        run.snapshot(0)


def test_a_reply_that_never_comes_does_not_hold_the_window(monkeypatch: pytest.MonkeyPatch):
    """A site's process that takes a question and never answers it (a bug there): the frame
    draws what it had after the patience, rather than holding the window's frame thread."""
    import time

    from simulator.hosting.site_process import parent

    monkeypatch.setattr(parent, "ASK_PATIENCE_S", 0.2)
    site = SiteProcess()
    monkeypatch.setattr(site, "send", lambda *message: True)  # taken, never answered
    run = ProcessRun(site, Scenario(view="async_io", requests=3))
    run.run_id = 0
    start = time.monotonic()
    assert run.snapshot(5) == Trace(t0_ns=5, lanes=())
    assert time.monotonic() - start < 5


def test_a_stop_is_read_while_a_snapshot_is_being_taken(monkeypatch: pytest.MonkeyPatch):
    """Snapshots are asked on a socket of their own and taken by the thread that reads it: on
    the thread that reads the window's questions, one would hold a Stop (and the window's
    end) behind it, seconds at 10,000 lanes when the site built the lanes."""
    _, theirs = multiprocessing.Pipe()
    asks, their_asks = socket.socketpair()
    site = _Site(theirs, their_asks.fileno())
    site._run_id = 3
    taking, release = threading.Event(), threading.Event()
    stopped: list[bool] = []
    taken: list[tuple[int, int | None]] = []

    def slow_snapshot(asked: int, now_ns: int | None, run_id: int) -> None:
        taken.append((asked, now_ns))
        taking.set()
        release.wait(5)

    monkeypatch.setattr(site, "_snapshot", slow_snapshot)
    monkeypatch.setattr(site, "_stop", lambda: stopped.append(True))
    snapshots = threading.Thread(target=site._serve_asks, args=(their_asks.fileno(),))
    snapshots.start()
    try:
        asks.sendall(SNAPSHOT_ASK.pack(3, 1, 0, 0) + SNAPSHOT_ASK.pack(3, 2, 7, 0)[:5])
        assert taking.wait(5)
        site._take(("stop", 3))  # read by the window's reader meanwhile
        assert stopped == [True]
        asks.sendall(SNAPSHOT_ASK.pack(3, 2, 7, 0)[5:])  # a question split across two reads
        release.set()
    finally:
        release.set()
        asks.close()
        snapshots.join(5)
        their_asks.close()
    assert taken == [(1, None), (2, 7)] and not snapshots.is_alive()


def test_a_sigterm_taken_by_another_thread_still_ends_the_site_s_serving(monkeypatch):
    """The kernel hands a process's signal to any of its threads, and Python runs the handler
    on the main one, asleep in its read of the window's socket: a SIGTERM mid-run went unheeded
    until the window next asked something (a run not stopped, 6 in 30 on old code). The signals'
    wake-up pipe wakes the read."""
    ours, theirs = socket.socketpair()
    site = _Site(Connection(os.dup(theirs.fileno())))
    ended: list[bool] = []
    monkeypatch.setattr(site, "_end", lambda: ended.append(True))  # (it would exit pytest)
    woken, wake = os.pipe()
    os.set_blocking(woken, False)
    os.set_blocking(wake, False)
    old_wake = signal.set_wakeup_fd(wake, warn_on_full_buffer=False)
    old_handler = signal.signal(signal.SIGUSR1, lambda number, frame: site.terminate())

    def signalled_on_another_thread() -> None:
        time.sleep(0.2)
        signal.pthread_kill(threading.get_ident(), signal.SIGUSR1)

    def unblock_after_5_s() -> None:  # the old read, never woken, would wait for ever
        time.sleep(5)
        ours.close()

    for target in (signalled_on_another_thread, unblock_after_5_s):
        threading.Thread(target=target, daemon=True).start()
    start = time.monotonic()
    try:
        site.serve(woken)
    finally:
        signal.signal(signal.SIGUSR1, old_handler)
        signal.set_wakeup_fd(old_wake)
        for fd in (woken, wake):
            os.close(fd)
        theirs.close()
    assert ended and time.monotonic() - start < 4
