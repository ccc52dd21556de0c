"""The site's full collections told to the window as they begin and end (``collecting.py``):
none of the site's Python runs in one, so a frame then is built from the records read as it
began and waits for nothing (issue 23: most 1,000-lane frames over 100 ms had waited 40-78
ms for one, its GIL held, no record readable)."""

from __future__ import annotations

import asyncio
import copy
import gc
import multiprocessing
import pickle
import threading
import time

import pytest

from simulator.hosting.live_lanes import LiveRecords, from_scratch
from simulator.hosting.site_process.ahead import STALE_NS
from simulator.hosting.site_process.child import _Site
from simulator.hosting.site_process.collecting import CollectionTeller
from simulator.hosting.site_process.record_wire import RecordFrame, RecordMirror, RecordSender
from simulator.trace.collector import Collections

from .test_record_wire import LOOP, MS, _answered, _InProcess, _probe
from .test_records_ahead import _wired


def _frame_at(now_ns: int) -> RecordFrame:
    records = [_probe(0, 0)]
    return RecordSender().frame(LiveRecords(now_ns, 0, records, LOOP, [], None))


def _told(written: list[bytes]) -> list[tuple[object, ...]]:
    return [pickle.loads(data[4:]) for data in written]


def test_a_full_collection_is_told_as_it_begins_with_the_records_then_and_as_it_ends():
    written: list[bytes] = []
    frame_lock, send_lock = threading.Lock(), threading.Lock()
    frames: list[int] = []

    def frame_now(now_ns: int) -> tuple[int, RecordFrame]:
        frames.append(now_ns)
        return 7, _frame_at(now_ns)

    teller = CollectionTeller(frame_now, written.append, frame_lock, send_lock)
    collections = Collections(full=teller.seen)
    collections.install()
    try:
        gc.collect(1)  # a young one: told nothing
        assert written == []
        before = time.perf_counter_ns()
        gc.collect()
        after = time.perf_counter_ns()
        with frame_lock:  # a frame under way when it fell due: nothing told
            gc.collect()
    finally:
        collections.uninstall()
    (kind, run_id, frame, began), (ended_kind, ended_run, began_again, walked, ended) = _told(
        written
    )
    assert (kind, run_id, ended_kind, ended_run) == ("collecting", 7, "collected", 7)
    assert isinstance(frame, RecordFrame) and frame.now_ns == began == began_again == frames[0]
    assert before <= began <= walked <= ended <= after
    assert len(frames) == 1


def test_no_run_measured_in_process_tells_nothing():
    written: list[bytes] = []
    teller = CollectionTeller(
        lambda now_ns: None, written.append, threading.Lock(), threading.Lock()
    )
    collections = Collections(full=teller.seen)
    collections.install()
    try:
        gc.collect()
    finally:
        collections.uninstall()
    assert written == []


def test_records_read_as_a_collection_began_are_as_recent_as_it_is_long():
    """How long the site's Python may have run since the records were read: their age, less
    the collection told meanwhile."""
    mirror = RecordMirror()
    assert mirror.unseen_ns(0) > 10**15  # nothing read yet
    mirror.take(_frame_at(100 * MS))
    assert mirror.unseen_ns(110 * MS) == 10 * MS
    mirror.take(_frame_at(120 * MS), collecting=True)
    assert mirror.unseen_ns(170 * MS) == 0  # still collecting
    mirror.collected(119 * MS, 121 * MS, 150 * MS)  # not the one told: left
    assert mirror.unseen_ns(170 * MS) == 0
    mirror.collected(120 * MS, 121 * MS, 150 * MS)  # (its records written in 1 ms)
    assert mirror.unseen_ns(170 * MS) == 21 * MS
    mirror.take(_frame_at(175 * MS))  # records read after it: their own age
    assert mirror.unseen_ns(180 * MS) == 5 * MS


