"""A live snapshot is taken while the site's threads go on recording: whatever they record
during it, every later frame is still what a build from scratch gives."""

from __future__ import annotations

import pytest

from embedded_site.instrumentation import RawSegment, RequestProbe
from simulator.hosting import live_lanes
from simulator.hosting.driver import RequestRecord
from simulator.hosting.live_lanes import LiveLanes, from_scratch
from simulator.trace import Trace, loop_holding_intervals
from simulator.trace.live_columns import LiveColumns

from .test_live_columns import assert_same_columns

MS = 1_000_000
LOOP = "asgi-loop"


def test_a_request_finished_during_a_snapshot_is_not_settled_with_its_lane_before():
    """Django's tidying ends (its last loop step, ``finished_ns``) while a frame is being
    taken, after the frame read the request's records as unchanged: its lane, built while
    Django was still tidying, must not be kept as final, or every later frame drew the
    request ending at its answer (and the loop free during its last step)."""
    record = RequestRecord(RequestProbe(1, "async_io", 0))
    probe = record.probe
    probe.picked_ns, probe.picked_thread = MS, LOOP
    probe.loop_steps.append((MS, 2 * MS))
    probe.segments.append(RawSegment("io_wait", 2 * MS, 5 * MS, LOOP))
    probe.loop_steps.append((5 * MS, 6 * MS))
    probe.responded_ns = 6 * MS
    record.status, record.status_code, record.done_ns = "ok", 200, 6 * MS
    probe.touch()
    live = LiveLanes(LOOP)
    live.update([record], 7 * MS)  # answered, Django still tidying: built

    read_holds = live._holds.update

    def site_finishes_meanwhile(probes, now_ns):  # on the site's thread, mid-snapshot
        held = read_holds(probes, now_ns)
        if probe.finished_ns is None:
            probe.loop_steps.append((8 * MS, 9 * MS))
            probe.finished_ns = 9 * MS
            probe.touch()
        return held

    live._holds.update = site_finishes_meanwhile  # type: ignore[method-assign]
    live.update([record], 10 * MS)
    for now in (11 * MS, 12 * MS):
        lanes = live.update([record], now)
        assert lanes == from_scratch([record], now, LOOP)
        assert lanes[0].segments[-1].end_ns == 9 * MS  # Django's tidying, to its end
    # And its last step holds the loop for the others' lanes, as read from every probe.
    held, whole = live._holds.held, loop_holding_intervals([probe], LOOP, 12 * MS)
    assert (held.starts, held.ends, held.stepped) == (whole.starts, whole.ends, whole.stepped)
    assert held.ends[-1] == 9 * MS


def test_a_frame_after_one_that_failed_halfway_says_no_lane_grew_from_a_lane_it_rebuilt():
    """An update that fails halfway (its caller gets no lanes) rebuilt some lanes already:
    the next one may grow them, and must not say they grew from the lanes handed out
    before the failure (``LiveLanes.grown_from``), or the live columns, which copy those
    lanes' rows without reading them, gave a figure of a lane that is not on screen."""
    first = RequestRecord(RequestProbe(1, "async_io", 0))
    probe = first.probe
    probe.picked_ns, probe.picked_thread = MS, LOOP
    probe.loop_steps.append((MS, 2 * MS))
    waiting = RawSegment("io_wait", 2 * MS, 2 * MS, LOOP, True)
    probe.open_segments[1] = waiting
    probe.touch()
    records = [first]
    live, columns = LiveLanes(LOOP), LiveColumns()
    shown = Trace(0, live.update(records, 3 * MS), LOOP)
    columns.fill(shown)  # a frame on screen

    # The await ends and another begins (the lane built again), then a new request's build
    # fails: the update hands out nothing.
    del probe.open_segments[1]
    probe.segments.append(RawSegment("io_wait", 2 * MS, 4 * MS, LOOP))
    probe.loop_steps.append((4 * MS, 5 * MS))
    probe.open_segments[2] = RawSegment("io_wait", 5 * MS, 5 * MS, LOOP, True)
    probe.touch()
    records.append(RequestRecord(RequestProbe(2, "async_io", 5 * MS)))
    build = live_lanes.build_lane_again

    def fails_for_the_second(before, probe, **kwargs):
        if probe is records[1].probe:
            raise MemoryError
        return build(before, probe, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(live_lanes, "build_lane_again", fails_for_the_second)
        with pytest.raises(MemoryError):
            live.update(records, 6 * MS)

    trace = Trace(0, live.update(records, 7 * MS), LOOP)
    trace.note_grown(live.grown_from)
    assert trace.lanes == from_scratch(records, 7 * MS, LOOP)
    columns.fill(trace)
    assert trace.columns is not None
    assert_same_columns(trace)
