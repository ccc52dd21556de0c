"""The loop standing still while a thread it started waits for a core waited for a core,
not for the GIL.

``Thread.start`` blocks its caller until the new thread has begun. Django under ASGI starts
one per request from the loop, and on a busy machine the new thread waits on a run queue:
the loop stood still 1-7 ms per start while no other thread of the site ran Python, and its
lane showed that as "waiting for the GIL", as much of it as Django's own time (lesson 18).
Here a thread that begins 4 ms late, and the kernel saying it spent them on a run queue,
stand in for the busy machine.
"""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

import embedded_site.waits
from embedded_site.instrumentation import RequestProbe, current_probe
from simulator.hosting.loop_monitor import LoopMonitor
from simulator.trace import build_lane

MS = 1_000_000
LATE_NS = 4 * MS


class _LateToBegin(threading.Thread):
    """A thread that begins 4 ms after it is started, holding no GIL meanwhile."""

    def _bootstrap_inner(self) -> None:
        time.sleep(LATE_NS / 1e9)
        super()._bootstrap_inner()  # type: ignore[misc]


def test_the_loop_waiting_for_a_thread_it_started_to_get_a_core_waited_for_a_core(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(
        embedded_site.waits, "_run_queue_of", lambda native_id: LATE_NS, raising=False
    )
    monitor = LoopMonitor()
    loop = asyncio.new_event_loop()
    probe = RequestProbe(0, "v", sent_ns=time.perf_counter_ns(), picked_ns=None)
    started: list[threading.Thread] = []
    done = threading.Event()  # the new thread lives on, as Django's does for its request

    async def view() -> None:
        current_probe.set(probe)
        probe.picked_ns, probe.picked_thread = (
            time.perf_counter_ns(),
            threading.current_thread().name,
        )
        thread = _LateToBegin(target=done.wait)
        thread.start()  # one step: the loop stands still until the thread has begun
        started.append(thread)
        await asyncio.sleep(0)
        probe.finished_ns = time.perf_counter_ns()

    try:
        monitor.install(loop)
        loop.run_until_complete(loop.create_task(view()))
    finally:
        loop.close()
        done.set()
        for thread in started:
            thread.join()
    assert probe.finished_ns is not None
    loop_thread = threading.current_thread().name
    lane = build_lane(probe, done_ns=probe.finished_ns, status="ok", loop_thread=loop_thread)
    waited = {
        kind: sum(s.end_ns - s.start_ns for s in lane.segments if s.kind.value == kind)
        for kind in ("gil_wait", "core_wait")
    }
    assert waited["gil_wait"] == 0
    assert waited["core_wait"] >= 0.9 * LATE_NS
