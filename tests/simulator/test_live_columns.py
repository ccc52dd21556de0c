"""A live run's columns, carried from snapshot to snapshot, are exactly the columns a build
from scratch gives, and so the live figures are the figures of the trace on screen: on
generated frames (lanes kept, grown to a new "now", built again, added) and on a real run
watched as the window watches it."""

from __future__ import annotations

import asyncio
import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.hosting.engine import LiveRun
from simulator.metrics.summary import summarize
from simulator.scenario import Scenario
from simulator.trace import Lane, Segment, Trace
from simulator.trace.columns import LaneColumns, SegmentColumns
from simulator.trace.data import GrownFrom
from simulator.trace.live_columns import LiveColumns

from .test_summary_columns import lanes as any_lane

MS = 1_000_000


def assert_same_columns(trace: Trace) -> None:
    """``trace``'s columns (filled by :class:`LiveColumns`) are those built from scratch,
    array for array (dtypes and thread numbering included)."""
    for got, want in (
        (trace.columns, SegmentColumns.of(trace.lanes)),
        (trace.lane_columns, LaneColumns.of(trace.lanes)),
    ):
        for field in dataclasses.fields(want):
            a, b = getattr(got, field.name), getattr(want, field.name)
            if isinstance(b, np.ndarray):
                assert a.dtype == b.dtype and np.array_equal(a, b), field.name
            else:
                assert a == b, field.name
    # (And the threads its lanes name, counted along with the columns.)
    assert trace.thread_count() == dataclasses.replace(trace).thread_count()


def grown(lane: Lane, now_ns: int) -> Lane:
    """``lane`` with its last segment reaching ``now_ns`` (the engine's ``grown``)."""
    last = lane.segments[-1]
    segments = (*lane.segments[:-1], dataclasses.replace(last, end_ns=now_ns))
    return dataclasses.replace(lane, done_ns=now_ns, segments=segments)


def seg(kind: str, start: float, end: float, thread: str, **kw) -> Segment:
    return Segment(kind, round(start * MS), round(end * MS), thread, **kw)


def lane(i: int, *segments: Segment, status: str = "running", db=()) -> Lane:
    done = segments[-1].end_ns if segments else 0
    return Lane(i, "async_io", status, 200, None, 0, done, segments, db_events=db)


def test_a_frame_reads_only_the_lanes_that_changed_and_gives_the_columns_from_scratch():
    live = LiveColumns()
    settled = lane(0, seg("queued", 0, 1, "queue"), seg("cpu", 1, 3, "t-1"), status="ok")
    waiting = lane(1, seg("queued", 0, 2, "queue"), seg("io_wait", 2, 4, "loop", open=True))
    first = Trace(0, (settled, waiting), "loop")
    live.fill(first)
    assert_same_columns(first)
    # The settled lane is the same object; the one in flight grew; one is new, with a
    # Server-Timing name and a database connection; a thread appears first in it.
    new = lane(
        2,
        seg("queued", 3, 5, "queue"),
        seg("server_timing", 5, 6, "t-2", name="db"),
        db=((5 * MS, 1),),
    )
    second = Trace(0, (settled, grown(waiting, 6 * MS), new), "loop")
    live.fill(second)
    assert live.read == 2  # the grown lane (its last row) and the new one
    assert_same_columns(second)
    assert summarize(second) == summarize(Trace(0, second.lanes, "loop"))
    # The lane in flight is built again (new objects, one more segment); the new one ends.
    again = lane(1, seg("queued", 0, 2, "queue"), seg("io_wait", 2, 7, "loop"), status="ok")
    third = Trace(0, (settled, again, grown(new, 8 * MS)), "loop")
    live.fill(third)
    assert_same_columns(third)
    # Another run: nothing of the last is kept.
    other = Trace(5, (lane(0, seg("cpu", 0, 1, "t-9")),), None)
    live.fill(other)
    assert_same_columns(other)


