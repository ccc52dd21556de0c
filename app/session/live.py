"""A live run's frames and what a stopped run left behind: the pace of the snapshots.

A snapshot of thousands of lanes costs tens of milliseconds and competes with the site for
the GIL (the engine runs in this process), so the frames are spaced by what the last one
cost, whole: the snapshot, what the window does with it (the timeline's layout and paint,
the figures when due) and the work it left for the next turn (``settle``: the window has
Qt deliver the paints and layouts its widgets asked for). The views get three quarters of
the time; a frame comes at most every :data:`FRAME_MS`.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable

from simulator.trace import Trace

from .runner import RunHandle

__all__ = ["FRAME_MS", "VIEWS_SHARE_RATIO", "stream_frames", "wait_for_leftovers"]

#: Snapshot period while a run is live, at the shortest.
FRAME_MS = 33
#: After a frame, the next waits this many times what it cost: the site's views get three
#: quarters of the time.
VIEWS_SHARE_RATIO = 3.0


async def stream_frames(
    handle: RunHandle,
    frame_s: float,
    frame: Callable[[Trace, int], None],
    settle: Callable[[], None] | None = None,
) -> None:
    """Call ``frame(snapshot, now_ns)`` for the live run of ``handle`` until cancelled. A
    frame is timed whole, and the next waits three times as long as it took: from the snapshot's
    start through what ``frame`` does with it (the window lays its timeline out and paints it
    inside the call) to ``settle``'s end (the window's widgets' paints, posted for later)."""
    interval = frame_s
    while True:
        await asyncio.sleep(interval)
        if not handle.started:
            continue
        now = time.perf_counter_ns()
        frame(handle.snapshot(now), now)
        if settle is not None:
            settle()
        interval = max(frame_s, (time.perf_counter_ns() - now) / 1e9 * VIEWS_SHARE_RATIO)


async def wait_for_leftovers(leftover: threading.Thread | None, say: Callable[[str], None]) -> None:
    """Views a stopped run abandoned may still hold threads (a ``time.sleep`` cannot be
    interrupted): the next run waits for them, so they do not crowd its lanes, and says so."""
    if leftover is None or not leftover.is_alive():
        return
    say("Waiting for views the stopped run left running to finish…")
    while leftover.is_alive():
        await asyncio.sleep(0.05)
    say("")
