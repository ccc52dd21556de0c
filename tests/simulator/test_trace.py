"""How raw probe facts become a lane: whole segment lists, on hand-made probes.

Times are in ms for reading (×1e6 to ns). ``L`` is the site's event loop, ``T`` a thread.
"""

from __future__ import annotations

import random
import threading

from embedded_site.instrumentation import Mark, RawSegment, RequestProbe
from simulator.trace import IntervalSet, Segment, build_lane, loop_holding_intervals

MS = 1_000_000
L, T = "asgi-loop", "ThreadPoolExecutor-1_0"


def probe(
    *, sent=0, picked=1, picked_thread=L, finished=None, segments=(), marks=()
) -> RequestProbe:
    p = RequestProbe(
        0,
        "v",
        sent_ns=sent * MS,
        picked_ns=None if picked is None else picked * MS,
        picked_thread=picked_thread,
    )
    p.finished_ns = None if finished is None else finished * MS
    p.segments = [RawSegment(kind, s * MS, e * MS, thread) for kind, s, e, thread in segments]
    p.marks = [Mark(ns * MS, thread, where) for ns, thread, where in marks]
    return p


def lane_of(p: RequestProbe, done: float, status: str = "ok", **kwargs) -> list[tuple]:
    lane = build_lane(p, done_ns=int(done * MS), status=status, **kwargs)
    return [(s.kind, s.start_ns / MS, s.end_ns / MS, s.thread) for s in lane.segments]


def test_an_async_view_alone_on_the_loop():
    p = probe(
        finished=12,
        marks=[
            (2, T, "signal"),
            (3, L, "middleware_in"),
            (9, L, "middleware_out"),
            (11, T, "signal"),
        ],
        segments=[("io_wait", 4, 8, L)],
    )
    assert lane_of(p, done=10, loop_thread=L) == [
        ("queued", 0, 1, "queue"),
        ("framework", 1, 2, L),  # Django's handler, then its request_started hand-off
        ("framework", 2, 3, T),  # the receiver's thread, then back to the loop
        ("framework", 3, 4, L),  # the middleware, on the loop
        ("io_wait", 4, 8, L),
        ("framework", 8, 11, L),
        ("framework", 11, 12, T),  # response.close() on a thread, after the answer
    ]


def test_a_hand_off_inside_the_middleware_chain_is_a_thread_hop():
    p = probe(
        finished=10,
        marks=[(2, L, "middleware_in"), (9, L, "middleware_out")],
        segments=[("io_blocking", 4, 7, T)],
    )
    assert lane_of(p, done=10, loop_thread=L) == [
        ("queued", 0, 1, "queue"),
        ("framework", 1, 2, L),
        ("thread_hop", 2, 4, T),  # sync_to_async: to the thread...
        ("io_blocking", 4, 7, T),
        ("thread_hop", 7, 9, T),  # ... and back to the loop
        ("framework", 9, 10, L),
    ]


def test_waiting_while_another_request_holds_the_loop_is_queued():
    p = probe(
        finished=20,
        marks=[(2, L, "middleware_in"), (19, L, "middleware_out")],
        segments=[("cpu", 15, 18, L)],
    )
    held = IntervalSet.of([(5 * MS, 14 * MS)])  # someone else's cpu on the loop
    assert lane_of(p, done=20, loop_thread=L, loop_held=held) == [
        ("queued", 0, 1, "queue"),
        ("framework", 1, 5, L),
        ("queued", 5, 14, L),
        ("framework", 14, 15, L),
        ("cpu", 15, 18, L),
        ("framework", 18, 20, L),
    ]


def test_an_io_wait_that_ended_only_when_the_loop_was_freed_ends_in_queued():
    # The I/O (say 100 ms) was over at 102, but others computed on the loop until 150.
    p = probe(
        finished=160,
        marks=[(1, L, "middleware_in"), (159, L, "middleware_out")],
        segments=[("io_wait", 2, 150, L)],
    )
    held = IntervalSet.of([(100 * MS, 125 * MS), (126 * MS, 150 * MS)], slack=2 * MS)
    assert lane_of(p, done=160, loop_thread=L, loop_held=held) == [
        ("queued", 0, 1, "queue"),
        ("framework", 1, 2, L),
        ("io_wait", 2, 100, L),
        ("queued", 100, 150, L),
        ("framework", 150, 160, L),
    ]


