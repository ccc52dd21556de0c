"""An in-process run's live frames go from the site's process as what its probes recorded
since the last frame, and the window builds the lanes: each the lane a build from scratch
of the site's records gives at the frame's "now", each record sent once, and the site's
process building none (``site_process/record_wire.py``)."""

from __future__ import annotations

import asyncio
import gc
import multiprocessing
import pickle
import threading
import time

import pytest

from embedded_site.instrumentation import Mark, RawSegment, RequestProbe
from embedded_site.waits import Clock
from simulator.errors import LanesError
from simulator.hosting import live_lanes
from simulator.hosting.driver import RequestRecord
from simulator.hosting.live_lanes import LiveRecords, from_scratch
from simulator.hosting.site_process import ProcessRun, SiteProcess, record_wire
from simulator.hosting.site_process.child import _Site
from simulator.hosting.site_process.record_wire import RecordFrame, RecordMirror, RecordSender
from simulator.metrics.summary import summarize
from simulator.scenario import Scenario
from simulator.trace import Run
from simulator.trace.collector import Collections

MS = 1_000_000
LOOP = "asgi-loop"


def _probe(request_id: int, sent_ms: int) -> RequestRecord:
    return RequestRecord(RequestProbe(request_id, "async_io", sent_ms * MS))


def _picked(record: RequestRecord, at_ms: int) -> None:
    """Picked up on the loop, through the middleware, into a 300 ms await (still open)."""
    probe = record.probe
    at = at_ms * MS
    probe.picked_ns, probe.picked_thread = at, LOOP
    probe.marks.append(Mark(at + MS, "thread 1", "signal"))
    probe.marks.append(Mark(at + 2 * MS, LOOP, "middleware_in", Clock(at + 2 * MS, 5, None)))
    probe.loop_steps.append((at, at + 3 * MS))
    start = Clock(at + 3 * MS, 7, 11)
    probe.open_segments[1] = RawSegment(
        "io_wait", at + 3 * MS, at + 3 * MS, LOOP, True, 40, start, None, at + 303 * MS
    )
    probe.db_events.append((at + MS, 1))
    probe.touch()


def _answered(record: RequestRecord, at_ms: int) -> None:
    """The await ended, the answer sent, Django done with it."""
    probe = record.probe
    at = at_ms * MS
    seg = probe.open_segments.pop(1)
    probe.segments.append(
        RawSegment("io_wait", seg.start_ns, at, LOOP, False, 40, seg.start_clock, Clock(at, 9, 12))
    )
    probe.loop_steps.append((at, at + MS))
    probe.marks.append(Mark(at + MS, LOOP, "middleware_out", Clock(at + MS, 10, None)))
    probe.responded_ns = probe.finished_ns = at + MS
    record.status, record.status_code, record.done_ns = "ok", 200, at + 2 * MS
    probe.touch()


def _sent(sender: RecordSender, mirror: RecordMirror, records: list[RequestRecord], now_ms: int):
    live = LiveRecords(now_ms * MS, 0, list(records), LOOP, [(1 * MS, 5 * MS)], None)
    frame = sender.frame(live)
    mirror.take(pickle.loads(pickle.dumps(frame)))
    trace = mirror.trace()
    assert trace is not None
    return frame, trace


def _same_records(mine: RequestRecord, theirs: RequestRecord) -> bool:
    a, b = mine.probe, theirs.probe
    return (
        (a.request_id, a.view, a.sent_ns, a.picked_ns, a.picked_thread, a.picked_clock)
        == (b.request_id, b.view, b.sent_ns, b.picked_ns, b.picked_thread, b.picked_clock)
        and (a.responded_ns, a.finished_ns, a.error) == (b.responded_ns, b.finished_ns, b.error)
        and (a.segments, a.marks, a.loop_steps, a.db_events)
        == (b.segments, b.marks, b.loop_steps, b.db_events)
        and list(a.open_segments.values()) == list(b.open_segments.values())
        and (mine.status, mine.status_code, mine.error, mine.done_ns)
        == (theirs.status, theirs.status_code, theirs.error, theirs.done_ns)
    )


