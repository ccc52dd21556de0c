"""Waiting to run, told from running: the rule on hand-made clocks, and real threads."""

from __future__ import annotations

import threading
import time
from collections import Counter

import pytest

from embedded_site import waits as waits_module
from embedded_site.instrumentation import (
    AWAIT_SLACK_NS,
    RequestProbe,
    current_probe,
    measured,
)
from embedded_site.server_timing import MAX_SEGMENTS, parse_server_timing, server_timing_header
from embedded_site.waits import WAIT_MIN_NS, Clock, read_clock, waits
from embedded_site.work import burn_cpu

MS = 1_000_000


def test_a_stretch_that_ran_all_along_waited_for_nothing():
    assert waits(Clock(0, 0, 0), Clock(10 * MS, 10 * MS - WAIT_MIN_NS + 1, 0)) == []


def test_standing_still_is_the_gil_less_the_run_queue_and_comes_after_the_work():
    # 30 ms of wall, 4 of CPU, 6 on the run queue: 20 for the GIL, 6 for a core.
    a, b = Clock(2 * MS, 100 * MS, 50 * MS), Clock(32 * MS, 104 * MS, 56 * MS)
    assert waits(a, b, alone=False) == [
        ("gil_wait", 6 * MS, 26 * MS),
        ("core_wait", 26 * MS, 32 * MS),
    ]
    # A sleep the code asked for is not waiting to run.
    assert waits(a, b, 20 * MS, alone=False) == [("core_wait", 26 * MS, 32 * MS)]


def test_a_process_of_one_thread_never_waits_for_its_own_gil():
    a, b = Clock(0, 0, 0), Clock(30 * MS, 4 * MS, 1 * MS)
    assert waits(a, b, alone=True) == [("core_wait", 4 * MS, 30 * MS)]


def test_without_a_run_queue_to_read_several_threads_wait_for_the_gil():
    a, b = Clock(0, 0, None), Clock(30 * MS, 4 * MS, None)
    assert waits(a, b, alone=False) == [("gil_wait", 4 * MS, 30 * MS)]


def test_a_sliver_of_one_kind_joins_the_other():
    a = Clock(0, 0, 0)
    assert waits(a, Clock(10 * MS, 0, 9_800_000), alone=False) == [("core_wait", 0, 10 * MS)]
    assert waits(a, Clock(10 * MS, 0, 200_000), alone=False) == [("gil_wait", 0, 10 * MS)]


def test_the_clock_reads_this_threads_cpu_time():
    before = read_clock()
    deadline = time.thread_time_ns() + 3 * MS
    while time.thread_time_ns() < deadline:
        pass
    after = read_clock()
    assert after.cpu_ns - before.cpu_ns >= 3 * MS
    assert after.wall_ns - before.wall_ns >= after.cpu_ns - before.cpu_ns - 1 * MS


def _kinds(probe: RequestProbe) -> Counter[str]:
    sums: Counter[str] = Counter()
    for seg in probe.segments:
        sums[seg.kind] += seg.end_ns - seg.start_ns
    return sums


