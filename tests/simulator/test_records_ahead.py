"""An in-process run's records are sent ahead of the window's next frame (``ahead.py``): a
frame builds from what has arrived, at its own now, without waiting for the site's process,
whose thread that takes snapshots waits for the GIL behind the site's busy loop; each lane
as its records stood when read, never more than ``STALE_NS`` before the frame's now."""

from __future__ import annotations

import copy
import multiprocessing
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.connection import Connection

import pytest

from simulator.hosting.driver import RequestRecord
from simulator.hosting.live_lanes import from_scratch
from simulator.hosting.site_process import ProcessRun, SiteProcess, parent
from simulator.hosting.site_process.ahead import LONGEST_LEAD_NS, STALE_NS, Ahead, Asked
from simulator.hosting.site_process.child import _Site
from simulator.hosting.site_process.wire import SNAPSHOT_ASK
from simulator.scenario import Scenario

from .test_record_wire import LOOP, MS, _answered, _InProcess, _picked, _probe


@dataclass
class _Wired:
    """A window's run and the site's side, over a socket pair and a pipe, in this process:
    the site's thread that takes snapshots, the window's reader."""

    site: _Site
    run: ProcessRun
    records: list[RequestRecord]

    def pushed(self) -> None:
        """The records asked ahead for a frame due now, arrived."""
        self.run.frame_at(time.perf_counter_ns())  # due now: taken at once
        (asked,) = self.run._ahead.asked
        assert asked.done.wait(5)


@contextmanager
def _wired(monkeypatch: pytest.MonkeyPatch) -> Iterator[_Wired]:
    monkeypatch.setattr(parent, "ASK_PATIENCE_S", 2.0)  # a frame never waits longer
    records = [_probe(0, 0), _probe(1, 2)]
    _picked(records[0], 1)
    window, theirs = multiprocessing.Pipe()
    asks, their_asks = socket.socketpair()
    site = _Site(theirs, their_asks.fileno())
    site._run_id = site._live_run = 0
    monkeypatch.setattr(site, "_live", _InProcess(records))
    process = SiteProcess()
    process._asks = asks

    def read() -> None:
        while True:
            try:
                message = window.recv()
            except (EOFError, OSError):
                return
            process._take(message)

    threads = [
        threading.Thread(target=site._serve_asks, args=(their_asks.fileno(),)),
        threading.Thread(target=read),
    ]
    for thread in threads:
        thread.start()
    run = ProcessRun(process, Scenario(view="async_io", requests=2))
    run.run_id = 0
    try:
        yield _Wired(site, run, records)
    finally:
        asks.close()
        threads[0].join(5)
        their_asks.close()
        theirs.close()
        threads[1].join(5)
        window.close()
    assert not any(thread.is_alive() for thread in threads)


def test_a_frame_builds_from_the_records_sent_ahead_while_the_site_s_thread_cannot_run(
    monkeypatch: pytest.MonkeyPatch,
):
    """The site's thread held (as behind the site's busy loop, for the GIL): the frame is
    built at once from the records that arrived, at its own now, each lane as its records
    stood when read (a request answered since still drawn doing what it did then, reaching
    now). Asked when the frame is wanted, it waited for that thread (here: its patience)."""
    with _wired(monkeypatch) as wired:
        run, records = wired.run, wired.records
        first = time.perf_counter_ns()
        assert run.snapshot(first).lanes == from_scratch(records, first, LOOP)
        wired.pushed()
        as_read = copy.deepcopy(records)
        held = threading.Event()
        monkeypatch.setattr(wired.site, "_snapshot", lambda *args: held.wait(10))
        try:
            _answered(records[0], 310)  # recorded after the records were read
            now = run._records.taken_ns + STALE_NS // 2
            start = time.monotonic()
            lanes = run.snapshot(now).lanes
            waited = time.monotonic() - start
        finally:
            held.set()
        assert lanes == from_scratch(as_read, now, LOOP) != from_scratch(records, now, LOOP)
        assert lanes[0].done_ns == now and lanes[0].segments[-1].end_ns == now
        assert waited < parent.ASK_PATIENCE_S / 2


