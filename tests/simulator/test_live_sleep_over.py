"""A ``time.sleep`` still open past its end is drawn, live, as blocking I/O up to its end and
as waiting for the GIL after: the sleep is over and its thread waits to run again (lesson
15's ``time.sleep(0)`` read as 30 ms of "blocking I/O" mid-run, then as waiting for the GIL
once the run finished). Its close records what the clocks measured, as before."""

from __future__ import annotations

import time

import pytest

from embedded_site.instrumentation import RequestProbe, current_probe, measured
from embedded_site.waits import WAIT_MIN_NS
from simulator.hosting.driver import RequestRecord
from simulator.hosting.live_lanes import LiveLanes, from_scratch
from simulator.trace import Kind

MS = 1_000_000
THREAD = "thread-1"


def _sleeping(sleep_ms: int) -> RequestRecord:
    """A sync view on its thread since 1 ms, in a sleep of ``sleep_ms`` begun at 2 ms."""
    record = RequestRecord(RequestProbe(1, "sync_io", 0))
    probe = record.probe
    probe.picked_ns, probe.picked_thread = MS, THREAD
    token = probe.open_segment("io_blocking", 2 * MS, due_ns=(2 + sleep_ms) * MS)
    probe.open_segments[token].thread = THREAD
    probe.touch()
    return record


def _kinds(lane) -> list[tuple[str, int, int]]:
    return [(s.kind.value, s.start_ns // MS, s.end_ns // MS) for s in lane.segments]


def test_a_sleep_past_its_end_is_drawn_as_waiting_to_run_after_it():
    record = _sleeping(10)  # over at 12 ms
    live = LiveLanes(None)
    for now in (5 * MS, 12 * MS, 12 * MS + WAIT_MIN_NS - 1, 12 * MS + WAIT_MIN_NS, 30 * MS):
        lanes = live.update([record], now)
        assert lanes == from_scratch([record], now, None), now
        if now < 12 * MS + WAIT_MIN_NS:  # (a wait too short to draw: still the sleep)
            assert _kinds(lanes[0])[-1] == ("io_blocking", 2, now // MS)
    assert _kinds(lanes[0])[-2:] == [("io_blocking", 2, 12), ("gil_wait", 12, 30)]


def test_a_sleep_of_nothing_still_waiting_to_run_is_no_io_at_all():
    record = _sleeping(0)
    lane = LiveLanes(None).update([record], 30 * MS)[0]
    assert Kind.IO_BLOCKING not in {s.kind for s in lane.segments}
    assert _kinds(lane)[-1] == ("gil_wait", 2, 30)


def test_a_sleep_open_has_its_end_and_closed_keeps_none():
    """The end a host reads while the sleep is open; closed, the segment is what the clocks
    measured (no deadline for the lane builder to read as a timed await's)."""
    probe = RequestProbe(1, "sync_io", 0)
    token = current_probe.set(probe)
    try:
        with measured("io_blocking", sleeps=0.002):
            (opened,) = probe.open_segments.values()
            assert opened.due_ns == opened.start_ns + 2 * MS
            time.sleep(0.002)
    finally:
        current_probe.reset(token)
    assert not probe.open_segments
    assert [s.due_ns for s in probe.segments if s.kind == "io_blocking"] == [None]


def test_a_deadline_says_a_sleep_or_an_await_by_its_kind():
    with pytest.raises(ValueError, match="timed await is io_wait"):
        measured("io_blocking", awaits=0.1)
    with pytest.raises(ValueError, match="sleep is io_blocking"):
        measured("io_wait", sleeps=0.1)