def test_two_threads_computing_at_once_each_compute_their_share_and_wait_the_rest():
    cpu_ms = 40
    probes = [RequestProbe(n, "v", sent_ns=time.perf_counter_ns()) for n in range(2)]
    start = threading.Barrier(2)

    def work(probe: RequestProbe) -> None:
        current_probe.set(probe)
        start.wait()
        burn_cpu(cpu_ms)

    threads = [threading.Thread(target=work, args=(p,)) for p in probes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    sums = [_kinds(p) for p in probes]
    for s in sums:
        assert 0.95 * cpu_ms * MS <= s["cpu"] <= 1.5 * cpu_ms * MS, s
        assert set(s) <= {"cpu", "gil_wait", "core_wait"}
    # One GIL: while one computed, the other waited, so between them they waited about as
    # long as one computed (half of that, allowing for a slow start of the second).
    waited = sum(s["gil_wait"] + s["core_wait"] for s in sums)
    assert waited >= 0.5 * cpu_ms * MS, sums
    # Pieces of one lane never overlap.
    for probe in probes:
        spans = sorted((s.start_ns, s.end_ns) for s in probe.segments)
        assert all(e1 <= s2 for (_, e1), (s2, _) in zip(spans, spans[1:], strict=False))


def test_a_sleep_of_nothing_is_no_io_and_a_sleep_is_io_for_as_long_as_asked():
    probe = RequestProbe(0, "v", sent_ns=time.perf_counter_ns())
    token = current_probe.set(probe)
    try:
        with measured("io_blocking", sleeps=0):
            time.sleep(0)
        assert [s.kind for s in probe.segments if s.kind == "io_blocking"] == []
        with measured("io_blocking", sleeps=0.02):
            time.sleep(0.02)
    finally:
        current_probe.reset(token)
    (io,) = [s for s in probe.segments if s.kind == "io_blocking"]
    assert 20 * MS <= io.end_ns - io.start_ns < 20 * MS + WAIT_MIN_NS + 1 * MS
    assert {s.kind for s in probe.segments} <= {"io_blocking", "gil_wait", "core_wait"}


@pytest.mark.parametrize("pieces", [10, 3000])
def test_server_timing_stays_small_and_keeps_every_kinds_total(pieces):
    kinds = ("cpu", "gil_wait", "core_wait")
    segments = [(kinds[n % 3], n * MS, (n + 1) * MS, "worker-" + "x" * 70) for n in range(pieces)]
    segments.append(("io_blocking", pieces * MS, (pieces + 5) * MS, "worker"))
    header = server_timing_header(0, (pieces + 6) * MS, segments)
    assert len(header.encode()) < 10_000  # a response head well under 16 KB
    timing = parse_server_timing(header)
    assert timing is not None
    assert len(timing.segments) <= MAX_SEGMENTS + 1
    totals: Counter[str] = Counter()
    for seg in timing.segments:
        totals[seg.kind] += round(seg.duration_ms * 1000)
        assert 0 <= seg.start_ms and seg.start_ms + seg.duration_ms <= pieces + 5 + 1e-6
    expected = Counter({k: sum(1000 for n in range(pieces) if kinds[n % 3] == k) for k in kinds})
    expected["io_blocking"] = 5000
    assert totals == expected


@pytest.mark.skipif(not waits_module._HAS_SCHEDSTAT, reason="no /proc/thread-self/schedstat")
def test_request_signals_under_asgi_leave_djangos_thread_for_the_request_out_of_proc(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Under ASGI Django sends both request signals from a thread of its own for the request,
    # idle in between; reading its run queue would give it a /proc entry, and such a thread
    # ends ~0.6 ms later while Django's handler waits (benchmarks/overhead.py). Under WSGI
    # the worker's marks are read against each other, so a mark after standing still reads it.
    from django.core.handlers.asgi import ASGIHandler
    from django.core.handlers.wsgi import WSGIHandler

    from embedded_site.instrumentation import on_request_signal

    opened: list[str] = []
    real_init = waits_module._Schedstat.__init__

    def noting(self: waits_module._Schedstat, *path: str) -> None:
        # A thread's own schedstat; with a path, a thread start's reading of the new thread's
        # (when an earlier test of this process had thread starts noted, and one stood still).
        if not path:
            opened.append(threading.current_thread().name)
        real_init(self, *path)

    monkeypatch.setattr(waits_module._Schedstat, "__init__", noting)
    probes: dict[str, RequestProbe] = {}

    def request(sender: type) -> None:
        probe = probes[threading.current_thread().name] = RequestProbe(0, "async_io", 0)
        current_probe.set(probe)
        on_request_signal(sender=sender)
        time.sleep(2 * WAIT_MIN_NS / 1e9)  # the thread idles while the loop runs the view
        on_request_signal(sender=sender)

    for name, sender in (("asgi", ASGIHandler), ("wsgi", WSGIHandler)):
        thread = threading.Thread(target=request, args=(sender,), name=name)
        thread.start()
        thread.join()
    assert opened == ["wsgi"]
    for probe in probes.values():  # both marks are there, each with the thread's clocks
        assert [m.where for m in probe.marks] == ["signal", "signal"]
        assert all(m.clock is not None and m.clock.cpu_ns > 0 for m in probe.marks)


@pytest.mark.parametrize("view", ["async_io", "async_cpu_chunked"])
def test_an_async_view_with_no_io_declares_no_wait_for_io(site, view):
    # Lesson 15's B (io_ms 0) under load: the view's one turn of the loop lasted 564 ms and
    # was drawn as "awaiting I/O". It is the request waiting for the loop, not I/O.
    import asyncio

    from django.test import RequestFactory

    from embedded_site import views

    def declared(io_ms: int) -> list[str]:
        probe = RequestProbe(request_id=0, view=view, sent_ns=0)
        token = current_probe.set(probe)
        try:
            request = RequestFactory().get(f"/{view}/", {"io_ms": io_ms, "cpu_ms": 1})
            asyncio.run(getattr(views, view)(request))
        finally:
            current_probe.reset(token)
        return [s.kind for s in probe.segments] + [s.kind for s in probe.open_segments.values()]

    assert "io_wait" not in declared(0)
    assert "io_wait" in declared(2)  # a real await is still one


@pytest.mark.parametrize("blocked_ms", [0, 60])
def test_an_await_ends_when_its_timer_was_due_however_late_the_loop_resumes_it(site, blocked_ms):
    # A 1 s asyncio.sleep among 10,000 requests on a busy machine was drawn as 3-11 s of
    # "awaiting I/O": the coroutine was ready at its deadline and waited for the loop. Here
    # the loop is blocked from 10 ms to 70 ms into a 20 ms sleep.
    import asyncio

    from django.test import RequestFactory

    from embedded_site import views

    probe = RequestProbe(request_id=0, view="async_io", sent_ns=0)

    async def serve() -> int:
        # Timed from before the block is set, which is set just before the await (making
        # the request took over 10 ms once on a busy machine: the block started before the
        # timing did, and the request seemed resumed after 63 ms).
        request = RequestFactory().get("/async_io/", {"io_ms": 20, "cpu_ms": 0})
        start = time.perf_counter_ns()
        if blocked_ms:
            asyncio.get_running_loop().call_later(0.010, time.sleep, blocked_ms / 1000)
        await views.async_io(request)
        return time.perf_counter_ns() - start

    token = current_probe.set(probe)
    try:
        took_ns = asyncio.run(serve())
    finally:
        current_probe.reset(token)
    (wait,) = [s for s in probe.segments if s.kind == "io_wait"]
    if blocked_ms:
        assert took_ns >= 65_000_000  # the loop really resumed it late
        assert wait.end_ns - wait.start_ns == 20_000_000  # the await itself: 20 ms
    else:
        # Resumed on time, the await is all of it (a resume late by a sliver stays in it).
        assert 20_000_000 <= wait.end_ns - wait.start_ns < 20_000_000 + AWAIT_SLACK_NS
