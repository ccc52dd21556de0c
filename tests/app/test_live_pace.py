"""A live run's frames: the snapshot off the window's thread, the pace by what a frame cost
whole (the snapshot's CPU and the window's drawing), and one last frame at the last answer."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from app.session.live import VIEWS_SHARE_RATIO, Pace, stream_frames
from simulator.trace import Trace

SNAPSHOT_CPU_S, FRAME_S, SETTLE_S = 0.01, 0.004, 0.006


def _burn(seconds: float) -> None:
    """Spend ``seconds`` of this thread's CPU (a snapshot's cost is its CPU, not its wait)."""
    end = time.thread_time() + seconds
    while time.thread_time() < end:
        pass


class _Handle:
    """A run whose snapshot costs :data:`SNAPSHOT_CPU_S` of CPU, noting the thread it ran on."""

    started = True

    def __init__(self, cpu_s: float = SNAPSHOT_CPU_S) -> None:
        self.cpu_s = cpu_s
        self.threads: list[int] = []
        self.taking = 0  # snapshots under way

    def snapshot(self, now_ns: int | None = None) -> Trace:
        self.taking += 1
        self.threads.append(threading.get_ident())
        _burn(self.cpu_s)
        self.taking -= 1
        return Trace(now_ns or 0, ())


def test_the_pace_is_four_times_the_whole_cost_from_start_to_start_and_a_frame_at_least():
    pace = Pace(0.033)
    assert pace.after(0.0, 0.0) == 0.033
    # A frame whose wall time was its CPU: the views get three times as long after it.
    assert 0.15 + pace.after(0.1, 0.05, 0.15) == pytest.approx(0.15 * (1 + VIEWS_SHARE_RATIO))
    assert pace.after(0.1, 0.05, 0.15) > pace.after(0.1, 0.0, 0.1) > pace.after(0.0, 0.0)


def test_a_frame_that_waited_for_the_gil_is_not_followed_by_its_cost_again():
    """Amid the site's threads a frame of 0.35 s of CPU took 2 s of wall time, the rest the
    site's running; the next frame then comes a frame's breath after it, not 1 s later, and
    the site's share of the time between two frames' starts is still three quarters."""
    pace = Pace(0.033)
    took, cost = 2.0, 0.35
    wait = pace.after(0.3, 0.05, took)
    assert wait == pytest.approx(0.033)
    assert cost / (took + wait) <= 1 / (1 + VIEWS_SHARE_RATIO)
    # One that waited a little: the rest of its share is still waited for.
    assert 0.5 + pace.after(0.3, 0.05, 0.5) == pytest.approx(cost * (1 + VIEWS_SHARE_RATIO))


def test_the_next_frame_waits_for_the_snapshot_s_cpu_and_the_whole_drawing_s_cpu():
    starts: list[float] = []

    def frame(trace: Trace, now_ns: int) -> None:
        starts.append(now_ns / 1e9)
        _burn(FRAME_S)  # the timeline laid out and painted

    async def watch() -> None:
        task = asyncio.ensure_future(
            stream_frames(_Handle(), 0.001, frame, settle=lambda: _burn(SETTLE_S))
        )
        while len(starts) < 3:
            await asyncio.sleep(0.005)
        task.cancel()

    asyncio.run(watch())
    # From one frame's start to the next: the frame itself, then the views' share of it.
    # Had the snapshot or the paints left for later not been counted, it would be shorter.
    whole = SNAPSHOT_CPU_S + FRAME_S + SETTLE_S
    gaps = [b - a for a, b in zip(starts, starts[1:], strict=False)]
    assert min(gaps) >= whole * (1 + VIEWS_SHARE_RATIO)


def test_the_snapshot_and_its_preparation_run_off_the_loop_s_thread_before_the_frame():
    handle = _Handle(cpu_s=0.0)
    seen: list[tuple[str, int, Trace]] = []

    def prepare(trace: Trace, now_ns: int) -> None:
        seen.append(("prepared", threading.get_ident(), trace))

    def frame(trace: Trace, now_ns: int) -> None:
        seen.append(("drawn", threading.get_ident(), trace))

    async def watch() -> int:
        task = asyncio.ensure_future(stream_frames(handle, 0.001, frame, prepare=[prepare]))
        while sum(what == "drawn" for what, *_ in seen) < 2:
            await asyncio.sleep(0.002)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        return threading.get_ident()

    loop_thread = asyncio.run(watch())
    assert loop_thread not in handle.threads
    prepared = [(ident, trace) for what, ident, trace in seen if what == "prepared"]
    drawn = [(ident, trace) for what, ident, trace in seen if what == "drawn"]
    assert all(ident == loop_thread for ident, _ in drawn)
    assert all(ident != loop_thread for ident, _ in prepared)
    # Each drawn snapshot was prepared first, the same object.
    order = [(what, id(trace)) for what, _, trace in seen]
    for _, trace in drawn:
        assert order.index(("prepared", id(trace))) < order.index(("drawn", id(trace)))


def test_no_frame_is_drawn_after_the_last_answer():
    handle = _Handle(cpu_s=0.0)
    frames: list[int] = []

    async def watch() -> int:
        answered: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        task = asyncio.ensure_future(
            stream_frames(handle, 0.001, lambda t, now: frames.append(now), answered=answered)
        )
        while len(frames) < 3:
            await asyncio.sleep(0.002)
        answered.set_result(None)
        at_answer = time.perf_counter_ns()
        await asyncio.wait_for(task, 10)  # it ends by itself
        return at_answer

    at_answer = asyncio.run(watch())
    # None drawn after it: Django's tidying would have the window wait for the GIL.
    assert len(frames) >= 3
    assert max(frames) < at_answer


def test_a_snapshot_under_way_at_the_last_answer_is_not_drawn():
    handle = _Handle(cpu_s=0.05)
    drawn: list[int] = []

    async def watch() -> None:
        answered: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        task = asyncio.ensure_future(
            stream_frames(handle, 0.001, lambda t, now: drawn.append(now), answered=answered)
        )
        while not handle.taking:
            await asyncio.sleep(0.001)
        answered.set_result(None)  # while the first snapshot is being taken
        await asyncio.wait_for(task, 10)

    asyncio.run(watch())
    assert handle.threads and drawn == []


def test_a_cancelled_stream_waits_for_the_snapshot_under_way():
    handle = _Handle(cpu_s=0.05)

    async def watch() -> int:
        task = asyncio.ensure_future(stream_frames(handle, 0.001, lambda t, now: None))
        while not handle.taking:
            await asyncio.sleep(0.001)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        return handle.taking

    assert asyncio.run(watch()) == 0  # no snapshot of the run outlives its frames


def test_the_loop_gets_a_turn_between_the_lanes_and_the_posted_paints():
    order: list[str] = []

    def frame(trace: Trace, now_ns: int) -> None:
        order.append("lanes")
        asyncio.get_running_loop().call_soon(order.append, "a click")

    async def watch() -> None:
        task = asyncio.ensure_future(
            stream_frames(_Handle(cpu_s=0.0), 0.001, frame, settle=lambda: order.append("paints"))
        )
        while "paints" not in order:
            await asyncio.sleep(0.002)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    asyncio.run(watch())
    assert order[:3] == ["lanes", "a click", "paints"]


class _Ahead(_Handle):
    """A run of the site's process, told when the next frame is due (its records are sent
    ahead of it: ``site_process/ahead.py``)."""

    def __init__(self) -> None:
        super().__init__()
        self.told: list[int] = []
        self.taken: list[int] = []

    def frame_at(self, at_ns: int) -> None:
        self.told.append(at_ns)

    def snapshot(self, now_ns: int | None = None) -> Trace:
        self.taken.append(now_ns or 0)
        return super().snapshot(now_ns)


def test_a_run_that_sends_its_records_ahead_is_told_when_each_next_frame_is_due():
    """Told too early, the records would be older than they need be at the frame; too late,
    the frame would wait for them."""
    handle = _Ahead()

    async def watch() -> None:
        task = asyncio.ensure_future(stream_frames(handle, 0.001, lambda t, now: None))
        while len(handle.taken) < 4:
            await asyncio.sleep(0.002)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    asyncio.run(watch())
    taken = handle.taken
    for told, before, now in zip(handle.told, taken, taken[1:], strict=False):
        assert told - 1_000_000 <= now <= told + (now - before) / 2  # (a hair early: the clock)
    assert len(handle.told) >= 3