def test_records_older_than_the_bound_are_asked_again_and_the_frame_has_what_followed(
    monkeypatch: pytest.MonkeyPatch,
):
    """A frame much later than expected finds its records older than ``STALE_NS``: it asks
    the site's process again, and draws what was recorded since (the answer)."""
    with _wired(monkeypatch) as wired:
        run, records = wired.run, wired.records
        run.snapshot(time.perf_counter_ns())
        wired.pushed()
        _answered(records[0], 310)
        now = run._records.taken_ns + STALE_NS + MS
        lanes = run.snapshot(now).lanes
        assert lanes == from_scratch(records, now, LOOP)
        assert lanes[0].status == "ok" and lanes[0].done_ns < now


def test_the_site_takes_a_snapshot_asked_ahead_at_its_time_or_at_once_when_hurried(
    monkeypatch: pytest.MonkeyPatch,
):
    """Taken at the time asked (not before), or as soon as the window hurries it; hurried
    after it was taken, it is not taken twice; replaced by a newer one before its time, it
    is answered with nothing (nobody waits for it), never left unanswered."""
    window, theirs = multiprocessing.Pipe()
    asks, their_asks = socket.socketpair()
    site = _Site(theirs, their_asks.fileno())
    site._run_id = 3
    taken: list[tuple[int, int]] = []
    took = threading.Semaphore(0)

    def snapshot(asked: int, now_ns: int | None, run_id: int) -> None:
        taken.append((asked, time.perf_counter_ns()))
        took.release()

    monkeypatch.setattr(site, "_snapshot", snapshot)
    serving = threading.Thread(target=site._serve_asks, args=(their_asks.fileno(),))
    serving.start()

    def ask(number: int, at_ns: int) -> None:
        asks.sendall(SNAPSHOT_ASK.pack(3, number, 0, at_ns))

    try:
        late = time.perf_counter_ns() + 60_000 * MS
        ask(1, late)
        ask(1, 0)  # hurried
        assert took.acquire(timeout=5) and taken[0][0] == 1 and taken[0][1] < late
        ask(1, 0)  # hurried again, on its way: not taken again
        soon = time.perf_counter_ns() + 50 * MS
        ask(2, soon)
        assert took.acquire(timeout=5) and taken[1][0] == 2 and taken[1][1] >= soon
        ask(3, late)
        ask(4, time.perf_counter_ns())  # replaces 3
        assert took.acquire(timeout=5) and [n for n, _ in taken] == [1, 2, 4]
        assert window.poll(5) and window.recv() == ("reply", 3, None)
    finally:
        asks.close()
        serving.join(5)
        their_asks.close()
    assert not serving.is_alive()


def _replies(window: Connection) -> Iterator[tuple[int, object]]:
    while window.poll(5):
        kind, number, reply = window.recv()
        assert kind == "reply"
        yield number, reply


def test_a_snapshot_asked_ahead_for_a_run_that_ended_is_not_taken_of_the_next():
    """Lesson 6 (and 8, 13, 18, 19, 21) in the window: "The window could not follow the
    site's process (IndexError: list index out of range); the run ended" at B's run. A
    snapshot asked ahead for A, due once B had begun, was taken of B's records and given
    to A: B's copies lacked them for good. It is answered with nothing; B's are B's."""
    window, theirs = multiprocessing.Pipe()
    asks, their_asks = socket.socketpair()
    site = _Site(theirs, their_asks.fileno())
    site._run_id = site._live_run = 3
    site._live = _InProcess([_probe(0, 0)])  # type: ignore[assignment]
    serving = threading.Thread(target=site._serve_asks, args=(their_asks.fileno(),))
    serving.start()
    try:
        asks.sendall(SNAPSHOT_ASK.pack(3, 1, 0, time.perf_counter_ns() + 100 * MS))
        time.sleep(0.02)  # read, to be taken in 100 ms
        with site._frame_lock:  # A ended; B began (as ``_Site._run`` installs it)
            site._run_id = site._live_run = 4
            site._live = _InProcess([_probe(0, 0), _probe(1, 1)])  # type: ignore[assignment]
        assert next(_replies(window)) == (1, None)
        asks.sendall(SNAPSHOT_ASK.pack(4, 2, 0, time.perf_counter_ns()))  # B's, due now
        number, reply = next(_replies(window))
        assert number == 2 and isinstance(reply, tuple) and reply[0].count == 2
    finally:
        asks.close()
        serving.join(5)
        their_asks.close()
    assert not serving.is_alive()


