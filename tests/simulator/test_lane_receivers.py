"""Django's signal receivers on the request's own thread under ASGI: the thread's measured
CPU before our receiver's mark is Django's framework on that thread; the rest of the
hand-off, and everything after the mark until the loop runs the request again, is waiting to
run on the loop. (Lesson 15's eight computing threads each showed a framework bar of
16-58 ms after the answer, all of it waiting for the GIL.)"""

from __future__ import annotations

import dataclasses

from embedded_site.instrumentation import Mark, RequestProbe
from embedded_site.waits import Clock
from simulator.hosting.driver import RequestRecord
from simulator.hosting.live_lanes import LiveLanes, from_scratch
from simulator.trace import build_lane

MS = 1_000_000
LOOP = "asgi-loop"
THREAD = "ThreadPoolExecutor-7_0"


def _probe(finished_cpu_ms: float = 0.3) -> RequestProbe:
    """An async view awaiting 2-20 ms; Django's request_started receivers marked at 1.5 ms
    (the thread's CPU 0.2 ms) and its request_finished ones at 60 ms, the thread's CPU then
    ``0.2 + finished_cpu_ms``; the loop, busy with others, ran the request's code in steps."""
    probe = RequestProbe(1, "async_io", 0)
    probe.picked_ns, probe.picked_thread = MS // 2, LOOP
    probe.loop_steps = [
        (MS // 2, MS),
        (1_600_000, 1_900_000),
        (20 * MS, 21 * MS),
        (80 * MS, 81 * MS),
    ]
    probe.marks = [
        Mark(1_500_000, THREAD, "signal", Clock(1_500_000, 200_000, None)),
        Mark(1_700_000, LOOP, "middleware_in"),
        Mark(20_500_000, LOOP, "middleware_out"),
        Mark(60 * MS, THREAD, "signal", Clock(60 * MS, 200_000 + int(finished_cpu_ms * MS), None)),
    ]
    token = probe.open_segment("io_wait", 2 * MS)
    probe.open_segments[token].thread = LOOP
    probe.close_segment(token, 20 * MS)
    probe.responded_ns, probe.finished_ns = 20_700_000, 81 * MS
    return probe


def _segments(probe: RequestProbe) -> list[tuple[str, float, float, str]]:
    lane = build_lane(probe, done_ns=21 * MS, status="ok", loop_thread=LOOP)
    return [(s.kind, s.start_ns / MS, s.end_ns / MS, s.thread) for s in lane.segments]


def test_the_receivers_cpu_is_framework_on_their_thread_and_the_rest_waits_on_the_loop():
    after_answer = [s for s in _segments(_probe(0.3)) if s[1] >= 21]
    assert after_answer == [
        ("queued", 21, 59.7, LOOP),  # handed to the thread, waiting for it (and the GIL)
        ("framework", 59.7, 60, THREAD),  # 0.3 ms of the thread's CPU, then the mark
        ("queued", 60, 80, LOOP),  # back to the loop: nothing measured ran, waiting to run
        ("framework", 80, 81, LOOP),
    ]


def test_nothing_is_carved_where_the_thread_s_cpu_is_not_known_to_be_the_receivers():
    # request_started's mark: the thread's first reading (its clock counts from its start).
    first = [s for s in _segments(_probe(0.3)) if s[2] <= 1.5]
    assert all(thread != THREAD for *_, thread in first)
    # After a sync view's last segment on the thread, the clock also counts the view's end
    # and its hand-back to the loop, which came before the answer.
    probe = _probe(0.3)
    probe.segments[0] = dataclasses.replace(
        probe.segments[0], thread=THREAD, end_clock=Clock(20 * MS, 250_000, None)
    )
    after = [s for s in _segments(probe) if s[1] >= 21]
    assert ("framework", THREAD) not in [(kind, thread) for kind, _, _, thread in after]


def test_no_framework_is_drawn_where_the_thread_used_no_cpu():
    finished = [s for s in _segments(_probe(0.0)) if s[1] >= 21]
    assert [kind for kind, *_ in finished] == ["queued", "framework"]


def test_more_cpu_than_the_wait_fills_the_wait_and_no_more():
    after_answer = [s for s in _segments(_probe(100.0)) if s[1] >= 21]
    assert after_answer[0] == ("framework", 21, 60, THREAD)


def test_a_live_lane_is_at_every_record_the_one_built_from_scratch():
    """The records arrive one by one, a frame after each and one between: the carve is
    walked again from the last build's checkpoints (``build_lane_again``)."""
    whole = _probe(0.3)
    record = RequestRecord(RequestProbe(1, "async_io", 0))
    probe = record.probe
    probe.picked_ns, probe.picked_thread = whole.picked_ns, LOOP
    arrivals = sorted(
        [(e, "step", (s, e)) for s, e in whole.loop_steps]
        + [(m.ns, "mark", m) for m in whole.marks]
        + [(whole.segments[0].end_ns, "segment", whole.segments[0])],
        key=lambda x: x[0],
    )
    live = LiveLanes(LOOP)
    for at, what, item in arrivals:
        if what == "step":
            probe.loop_steps.append(item)
        elif what == "mark":
            probe.marks.append(item)
        else:
            probe.segments.append(item)
        if at >= 20_700_000:
            record.status, record.status_code, record.done_ns = "ok", 200, 21 * MS
        probe.touch()
        for now in (at + 1, at + 500_000):
            assert live.update([record], now) == from_scratch([record], now, LOOP)
    probe.finished_ns = whole.finished_ns
    probe.touch()
    assert live.update([record], 90 * MS) == from_scratch([record], 90 * MS, LOOP)
    assert any(
        s.kind == "framework" and s.thread == THREAD
        for s in live.update([record], 91 * MS)[0].segments
    )
