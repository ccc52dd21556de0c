"""A hold on the loop recorded late (a long or late-read step of the site's loop) rebuilds
only the live lanes whose drawing it can change: those whose building read the holds near
it, not every lane that read them after its start (issue 23: half of the worst live frames
were 500-860 lanes built again for a hold 40-290 ms back)."""

from __future__ import annotations

from embedded_site.instrumentation import RawSegment, RequestProbe
from simulator.hosting.driver import RequestRecord
from simulator.hosting.live_lanes import LiveLanes, from_scratch
from simulator.trace import Kind

MS = 1_000_000
LOOP = "asgi-loop"


def _awaiting(rid: int, step: tuple[int, int], wait: tuple[int, int]) -> RequestRecord:
    """A request on the loop, in flight: a step of its own, then an await that ended."""
    record = RequestRecord(RequestProbe(rid, "async_io", 0))
    probe = record.probe
    probe.picked_ns, probe.picked_thread = step[0], LOOP
    probe.loop_steps.append(step)
    probe.segments.append(RawSegment("io_wait", *wait, LOOP, False, 12))
    probe.touch()
    return record


def test_a_late_hold_rebuilds_the_lanes_that_read_the_holds_near_it_and_only_them():
    near = _awaiting(1, (1 * MS, 1 * MS + MS // 10), (3 * MS, 6 * MS + MS // 2))
    far = _awaiting(2, (1 * MS + MS // 5, 1 * MS + MS // 4), (15 * MS, 20 * MS))
    late = RequestRecord(RequestProbe(3, "async_io", 0))
    late.probe.picked_ns, late.probe.picked_thread = 4 * MS, LOOP
    records = [near, far, late]
    lanes = LiveLanes(LOOP)
    first = lanes.update(records, 30 * MS)
    assert first == from_scratch(records, 30 * MS, LOOP)
    # The third request's step at 5-6 ms is recorded only now: the loop was held then.
    late.probe.loop_steps.append((5 * MS, 6 * MS))
    late.probe.touch()
    second = lanes.update(records, 31 * MS)
    assert second == from_scratch(records, 31 * MS, LOOP)
    # The first request's await ended just after the hold: its I/O was over during it, the
    # rest it waited for the loop. Built again, it says so.
    assert first[0] != second[0]
    assert any(s.kind == Kind.QUEUED and s.start_ns == 5 * MS for s in second[0].segments)
    # The second read the holds only at 20 ms, far from it: grown to now, not built again.
    assert lanes.built == 2  # (the late request's own lane, and the first's)
    assert second[1].segments[:-1] == first[1].segments[:-1]
    assert all(a is b for a, b in zip(second[1].segments[:-1], first[1].segments, strict=False))


def test_a_hold_still_running_changes_the_holds_only_past_where_it_reached():
    """The same records at a later now (a live frame grown from records asked ahead): the
    loop still held by the same sleep changed only past the last frame's now, so a lane that
    read the holds just before that sleep began is grown, not built again (issue 23: 800 of
    1,000 lanes were built again every frame, 25 ms of the window's CPU)."""
    # Its await ended just before the sleep began: its building read the holds there.
    early = _awaiting(1, (1 * MS, 1 * MS + MS // 10), (3 * MS, 9 * MS + MS // 2))
    blocker = RequestRecord(RequestProbe(2, "async_blocking", 0))
    probe = blocker.probe
    probe.picked_ns, probe.picked_thread = 10 * MS, LOOP
    probe.open_segments[0] = RawSegment("io_blocking", 10 * MS, 10 * MS, LOOP, True)
    probe.touch()
    records = [early, blocker]
    lanes = LiveLanes(LOOP)
    first = lanes.update(records, 30 * MS)
    assert first == from_scratch(records, 30 * MS, LOOP)
    second = lanes.update(records, 60 * MS)
    assert second == from_scratch(records, 60 * MS, LOOP)
    assert second[0].segments[-1].end_ns == 60 * MS  # (the await, reaching the new now)
    assert lanes.built == 0  # both grown to the new now
