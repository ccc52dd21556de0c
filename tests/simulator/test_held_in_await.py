"""A loop step that really ran 5 ms or more of CPU inside the request's own await (its I/O
woke it, then its code ran: a large answer parsed, a handshake) held the loop: the loop
monitor counts it as "loop blocked", and the lane now draws it as CPU on the loop, where it
drew the whole await as "awaiting I/O" under the red strip."""

from __future__ import annotations

import asyncio
import threading
import time

from embedded_site.instrumentation import RawSegment, RequestProbe, current_probe
from simulator.hosting.loop_monitor import LoopMonitor
from simulator.trace import build_lane

MS = 1_000_000
L = "asgi-loop"


def _kinds(probe: RequestProbe, done_ms: float, loop: str) -> list[tuple[str, float, float]]:
    lane = build_lane(probe, done_ns=int(done_ms * MS), status="ok", loop_thread=loop)
    return [
        (s.kind.value, s.start_ns / MS, s.end_ns / MS) for s in lane.segments if s.thread == loop
    ]


def test_a_step_that_held_the_loop_inside_an_await_is_drawn_as_cpu_not_awaiting():
    p = RequestProbe(0, "v", sent_ns=0, picked_ns=1 * MS, picked_thread=L)
    p.finished_ns = 40 * MS
    p.segments = [
        RawSegment("io_wait", 4 * MS, 30 * MS, L),
        RawSegment("cpu", 10 * MS, 22 * MS, L),  # the monitor's: 12 ms run inside the await
    ]
    p.loop_steps = [(1 * MS, 4 * MS), (10 * MS, 22 * MS), (30 * MS, 40 * MS)]
    drawn = _kinds(p, 40, L)
    assert ("cpu", 10, 22) in drawn
    assert ("io_wait", 4, 10) in drawn and ("io_wait", 22, 30) in drawn


def test_the_loop_monitor_declares_what_held_the_loop_inside_an_await():
    monitor = LoopMonitor()
    loop = asyncio.new_event_loop()
    probe = RequestProbe(0, "v", sent_ns=time.perf_counter_ns(), picked_ns=None)

    async def view() -> None:
        current_probe.set(probe)
        probe.picked_ns, probe.picked_thread = (
            time.perf_counter_ns(),
            threading.current_thread().name,
        )
        token = probe.open_segment("io_wait", time.perf_counter_ns())
        await asyncio.sleep(0.002)  # its I/O...
        end = time.thread_time_ns() + 12 * MS  # ... woke it, and its code ran 12 ms
        while time.thread_time_ns() < end:
            pass
        await asyncio.sleep(0.002)
        probe.close_segment(token, time.perf_counter_ns())
        await asyncio.sleep(0)  # not an await: the step after it
        probe.finished_ns = time.perf_counter_ns()

    try:
        monitor.install(loop)
        loop.run_until_complete(loop.create_task(view()))
    finally:
        loop.close()
    loop_thread = threading.current_thread().name
    ran = [s for s in probe.segments if s.kind == "cpu"]
    assert len(ran) == 1 and ran[0].thread == loop_thread
    assert ran[0].end_ns - ran[0].start_ns >= 11 * MS  # however long it waited for a core
    assert sum(e - s for s, e in monitor.blocked) == ran[0].end_ns - ran[0].start_ns
    assert probe.finished_ns is not None
    lane = build_lane(probe, done_ns=probe.finished_ns, status="ok", loop_thread=loop_thread)
    cpu = [s for s in lane.segments if s.kind.value == "cpu"]
    assert [(s.start_ns, s.end_ns) for s in cpu] == [(ran[0].start_ns, ran[0].end_ns)]
    awaits = [s for s in lane.segments if s.kind.value == "io_wait"]
    assert len(awaits) == 2 and not any(s.start_ns < cpu[0].start_ns < s.end_ns for s in awaits)
