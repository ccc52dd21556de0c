"""A live trace sent from the site's process to the window's is the same trace, and costs the
window what changed: a lane or segment the site reused is the object the window made for it
before (what the painter and the live columns count on), on made-up frames and on every
snapshot of a real run, each through pickle as the socket carries it."""

from __future__ import annotations

import asyncio
import dataclasses
import pickle

import pytest

from simulator.hosting.engine import LiveRun
from simulator.hosting.site_process.wire import LaneMirror, LaneSender
from simulator.scenario import Scenario
from simulator.trace import Lane, Segment, Trace
from simulator.trace.kinds import Kind
from simulator.trace.live_columns import LiveColumns

from .test_live_columns import assert_same_columns

MS = 1_000_000


def sent(sender: LaneSender, mirror: LaneMirror, trace: Trace) -> Trace:
    return mirror.apply(pickle.loads(pickle.dumps(sender.frame(trace))))


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
    assert [change[0] for change in frame.changes] == [1, 2]  # the kept lane is not sent
    assert frame.changes[0][2] == 1  # the grown lane's first segment is not sent again
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