def test_the_window_builds_from_the_records_sent_the_lanes_the_site_s_records_give():
    records = [_probe(0, 0), _probe(1, 2)]
    _picked(records[0], 1)
    sender, mirror = RecordSender(), RecordMirror()
    frame, trace = _sent(sender, mirror, records, 20)
    assert [i for i, *_ in frame.changes] == [0, 1] and frame.new == [
        (0, "async_io"),
        (1, "async_io"),
    ]
    assert trace.lanes == from_scratch(records, 20 * MS, LOOP)
    assert trace.loop_blocked == ((1 * MS, 5 * MS),) and trace.loop_thread == LOOP
    assert all(map(_same_records, mirror._records, records))

    # Nothing recorded since: nothing sent, and the lanes grew to the new now.
    frame, trace = _sent(sender, mirror, records, 40)
    assert frame.changes == [] and frame.new == []
    assert trace.lanes == from_scratch(records, 40 * MS, LOOP)

    # One picked up, one answered, one new: each sends only what it recorded since.
    _picked(records[1], 45)
    _answered(records[0], 310)
    records.append(_probe(2, 320))
    frame, trace = _sent(sender, mirror, records, 330)
    changes = {i: change for i, _, _, *change in frame.changes}
    segments, marks, db_events, steps, running = changes[0]
    assert (len(segments), len(marks), len(db_events), len(steps), running) == (1, 1, 0, 1, [])
    assert len(changes[1][1]) == 2 and frame.new == [(2, "async_io")]
    assert trace.lanes == from_scratch(records, 330 * MS, LOOP)
    assert all(map(_same_records, mirror._records, records))


def test_an_await_sent_open_again_as_it_was_is_not_copied_again_in_the_window():
    """10,000 requests awaiting their upstream each record a loop step a frame: the await
    each frame sends along, open as it was, is the window's copy already."""
    records = [_probe(0, 0)]
    _picked(records[0], 1)
    sender, mirror = RecordSender(), RecordMirror()
    _sent(sender, mirror, records, 20)
    copy = mirror._records[0].probe.open_segments[0]
    records[0].probe.loop_steps.append((25 * MS, 26 * MS))
    records[0].probe.touch()
    frame, trace = _sent(sender, mirror, records, 30)
    assert [i for i, *_ in frame.changes] == [0]
    assert mirror._records[0].probe.open_segments[0] is copy
    assert trace.lanes == from_scratch(records, 30 * MS, LOOP)
    assert all(map(_same_records, mirror._records, records))
    _answered(records[0], 310)  # (closed: the copy goes)
    frame, trace = _sent(sender, mirror, records, 330)
    assert mirror._records[0].probe.open_segments == {}
    assert trace.lanes == from_scratch(records, 330 * MS, LOOP)
    assert all(map(_same_records, mirror._records, records))


def test_a_record_made_after_its_version_was_read_is_sent_and_its_version_after():
    """The site reads a probe's version before its records (as the live lanes do): a record
    made between the two goes with the older version, and the newer one follows it next
    frame with nothing sent twice."""
    records = [_probe(0, 0)]
    _picked(records[0], 1)
    sender, mirror = RecordSender(), RecordMirror()
    _sent(sender, mirror, records, 10)
    probe = records[0].probe
    probe.loop_steps.append((12 * MS, 13 * MS))  # recorded, not yet touched
    frame, _ = _sent(sender, mirror, records, 14)
    assert frame.changes == []  # its version is the one sent: nothing new, as far as it says
    probe.touch()
    frame, trace = _sent(sender, mirror, records, 16)
    (change,) = frame.changes
    assert change[1] == probe.version and change[6] == [(12 * MS, 13 * MS)]
    assert mirror._records[0].probe.loop_steps == probe.loop_steps
    assert trace.lanes == from_scratch(records, 16 * MS, LOOP)


class _InProcess:
    """An in-process run whose records are read; building its lanes here is a failure."""

    started = True

    def __init__(self, records: list[RequestRecord]) -> None:
        self.records = records

    def records_now(self, now_ns: int) -> LiveRecords:
        return LiveRecords(now_ns, 0, list(self.records), LOOP, [], None)

    def snapshot(self, *args: object, **kwargs: object) -> object:
        raise AssertionError("the site's process built the lanes")


