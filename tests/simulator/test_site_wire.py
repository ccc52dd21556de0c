"""A live trace sent from the site's process to the window's is the same trace, and costs the
window what changed: a lane or segment the site reused is the object the window made for it
before (what the painter and the live columns count on), on made-up frames and on every
snapshot of a real run, each through pickle as the socket carries it."""

from __future__ import annotations

import asyncio
import dataclasses
import pickle

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator.hosting.engine import LiveRun
from simulator.hosting.site_process.wire import LaneMirror, LaneSender
from simulator.scenario import Scenario
from simulator.trace import Lane, Segment, Trace
from simulator.trace.kinds import Kind
from simulator.trace.live_columns import LiveColumns

from .test_live_columns import assert_same_columns

MS = 1_000_000


#: How many lanes each frame :func:`sent` sent as only grown (their place and new "now").
GROWN: list[int] = []


def sent(sender: LaneSender, mirror: LaneMirror, trace: Trace) -> Trace:
    frame = sender.frame(trace)
    GROWN.append(len(frame.grown))
    return mirror.apply(pickle.loads(pickle.dumps(frame)))


def seg(kind: Kind, start: int, end: int, thread: str = "asgi-loop", **kw) -> Segment:
    return Segment(kind, start * MS, end * MS, thread, **kw)


def test_frames_send_only_what_changed_and_the_mirror_keeps_its_objects():
    sender, mirror = LaneSender(), LaneMirror()
    done = Lane(
        0,
        "sync_io",
        "ok",
        200,
        None,
        0,
        5 * MS,
        (seg(Kind.QUEUED, 0, 1), seg(Kind.IO_BLOCKING, 1, 5, "thread 1", line=12)),
    )
    first_seg = seg(Kind.QUEUED, 0, 2)
    flying = Lane(
        1,
        "async_io",
        "running",
        None,
        None,
        0,
        3 * MS,
        (first_seg, seg(Kind.IO_WAIT, 2, 3, open=True)),
    )
    first = Trace(0, (done, flying), "asgi-loop", loop_blocked=((1 * MS, 2 * MS),))
    got = sent(sender, mirror, first)
    assert got == first
    # The next frame: the finished lane is the same object, the one in flight grew (its
    # first segment the same object), a third is new with a name and a database event.
    grown = dataclasses.replace(
        flying, done_ns=6 * MS, segments=(first_seg, seg(Kind.IO_WAIT, 2, 6, open=True))
    )
    new = Lane(
        2,
        "db_orm",
        "error",
        500,
        "boom",
        4 * MS,
        6 * MS,
        (seg(Kind.SERVER_TIMING, 4, 6, "t", name="db"),),
        db_events=((4 * MS, 1),),
        notes=("db: dur=inf ignored",),
    )
    second = Trace(0, (done, grown, new), "asgi-loop", loop_blocking_now=(5 * MS, 6 * MS))
    frame = sender.frame(second)
    # The kept lane is not sent; the one that only grew is its place and its new now; the
    # new one whole.
    assert [change[0] for change in frame.changes] == [2]
    assert frame.grown == [(1, 6 * MS)]
    again = mirror.apply(pickle.loads(pickle.dumps(frame)))
    assert again == second
    assert again.lanes[0] is got.lanes[0]
    assert again.lanes[1].segments[0] is got.lanes[1].segments[0]
    assert again.lanes[1] is not got.lanes[1]


@pytest.mark.slow
def test_every_snapshot_of_a_real_run_arrives_as_taken_with_the_site_s_reuse_kept():
    """Watched as the window watches it, through pickle: each mirrored trace equals the
    snapshot, a lane is the same object as the last frame's exactly where the site's is, and
    the live columns carried over the mirrored frames are those built from scratch."""
    run = LiveRun(Scenario(view="async_io", requests=300, io_ms=60, arrival_ms=0.5))
    sender, mirror, columns = LaneSender(), LaneMirror(), LiveColumns()
    GROWN.clear()
    frames: list[tuple[int, int]] = []

    async def watch() -> None:
        task = asyncio.ensure_future(run.run())
        last: Trace | None = None
        shown: Trace | None = None
        while not task.done():
            await asyncio.sleep(0.005)
            if not run.started:
                continue
            trace = run.snapshot()
            got = sent(sender, mirror, trace)
            assert got == trace
            if last is not None and shown is not None and len(last.lanes) == len(trace.lanes):
                same = [a is b for a, b in zip(trace.lanes, last.lanes, strict=True)]
                assert same == [a is b for a, b in zip(got.lanes, shown.lanes, strict=True)]
                frames.append((sum(same), len(same)))
            columns.fill(got)
            assert_same_columns(got)
            last, shown = trace, got
        final = await task
        assert sent(sender, mirror, final.trace) == final.trace

    asyncio.run(watch())
    assert frames and any(0 < kept < count for kept, count in frames)
    assert any(GROWN)  # lanes that only grew went as their place and their new now


