"""A live snapshot costs what changed since the last one, and draws exactly what a build from
scratch draws: frame by frame, and in the finished run's trace.

The runs are real (the engine, Django, the loop monitor). Frame by frame, their records are
replayed: each probe filled again in the order the site filled it (a segment open from its
start, closed at its end; a loop step at its end), and at each frame the incremental lanes
are compared with ``build_lane`` over the same records at the same "now".
"""

from __future__ import annotations

import asyncio
import dataclasses
import pickle
import random
import time
from collections.abc import Callable

import pytest

from embedded_site.instrumentation import DECLARED_KINDS, CopiedAt, Mark, RawSegment, RequestProbe
from simulator.hosting.driver import RequestRecord
from simulator.hosting.engine import LiveRun
from simulator.hosting.live_lanes import LiveLanes, LiveRecords, from_scratch
from simulator.hosting.site_process.record_wire import RecordMirror, RecordSender
from simulator.scenario import Scenario
from simulator.trace import Kind, Lane, Segment, Trace, loop_holding_intervals
from simulator.trace.growing import grown
from simulator.trace.made import make_lane, make_segment

#: Real runs: a view awaiting on the loop, a sync view under ASGI (its thread hand-offs) and
#: under WSGI, an async view behind a sync-only middleware (the await holds its thread) and
#: behind startproject's stack (each hook handed to the request's thread and back), an
#: async view blocking the loop, an async view under WSGI (a timed await on a private loop's
#: thread), sync views computing (waits to run: the GIL, a core), views that fail, and a run
#: stopped half way (lanes cancelled).
SCENARIOS = {
    "async_io": Scenario(view="async_io", requests=120, io_ms=150, arrival_ms=1),
    "sync_io_asgi": Scenario(view="sync_io", requests=30, io_ms=60, arrival_ms=2),
    "sync_io_wsgi": Scenario(view="sync_io", mode="wsgi", workers=4, requests=30, io_ms=60),
    "sync_middleware": Scenario(view="async_io", middleware="sync", requests=30, io_ms=60),
    "django_stack": Scenario(view="async_io", middleware="django", requests=30, io_ms=10),
    "async_blocking": Scenario(view="async_blocking", requests=8, io_ms=40, arrival_ms=5),
    "sync_cpu": Scenario(view="sync_io", requests=16, io_ms=10, cpu_ms=20, arrival_ms=1),
    "missing_await_bug": Scenario(view="missing_await_bug", requests=20, arrival_ms=2),
    "async_sync_orm_bug": Scenario(view="async_sync_orm_bug", requests=20, arrival_ms=2),
    "stopped": Scenario(view="async_io", requests=150, io_ms=300, arrival_ms=2),
    "async_wsgi": Scenario(view="long_poll", mode="wsgi", workers=2, requests=8, io_ms=60),
}
#: Runs stopped (as the Stop button does) this long after their first request was sent.
STOP_AFTER_S = {"stopped": 0.2}


def _watched(name: str, scenario: Scenario) -> tuple[LiveRun, Trace, list[int]]:
    """Run ``scenario`` with a live watcher's snapshots every few ms (as the window takes
    them); the run, its final trace, and how many lanes each snapshot grew."""

    async def watch() -> tuple[Trace, list[int]]:
        task = asyncio.ensure_future(live.run())
        grown: list[int] = []
        stop_at = None
        while not task.done():
            await asyncio.sleep(0.004)
            if live.started and stop_at is None:
                stop_at = time.monotonic() + STOP_AFTER_S.get(name, 1e9)
            if stop_at is not None and time.monotonic() > stop_at and not live.stopping:
                live.stop()
            if live.started:
                trace = live.snapshot()
                assert live._live is not None
                grown.append(len(trace.lanes) - live._live.built)
        return (await task).trace, grown

    live = LiveRun(scenario)
    trace, grown = asyncio.run(watch())
    return live, trace, grown


@pytest.fixture(scope="module", params=sorted(SCENARIOS))
def watched(request: pytest.FixtureRequest) -> tuple[str, LiveRun, Trace, list[int]]:
    return (request.param, *_watched(request.param, SCENARIOS[request.param]))