def test_the_site_s_process_sends_an_in_process_run_s_records_and_builds_no_lane(
    monkeypatch: pytest.MonkeyPatch,
):
    records = [_probe(0, 0), _probe(1, 2)]
    _picked(records[0], 1)
    window, theirs = multiprocessing.Pipe()
    site = _Site(theirs)
    monkeypatch.setattr(site, "_live", _InProcess(records))
    site._live_run = 0
    run = ProcessRun(SiteProcess(), Scenario(view="async_io", requests=2))
    run.run_id = 0
    for asked, now_ms in enumerate((20, 400)):
        if now_ms == 400:
            _answered(records[0], 310)
        site._snapshot(asked, now_ms * MS, 0)
        assert window.poll(5)
        kind, number, reply = window.recv()
        assert (kind, number) == ("reply", asked) and isinstance(reply[0], RecordFrame)
        monkeypatch.setattr(
            run._site, "ask", lambda handle, what, *args, r=reply: run.replied(what, r)
        )
        assert run.snapshot(now_ms * MS).lanes == from_scratch(records, now_ms * MS, LOOP)


def test_a_lane_the_window_fails_to_build_is_one_error_where_asked_and_the_next_frame_is_right(
    monkeypatch: pytest.MonkeyPatch,
):
    records = [_probe(0, 0)]
    _picked(records[0], 1)
    sender, mirror = RecordSender(), RecordMirror()
    _sent(sender, mirror, records, 10)
    failing = live_lanes.LiveLanes.update

    def update(*args: object, **kwargs: object) -> object:
        raise RuntimeError("lanes out of order")

    run = ProcessRun(SiteProcess(), Scenario(view="async_io", requests=1))
    run.run_id = 0
    run._records = mirror
    frame = sender.frame(LiveRecords(20 * MS, 0, list(records), LOOP, [], None))
    monkeypatch.setattr(
        run._site, "ask", lambda handle, what, *args: run.replied(what, (frame, 0.0))
    )
    monkeypatch.setattr(live_lanes.LiveLanes, "update", update)
    with pytest.raises(LanesError, match=r"snapshot failed: RuntimeError: lanes out of order"):
        run.snapshot(20 * MS)
    monkeypatch.setattr(live_lanes.LiveLanes, "update", failing)
    _answered(records[0], 310)
    frame = sender.frame(LiveRecords(400 * MS, 0, list(records), LOOP, [], None))
    assert run.snapshot(400 * MS).lanes == from_scratch(records, 400 * MS, LOOP)


class _Measured(_InProcess):
    """An in-process run measured to its end (``LiveRun.measure``), stopped or not."""

    stopping = False

    def records_now(self, now_ns: int, final: bool = False) -> LiveRecords:
        blocking = None if final else (1 * MS, 2 * MS)
        return LiveRecords(now_ns, 0, list(self.records), LOOP, [(1 * MS, 2 * MS)], blocking)


def _ended(run: ProcessRun, message: tuple[object, ...]) -> Run:
    """What ``run`` ends with once told ``message`` (the site's ``done``)."""
    loop = asyncio.new_event_loop()
    try:
        run._loop, run._done = loop, loop.create_future()
        kind, _, *rest = message
        run.told(str(kind), rest)
        return loop.run_until_complete(asyncio.wait_for(run._done, 5))
    finally:
        loop.close()


def test_an_in_process_run_s_final_trace_is_made_in_the_window_from_the_records(
    monkeypatch: pytest.MonkeyPatch,
):
    """The site's process tells the end of a measured run as what its probes recorded since
    the last frame: the window makes the final trace (a build from scratch of the site's
    records, the block in progress gone) and its figures, the site's process neither."""
    records = [_probe(0, 0), _probe(1, 2)]
    _picked(records[0], 1)
    window, theirs = multiprocessing.Pipe()
    site = _Site(theirs)
    measured = _Measured(records)
    monkeypatch.setattr(site, "_live", measured)
    site._live_run = 0
    run = ProcessRun(SiteProcess(), Scenario(view="async_io", requests=2))
    run.run_id = 0
    site._snapshot(0, 20 * MS, 0)
    assert window.poll(5)
    run.replied("snapshot", window.recv()[2])
    _picked(records[1], 30)
    _answered(records[0], 310)
    _answered(records[1], 340)
    site._done(0, measured, None)  # type: ignore[arg-type]
    assert window.poll(5)
    message = window.recv()
    assert message[0] == "done" and isinstance(message[2], RecordFrame)
    finished = _ended(run, message)
    now = message[2].now_ns
    assert finished.trace.lanes == from_scratch(records, now, LOOP)
    assert finished.trace.loop_blocking_now is None and finished.trace.loop_blocked
    assert finished.summary == summarize(finished.trace) and finished.summary.ok == 2
    assert not finished.stopped