_KINDS = list(Kind)


@st.composite
def _segment(draw: st.DrawFn) -> Segment:
    start = draw(st.integers(0, 1_000))
    return Segment(
        draw(st.sampled_from(_KINDS)),
        start,
        start + draw(st.integers(0, 50)),
        draw(st.sampled_from(["asgi-loop", "thread 1"])),
        draw(st.booleans()),
        draw(st.none() | st.integers(1, 99)),
        draw(st.none() | st.just("db")),
    )


@st.composite
def _lane(draw: st.DrawFn, segments: tuple[Segment, ...] | None = None) -> Lane:
    if segments is None:
        segments = tuple(draw(st.lists(_segment(), max_size=4)))
    return Lane(
        draw(st.integers(0, 9)),
        draw(st.sampled_from(["sync_io", "async_io"])),
        draw(st.sampled_from(["ok", "running", "cancelled"])),
        draw(st.none() | st.just(200)),
        draw(st.none() | st.just("boom")),
        0,
        draw(st.integers(0, 99)),
        segments,
        draw(st.sampled_from([(), (("thread 1", 3),)])),
        draw(st.sampled_from([(), ((1, 2),)])),
        draw(st.sampled_from([(), ("a note",)])),
    )


@st.composite
def _next_lanes(draw: st.DrawFn, lanes: tuple[Lane, ...]) -> tuple[Lane, ...]:
    """The site's next frame: each lane kept, grown, built again on a shared prefix of its
    segments, or new; some taken from elsewhere; lanes added or dropped; or none at all."""
    how = draw(st.sampled_from(["each", "fewer", "none", "shuffled"]))
    if how == "none":
        return ()
    if how == "fewer":
        return lanes[: draw(st.integers(0, len(lanes)))]
    if how == "shuffled":
        return tuple(draw(st.permutations(lanes)))
    made: list[Lane] = []
    for lane in lanes:
        change = draw(st.sampled_from(["keep", "grow", "prefix", "new", "elsewhere"]))
        if change == "keep":
            made.append(lane)
        elif change == "grow" and lane.segments:
            made.append(draw(_lane(lane.segments[:-1] + (draw(_segment()),))))
        elif change == "prefix":
            kept = lane.segments[: draw(st.integers(0, len(lane.segments)))]
            made.append(draw(_lane(kept + tuple(draw(st.lists(_segment(), max_size=3))))))
        elif change == "elsewhere":
            made.append(draw(st.sampled_from(lanes)))
        else:
            made.append(draw(_lane()))
    return tuple(made) + tuple(draw(st.lists(_lane(), max_size=3)))


@st.composite
def _frames(draw: st.DrawFn) -> list[Trace]:
    traces: list[Trace] = []
    lanes: tuple[Lane, ...] = ()
    for _ in range(draw(st.integers(1, 6))):
        lanes = draw(_next_lanes(lanes))
        traces.append(
            Trace(
                draw(st.integers(0, 3)),
                lanes,
                draw(st.sampled_from([None, "asgi-loop"])),
                draw(st.sampled_from([(), ((1, 2),)])),
                draw(st.sampled_from([None, (3, 4)])),
                draw(st.sampled_from([(), (11, 12)])),
                draw(st.sampled_from([None, 5])),
            )
        )
    return traces


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_frames())
def test_any_run_of_frames_arrives_as_sent_reusing_objects_only_where_the_site_did(
    traces: list[Trace],
) -> None:
    sender, mirror = LaneSender(), LaneMirror()
    last: Trace | None = None
    shown: Trace | None = None
    for trace in traces:
        got = sent(sender, mirror, trace)
        assert got == trace
        assert (got.worker_pids, got.client_cpu_ns) == (trace.worker_pids, trace.client_cpu_ns)
        if last is not None and shown is not None:
            for i, (lane, was) in enumerate(zip(trace.lanes, last.lanes, strict=False)):
                assert (got.lanes[i] is shown.lanes[i]) == (lane is was)
                for j, (mirrored, before) in enumerate(
                    zip(got.lanes[i].segments, shown.lanes[i].segments, strict=False)
                ):
                    if mirrored is before:  # reused here only where the site reused it
                        assert lane.segments[j] is was.segments[j]
        last, shown = trace, got