def test_a_wait_on_an_upstream_stays_a_wait_while_the_others_keep_the_loop_busy():
    # Two cores burnt elsewhere: the other requests' Django work, then their failures when the
    # upstream died, kept the loop busy without a break from before this request's wait
    # began (3) until after it ended (100). This one ran inside its wait too (40-42: httpx
    # handling its connection), then suspended on the upstream again: its I/O was not over
    # then, so at most what followed was waiting for the loop, never the whole wait.
    p = probe(finished=101, segments=[("io_wait", 3, 100, L)])
    p.loop_steps = [(1 * MS, 4 * MS), (40 * MS, 42 * MS), (99 * MS, 101 * MS)]
    other = probe()
    other.loop_steps = [(s * MS, e * MS) for s, e in [(0.5, 1), (4, 20), (20.5, 40), (42, 99)]]
    held = loop_holding_intervals([p, other], L)
    assert (held.starts, held.ends) == ([MS // 2], [101 * MS])  # one busy stretch
    assert lane_of(p, done=101, loop_thread=L, loop_held=held) == [
        ("queued", 0, 1, "queue"),
        ("framework", 1, 3, L),
        ("io_wait", 3, 42, L),
        ("queued", 42, 100, L),
        ("framework", 100, 101, L),
    ]


def test_the_loop_monitors_steps_tell_running_from_waiting_for_the_loop():
    # Ten requests' worth of Django work on the loop: this one ran 1-2 and 8-10; in between
    # the loop was idle (2-3), then ran others (3-8), and it waited its turn.
    p = probe(finished=10, marks=[(9, L, "middleware_in"), (9.5, L, "middleware_out")])
    p.loop_steps = [(1 * MS, 2 * MS), (8 * MS, 10 * MS)]
    others = [(3 * MS, 8 * MS)]
    held = IntervalSet.of(p.loop_steps + others)
    assert lane_of(p, done=10, loop_thread=L, loop_held=held) == [
        ("queued", 0, 1, "queue"),
        ("framework", 1, 2, L),  # its own step
        # Suspended from 2 to 8, its own code not running, whatever the loop did: one wait.
        ("queued", 2, 8, L),
        ("framework", 8, 10, L),
    ]


def test_stopped_before_a_worker_took_it():
    p = probe(picked=None)
    assert lane_of(p, done=7, status="cancelled") == [("cancelled", 0, 7, "queue")]


def test_stopped_while_running_ends_in_cancelled():
    p = probe(marks=[(2, L, "middleware_in")], segments=[("io_wait", 3, 6, L)])
    assert lane_of(p, done=6, status="cancelled", loop_thread=L) == [
        ("queued", 0, 1, "queue"),
        ("framework", 1, 3, L),
        ("io_wait", 3, 6, L),
    ]
    p = probe(marks=[(2, L, "middleware_in")], segments=[("io_wait", 3, 6, L)])
    assert lane_of(p, done=9, status="cancelled", loop_thread=L)[-1] == ("cancelled", 6, 9, L)


def test_under_wsgi_an_async_views_await_holds_the_worker():
    worker, private_loop = "wsgi-worker-1", "ThreadPoolExecutor-3_0"
    p = probe(
        picked_thread=worker,
        finished=12,
        marks=[(2, worker, "middleware_in"), (11, worker, "middleware_out")],
        segments=[("io_wait", 3, 10, private_loop)],
    )
    assert lane_of(p, done=12) == [
        ("queued", 0, 1, "queue"),
        ("framework", 1, 3, worker),
        ("io_blocking", 3, 10, worker),
        ("framework", 10, 12, worker),
    ]


def test_holds_on_the_loop_merge_when_close_and_split_a_gap():
    held = IntervalSet.of([(10, 20), (21, 30), (50, 60)], slack=2)
    assert (held.starts, held.ends) == ([10, 50], [30, 60])
    assert held.split(0, 55) == [(0, 10, False), (10, 30, True), (30, 50, False), (50, 55, True)]
    assert held.covered_tail(0, 30, slack=0) == 10
    assert held.covered_tail(0, 40, slack=0) == 40


def test_many_holds_merge_as_a_few_do():
    """Past a few hundred intervals the merge runs in numpy: the same intervals either way."""
    rnd = random.Random(7)
    for slack in (0, 3, 40):
        spans = [(x, x + rnd.randint(0, 60)) for x in (rnd.randint(0, 20_000) for _ in range(900))]
        by_hand: list[list[int]] = []
        for start, end in sorted(spans):
            if by_hand and start <= by_hand[-1][1] + slack:
                by_hand[-1][1] = max(by_hand[-1][1], end)
            else:
                by_hand.append([start, end])
        held = IntervalSet.of(spans, slack=slack)
        assert [list(pair) for pair in zip(held.starts, held.ends, strict=True)] == by_hand
        assert all(type(ns) is int for ns in held.starts + held.ends)  # bisect and repr as before


def test_only_view_holds_on_the_loop_count_as_holding_it():
    a = probe(segments=[("cpu", 5, 9, L), ("io_wait", 1, 5, L), ("io_blocking", 20, 30, T)])
    held = loop_holding_intervals([a], L)
    assert (held.starts, held.ends) == ([5 * MS], [9 * MS])
    assert (loop_holding_intervals([a], None).starts) == []


def test_a_lane_knows_the_segment_under_a_moment():
    p = probe(
        finished=10,
        marks=[(2, L, "middleware_in"), (9, L, "middleware_out")],
        segments=[("io_wait", 3, 8, L)],
    )
    lane = build_lane(p, done_ns=10 * MS, status="ok", loop_thread=L)
    assert lane.segment_at(5 * MS) == Segment("io_wait", 3 * MS, 8 * MS, L)
    assert lane.segment_at(50 * MS) is None


def test_an_await_behind_a_sync_only_middleware_holds_the_middlewares_thread():
    # Django runs the sync middleware on T, which calls the async view on the loop with
    # async_to_sync and blocks until it returns: T is held for the whole await.
    p = probe(
        finished=20,
        marks=[
            (2, L, "middleware_in"),
            (3, T, "sync_middleware_in"),
            (17, T, "sync_middleware_out"),
            (19, L, "middleware_out"),
        ],
        segments=[("io_wait", 5, 15, L)],
    )
    held = IntervalSet.of([(14 * MS, 16 * MS)])  # another request held the loop at the end
    assert lane_of(p, done=20, loop_thread=L, loop_held=held) == [
        ("queued", 0, 1, "queue"),
        ("framework", 1, 2, L),
        ("thread_hop", 2, 5, T),  # to the middleware's thread, and the view back on the loop
        ("io_blocking", 5, 15, T),  # suspend to resume, the wait for the loop included
        ("thread_hop", 15, 19, T),
        ("framework", 19, 20, L),
    ]


def test_framework_between_two_clock_readings_is_the_cpu_it_used_then_the_waits():
    from embedded_site.waits import Clock

    p = probe(picked=1, picked_thread=T, finished=30)
    # Between the marks, 30 ms of wall and 4 ms of CPU; 6 ms on the run queue.
    p.marks = [
        Mark(2 * MS, T, "middleware_in", Clock(2 * MS, 100 * MS, 50 * MS)),
        Mark(32 * MS, T, "middleware_out", Clock(32 * MS, 104 * MS, 56 * MS)),
    ]
    assert lane_of(p, done=32) == [
        ("queued", 0, 1, "queue"),
        ("framework", 1, 6, T),  # 1-2 as it was (no clock at the pick), then the 4 ms of CPU
        ("gil_wait", 6, 26, T),
        ("core_wait", 26, 32, T),
    ]


def test_a_loop_step_that_waited_for_the_gil_did_not_block_the_loop(monkeypatch):
    from embedded_site.waits import Clock
    from simulator.hosting.loop_monitor import _held_pieces

    threshold = 5 * MS
    monkeypatch.setattr(threading, "active_count", lambda: 3)  # the site's threads beside it
    # 40 ms of wall, 1 ms of CPU, nothing declared: it waited to run, the loop's code did not
    # hold it. The wait goes on the request's lane, on the loop thread.
    p = probe()
    start, end = Clock(10 * MS, 0, 0), Clock(50 * MS, 1 * MS, 0)
    assert _held_pieces(p, start, end, threshold) == ([], [])
    thread = threading.current_thread().name
    assert [(s.kind, s.start_ns, s.end_ns, s.thread) for s in p.segments] == [
        ("gil_wait", 11 * MS, 50 * MS, thread)
    ]
    # A declared time.sleep of 30 ms in the step holds the loop (async_blocking): held, less
    # the 9 ms it waited to run; blocked from the step's start to its end, that wait
    # included (no other request ran until the step ended).
    p = probe()
    p.segments = [RawSegment("io_blocking", 11 * MS, 41 * MS, thread)]
    pieces, blocked = _held_pieces(p, start, end, threshold)
    assert sum(e - s for s, e in pieces) == 31 * MS
    assert blocked == [(10 * MS, 50 * MS)]
    assert [s.kind for s in p.segments] == ["io_blocking", "gil_wait"]


def test_a_loop_step_inside_an_await_that_waited_for_a_core_did_not_block_the_loop(monkeypatch):
    # Lesson 14's B beside six burned cores: httpx's steps inside the view's declared
    # io_wait (its I/O woke it) ran under 1 ms each, then stood 5-300 ms on a run queue. With
    # the whole step under the await there was no free stretch to put that wait in, and the
    # whole step was counted as blocking: "loop blocked 221 ms" over an empty event loop row.
    from embedded_site.waits import Clock
    from simulator.hosting.loop_monitor import _held_pieces

    threshold = 5 * MS
    monkeypatch.setattr(threading, "active_count", lambda: 3)
    thread = threading.current_thread().name
    p = probe()
    p.segments = [RawSegment("io_wait", 0, 200 * MS, thread)]
    start, end = Clock(10 * MS, 0, 0), Clock(50 * MS, 1 * MS, 39 * MS)
    assert _held_pieces(p, start, end, threshold) == ([], [])
    # 10 ms of it run: that held the loop, the 30 ms on the run queue did not. Not drawn on
    # the lane (the await covers the step), that wait does not count as blocking either:
    # the strip stays over the ``cpu`` its holds are declared as.
    start, end = Clock(10 * MS, 0, 0), Clock(50 * MS, 10 * MS, 30 * MS)
    pieces, blocked = _held_pieces(p, start, end, threshold)
    assert sum(e - s for s, e in pieces) == 10 * MS
    assert blocked == pieces
    assert [s.kind for s in p.segments] == ["io_wait"]  # the await is drawn as it was


def test_live_a_step_that_is_waiting_to_run_is_not_shown_blocking_the_loop():
    import asyncio
    import time

    from embedded_site.waits import Clock
    from simulator.hosting.loop_monitor import LoopMonitor

    monitor = LoopMonitor()
    loop = asyncio.new_event_loop()
    try:
        monitor.install(loop)  # on this thread, as the server installs it on the loop's
        now = time.perf_counter_ns()
        cpu = time.thread_time_ns()
        # 40 ms into a step, hardly any of it run: it waits for the GIL, it blocks nothing.
        monitor.step_started = Clock(now - 40 * MS, cpu - MS // 10, 0)
        assert monitor.blocking_now(now) is None
        # 40 ms into a step that has run 10 of them: blocking, shown while it lasts.
        started = Clock(now - 40 * MS, cpu - 10 * MS, 0)
        monitor.step_started = started
        assert monitor.blocking_now(now) == (now - 40 * MS, now)
    finally:
        loop.close()


def test_live_a_step_inside_its_own_await_is_blocking_as_its_end_will_say(monkeypatch):
    # A step inside the request's own await (its I/O woke it) that ran 10 ms of its 40: its
    # 30 ms waiting to run have no free stretch of the lane to be drawn in, and its end
    # records the strip without them. Live, the strip reached now, then shrank at the end.
    import asyncio
    import time

    from embedded_site.waits import Clock
    from simulator.hosting.loop_monitor import LoopMonitor, _held_pieces

    monkeypatch.setattr(threading, "active_count", lambda: 3)
    thread = threading.current_thread().name
    monitor = LoopMonitor()
    loop = asyncio.new_event_loop()
    try:
        monitor.install(loop)  # on this thread, as the server installs it on the loop's
        now = time.perf_counter_ns()
        started = Clock(now - 40 * MS, time.thread_time_ns() - 10 * MS, 0)
        live_probe = probe()
        live_probe.open_segment("io_wait", now - 100 * MS)  # the view's await, open
        monitor.step_started, monitor.step_probe = started, live_probe
        live = monitor.blocking_now(now)
        ended = probe()  # the same, as it will end
        ended.segments = [RawSegment("io_wait", now - 100 * MS, now + 100 * MS, thread)]
        ran_end = Clock(now, time.thread_time_ns(), 0)
        _, finished = _held_pieces(ended, started, ran_end, monitor.threshold_ns)
    finally:
        loop.close()
    assert live is not None and len(finished) == 1
    assert live[0] == finished[0][0] == now - 40 * MS
    assert abs(live[1] - finished[0][1]) < MS  # (the CPU clock read a little apart)
    assert abs(live[1] - (now - 30 * MS)) < MS  # the 10 ms it ran, not up to now


def test_a_step_whose_code_held_the_loop_blocked_it_from_start_to_end_waits_and_all():
    # Lesson 5 on a busy machine: each async view's 50 ms computing step stood waiting to run
    # between its slices, and the strip was dashed, its gaps reading "loop free" while no
    # other request could run. Here another thread holds the GIL half the time.
    import asyncio
    import sys
    import time

    from embedded_site.instrumentation import current_probe
    from simulator.hosting.loop_monitor import LoopMonitor

    p = RequestProbe(0, "v", sent_ns=0)
    stop = threading.Event()

    def hog() -> None:
        while not stop.is_set():
            pass

    async def compute() -> None:
        current_probe.set(p)
        until = time.thread_time() + 0.03
        while time.thread_time() < until:
            pass

    interval = sys.getswitchinterval()
    sys.setswitchinterval(0.002)
    hogging = threading.Thread(target=hog, daemon=True)
    hogging.start()
    monitor = LoopMonitor()
    loop = asyncio.new_event_loop()
    try:
        monitor.install(loop)  # on this thread, as the server installs it on the loop's
        loop.run_until_complete(loop.create_task(compute()))
    finally:
        stop.set()
        hogging.join()
        sys.setswitchinterval(interval)
        loop.close()
    ((start, end),) = p.loop_steps
    assert any(s.kind in ("gil_wait", "core_wait") for s in p.segments)  # it waited to run
    assert monitor.blocked == [(start, end)]


def test_a_wait_placed_at_the_end_of_a_loop_step_gives_way_to_the_views_sleep():
    # From a run of 2000 sync views under ASGI beside a burned core (shortened): the loop's
    # step that handed the view to T stood still 21 ms waiting to run, and the loop monitor
    # placed that wait at the step's end, over T's view, which slept 3 ms meanwhile. The
    # lane lost the whole sleep: the loop's wait, then T's, then one long thread_hop.
    p = probe(
        finished=41,
        marks=[(2, L, "middleware_in"), (40, L, "middleware_out")],
        segments=[
            ("gil_wait", 4, 24, L),  # the step's standing still, placed at its end
            ("io_blocking", 5, 8, T),  # the view's time.sleep, measured
            ("gil_wait", 8, 26, T),  # T waiting to run after it, placed at the sleep's end
            ("core_wait", 24, 25, L),  # the step's wait for a core, placed too
            ("core_wait", 26, 27, T),
        ],
    )
    assert lane_of(p, done=41, loop_thread=L) == [
        ("queued", 0, 1, "queue"),
        ("framework", 1, 4, L),
        ("gil_wait", 4, 5, L),  # the loop's wait, up to where the view is seen on T
        ("io_blocking", 5, 8, T),
        ("gil_wait", 8, 26, T),  # two placed waits: the later one clipped, as before
        ("core_wait", 26, 27, T),
        ("thread_hop", 27, 40, T),
        ("framework", 40, 41, L),
    ]


def test_what_a_reader_keeps_with_a_trace_is_worked_out_once_and_not_copied():
    import dataclasses
    import pickle

    from simulator.trace import Trace

    trace = Trace(0, ())
    calls: list[Trace] = []

    def make(t: Trace) -> int:
        calls.append(t)
        return len(calls)

    assert trace.kept("k", make) == 1 and trace.kept("k", make) == 1  # once
    assert trace.kept("other", make) == 2  # each key its own
    for again in (dataclasses.replace(trace), pickle.loads(pickle.dumps(trace))):
        assert again.kept("k", make) > 2  # a copy works it out afresh