def test_a_frame_waiting_for_the_records_it_hurried_takes_those_read_as_a_collection_began(
    monkeypatch: pytest.MonkeyPatch,
):
    """The site's thread cannot take the records (its full collection holds the GIL): the
    frame that hurried them is built, as soon as the collection is told, from the records
    read as it began (an answer recorded just before drawn), at its own now. Before, it
    waited for the collection and then for the records (here: its patience, 2 s)."""
    with _wired(monkeypatch) as wired:
        run, records = wired.run, wired.records
        run._site._runs[0] = run  # type: ignore[attr-defined] (told what the site tells of it)
        run.snapshot(time.perf_counter_ns())
        wired.pushed()
        held = threading.Event()
        monkeypatch.setattr(wired.site, "_snapshot", lambda *args: held.wait(10))
        try:
            _answered(records[0], 310)  # recorded after the last records were read
            run.frame_at(time.perf_counter_ns())  # the next ones: the site's thread is held
            now = run._records.taken_ns + 3 * STALE_NS  # their records long stale
            began = now - MS
            taken: list[object] = []
            frame = threading.Thread(target=lambda: taken.append(run.snapshot(now)))
            start = time.monotonic()
            frame.start()
            time.sleep(0.05)  # the frame waits for the records it hurried
            assert frame.is_alive()
            as_read = copy.deepcopy(records)
            wired.site.teller._begun(began)  # (as gc's callback calls it)
            frame.join(1)
            waited = time.monotonic() - start
        finally:
            held.set()
        assert not frame.is_alive() and waited < 1
        (trace,) = taken
        assert trace.lanes == from_scratch(as_read, now, LOOP)  # type: ignore[attr-defined]
        assert trace.lanes[0].status == "ok"  # type: ignore[attr-defined]


def test_no_collection_of_the_site_s_begins_while_a_snapshot_holds_the_frame_lock(
    monkeypatch: pytest.MonkeyPatch,
):
    """A snapshot frames its records with the collector held off; the collection their
    allocations bring falls due as it is back on. Back on inside the frame lock, that
    collection began as the reply was written, the lock held, where the teller cannot tell
    it: in ``render.py --live``, one of the two full collections of a 1,000-request run went
    untold (41-44 ms), a frame waiting through it for the site's records."""
    records = [_probe(0, 0), _probe(1, 2)]
    window, theirs = multiprocessing.Pipe()
    site = _Site(theirs)
    monkeypatch.setattr(site, "_live", _InProcess(records))
    site._live_run = 0
    held: list[bool] = []

    def called(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            held.append(site._frame_lock.locked())

    thresholds = gc.get_threshold()
    gc.callbacks.append(called)
    gc.set_threshold(1, 1, 1)  # a collection every other allocation
    try:
        site._snapshot(0, 20 * MS, 0)
        [object() for _ in range(4)]  # (what the snapshot's allocations brought)
    finally:
        gc.set_threshold(*thresholds)
        gc.callbacks.remove(called)
    assert window.poll(5)  # the reply
    assert held and not any(held)


class _Answered(_InProcess):
    """An in-process run whose every request has its answer (Django still tidying up)."""

    sockets = None

    async def answered(self) -> None:
        return None


def test_no_collection_is_told_once_the_window_was_told_every_answer():
    """The window draws no frame after the last answer (``app/session/live.py``): a full
    collection during Django's tidying after it, told, only had the site read its records
    inside the collection (6-9 ms more of it each, at 5,000 requests) and the window build
    lanes nobody draws."""
    window, theirs = multiprocessing.Pipe()
    site = _Site(theirs)
    live = _Answered([_probe(0, 0)])
    site._live, site._live_run = live, 0  # type: ignore[assignment]

    async def watched() -> None:
        running = asyncio.get_running_loop().create_future()
        await site._watch(0, live, running)  # type: ignore[arg-type]

    asyncio.run(watched())
    told = [window.recv(), window.recv()]
    site.collections.install()
    try:
        gc.collect()
    finally:
        site.collections.uninstall()
    assert [kind for kind, *_ in told] == ["started", "answered"]
    assert not window.poll(0.1)
