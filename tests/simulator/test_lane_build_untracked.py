"""What a live run keeps of each lane in flight for its next build is walked by no full
collection: a 10,000-request run keeps one build per request in flight, and each full
collection (0.3–0.9 s, holding the GIL: the window cannot draw meanwhile) walked a dozen
tuples and five lists of each (``benchmarks/gc_census.py``: the live snapshot's lanes, 18% of
what a collection walked). The build, kept again after a new record, still gives the lane a
build from scratch gives.
"""

from __future__ import annotations

import gc

from embedded_site.instrumentation import Mark, RawSegment, RequestProbe
from embedded_site.waits import Clock
from simulator.trace.growing import ReadHolds
from simulator.trace.intervals import IntervalSet
from simulator.trace.lanes import LaneBuild, build_lane, build_lane_again

MS = 1_000_000
LOOP = "asgi-loop"


def _probe() -> RequestProbe:
    """An async view under ASGI, in flight: Django's marks with their clocks (one on the
    receivers' thread), the loop's steps of its own, a closed CPU burn, an await still open."""
    probe = RequestProbe(7, "async_io", 0)
    probe.picked_ns, probe.picked_thread = 1 * MS, LOOP
    probe.picked_clock = Clock(1 * MS, 1 * MS, 0)
    probe.marks += [
        Mark(2 * MS, "sync-receivers", "signal", Clock(2 * MS, 2 * MS, 0)),
        Mark(5 * MS, LOOP, "middleware_in", Clock(5 * MS, 3 * MS, 1 * MS)),
    ]
    probe.segments.append(
        RawSegment("cpu", 6 * MS, 9 * MS, LOOP, False, 12, Clock(6 * MS, 4 * MS, 1 * MS))
    )
    probe.loop_steps += [(1 * MS, 2 * MS), (4 * MS, 9 * MS), (9 * MS, 10 * MS)]
    probe.open_segments[1] = RawSegment("io_wait", 10 * MS, 10 * MS, LOOP, True, 14)
    return probe


def _build(before: LaneBuild | None, probe: RequestProbe, now: int) -> LaneBuild:
    lane, build = build_lane_again(
        before,
        probe,
        done_ns=now,
        status="running",
        status_code=None,
        error=None,
        loop_thread=LOOP,
        loop_held=ReadHolds(IntervalSet()),
        unchanged_until=2**62,
    )
    assert build is not None
    expected = build_lane(probe, done_ns=now, status="running", loop_thread=LOOP)
    assert lane == expected
    return build


def _walked(build: LaneBuild) -> list[str]:
    """What a full collection walks of ``build`` besides the build itself, its lane (what is
    drawn) and its probe (the site's records): the census's count for one request."""
    skip = {id(build), id(build.lane), id(build.probe)}
    seen: set[int] = set()
    walked: list[str] = []
    todo: list[object] = gc.get_referents(build)
    while todo:
        here = todo.pop()
        if id(here) in skip or id(here) in seen or isinstance(here, type):
            continue
        seen.add(id(here))
        if gc.is_tracked(here):
            walked.append(type(here).__name__)
        todo += gc.get_referents(here)
    return walked


def test_a_build_kept_for_the_next_frame_holds_nothing_a_collection_walks():
    probe = _probe()
    first = _build(None, probe, 12 * MS)
    # A new record: the await ended, the loop ran it again. Walked again from a checkpoint.
    probe.segments.append(RawSegment("io_wait", 10 * MS, 20 * MS, LOOP, False, 14))
    del probe.open_segments[1]
    probe.loop_steps.append((21 * MS, 22 * MS))
    probe.marks.append(Mark(22 * MS, LOOP, "signal", Clock(22 * MS, 6 * MS, 1 * MS)))
    again = _build(first, probe, 25 * MS)
    assert again.walked_from > 0  # (the case the kept build is for)
    # A tuple is untracked by a collection that finds nothing tracked in it: one pass per
    # level of nesting at worst (a collection reorders what it walks), four levels here.
    for _ in range(5):
        gc.collect()
    for build in (first, again):
        assert len(build.merged) >= 5 and len(build.checkpoints) >= 5
        assert _walked(build) == []