@pytest.mark.slow
def test_the_finished_trace_is_what_a_build_from_scratch_gives(watched):
    name, live, trace, grown = watched
    records = live._driver.records
    sent = len(trace.lanes)
    assert (
        sent < SCENARIOS[name].requests
        if name in STOP_AFTER_S
        else sent == SCENARIOS[name].requests
    )
    if name not in STOP_AFTER_S:
        # (A stopped run's trace is taken while the site may still tidy up after the
        # answers it gave, and pick up requests given up on: its records may grow after.)
        assert trace.lanes == from_scratch(records, time.perf_counter_ns(), trace.loop_thread)
    # And the snapshots were incremental: lanes were kept or grown rather than built.
    assert max(grown) > 0
    if name.endswith("_bug"):
        assert all(lane.status == "error" and lane.error for lane in trace.lanes)
    if name in STOP_AFTER_S:
        assert {lane.status for lane in trace.lanes} >= {"cancelled"}


@pytest.mark.slow
def test_every_frame_is_what_a_build_from_scratch_gives(watched):
    name, live, trace, _ = watched
    replay = _Replay(live._driver.records)
    rng = random.Random(name)
    start, end = replay.times[0], replay.times[-1] + 5_000_000
    # As the window has them (``site_process/record_wire.py``): what the probes recorded
    # since the last frame, sent through pickle, the lanes built from the copies there.
    sender, mirror = RecordSender(), RecordMirror()
    settled: dict[int, object] = {}
    now = start
    kept_or_grown = resumed = 0
    while now < end:
        now += rng.randrange(1_000_000, 12_000_000)
        # Sometimes records made while the snapshot is taken: later than its "now"; or, sent
        # ahead of the frame (``site_process/ahead.py``), read some ms before it.
        read = now + rng.choice([0, 0, 50_000, 2_000_000, -3_000_000, -9_000_000])
        replay.until(read)
        sent = sender.frame(LiveRecords(read, 0, list(replay.records), trace.loop_thread, [], None))
        mirror.take(pickle.loads(pickle.dumps(sent)))
        taken = mirror.trace(now)
        assert taken is not None and mirror._lanes is not None
        lanes, live_lanes = taken.lanes, mirror._lanes
        assert lanes == from_scratch(replay.records, now, trace.loop_thread), now - start
        # The holds on the loop, read incrementally, are those read from every probe.
        held = live_lanes._holds.held
        whole = loop_holding_intervals([r.probe for r in mirror._records], trace.loop_thread, now)
        assert (held.starts, held.ends, held.stepped) == (whole.starts, whole.ends, whole.stepped)
        kept_or_grown += len(lanes) - live_lanes.built
        resumed += live_lanes.resumed
        # A settled lane is handed out as the same object ever after (the painter's cache).
        for i, lane in settled.items():
            assert lanes[i] is lane
        active = set(live_lanes._active)
        settled.update((i, lane) for i, lane in enumerate(lanes) if i not in active)
    assert kept_or_grown > 0
    # Lanes built again were walked again only from where their records changed.
    assert resumed > 0
    # The last frame, with every record (as the run's end sends them).
    replay.until(end)
    sent = sender.frame(LiveRecords(now, 0, list(replay.records), trace.loop_thread, [], None))
    mirror.take(pickle.loads(pickle.dumps(sent)))
    last = mirror.trace(now)
    assert last is not None and last.lanes == from_scratch(replay.records, now, trace.loop_thread)
    # (Whether a lane Django tidies up after is kept depends on a frame falling between
    # its answer and the tidying's steps, which a real run of 30 does not promise: about
    # one run in six had none. test_live_tidying.py and the shuffled stories prove it.)
    copies = mirror._records
    assert not live_lanes.stale(copies)
    if name not in STOP_AFTER_S:  # (a stopped run's trace is taken while Django tidies up)
        assert live_lanes.update(copies, now) == trace.lanes
    # Stopped now: those in flight cancelled, as a build from scratch cancels them.
    abandoned = live_lanes.update(copies, now, abandoned=True)
    assert abandoned == from_scratch(replay.records, now, trace.loop_thread, abandoned=True)


