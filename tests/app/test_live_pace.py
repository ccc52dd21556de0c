"""A live run's frames are spaced by what the last one cost, whole: the snapshot, what the
window did with it, and the paints it left for the next turn (``settle``)."""

from __future__ import annotations

import asyncio
import time

from app.session.live import VIEWS_SHARE_RATIO, stream_frames
from simulator.trace import Trace

SNAPSHOT_S, FRAME_S, SETTLE_S = 0.02, 0.004, 0.006


class _Handle:
    """A run whose snapshot takes :data:`SNAPSHOT_S` (as a big run's does)."""

    started = True

    def snapshot(self, now_ns: int | None = None) -> Trace:
        time.sleep(SNAPSHOT_S)
        return Trace(0, ())


def test_the_next_frame_waits_for_the_whole_of_the_last_one_s_cost():
    starts: list[float] = []

    def frame(trace: Trace, now_ns: int) -> None:
        starts.append(now_ns / 1e9)
        time.sleep(FRAME_S)  # the timeline laid out and painted

    async def watch() -> None:
        task = asyncio.ensure_future(
            stream_frames(_Handle(), 0.001, frame, settle=lambda: time.sleep(SETTLE_S))
        )
        while len(starts) < 3:
            await asyncio.sleep(0.005)
        task.cancel()

    asyncio.run(watch())
    # From one frame's start to the next: the frame itself, then the views' share of it.
    # Had the snapshot or the paints left for later not been counted, it would be shorter.
    whole = SNAPSHOT_S + FRAME_S + SETTLE_S
    gaps = [b - a for a, b in zip(starts, starts[1:], strict=False)]
    assert min(gaps) >= whole * (1 + VIEWS_SHARE_RATIO)