def test_a_snapshot_asked_for_a_run_whose_run_has_not_begun_there_is_not_the_last_run_s():
    """The window asked for B (``_run_id``) while A's run, its probes and its sender, were
    still installed (B's thread waits for A's to end): A's records answered B's question,
    framed by A's sender, which then counted them sent (and A's question, checked against
    ``_run_id`` before B was asked and taken after B's were installed, got B's). A run's
    question is answered only from its own run; until then, with nothing."""
    window, theirs = multiprocessing.Pipe()
    asks, their_asks = socket.socketpair()
    site = _Site(theirs, their_asks.fileno())
    site._live_run = 3
    site._live = _InProcess([_probe(0, 0)])  # type: ignore[assignment]
    site._run_id = 4  # B asked; A's thread not yet ended
    serving = threading.Thread(target=site._serve_asks, args=(their_asks.fileno(),))
    serving.start()
    try:
        asks.sendall(SNAPSHOT_ASK.pack(4, 1, 0, 0))
        assert next(_replies(window)) == (1, None)
    finally:
        asks.close()
        serving.join(5)
        their_asks.close()
    assert not serving.is_alive()


def test_records_are_asked_for_the_slowest_push_but_one_of_the_last_before_the_frame():
    """Each push slower than the lead makes its frame wait, and each ms of lead more makes
    the records older: the slowest but one of the last pushes, from the time it was to be
    taken (or was hurried) to its arrival. Nothing known yet: the longest. A push replaced
    before its time (answered with nothing) says nothing of how long one takes."""
    ahead = Ahead()
    assert ahead.lead_ns == LONGEST_LEAD_NS

    def pushed(reply: object, latency_ms: int) -> None:
        asked = Asked(lambda reply: reply, at_ns=100 * MS)
        asked.answer(reply)
        asked.arrived_ns = (100 + latency_ms) * MS
        ahead.asked.append(asked)

    pushed("records", 9)
    pushed(None, 0)
    assert ahead.lead_ns == 10 * MS  # 9 ms, and 1 more
    for latency_ms in (2, 3, 2, 3):
        pushed("records", latency_ms)
    assert ahead.lead_ns == 4 * MS
    for _ in range(8):
        pushed("records", 40)
    assert ahead.lead_ns == LONGEST_LEAD_NS  # (then a frame hurries what is late)
    assert ahead.asked == [] and ahead.on_its_way is None


def test_a_reply_the_window_cannot_apply_leaves_no_frame_waiting(monkeypatch: pytest.MonkeyPatch):
    """A frame the reader fails to apply ends the run ("The window could not follow the
    site's process"): the frame that hurried it, or asked, gets nothing at once, where it
    waited the whole of ``ASK_PATIENCE_S`` (60 s: the stream of frames, and the session's
    end after it, waited as long)."""
    monkeypatch.setattr(parent, "ASK_PATIENCE_S", 3.0)
    process = SiteProcess()
    asks, theirs = socket.socketpair()
    process._asks = asks
    run = ProcessRun(process, Scenario(view="async_io", requests=2))
    run.run_id = 0

    def replied(kind: str, reply: object) -> object:
        raise IndexError("list index out of range")

    monkeypatch.setattr(run, "replied", replied)
    try:
        asked = process.ask_ahead(run, time.perf_counter_ns())
        assert asked is not None
        with pytest.raises(IndexError):  # the reader's end (``SiteProcess._read``)
            process._take(("reply", asked.number, ("a frame", 0.0)))
        start = time.monotonic()
        assert process.hurry(run, asked) is None
        assert time.monotonic() - start < parent.ASK_PATIENCE_S / 2
    finally:
        asks.close()
        theirs.close()