def test_a_frame_does_not_read_the_lanes_that_only_grew_since_the_frame_before_it():
    """The window builds the lanes as the site's records arrive, between its frames: a
    frame's lanes grew from a build no frame drew, and every lane that grew was read again
    (3,500-10,000 a frame at 10,000 requests, 22-32 ms)."""
    live = LiveColumns()
    waiting = [
        lane(i, seg("queued", 0, 2, "queue"), seg("io_wait", 2, 4, "loop")) for i in range(5)
    ]
    first = Trace(0, tuple(waiting), "loop")
    live.fill(first)
    ahead = Trace(0, tuple(grown(w, 5 * MS) for w in waiting), "loop")  # built, not drawn
    ahead.note_grown(GrownFrom(first.lanes, tuple(range(5)), 5 * MS))
    # The next frame: four grew again, one was built anew.
    again = lane(4, seg("queued", 0, 2, "queue"), seg("io_wait", 2, 6, "loop"), status="ok")
    frame = Trace(0, (*(grown(w, 6 * MS) for w in ahead.lanes[:4]), again), "loop")
    frame.note_grown(GrownFrom(ahead.lanes, (0, 1, 2, 3), 6 * MS, ahead.grown_from))
    live.fill(frame)
    assert live.read == 1  # the lane built anew; the four that only grew, not
    assert_same_columns(frame)


@st.composite
def frames(draw) -> list[Trace]:
    """Snapshots of one run: each keeps some lanes (the same objects), grows some to a new
    "now", builds some again (new objects, maybe other segments; or, as the engine walks a
    lane again from where its records changed, its first segments the same objects and the
    rest new), and adds some. Some snapshots say which lanes grew to their now
    (``Trace.note_grown``, as the live lanes do), linked to what the snapshot before said
    (``GrownFrom.before``: the window fills some of them only), some do not."""
    now = 100 * MS
    current = [draw(any_lane(i)) for i in range(draw(st.integers(0, 8)))]
    shots = [Trace(0, tuple(current), "asgi-loop")]
    for _ in range(draw(st.integers(1, 5))):
        now += draw(st.integers(1, 8)) * MS
        before, to_now = shots[-1].lanes, []
        for i, old in enumerate(current):
            change = draw(st.sampled_from(("keep", "keep", "grow", "build", "again")))
            if change == "grow" and old.segments:
                current[i] = grown(old, max(now, old.segments[-1].end_ns))
                if current[i].end_ns == now:
                    to_now.append(i)
            elif change == "again":
                kept = old.segments[: draw(st.integers(0, len(old.segments)))]
                rest = draw(any_lane(i)).segments
                current[i] = dataclasses.replace(old, segments=kept + rest)
            elif change == "build":
                current[i] = draw(any_lane(i))
        current += [draw(any_lane(len(current) + j)) for j in range(draw(st.integers(0, 4)))]
        shots.append(Trace(0, tuple(current), "asgi-loop"))
        if draw(st.booleans()):
            link = shots[-2].grown_from
            shots[-1].note_grown(GrownFrom(before, tuple(to_now), now, link and link.back(2)))
    return shots


@pytest.mark.slow
@settings(max_examples=80, deadline=None)
@given(frames(), st.lists(st.booleans(), min_size=6, max_size=6))
def test_columns_carried_from_frame_to_frame_are_the_columns_from_scratch(shots, skipped):
    live = LiveColumns()
    for trace, skip in zip(shots, skipped, strict=False):
        if skip and trace is not shots[-1]:
            continue  # (built, never drawn: the next one's grown_from links past it)
        live.fill(trace)
        assert_same_columns(trace)
        assert summarize(trace) == summarize(Trace(0, trace.lanes, "asgi-loop"))


@pytest.mark.slow
def test_a_real_run_s_live_figures_are_the_figures_of_each_snapshot():
    """Watched as the window watches it: every snapshot's figures from the carried columns
    equal ``summarize`` of the same lanes afresh, and the columns did carry over: the lanes
    that only grew to the frame's now (as the live lanes say) were not read again."""
    run = LiveRun(Scenario(view="async_io", requests=300, io_ms=60, arrival_ms=0.5))
    live = LiveColumns()
    read: list[tuple[int, int]] = []
    unread_grown: list[int] = []  # lanes other objects than the frame before's, not read
    before: tuple[Lane, ...] = ()

    async def watch() -> None:
        nonlocal before
        task = asyncio.ensure_future(run.run())
        while not task.done():
            await asyncio.sleep(0.005)
            if run.started:
                trace = run.snapshot()
                live.fill(trace)
                assert_same_columns(trace)
                assert summarize(trace) == summarize(dataclasses.replace(trace))
                read.append((live.read, len(trace.lanes)))
                others = sum(a is not b for a, b in zip(trace.lanes, before, strict=False))
                unread_grown.append(others + len(trace.lanes) - len(before) - live.read)
                before = trace.lanes
        await task

    asyncio.run(watch())
    assert len(read) > 3
    assert any(count < lanes for count, lanes in read)  # some frames read fewer than all
    assert max(unread_grown) > 10  # lanes grown to now: their rows not read again
