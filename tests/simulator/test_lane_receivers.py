"""Django's signal receivers on the request's own thread under ASGI: the thread's measured
CPU before our receiver's mark is Django's framework on that thread; the rest of the
hand-off, and everything after the mark until the loop runs the request again, is waiting to
run on the loop. (Lesson 15's eight computing threads each showed a framework bar of
16-58 ms after the answer, all of it waiting for the GIL.)"""

from __future__ import annotations

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


def test_request_started_s_receivers_are_the_thread_s_cpu_since_it_began():
    """The thread's first reading: asgiref started it for this request, so all its CPU
    (its start, then the receivers) is the hand-off's; the rest was waiting to run."""
    first = [s for s in _segments(_probe(0.3)) if s[2] <= 1.5]
    assert first[-2:] == [("queued", 1, 1.3, LOOP), ("framework", 1.3, 1.5, THREAD)]


def test_no_framework_is_drawn_where_the_thread_used_no_cpu():
    finished = [s for s in _segments(_probe(0.0)) if s[1] >= 21]
    assert [kind for kind, *_ in finished] == ["queued", "framework"]


def test_more_cpu_than_the_wait_fills_the_wait_and_no_more():
    after_answer = [s for s in _segments(_probe(100.0)) if s[1] >= 21]
    assert after_answer[0] == ("framework", 21, 60, THREAD)


def test_a_live_lane_reaching_past_the_marks_is_the_one_built_from_scratch():
    record = RequestRecord(_probe(0.3))
    record.status, record.status_code, record.done_ns = "ok", 200, 21 * MS
    live = LiveLanes(LOOP)
    for now in (70 * MS, 85 * MS):
        assert live.update([record], now) == from_scratch([record], now, LOOP)
