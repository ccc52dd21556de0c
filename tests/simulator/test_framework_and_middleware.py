from __future__ import annotations


def test_django_spends_real_framework_time_on_threads_even_for_async_views(run):
    result = run(view="async_io", mode="asgi", requests=1, io_ms=0)
    (lane,) = result.trace.lanes
    framework = [s for s in lane.segments if s.kind == "framework"]
    # Django's ASGI handler sends request_started and closes the response through
    # sync_to_async: those receivers run on a thread that is not the loop.
    assert {s.thread for s in framework} - {result.trace.loop_thread}
    assert result.summary.threads_used >= 2
    # A view that does nothing: all the lane shows is Django's own work, its hand-offs and
    # its waits to run (how long each lasts depends on the machine and its load: on a busy
    # one the waits can be most of the lane, so no share is asserted).
    assert {s.kind for s in lane.segments} <= {
        "queued",
        "framework",
        "thread_hop",
        "gil_wait",
        "core_wait",
    }
    assert result.summary.framework_ms_per_request > 0.2  # real work, far above the clock's


def test_a_sync_only_middleware_costs_hand_offs_under_asgi(run):
    plain = run(view="async_io", mode="asgi", requests=4, io_ms=20)
    adapted = run(view="async_io", mode="asgi", requests=4, io_ms=20, middleware="sync")

    def hops(result) -> int:
        return sum(s.kind == "thread_hop" for lane in result.trace.lanes for s in lane.segments)

    assert hops(plain) == 0
    # Into the middleware's thread and back to the loop for the async view: at least two
    # hand-offs each way per request.
    assert hops(adapted) >= 2 * 4


def test_async_views_under_wsgi_still_hold_a_worker_each(run):
    result = run(view="async_io", mode="wsgi", workers=2, requests=4, io_ms=100)
    assert result.summary.ok == 4
    assert result.trace.loop_thread is None
    # Two workers, each serving two requests one after the other: the await held its worker.
    # At least two waits in a row (200 ms), less than one worker taking all four (400 ms).
    assert 2 * 100 <= result.summary.makespan_ms < 4 * 100
    waits = [s for lane in result.trace.lanes for s in lane.segments if s.kind == "io_blocking"]
    assert len(waits) == 4
    assert {s.thread for s in waits} == {"wsgi-worker-1", "wsgi-worker-2"}
    assert result.summary.threads_used == 2


def test_startprojects_stack_under_asgi_is_drawn_as_hand_offs_and_python_on_the_thread(run):
    # Lesson 18's B: each of the stack's thirteen hooks runs on the request's thread
    # (sync_to_async), handed to it and back. Requests spaced out: the loop idles between.
    result = run(view="async_io", mode="asgi", requests=3, io_ms=0, arrival_ms=25,
                 middleware="django")  # fmt: skip
    loop = result.trace.loop_thread
    for lane in result.trace.lanes:
        hops = [k for k, s in enumerate(lane.segments) if s.kind == "thread_hop"]
        assert len(hops) >= 13, lane.segments
        chain = lane.segments[hops[0] : hops[-1] + 1]
        on_thread = [s for s in chain if s.kind == "framework" and s.thread != loop]
        # The hooks' Python, drawn where it ran (it was not drawn at all).
        assert len(on_thread) >= 13
        assert {s.thread for s in chain if s.kind == "thread_hop"} == {on_thread[0].thread}
        # No wait inside the chain reads as waiting for the loop: the hand-offs are what
        # it waited for, getting the loop back included.
        assert not [s for s in chain if s.kind == "queued"]
