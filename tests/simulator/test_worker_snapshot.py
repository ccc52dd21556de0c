"""A live frame taken on a worker thread (the window's) builds every lane: no request in
flight is drawn ending a frame short of "now" (a frame budget once handed out lanes as an
earlier frame built them, and drew blocks of them ending up to a second short of now)."""

from __future__ import annotations

import asyncio
import time

import pytest

from simulator.hosting.engine import LiveRun
from simulator.scenario import Scenario

#: A lane in flight may end this much before "now" (a timed await's deadline, a clock
#: read a moment earlier); a lane owed a build ended a whole frame (200 ms here) short.
SLACK_NS = 50_000_000


@pytest.mark.slow
def test_a_worker_thread_s_frames_grow_every_lane_in_flight_to_now():
    async def frames() -> list[int]:
        live = LiveRun(Scenario(requests=2000, io_ms=1000))
        task = asyncio.ensure_future(live.run())
        short: list[int] = []
        while not task.done():
            await asyncio.sleep(0.2)
            if not live.started:
                continue
            now = time.perf_counter_ns()
            trace = await asyncio.to_thread(live.snapshot, now)
            short.append(
                sum(
                    lane.status == "running" and lane.end_ns < now - SLACK_NS
                    for lane in trace.lanes
                )
            )
        await task
        return short

    short = asyncio.run(frames())
    assert short and max(short) == 0
