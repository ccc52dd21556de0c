"""What our in-process hosting costs on top of Django itself, per request.

Run with ``python benchmarks/overhead.py`` (``make benchmarks``). It prints a table:

(a0) Django alone: the view on Django's ASGI application called directly,
    ``await app(scope, receive, send)``, with no middleware of ours, no probe and no loop
    monitor: what the site costs with nothing of ours around it;
(a) the same application with the site's instrumentation as our server hosts it (the timing
    middleware, a probe on the request, the loop monitor): (a) - (a0) is the probes' share;
(b) the same application behind ``httpx.ASGITransport``, for reference;
(c) our path: ``Driver`` + ``SiteTransport`` + ``AsgiServer`` (the site on its own loop
    thread): (c) - (a) is the harness's share (driver, transport, server, thread hops);

each for ``async_io`` requests with 0 ms of I/O and CPU, sent all at once (makespan /
1000, median of 3 bursts) and one at a time (each awaited; median of 30 blocks of 100,
each block to the end of Django's work for its last request), after a warm-up, the paths
taking turns, each sample begun with no path's threads left over. Then a request alone:
the median time to the answer of 300 requests of (a0), (a) and (c), each with nothing else
running (one at a time, (c) overlaps Django's work after an answer with the next request,
which a direct call cannot; alone it cannot either). Then (d) the makespan of 1000
requests waiting 500 ms each, as a ratio to the ideal 500 ms. Then (e) the thread clocks'
own cost (``embedded_site.waits.read_clock``: each mark, segment and loop step reads the
thread's CPU clock, and the run queue when it stood still), counted: the readings a
request of path (a) makes, times what one costs, against the request's time. Budget 5%.
(``--clocks`` prints only this.) And (f) the other probes counted the same way:
loop-monitor steps, marks and declared segments. And (g) the harness's own Python per
request, the client's and the server's each alone on one thread (``benchmarks/harness_cpu.py``):
what of the harness's share does not move with the machine's load, unlike its thread
hand-offs. And (h) those hand-offs: one at a time again, (a0), (c) and (c) with an app that
answers at once (the hand-off alone: each request's two wake-ups across threads and the
harness's Python, nothing of Django's), taking turns on every core and with every thread of
the process on one core (``os.sched_setaffinity``; the core changes each round). On one
core no wake-up has to reach another core: what of (c) - (a0) is gone there is what passing
a request and its answer between cores costs, not our code. (``--cores`` prints only this.)

Our budget: at most 50 % over Django alone, 25 % the goal, probes included. When over
budget, the script profiles path (c) with cProfile on both threads (the caller's and the
site's loop) and prints where the time goes.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import gc
import io
import os
import pstats
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # noqa: E402

import embedded_site  # noqa: E402

embedded_site.boot()

from django.core.asgi import get_asgi_application  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

from benchmarks.harness_cpu import answer_at_once, harness_cpu_us  # noqa: E402
from embedded_site.asgi import application_with  # noqa: E402
from embedded_site.instrumentation import RequestProbe, current_probe, measured  # noqa: E402
from embedded_site.waits import Clock, _Schedstat, read_clock  # noqa: E402
from simulator.hosting.driver import Driver, RequestRecord  # noqa: E402
from simulator.hosting.engine import run_scenario  # noqa: E402
from simulator.hosting.loop_monitor import LoopMonitor, _TimedCoroutine  # noqa: E402
from simulator.hosting.servers import AsgiServer  # noqa: E402
from simulator.hosting.servers.base import SITE_HOST  # noqa: E402
from simulator.hosting.transport import SiteTransport  # noqa: E402
from simulator.scenario import Scenario  # noqa: E402

VIEW = "async_io"
PATH = f"/{VIEW}/"
PARAMS = {"io_ms": "0", "cpu_ms": "0"}
QUERY = b"io_ms=0&cpu_ms=0"
BUDGET_PCT, GOAL_PCT = 50.0, 25.0

Mode = str  # "all at once" | "one at a time"
MODES: tuple[Mode, ...] = ("all at once", "one at a time")


def _probe(request_id: int) -> RequestProbe:
    return RequestProbe(request_id, VIEW, sent_ns=time.perf_counter_ns())


# -- (a) Django's ASGI application, called directly -------------------------------------------


def _scope(request_id: int) -> dict[str, Any]:
    """The scope ``simulator.hosting.servers.asgi.AsgiServer`` builds, for a GET of the view."""
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": PATH,
        "raw_path": PATH.encode(),
        "query_string": QUERY,
        "root_path": "",
        "headers": [(b"host", SITE_HOST.encode())],
        "client": ("127.0.0.1", 50000 + request_id % 10000),
        "server": (SITE_HOST, 80),
    }


class DirectPath:
    name = "(a) Django ASGI app, direct"
    probed = True

    def __init__(self) -> None:
        self.app = application_with("async")
        self.last_answer_ns = 0

    async def __aenter__(self) -> DirectPath:
        return self

    async def __aexit__(self, *exc: object) -> None:
        pass

    async def one(self, request_id: int) -> None:
        # Set in this task's context, as AsgiServer does before it calls Django.
        if self.probed:
            current_probe.set(_probe(request_id))
        complete = asyncio.Event()
        body_sent = False
        status = 0

        async def receive() -> dict[str, Any]:
            nonlocal body_sent
            if not body_sent:
                body_sent = True
                return {"type": "http.request", "body": b"", "more_body": False}
            await complete.wait()
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body" and not message.get("more_body"):
                complete.set()
                self.last_answer_ns = time.perf_counter_ns()

        await self.app(_scope(request_id), receive, send)
        if status != 200:
            raise RuntimeError(f"direct call answered {status}")

    async def many(self, n: int) -> float:
        # To the last answer sent, the end point of our makespan; Django's own work after
        # it (response.close, request_finished) is left out, as in (c).
        start = time.perf_counter_ns()
        await asyncio.gather(*(self.one(i) for i in range(n)))
        return (self.last_answer_ns - start) / 1e9

    async def idle(self) -> None:
        pass

    async def settled_ns(self) -> int:
        """When the last request of a block was all done: ``one()`` awaits Django to the end."""
        return time.perf_counter_ns()

    def answered_ns(self) -> int:
        """When the last request's answer was sent (Django's work after it not included)."""
        return self.last_answer_ns


class BarePath(DirectPath):
    """Django alone: the same view on an ASGI application with no middleware of ours, no
    probe on the request (``measured()`` and the signal receivers do nothing) and no loop
    monitor. (a) - (a0) is the probes' share.

    Not the "async" stack without a probe: served without a probe, our timing middleware
    makes one itself and writes a Server-Timing header (as under uvicorn), probes still."""

    name = "(a0) Django alone, no probes"
    probed = False

    def __init__(self) -> None:
        super().__init__()
        with override_settings(MIDDLEWARE=[]):
            self.app = get_asgi_application()

    async def one(self, request_id: int) -> None:
        current_probe.set(None)  # the measuring task's context may hold (a)'s last probe
        await super().one(request_id)


# -- (b) httpx.ASGITransport -------------------------------------------------------------------


class HttpxAsgiPath:
    name = "(b) httpx.ASGITransport"

    def __init__(self) -> None:
        self.app = application_with("async")
        self.client: httpx.AsyncClient | None = None

    async def __aenter__(self) -> HttpxAsgiPath:
        self.client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app),
            base_url=f"http://{SITE_HOST}",
            timeout=None,
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.client.aclose()

    async def one(self, request_id: int) -> None:
        current_probe.set(_probe(request_id))  # ASGITransport calls the app in this context
        response = await self.client.get(PATH, params=PARAMS)
        if response.status_code != 200:
            raise RuntimeError(f"ASGITransport answered {response.status_code}")

    async def many(self, n: int) -> float:
        start = time.perf_counter_ns()
        await asyncio.gather(*(self.one(i) for i in range(n)))
        return (time.perf_counter_ns() - start) / 1e9

    async def idle(self) -> None:
        pass

    async def settled_ns(self) -> int:
        return time.perf_counter_ns()


# -- (c) our driver, transport and server ------------------------------------------------------


class OurPath:
    """``Driver`` + ``SiteTransport`` + ``AsgiServer``, as ``LiveRun`` wires them.

    All at once: ``Driver.run()`` itself, makespan from its first send to the last answer as
    the client saw it (``RequestRecord.done_ns``: the hop back to the caller's loop included,
    unlike ``Summary.makespan_ms``, which now ends at the site's last byte).
    One at a time: the driver's own per-request coroutine (``Driver.send``), awaited in turn.
    """

    name = "(c) ours: Driver+SiteTransport+AsgiServer"

    def __init__(self) -> None:
        self.server = AsgiServer(application_with("async"))
        self.driver: Driver | None = None
        # One URL for every request, as ``Driver.run`` makes it.
        self.url = httpx.URL(f"http://{SITE_HOST}{PATH}", params=PARAMS)

    async def __aenter__(self) -> OurPath:
        self.server.start()
        self.driver = Driver(_scenario(1), SiteTransport(self.server))
        return self

    async def __aexit__(self, *exc: object) -> None:
        await asyncio.get_running_loop().run_in_executor(None, self.server.close)

    async def one(self, request_id: int) -> None:
        self.last = record = RequestRecord(_probe(request_id))
        await self.driver.send(record, self.url)
        if record.status != "ok":
            raise RuntimeError(f"our path failed: {record.error}")

    def answered_ns(self) -> int:
        """When the client had the last request's answer."""
        return self.last.done_ns or 0

    async def settled_ns(self) -> int:
        """When the last request of a block was all done, Django's work after the answer
        (``response.close``, ``request_finished``) included, as the direct paths count it:
        one at a time, each request's is charged to the next, and the last one's here."""
        probe = self.last.probe
        while probe.finished_ns is None:
            await asyncio.sleep(0.0002)
        return max(probe.finished_ns, self.last.done_ns or 0)

    async def many(self, n: int) -> float:
        driver = Driver(_scenario(n), SiteTransport(self.server))
        await driver.run()
        failed = [r for r in driver.records if r.status != "ok"]
        if failed:
            raise RuntimeError(f"our path failed {len(failed)} requests: {failed[0].error}")
        return (max(r.done_ns for r in driver.records) - driver.start_ns) / 1e9

    async def idle(self) -> None:
        """Wait until the site has finished the requests it already answered.

        The server answers when the body is sent; Django's own work after that
        (``response.close`` on a thread, ``request_finished``) may still be queued on its loop,
        and must not be charged to the next measurement.
        """
        while self.server._tasks:
            await asyncio.sleep(0.005)


class HandoffPath(OurPath):
    """Path (c) with an app that answers at once: a request's time is the client's and the
    server's Python and the two wake-ups between their loops, nothing of Django's."""

    name = "(h) the hand-off alone"

    def __init__(self) -> None:
        super().__init__()
        self.server = AsgiServer(answer_at_once)


def _scenario(n: int) -> Scenario:
    return Scenario(view=VIEW, mode="asgi", requests=n, io_ms=0, cpu_ms=0)


# -- measuring ---------------------------------------------------------------------------------


async def _measure(path: Any, mode: Mode, n: int) -> float:
    """Seconds per request for ``n`` requests in ``mode``."""
    await path.idle()
    gc.collect()
    if mode == "all at once":
        return await path.many(n) / n
    start = time.perf_counter_ns()
    for request_id in range(n):
        await path.one(request_id)
    return (await path.settled_ns() - start) / 1e9 / n


def _instrument_like_our_server(path: object) -> None:
    """Give the direct paths the site's own instrumentation, our server's loop monitor.

    AsgiServer times every step of every task on the site's loop (that is how lanes tell a
    request running from one waiting); that cost belongs to the site as we host it, not to
    the driver and transport this benchmark is about. So (a) and (b) run with the same
    monitor on their loop; for (c) it is on the server's loop, and the caller's loop runs
    without it.
    """
    loop = asyncio.get_running_loop()
    if isinstance(path, OurPath | BarePath):
        loop.set_task_factory(None)
    else:
        LoopMonitor().install(loop)


async def _quiet(paths: list[Any], threads: int) -> None:
    """Wait until no path has work left over: the site's tasks done, and the threads Django
    started for the last requests (one per request and its joiner, under ASGI) gone, so
    that no path is charged another's tail (at most 2 s)."""
    for path in paths:
        await path.idle()
    deadline = time.monotonic() + 2.0
    while threading.active_count() > threads and time.monotonic() < deadline:
        await asyncio.sleep(0.001)


async def measure_paths(
    n: int, repeats: int, warmup: int, block: int, lone: int
) -> tuple[dict[tuple[str, Mode], list[float]], dict[str, list[int]]]:
    """Seconds per request, samples by path and mode.

    Interleaved so that the machine's drift hits every path alike: all at once, a burst of
    ``n`` per path in turn, ``repeats`` times; one at a time, blocks of ``block`` requests
    per path in turn (``repeats * n`` requests per path in all), so that a neighbour's burst
    on a shared machine spoils a block of each path, not a whole path's figure.

    Then ``lone`` requests of (a0), (a) and (c) in turn, each alone (every thread of the
    last one gone first): nanoseconds to the answer, as the client got it.
    """
    paths = [BarePath(), DirectPath(), HttpxAsgiPath(), OurPath()]
    samples: dict[tuple[str, Mode], list[float]] = {}
    for path in paths:
        await path.__aenter__()
    try:
        for path in paths:
            for mode in MODES:
                await _measure(path, mode, warmup)
        await asyncio.sleep(0.2)
        threads = threading.active_count()  # the loops' and pools' threads that stay
        rounds = {
            "all at once": (repeats, n),
            "one at a time": (repeats * max(1, n // block), block),
        }
        for mode in MODES:
            count, size = rounds[mode]
            for _ in range(count):
                for path in paths:
                    await _quiet(paths, threads)
                    _instrument_like_our_server(path)
                    sample = await _measure(path, mode, size)
                    samples.setdefault((path.name, mode), []).append(sample)
        answers: dict[str, list[int]] = {}
        for request_id in range(lone):
            for path in (paths[0], paths[1], paths[3]):
                await _quiet(paths, threads)
                _instrument_like_our_server(path)
                start = time.perf_counter_ns()
                await path.one(request_id)
                answers.setdefault(path.name, []).append(path.answered_ns() - start)
                await path.settled_ns()
    finally:
        for path in paths:
            await path.__aexit__(None, None, None)
    return samples, answers


# -- (h) the hand-offs, on every core and on one ---------------------------------------------

Cores = str  # "every core" | "one core"


def _pin_threads(cpus: set[int]) -> None:
    """Let every thread of this process run only on ``cpus``; a thread started later takes
    its starter's (Django's are started by the site's loop thread)."""
    for task in os.listdir("/proc/self/task"):
        with contextlib.suppress(OSError):  # the thread ended meanwhile
            os.sched_setaffinity(int(task), cpus)


async def measure_by_cores(
    rounds: int, block: int, warmup: int
) -> dict[tuple[Cores, str], list[float]] | None:
    """Seconds per request one at a time, by cores and path: (a0), (c) and the hand-off
    alone, blocks of ``block`` in turn on every core, then with every thread on one (a
    different one each round, so a neighbour busy on one core slows both sides alike).
    ``None`` where threads cannot be kept to a core (not Linux, or one CPU)."""
    every = os.sched_getaffinity(0) if hasattr(os, "sched_setaffinity") else set()
    if len(every) < 2 or not os.path.isdir("/proc/self/task"):
        return None
    paths = [BarePath(), OurPath(), HandoffPath()]
    samples: dict[tuple[Cores, str], list[float]] = {}
    for path in paths:
        await path.__aenter__()
    try:
        for path in paths:
            await _measure(path, "one at a time", warmup)
        threads = threading.active_count()
        for turn in range(rounds):
            for cores in ("every core", "one core"):
                _pin_threads(every if cores == "every core" else {sorted(every)[turn % len(every)]})
                for path in paths:
                    await _quiet(paths, threads)
                    _instrument_like_our_server(path)
                    sample = await _measure(path, "one at a time", block)
                    samples.setdefault((cores, path.name), []).append(sample)
    finally:
        _pin_threads(every)
        for path in paths:
            await path.__aexit__(None, None, None)
    return samples


def _print_by_cores(samples: dict[tuple[Cores, str], list[float]] | None, rounds: int) -> None:
    if samples is None:
        print("(h) not measured: this system cannot keep the process's threads to one core")
        return
    cells = []
    for cores in ("every core", "one core"):
        us = {name: statistics.median(samples[(cores, name)]) * 1e6 for _, name in samples}
        alone, ours = us[BarePath.name], us[OurPath.name]
        cells.append(
            f"{cores}: (a0) {alone:.0f} us, (c) {ours:.0f} us ({(ours / alone - 1) * 100:+.1f}%), "
            f"the hand-off alone {us[HandoffPath.name]:.0f} us"
        )
    print(
        f"(h) one at a time, medians of {rounds} blocks each, the paths and the cores taking "
        f"turns: {'; '.join(cells)}. The hand-off alone is (c) with an app that answers at "
        "once: the harness's Python and a request's two wake-ups between the loops' threads; "
        "on one core, no wake-up has to reach another core"
    )


def makespan_ratio(n: int, io_ms: float) -> tuple[float, Any]:
    run = run_scenario(Scenario(view=VIEW, mode="asgi", requests=n, io_ms=io_ms, cpu_ms=0))
    return run.summary.makespan_ms / io_ms, run.summary


# -- (e) the thread clocks' own cost --------------------------------------------------------

CLOCKS_BUDGET_PCT = 5.0
#: Every module that reads the thread clocks, by the name it imported them under.
_CLOCK_READERS = ("embedded_site.instrumentation", "simulator.hosting.loop_monitor")


def _best_us(call: Any, batch: int = 20_000, rounds: int = 7) -> float:
    """Microseconds per ``call()``: the fastest of several batches (a busy machine only ever
    makes a batch slower, so the fastest is the cost itself)."""
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter_ns()
        for _ in range(batch):
            call()
        best = min(best, (time.perf_counter_ns() - start) / batch / 1e3)
    return best


async def clocks_cost(n: int, repeats: int) -> dict[str, float]:
    """What the clocks and the other probes cost path (a) per request, by accounting: how
    many of each a request makes (clock readings, run-queue reads, schedstat files opened,
    loop-monitor steps, marks, declared segments), times what one costs, against the
    request's time.

    An A/B of path (a) with and without clocks differs by less than a busy machine's noise
    (runs of one path vary by 20% here), so the cost is counted, not subtracted."""
    modules = [sys.modules[name] for name in _CLOCK_READERS]
    counts = dict.fromkeys(("readings", "run queue", "opens", "steps", "marks", "segments"), 0)
    real = {
        "run_queue_ns": _Schedstat.run_queue_ns,
        "schedstat_init": _Schedstat.__init__,
        "send": _TimedCoroutine.send,
        "mark": RequestProbe.mark,
        "open": RequestProbe.open_segment,
    }

    def counted(run_queue: bool = True) -> Clock:
        counts["readings"] += 1
        return read_clock(run_queue)

    def counting(key: str, method: Any) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            counts[key] += 1
            return method(*args, **kwargs)

        return call

    async with DirectPath() as path:
        _instrument_like_our_server(path)
        await _measure(path, "one at a time", n // 5)
        per_request = min([await _measure(path, "one at a time", n) for _ in range(repeats)])
        for module in modules:
            module.read_clock = counted  # type: ignore[attr-defined]
        _Schedstat.run_queue_ns = counting("run queue", real["run_queue_ns"])  # type: ignore[method-assign]
        _Schedstat.__init__ = counting("opens", real["schedstat_init"])  # type: ignore[method-assign]
        _TimedCoroutine.send = counting("steps", real["send"])  # type: ignore[method-assign]
        RequestProbe.mark = counting("marks", real["mark"])  # type: ignore[method-assign]
        # Segments recorded, not ``with measured(...)`` blocks entered: an await of 0 s (this
        # benchmark's view) records none, and costs its request next to nothing.
        RequestProbe.open_segment = counting("segments", real["open"])  # type: ignore[method-assign]
        try:
            await _measure(path, "one at a time", n)
        finally:
            for module in modules:
                module.read_clock = read_clock  # type: ignore[attr-defined]
            _Schedstat.run_queue_ns = real["run_queue_ns"]  # type: ignore[method-assign]
            _Schedstat.__init__ = real["schedstat_init"]  # type: ignore[method-assign]
            _TimedCoroutine.send = real["send"]  # type: ignore[method-assign]
            RequestProbe.mark = real["mark"]  # type: ignore[method-assign]
            RequestProbe.open_segment = real["open"]  # type: ignore[method-assign]
    schedstat = _Schedstat()
    per = {key.replace(" ", "_"): count / n for key, count in counts.items()}
    return {
        "request_us": per_request * 1e6,
        **per,
        "reading_us": _best_us(read_clock),
        "run_queue_us": _best_us(schedstat.run_queue_ns, batch=2_000),
        "open_us": _best_us(_Schedstat, batch=2_000),
        **_probe_unit_costs(),
    }


def _probe_unit_costs() -> dict[str, float]:
    """Microseconds of one loop-monitor step (over an untimed one), one mark and one
    declared segment (``with measured(...)``), each with the clock readings it makes."""

    async def step() -> None:
        pass

    monitor = LoopMonitor()

    def plain() -> None:
        with contextlib.suppress(StopIteration):
            step().send(None)

    def timed() -> None:
        with contextlib.suppress(StopIteration):
            _TimedCoroutine(step(), monitor).send(None)

    probe = _probe(0)
    token = current_probe.set(probe)
    try:

        def one_mark() -> None:
            probe.mark("signal")
            probe.marks.clear()

        def one_segment() -> None:
            with measured("io_wait"):
                pass
            probe.segments.clear()
            probe.loop_steps.clear()

        step_us = _best_us(timed) - _best_us(plain)
        return {
            "step_us": step_us,
            "mark_us": _best_us(one_mark),
            "segment_us": _best_us(one_segment),
        }
    finally:
        current_probe.reset(token)


def _print_clocks_cost(n: int, repeats: int) -> None:
    c = asyncio.run(clocks_cost(n, max(repeats, 5)))
    cost_us = c["readings"] * c["reading_us"] + c["run_queue"] * c["run_queue_us"]
    pct = cost_us / c["request_us"] * 100
    print()
    print(
        f"(e) thread clocks, per request of (a) one at a time ({c['request_us']:.0f} us): "
        f"{c['readings']:.1f} readings x {c['reading_us']:.2f} us + {c['run_queue']:.2f} "
        f"run-queue reads x {c['run_queue_us']:.2f} us = {cost_us:.1f} us, {pct:.1f}% "
        f"-> {'within budget' if pct <= CLOCKS_BUDGET_PCT else 'OVER BUDGET'} "
        f"(budget {CLOCKS_BUDGET_PCT:g}%); {c['opens']:.2f} schedstat files opened "
        f"x {c['open_us']:.1f} us (and a thread with one ends ~0.6 ms later)"
    )
    parts = {
        "loop-monitor steps": (c["steps"], c["step_us"]),
        "marks": (c["marks"], c["mark_us"]),
        "declared segments": (c["segments"], c["segment_us"]),
    }
    probes_us = sum(count * us for count, us in parts.values())
    print(
        "(f) the probes, counted, per request of (a) one at a time: "
        + " + ".join(f"{count:.1f} {name} x {us:.2f} us" for name, (count, us) in parts.items())
        + f" = {probes_us:.1f} us, {probes_us / c['request_us'] * 100:.1f}% "
        "(their clock readings included; the middleware's own work and Python's cache "
        "misses are not: the A/B share below is the whole of it)"
    )


def _print_harness_cpu(alone_ms: float) -> None:
    client_us, server_us = harness_cpu_us()
    both = client_us + server_us
    print(
        f"(g) the harness's own Python per request, each side alone on one thread "
        f"(thread CPU, benchmarks/harness_cpu.py): the client {client_us:.0f} us "
        f"(Driver.send + SiteTransport), the server {server_us:.0f} us (AsgiServer and its "
        f"loop monitor), {both:.0f} us together, {both / (alone_ms * 1e3) * 100:.1f}% of (a0) "
        "one at a time; beyond it the harness's share holds the two thread hand-offs of each "
        "request (each loop wakes the other's, the GIL passes between them), which move with "
        "the machine's load (measured in (h))"
    )


# -- profiling ---------------------------------------------------------------------------------


async def profile_our_path(n: int, mode: Mode) -> tuple[pstats.Stats, pstats.Stats]:
    """cProfile of path (c) on the caller's thread and on the site's loop thread."""
    caller, site = cProfile.Profile(), cProfile.Profile()
    async with OurPath() as path:
        await _measure(path, mode, 100)
        loop = path.server._loop  # the site's loop: enable its profiler on its own thread
        started = asyncio.Event()
        here = asyncio.get_running_loop()
        loop.call_soon_threadsafe(lambda: (site.enable(), here.call_soon_threadsafe(started.set)))
        await started.wait()
        caller.enable()
        try:
            await _measure(path, mode, n)
        finally:
            caller.disable()
            stopped = asyncio.Event()
            loop.call_soon_threadsafe(
                lambda: (site.disable(), here.call_soon_threadsafe(stopped.set))
            )
            await stopped.wait()
    return pstats.Stats(caller), pstats.Stats(site)


def _top(stats: pstats.Stats, limit: int) -> str:
    out = io.StringIO()
    stats.stream = out
    stats.sort_stats("tottime").print_stats(limit)
    lines = out.getvalue().splitlines()
    start = next((i for i, line in enumerate(lines) if "ncalls" in line), 0)
    root = str(Path(__file__).resolve().parent.parent) + os.sep
    return "\n".join(line.replace(root, "") for line in lines[start:] if line.strip())


def _quartiles(values: list[float]) -> list[float]:
    if len(values) < 2:
        return [values[0]] * 3
    return statistics.quantiles(values, n=4, method="inclusive")


# -- output ------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--block", type=int, default=100, help="requests per sample, one at a time")
    parser.add_argument("--lone", type=int, default=300, help="requests measured alone")
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument(
        "--core-rounds", type=int, default=10, help="rounds of (h), every core against one"
    )
    parser.add_argument("--io-ms", type=float, default=500.0, help="I/O wait for part (d)")
    parser.add_argument("--profile", action="store_true", help="profile (c) even within budget")
    parser.add_argument("--clocks", action="store_true", help="only (e), the thread clocks")
    parser.add_argument("--cores", action="store_true", help="only (h), every core against one")
    args = parser.parse_args(argv)
    n = args.requests
    if args.clocks:
        _print_clocks_cost(n, args.repeats)
        return 0
    if args.cores:
        by_cores = asyncio.run(measure_by_cores(args.core_rounds, args.block, args.warmup))
        _print_by_cores(by_cores, args.core_rounds)
        return 0

    blocks = args.repeats * max(1, n // args.block)
    print(
        f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs; {VIEW} requests, io 0 ms, "
        f"cpu 0 ms, after {args.warmup} warm-up requests; medians of {args.repeats} bursts "
        f"of {n} (all at once) and of {blocks} blocks of {args.block} (one at a time), "
        "the paths taking turns"
    )
    samples, answers = asyncio.run(
        measure_paths(n, args.repeats, args.warmup, args.block, args.lone)
    )
    median = {key: statistics.median(values) * 1e3 for key, values in samples.items()}

    alone = {mode: median[(BarePath.name, mode)] for mode in MODES}
    names = (BarePath.name, DirectPath.name, HttpxAsgiPath.name, OurPath.name)
    width = max(len(name) for name in names)
    print()
    print(f"{'ms per request (vs (a0))':<{width}}  {'all at once':>18}  {'one at a time':>18}")
    print(f"{'-' * width}  {'-' * 18}  {'-' * 18}")
    over: dict[str, dict[Mode, float]] = {}
    for name in names:
        cells = []
        for mode in MODES:
            ms = median[(name, mode)]
            pct = (ms / alone[mode] - 1) * 100
            over.setdefault(name, {})[mode] = pct
            extra = "" if name == BarePath.name else f" ({pct:+5.1f}%)"
            cells.append(f"{ms:8.3f}{extra:>10}")
        print(f"{name:<{width}}  {cells[0]:>18}  {cells[1]:>18}")
    print()
    print("spread (quartiles, ms) of the samples:")
    for name in names:
        quartiles = {mode: _quartiles(samples[(name, mode)]) for mode in MODES}
        print(
            f"  {name:<{width}}  "
            + "   ".join(
                f"{mode}: {quartiles[mode][0] * 1e3:.3f}-{quartiles[mode][2] * 1e3:.3f}"
                for mode in MODES
            )
        )

    lone = {name: statistics.median(values) / 1e3 for name, values in answers.items()}
    base = lone[BarePath.name]
    print()
    print(
        f"a request alone (nothing else running), to its answer, median of {args.lone}: "
        + ", ".join(
            f"{name.split(')')[0]}) {us:.0f} us"
            + ("" if name == BarePath.name else f" ({(us / base - 1) * 100:+.0f}%)")
            for name, us in lone.items()
        )
        + ". One at a time, (c) overlaps Django's work after each answer with the next "
        "request; alone it cannot, and the client waits for the GIL while it runs."
    )

    ratio, summary = makespan_ratio(n, args.io_ms)
    print()
    print(
        f"(d) {n} {VIEW} requests at {args.io_ms:g} ms I/O: makespan {summary.makespan_ms:.1f} ms"
        f" = {ratio:.3f} x the ideal {args.io_ms:g} ms "
        f"({summary.ok} ok, {summary.failed} failed, loop blocked {summary.loop_blocked_ms:.1f} ms)"
    )

    _print_clocks_cost(n, args.repeats)
    _print_harness_cpu(median[(BarePath.name, "one at a time")])
    by_cores = asyncio.run(measure_by_cores(args.core_rounds, args.block, args.warmup))
    _print_by_cores(by_cores, args.core_rounds)

    print()
    worst = max(over[OurPath.name].values())
    for mode in MODES:
        pct = over[OurPath.name][mode]
        verdict = (
            "goal met"
            if pct <= GOAL_PCT
            else "within budget"
            if pct <= BUDGET_PCT
            else "OVER BUDGET"
        )
        probes = median[(DirectPath.name, mode)] - alone[mode]
        harness = median[(OurPath.name, mode)] - median[(DirectPath.name, mode)]
        print(
            f"ours over Django alone, {mode:<13}: {pct:+6.1f}%  -> {verdict} "
            f"(goal {GOAL_PCT:g}%, budget {BUDGET_PCT:g}%)"
        )
        print(
            f"  the probes' share    ((a) - (a0)): {probes:+.3f} ms a request, "
            f"{probes / alone[mode] * 100:+5.1f}% (monitor, marks, segments, clocks)"
        )
        print(
            f"  the harness's share  ((c) - (a)):  {harness:+.3f} ms a request, "
            f"{harness / alone[mode] * 100:+5.1f}% (driver, transport, server, thread hops)"
        )
    for mode in MODES:
        print(
            f"httpx.ASGITransport over Django alone, {mode:<13}: "
            f"{over[HttpxAsgiPath.name][mode]:+6.1f}%"
        )

    if worst > BUDGET_PCT or args.profile:
        for mode in MODES:
            if over[OurPath.name][mode] <= BUDGET_PCT and not args.profile:
                continue
            caller, site = asyncio.run(profile_our_path(n, mode))
            print()
            print(f"== profile of (c), {mode}, caller's thread (top 25 by own time)")
            print(_top(caller, 25))
            print()
            print(f"== profile of (c), {mode}, site's loop thread 'asgi-loop' (top 25 by own time)")
            print(_top(site, 25))
    return 0


if __name__ == "__main__":
    sys.exit(main())
