"""A question the window asks the site's process always gets its answer: a snapshot that
fails there is told, and raised where it was asked (as in the window's own process: its
frames stop, the run goes on), never left unanswered, which would hold the window's frame
thread, and then its closing, for ever."""

from __future__ import annotations

import multiprocessing
import threading

import pytest

from simulator.errors import LanesError
from simulator.hosting.site_process import ProcessRun, SiteProcess
from simulator.hosting.site_process.child import _Site
from simulator.scenario import Scenario
from simulator.trace import Trace


class _Broken:
    """A run whose snapshot fails (a bug in building its lanes, say)."""

    started = True

    def snapshot(
        self, now_ns: int | None = None, *, grown: list[tuple[int, int]] | None = None
    ) -> Trace:
        raise RuntimeError("lanes out of order")


def test_a_snapshot_that_fails_in_the_site_s_process_is_answered_and_raised_where_asked(
    monkeypatch: pytest.MonkeyPatch,
):
    window, theirs = multiprocessing.Pipe()
    site = _Site(theirs)
    monkeypatch.setattr(site, "_live", _Broken())
    site._snapshot(7, 0)
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
    """Snapshots are taken on a worker: one on the thread that reads the window's questions
    would hold a Stop (and the window's end) behind it, seconds at 10,000 lanes."""
    _, theirs = multiprocessing.Pipe()
    site = _Site(theirs)
    site._run_id = 3
    taking, release = threading.Event(), threading.Event()
    stopped: list[bool] = []

    def slow_snapshot(asked: int, now_ns: int) -> None:
        taking.set()
        release.wait(5)

    monkeypatch.setattr(site, "_snapshot", slow_snapshot)
    monkeypatch.setattr(site, "_stop", lambda: stopped.append(True))
    worker = threading.Thread(target=site._serve_work, daemon=True)
    worker.start()
    reader = threading.Thread(
        target=lambda: (site._take(("snapshot", 3, 1, 0)), site._take(("stop", 3))), daemon=True
    )
    reader.start()
    try:
        assert taking.wait(5)
        reader.join(1)
        assert stopped == [True] and not reader.is_alive()
    finally:
        release.set()
        site._work.put(None)
        worker.join(5)