def test_a_final_trace_the_window_fails_to_make_ends_the_run_in_one_line(
    monkeypatch: pytest.MonkeyPatch,
):
    records = [_probe(0, 0)]
    _picked(records[0], 1)
    _answered(records[0], 310)
    sender = RecordSender()
    frame = sender.frame(_Measured(records).records_now(400 * MS, final=True))
    run = ProcessRun(SiteProcess(), Scenario(view="async_io", requests=1))

    def update(*args: object, **kwargs: object) -> object:
        raise RuntimeError("lanes out of order")

    monkeypatch.setattr(live_lanes.LiveLanes, "update", update)
    with pytest.raises(LanesError, match=r"^The run's final trace failed: RuntimeError: lanes"):
        _ended(run, ("done", 0, frame, None, False, False))


def test_at_a_now_later_than_its_records_a_frame_is_what_they_give_at_that_now():
    """Records asked ahead are read a few ms before the frame's now (``ahead.py``): each lane
    is what a build from scratch of those records gives at the frame's now, and the block of
    the loop under way when they were read reaches that now too."""
    records = [_probe(0, 0), _probe(1, 2)]
    _picked(records[0], 1)
    sender, mirror = RecordSender(), RecordMirror()
    read = LiveRecords(20 * MS, 0, list(records), LOOP, [(1 * MS, 5 * MS)], (12 * MS, 20 * MS))
    mirror.take(pickle.loads(pickle.dumps(sender.frame(read))))
    assert mirror.taken_ns == 20 * MS
    trace = mirror.trace(35 * MS)
    assert trace is not None
    assert trace.lanes == from_scratch(records, 35 * MS, LOOP)
    assert trace.loop_blocking_now == (12 * MS, 35 * MS)
    assert trace.lanes[0].segments[-1].end_ns == 35 * MS


def test_a_block_of_the_loop_short_of_its_records_now_stays_as_short_at_a_later_now():
    """A step inside the request's own await blocks the loop up to its now less its waits to
    run (``LoopMonitor.blocking_now``): at a later now it grows as long, still that short
    (grown to the frame's now, it drew what the step's end then took back)."""
    records = [_probe(0, 0)]
    _picked(records[0], 1)
    sender, mirror = RecordSender(), RecordMirror()
    read = LiveRecords(20 * MS, 0, list(records), LOOP, [], (12 * MS, 17 * MS))
    mirror.take(pickle.loads(pickle.dumps(sender.frame(read))))
    trace = mirror.trace(35 * MS)
    assert trace is not None
    assert trace.loop_blocking_now == (12 * MS, 32 * MS)


