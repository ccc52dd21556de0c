"""While Django tidies up after an answer, a live frame keeps the request's lane as it was
when what its probe recorded since cannot change it (loop steps and receivers' marks after
the lane's end), and builds it again when it can: either way the frame is what a build from
scratch gives."""

from __future__ import annotations

from embedded_site.instrumentation import Mark, RawSegment, RequestProbe
from simulator.hosting.driver import RequestRecord
from simulator.hosting.live_lanes import LiveLanes, from_scratch

MS = 1_000_000
LOOP = "asgi-loop"


def _answered() -> RequestRecord:
    """A request answered at 6 ms; Django not done with it (no ``finished_ns``)."""
    record = RequestRecord(RequestProbe(1, "async_io", 0))
    probe = record.probe
    probe.picked_ns, probe.picked_thread = MS, LOOP
    probe.marks.append(Mark(MS, "thread-1", "signal"))  # request_started's receiver
    probe.loop_steps.append((MS, 2 * MS))
    probe.segments.append(RawSegment("io_wait", 2 * MS, 4 * MS, LOOP))
    probe.loop_steps.append((4 * MS, 4 * MS + MS // 2))  # then waits for the loop
    probe.responded_ns = 6 * MS
    record.status, record.status_code, record.done_ns = "ok", 200, 6 * MS
    probe.touch()
    return record


def test_records_after_an_answered_lane_s_end_keep_it_and_others_build_it_again():
    record = _answered()
    probe = record.probe
    live = LiveLanes(LOOP)
    first = live.update([record], 7 * MS)[0]
    frames = [
        # (what Django records, whether the lane is kept as it was, not built)
        (lambda: probe.loop_steps.append((8 * MS, 9 * MS)), True),
        (lambda: probe.marks.append(Mark(10 * MS, "thread-1", "signal")), True),
        (lambda: probe.marks.append(Mark(11 * MS, "thread-2", "signal")), False),  # new
        (lambda: probe.loop_steps.append((12 * MS, 13 * MS)), True),
        (lambda: probe.marks.append(Mark(6 * MS, "thread-1", "signal")), False),  # at end
        (lambda: probe.loop_steps.append((5 * MS + MS // 2, 6 * MS + MS // 2)), False),
    ]
    before, now = first, 13 * MS
    for record_it, kept in frames:
        record_it()
        probe.touch()
        now += MS
        lane = live.update([record], now)[0]
        assert lane == from_scratch([record], now, LOOP)[0]
        assert (live.tidied, live.built) == ((1, 0) if kept else (0, 1))
        assert lane is before or not kept
        before = lane
    # The step reaching back before the answer cut Django's wait for the loop there.
    assert first.segments[-1].kind == "queued" and lane.segments[-1].kind == "framework"
    # Django done with it: built once more, to its end, and final.
    probe.finished_ns = 13 * MS
    probe.touch()
    lane = live.update([record], 20 * MS)[0]
    assert lane == from_scratch([record], 20 * MS, LOOP)[0]
    assert lane.segments[-1].end_ns == 13 * MS


def test_a_lane_finished_before_its_last_loop_step_is_recorded_takes_that_step_in():
    """The ASGI server stamps a request finished inside its task's last step on the loop,
    which the loop monitor records only when the step ends: frames taken in between (two or
    more while the loop's thread waits for the GIL) see it finished without that step. Its
    lane is not final until the step is recorded; then it has it, as a build from scratch."""
    record = _answered()
    probe = record.probe
    live = LiveLanes(LOOP)
    live.update([record], 7 * MS)
    probe.finished_ns = 12 * MS  # in the step 11.5-12.5 ms, not recorded yet
    probe.touch()
    for now in (12 * MS + MS // 10, 12 * MS + MS // 5, 12 * MS + MS // 4):
        assert live.update([record], now) == from_scratch([record], now, LOOP)
    probe.loop_steps.append((11 * MS + MS // 2, 12 * MS + MS // 2))  # the step ends
    probe.touch()
    lane = live.update([record], 13 * MS)[0]
    assert lane == from_scratch([record], 13 * MS, LOOP)[0]
    assert any(s.kind == "framework" and s.start_ns == 11 * MS + MS // 2 for s in lane.segments)