@pytest.mark.slow
def test_a_lane_built_again_keeps_the_segments_that_did_not_change(watched):
    """The painter keeps what it drew of a segment it has seen (by identity): a lane walked
    again from where its records changed hands out its unchanged segments as they were."""
    name, live, trace, _ = watched
    replay = _Replay(live._driver.records)
    live_lanes = LiveLanes(trace.loop_thread)
    now, before, kept = replay.times[0], None, 0
    while now < replay.times[-1]:
        now += 3_000_000
        replay.until(now)
        lanes = live_lanes.update(replay.records, now)
        for lane, old in zip(lanes, before or (), strict=False):
            if old.status != "running":
                continue  # settled, or built for good: built again (rarely) afresh
            same = 0
            while same < min(len(lane.segments), len(old.segments)) - 1:
                if lane.segments[same] != old.segments[same]:
                    break
                same += 1
            assert all(a is b for a, b in zip(lane.segments[:same], old.segments, strict=False))
            kept += same
        before = lanes
    assert kept > 0


def test_a_request_given_up_on_before_it_was_picked_up_still_holds_the_loop_after():
    """After a Stop, the site may still pick up a request the client gave up on (its view
    never starts): the loop steps it records then hold the loop for the others' lanes, so
    its lane, the same all along, is not taken as final until the site has finished it."""
    ms = 1_000_000
    loop = "asgi-loop"
    gone = RequestRecord(RequestProbe(1, "async_io", 0), "cancelled", done_ns=1 * ms)
    waiting = RequestRecord(RequestProbe(2, "async_io", 0))
    waiting.probe.picked_ns, waiting.probe.picked_thread = ms // 2, loop
    waiting.probe.marks.append(Mark(2 * ms, "thread-1", "signal"))
    records = [gone, waiting]
    live_lanes = LiveLanes(loop)
    for now in (3 * ms, 4 * ms):  # the given-up lane the same two frames in a row
        live_lanes.update(records, now)
    gone.probe.picked_ns, gone.probe.picked_thread = 5 * ms, loop
    gone.probe.loop_steps.append((5 * ms, 5 * ms + ms // 5))
    gone.probe.touch()
    lanes = live_lanes.update(records, 6 * ms)
    assert lanes == from_scratch(records, 6 * ms, loop)
    # The waiting request waited for the loop while the given-up one held it.
    assert any(
        seg.kind == "queued" and seg.start_ns <= 5 * ms < seg.end_ns for seg in lanes[1].segments
    )


def test_a_grown_lane_is_the_lane_with_its_last_segment_reaching_now():
    """``grown`` copies slot by slot (10,000 lanes a frame): every field as it was, but the
    last segment's end and the answer, which reach now."""
    first = Segment(Kind.QUEUED, 0, 5, "queue")
    last = Segment(Kind.IO_WAIT, 5, 9, "asgi-loop", open=True, line=42, name="db")
    lane = Lane(
        7,
        "async_io",
        "running",
        201,
        "boom",
        0,
        9,
        (first, last),
        (("t", 1),),
        ((3, 1),),
        ("note",),
    )
    copy = grown(lane, 20)
    assert copy == dataclasses.replace(
        lane, done_ns=20, segments=(first, dataclasses.replace(last, end_ns=20))
    )
    assert copy.segments[0] is first and hash(copy.segments[1]) == hash(
        dataclasses.replace(last, end_ns=20)
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        copy.done_ns = 1  # type: ignore[misc]
    # And what the builder makes slot by slot is what the classes make.
    assert make_segment(*dataclasses.astuple(last)) == last
    assert hash(make_segment(*dataclasses.astuple(last))) == hash(last)
    fields = [getattr(lane, f.name) for f in dataclasses.fields(Lane)]
    assert make_lane(*fields) == lane and hash(make_lane(*fields)) == hash(lane)


class _Replay:
    """Fresh records that ``until(t)`` fills with what the originals recorded up to ``t``, in
    the order the site recorded it: a copy of them as of ``t`` (``CopiedAt``: drawn at a
    later now, what each was doing then goes on, as the window's copy draws it)."""

    def __init__(self, originals: list[RequestRecord]) -> None:
        self.records: list[RequestRecord] = []
        self.copied = CopiedAt()
        events: list[tuple[int, Callable[[], None]]] = []
        listed = 0
        for original in originals:
            listed = max(listed, original.probe.sent_ns)  # records are listed in sending order
            events += self._recorded(original, listed)
        order = sorted(range(len(events)), key=lambda n: (events[n][0], n))
        self._events = [events[n] for n in order]
        self.times = [t for t, _ in self._events]
        self._next = 0

    def until(self, t: int) -> None:
        self.copied.ns = max(self.copied.ns, t)  # (what was recorded up to it stays)
        while self._next < len(self._events) and self._events[self._next][0] <= t:
            self._events[self._next][1]()
            self._next += 1

    @staticmethod
    def _touching(q: RequestProbe, do: Callable[[], None]) -> Callable[[], None]:
        """``do``, then the probe's version moved on, as every writer of a probe does."""

        def done() -> None:
            do()
            q.touch()

        return done

    def _recorded(
        self, original: RequestRecord, listed: int
    ) -> list[tuple[int, Callable[[], None]]]:
        p = original.probe
        q = RequestProbe(p.request_id, p.view, p.sent_ns, copied=self.copied)
        record = RequestRecord(q)
        events: list[tuple[int, Callable[[], None]]] = [
            (listed, lambda: self.records.append(record))
        ]
        if p.picked_ns is not None:
            events.append((p.picked_ns, lambda: _pick(q, p)))
        for seg in p.segments:
            if seg.kind in DECLARED_KINDS and seg.start_clock is not None:
                events.append((seg.start_ns, lambda s=seg: _open(q, s)))
            # Closed once its end clock was read: a timed await resumed late ends at its
            # deadline, and is closed at the resume (drawn ended there meanwhile).
            closed = seg.end_ns if seg.end_clock is None else max(seg.end_ns, seg.end_clock[0])
            events.append((closed, lambda s=seg: _close(q, s)))
        events += [(m.ns, lambda m=m: q.marks.append(m)) for m in p.marks]
        events += [(e, lambda s=(s, e): q.loop_steps.append(s)) for s, e in p.loop_steps]
        events += [(ns, lambda e=(ns, d): q.db_events.append(e)) for ns, d in p.db_events]
        if p.responded_ns is not None:
            events.append((p.responded_ns, lambda: setattr(q, "responded_ns", p.responded_ns)))
        if p.finished_ns is not None:
            events.append((p.finished_ns, lambda: _finish(q, p)))
        if original.done_ns is not None:
            events.append((original.done_ns, lambda: _done(record, original)))
        return [(t, self._touching(q, do)) for t, do in events]


def _pick(q: RequestProbe, p: RequestProbe) -> None:
    q.picked_clock, q.picked_ns, q.picked_thread = p.picked_clock, p.picked_ns, p.picked_thread


def _open(q: RequestProbe, seg: RawSegment) -> None:
    q.open_segments[id(seg)] = RawSegment(
        seg.kind,
        seg.start_ns,
        seg.start_ns,
        seg.thread,
        True,
        seg.line,
        seg.start_clock,
        None,
        seg.due_ns,
    )


def _close(q: RequestProbe, seg: RawSegment) -> None:
    q.segments.append(seg)
    q.open_segments.pop(id(seg), None)


def _finish(q: RequestProbe, p: RequestProbe) -> None:
    q.error = p.error
    q.finished_ns = p.finished_ns


def _done(record: RequestRecord, original: RequestRecord) -> None:
    record.status, record.status_code = original.status, original.status_code
    record.error, record.done_ns = original.error, original.done_ns
    record.probe.error = record.probe.error or original.probe.error


def test_over_sockets_an_answered_lane_is_built_once_and_those_in_flight_reach_now():
    from types import SimpleNamespace

    from simulator.hosting.socket_driver import SocketRecord
    from simulator.hosting.socket_lanes import socket_lane
    from simulator.hosting.socket_run import SocketLiveRun

    ms = 1_000_000
    run = SocketLiveRun(Scenario(view="async_io", mode="uvicorn", requests=3))
    records = [SocketRecord(n, n * ms, request_sent_ns=n * ms + ms // 2) for n in range(3)]
    run._driver = SimpleNamespace(records=records, start_ns=0, client_cpu_ns=None)
    first = run.snapshot(10 * ms)
    records[1].first_byte_ns, records[1].status_code = 8 * ms, 200
    records[1].status, records[1].done_ns = "ok", 9 * ms
    second = run.snapshot(20 * ms)
    third = run.snapshot(30 * ms)
    assert third.lanes[1] is second.lanes[1]  # answered: the same lane ever after
    assert [lane.done_ns for lane in third.lanes] == [30 * ms, 9 * ms, 30 * ms]
    # Each what building the lanes from the records at that moment gives.
    for trace, now in ((second, 20 * ms), (third, 30 * ms)):
        assert trace.lanes == tuple(socket_lane(r, "async_io", now) for r in records)
    assert first.lanes[1].done_ns == 10 * ms  # in flight then