def test_a_snapshot_s_records_are_read_and_framed_without_walking_the_site_s_heap():
    """The snapshot's thread's allocations no longer bring the site's collections onto it
    (a full one was 44 ms of CPU in one snapshot of 1,000 lanes, its frame waiting): with a
    collection due at every allocation, the records of 200 requests are read and framed
    with a handful of them at most on that thread (thousands before), and the collector is
    on again after."""
    records = [_probe(i, i) for i in range(200)]
    for record in records:
        _picked(record, record.probe.sent_ns // MS + 1)
    window, theirs = multiprocessing.Pipe()
    site = _Site(theirs)
    site._live, site._live_run = _InProcess(records), 0
    me = threading.get_ident()
    collections: list[int] = []

    def noted(phase: str, info: dict[str, int]) -> None:
        if phase == "start" and threading.get_ident() == me:
            collections.append(info["generation"])

    thresholds = gc.get_threshold()
    gc.callbacks.append(noted)
    gc.set_threshold(1, 1000, 1000)
    try:
        site._snapshot(0, 20 * MS, 0)
    finally:
        gc.set_threshold(*thresholds)
        gc.callbacks.remove(noted)
    assert gc.isenabled()
    assert window.poll(5) and isinstance(window.recv()[2][0], RecordFrame)
    assert len(collections) < 10, len(collections)


def test_the_lanes_are_built_as_the_records_arrive_and_the_frame_after_only_grows_them(
    monkeypatch: pytest.MonkeyPatch,
):
    """A frame's records are built into lanes on the thread that reads them, as they arrive
    (a few ms before the frame that draws them: ``ahead.py``); that frame builds at its own
    now from the same records, growing the lanes in flight, not building them again: what
    it waits for is no longer the lanes its records changed. Each lane is still what a
    build from scratch gives at the frame's now, and the pace counts the CPU built ahead."""
    records = [_probe(i, i) for i in range(3)]
    for i, record in enumerate(records):
        _picked(record, 1 + i)  # each into its 300 ms await
    built: list[int] = []
    update = live_lanes.LiveLanes.update

    def counted(self: live_lanes.LiveLanes, *args: object, **kwargs: object) -> object:
        lanes = update(self, *args, **kwargs)  # type: ignore[arg-type]
        built.append(self.built)
        return lanes

    monkeypatch.setattr(live_lanes.LiveLanes, "update", counted)
    run = ProcessRun(SiteProcess(), Scenario(view="async_io", requests=3))
    run.run_id = 0
    frame = RecordSender().frame(LiveRecords(20 * MS, 0, list(records), LOOP, [], None))
    run.replied("snapshot", (pickle.loads(pickle.dumps(frame)), 0.001))
    assert built == [3]  # as they arrived
    trace = run.snapshot(30 * MS)  # the frame: its records arrived, 10 ms old
    assert built == [3, 0]  # grown to its now, none built again
    assert trace.lanes == from_scratch(records, 30 * MS, LOOP)
    assert run.snapshot_cpu_s == pytest.approx(0.001 + run.built_ahead_cpu_s)


def test_lanes_whose_build_outlasts_a_push_s_lead_are_built_by_their_frame(
    monkeypatch: pytest.MonkeyPatch,
):
    """A build longer than a push is given before its frame (``LONGEST_LEAD_NS``: 10,000
    requests on a saturated loop, hundreds of ms) is not made ahead: the frame would wait
    for it anyway, then build the lanes waiting for the loop again (frames came half as
    often). The frame builds them then, and a short build of its own lets the next be built
    ahead again. Every frame's lanes are what a build from scratch gives at its now."""
    records = [_probe(i, 0) for i in range(3)]
    for record in records:
        _picked(record, 1)
    sender, mirror = RecordSender(), RecordMirror()
    calls: list[int] = []
    update = live_lanes.LiveLanes.update

    def counted(self: live_lanes.LiveLanes, *args: object, **kwargs: object) -> object:
        calls.append(1)
        return update(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(live_lanes.LiveLanes, "update", counted)

    def frame(records_ms: int, now_ms: int, built_ahead: bool) -> None:
        live = LiveRecords(records_ms * MS, 0, list(records), LOOP, [], None)
        mirror.take(pickle.loads(pickle.dumps(sender.frame(live))))
        before = len(calls)
        mirror.build_ahead()
        assert len(calls) == before + built_ahead
        trace = mirror.trace(now_ms * MS)
        assert trace is not None and trace.lanes == from_scratch(records, now_ms * MS, LOOP)

    frame(20, 30, built_ahead=True)
    monkeypatch.setattr(record_wire, "LONGEST_LEAD_NS", -1)  # every build outlasts it
    _answered(records[0], 40)
    frame(50, 60, built_ahead=False)
    monkeypatch.setattr(record_wire, "LONGEST_LEAD_NS", 10**12)
    _answered(records[1], 70)
    frame(80, 90, built_ahead=True)


def test_the_site_s_own_collections_reach_the_window_with_its_frames_once_each():
    """A collection in the site's process holds its GIL: no record can be read meanwhile,
    so a frame of the window's waits for it. The frames carry them, for ``render.py`` to set
    beside the frames that waited (issue 23: most 1,000-lane frames over 100 ms had waited
    40-78 ms for the site's own full collection)."""
    collections, too_short = Collections(shortest_ns=0), Collections(shortest_ns=10**12)
    collections.install()
    too_short.install()
    try:
        sender, mirror = RecordSender(collections), RecordMirror()
        records = [_probe(0, 0)]
        _sent(sender, mirror, records, 10)
        before = time.perf_counter_ns()
        gc.collect()
        after = time.perf_counter_ns()
        _sent(sender, mirror, records, 20)
        _sent(sender, mirror, records, 30)
    finally:
        collections.uninstall()
        too_short.uninstall()
    full = [(s, e) for s, e, generation in mirror.site_collections if generation == 2]
    assert len([1 for s, e in full if before <= s <= e <= after]) == 1
    assert too_short.taken() == []


class ClosesWhileRead(list):  # type: ignore[type-arg]
    """A probe's closed segments, whose open segment 1 the site closes at 40 ms (its closed
    segment appended, then the open one dropped) right after a reader's first look at them:
    between its reads of the closed and the open segments, if it reads the closed first."""

    def __init__(self, probe: RequestProbe) -> None:
        super().__init__(probe.segments)
        self.probe, self.armed = probe, True

    def _then_closed(self, read):  # type: ignore[no-untyped-def]
        if self.armed:
            self.armed = False
            seg = self.probe.open_segments[1]
            self.append(RawSegment(seg.kind, seg.start_ns, 40 * MS, seg.thread, False, seg.line))
            del self.probe.open_segments[1]
            self.probe.touch()
        return read

    def __len__(self) -> int:
        return self._then_closed(super().__len__())  # type: ignore[no-any-return]

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._then_closed(list(super().__iter__())))

    def __getitem__(self, key):  # type: ignore[no-untyped-def]
        return self._then_closed(super().__getitem__(key))


def test_an_await_closed_while_its_records_are_read_is_never_missed():
    """The site closes an await (its closed segment appended, then the open one dropped)
    right after a reader's first look at the closed segments: a reader that read the closed
    first, then the open, had neither, and drew the request queued where it awaited. Read
    the other way, it is the await as of one moment or the other: open, or closed."""
    record = _probe(1, 0)
    _picked(record, 1)
    probe = record.probe
    probe.segments = ClosesWhileRead(probe)
    drawn = probe.segments_until(50 * MS)
    assert [(s.kind, s.start_ns) for s in drawn] == [("io_wait", 4 * MS)]  # once

    record = _probe(1, 0)
    _picked(record, 1)
    probe = record.probe
    probe.segments = ClosesWhileRead(probe)
    sender, mirror = RecordSender(), RecordMirror()
    mirror.take(
        pickle.loads(pickle.dumps(sender.frame(LiveRecords(50 * MS, 0, [record], LOOP, [], None))))
    )
    trace = mirror.trace()
    assert trace is not None
    kinds = [(seg.kind, seg.start_ns) for seg in trace.lanes[0].segments]
    assert ("io_wait", 4 * MS) in kinds, kinds  # awaiting from 4 ms, not queued


class _ClosedWhenOpenRead(dict):  # type: ignore[type-arg]
    """A probe's open segments, whose segment 1 the site closes at 40 ms right after a
    reader copied them: between its reads of the open and the closed segments."""

    def __init__(self, probe: RequestProbe) -> None:
        super().__init__(probe.open_segments)
        self.probe = probe

    def values(self):  # type: ignore[no-untyped-def]
        read = list(super().values())
        if 1 in self:
            seg = self[1]
            self.probe.segments.append(
                RawSegment(seg.kind, seg.start_ns, 40 * MS, seg.thread, False, seg.line)
            )
            del self[1]
        return read


@pytest.mark.parametrize("when", ["between the reads", "between its close's two steps"])
def test_an_await_closed_as_its_records_are_read_is_read_once_as_closed(when):
    """Read while the site closes an await, it is read once, closed: after the reader read
    the open segments; or before it read anything, the site's thread stopped between the
    close's two steps (the closed one appended, the open one not yet dropped). Read twice,
    the window drew the await up to "now", and the loop held to "now", for a frame."""
    record = _probe(1, 0)
    _picked(record, 1)
    probe = record.probe
    if when == "between the reads":
        probe.open_segments = _ClosedWhenOpenRead(probe)
    else:
        seg = probe.open_segments[1]
        probe.segments.append(RawSegment(seg.kind, seg.start_ns, 40 * MS, LOOP, False, 40))
    closed, running = probe.closed_and_open()
    assert [(s.kind, s.start_ns, s.end_ns) for s in closed] == [("io_wait", 4 * MS, 40 * MS)]
    assert running == []


def _sleeping_worker(due_ms: int) -> RequestRecord:
    """A sync view on a worker since 1 ms, in a ``time.sleep`` begun at 2 ms, due at
    ``due_ms`` and not closed (lesson 20's streaming view between two chunks)."""
    record = RequestRecord(RequestProbe(0, "sync_stream", 0))
    probe = record.probe
    probe.picked_ns, probe.picked_thread = MS, "worker-1"
    token = probe.open_segment("io_blocking", 2 * MS, due_ns=due_ms * MS)
    probe.open_segments[token].thread = "worker-1"
    probe.touch()
    return record


def _drawn_at(record: RequestRecord, read_ms: int, now_ms: int) -> list[tuple[str, int, int]]:
    sender, mirror = RecordSender(), RecordMirror()
    read = LiveRecords(read_ms * MS, 0, [record], None, [], None)
    mirror.take(pickle.loads(pickle.dumps(sender.frame(read))))
    trace = mirror.trace(now_ms * MS)
    assert trace is not None
    return [(s.kind.value, s.start_ns // MS, s.end_ns // MS) for s in trace.lanes[0].segments]


def test_a_sleep_not_over_when_its_records_were_read_goes_on_as_a_sleep_at_a_later_now():
    """Lesson 20 mid-run drew both workers "waiting for the GIL" at the live edge, which the
    finished picture said never happened: the records, read before the sleeps' end, were
    drawn at a later now, and a sleep past its end was guessed to be its thread waiting to
    run. Nothing read says that: the sleep is drawn going on, as what it was doing then."""
    assert _drawn_at(_sleeping_worker(30), read_ms=25, now_ms=40)[-1] == ("io_blocking", 2, 40)
    # Read after its end with the sleep still open: its thread was waiting to run then.
    assert _drawn_at(_sleeping_worker(30), read_ms=35, now_ms=40)[-2:] == [
        ("io_blocking", 2, 30),
        ("gil_wait", 30, 40),
    ]
    # At the records' own now, the lane is the one the site's records give.
    record = _sleeping_worker(30)
    assert _drawn_at(record, read_ms=35, now_ms=35) == [
        (s.kind.value, s.start_ns // MS, s.end_ns // MS)
        for s in from_scratch([record], 35 * MS, None)[0].segments
    ]


def test_a_timed_await_not_over_when_its_records_were_read_goes_on_at_a_later_now():
    """As a sleep: an await read before its deadline is drawn awaiting up to a later now,
    not guessed to have waited for the loop after it (review46)."""
    before, after = _probe(0, 0), _probe(0, 0)
    for record in (before, after):
        _picked(record, 1)  # its await due at 304 ms
    sender = RecordSender()
    for record, read_ms, last in ((before, 300, "io_wait"), (after, 308, "queued")):
        mirror = RecordMirror()
        read = LiveRecords(read_ms * MS, 0, [record], LOOP, [], None)
        mirror.take(pickle.loads(pickle.dumps(sender.frame(read))))
        trace = mirror.trace(310 * MS)
        assert trace is not None
        assert trace.lanes[0].segments[-1].kind == last, read_ms
        assert trace.lanes[0].segments[-1].end_ns == 310 * MS
        sender = RecordSender()


def test_while_the_site_collects_a_sleep_past_its_end_waits_to_run():
    """A full collection of the site's holds its GIL, none of its Python runs: a sleeper
    whose sleep ended meanwhile waits to run, whatever the records' age (review46)."""
    sender, mirror = RecordSender(), RecordMirror()
    read = LiveRecords(25 * MS, 0, [_sleeping_worker(30)], None, [], None)
    mirror.take(pickle.loads(pickle.dumps(sender.frame(read))), collecting=True)
    trace = mirror.trace(40 * MS)
    assert trace is not None
    kinds = [(s.kind.value, s.start_ns // MS, s.end_ns // MS) for s in trace.lanes[0].segments]
    assert kinds[-2:] == [("io_blocking", 2, 30), ("gil_wait", 30, 40)]
    # Once it has ended, the records say what each did up to its end, and no further.
    mirror.collected(25 * MS, 26 * MS, 33 * MS)
    trace = mirror.trace(40 * MS)
    assert trace is not None
    assert trace.lanes[0].segments[-1].kind.value == "gil_wait"


def test_what_a_copy_was_read_up_to_it_knows_ever_after():
    """The records only grow: read once up to a time, a copy knows all up to it, even when a
    later frame's records were read earlier (the slow replay of every frame, under a core
    burner, drew an await on from a frame read 9 ms before, though the frame before had read
    it past its deadline)."""
    record = _sleeping_worker(30)
    sender, mirror = RecordSender(), RecordMirror()
    for read_ms in (35, 25):
        read = LiveRecords(read_ms * MS, 0, [record], None, [], None)
        mirror.take(pickle.loads(pickle.dumps(sender.frame(read))))
    trace = mirror.trace(40 * MS)
    assert trace is not None
    kinds = [(s.kind.value, s.start_ns // MS, s.end_ns // MS) for s in trace.lanes[0].segments]
    assert kinds[-2:] == [("io_blocking", 2, 30), ("gil_wait", 30, 40)]
