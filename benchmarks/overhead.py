"""What our in-process hosting costs on top of Django itself, per request.

Run with ``python benchmarks/overhead.py`` (``make benchmarks``). It prints a table:

(a) Django's ASGI application called directly, ``await app(scope, receive, send)``, with the
    site's instrumentation as our server hosts it (probe, timing middleware, loop monitor);
(a0) the same without the probes (no probe on the request, no loop monitor): Django alone,
    so the probes' share, (a) - (a0), is shown apart from the driver's and transport's;
(b) the same application behind ``httpx.ASGITransport``, for reference;
(c) our path: ``Driver`` + ``SiteTransport`` + ``AsgiServer`` (the site on its own loop thread);

each for 1000 ``async_io`` requests with 0 ms of I/O and CPU, sent all at once (makespan /
1000) and one at a time (each awaited), after a warm-up, as the median of 3 repeats. Then (d)
the makespan of 1000 requests waiting 500 ms each, as a ratio to the ideal 500 ms. Then (e)
the thread clocks' own cost (``embedded_site.waits.read_clock``: each mark, segment and loop
step reads the thread's CPU clock, and the run queue when it stood still), counted: the
readings a request of path (a) makes, times what one costs, against the request's time.
Budget 5%. (``--clocks`` prints only this.)

Our budget: at most 50 % over the direct call, 25 % the goal. When over budget, the script
profiles path (c) with cProfile on both threads (the caller's and the site's loop) and prints
where the time goes.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import io
import os
import pstats
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # noqa: E402

import embedded_site  # noqa: E402

embedded_site.boot()

from embedded_site.asgi import application_with  # noqa: E402
from embedded_site.instrumentation import RequestProbe, current_probe  # noqa: E402
from embedded_site.waits import Clock, _Schedstat, read_clock  # noqa: E402
from simulator.hosting.driver import Driver, RequestRecord  # noqa: E402
from simulator.hosting.engine import run_scenario  # noqa: E402
from simulator.hosting.loop_monitor import LoopMonitor  # noqa: E402
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


class BarePath(DirectPath):
    """(a) without the probes: no probe on the request (``measured()`` and the middleware's
    marks do nothing) and no loop monitor: Django alone, to show what the probes cost."""

    name = "(a0) Django ASGI app, no probes"
    probed = False

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


# -- (c) our driver, transport and server ------------------------------------------------------


class OurPath:
    """``Driver`` + ``SiteTransport`` + ``AsgiServer``, as ``LiveRun`` wires them.

    All at once: ``Driver.run()`` itself, makespan from its first send to the last answer as
    the client saw it (``RequestRecord.done_ns``: the hop back to the caller's loop included,
    unlike ``Summary.makespan_ms``, which now ends at the site's last byte).
    One at a time: the driver's own per-request coroutine (``Driver._send``) on a client built
    as ``Driver.run`` builds it, awaited in turn; the driver has no sequential mode of its own.
    """

    name = "(c) ours: Driver+SiteTransport+AsgiServer"

    def __init__(self) -> None:
        self.server = AsgiServer(application_with("async"))
        self.client: httpx.AsyncClient | None = None
        self.driver: Driver | None = None

    async def __aenter__(self) -> OurPath:
        self.server.start()
        self.client = httpx.AsyncClient(
            transport=SiteTransport(self.server), base_url=f"http://{SITE_HOST}", timeout=None
        )
        self.driver = Driver(_scenario(1), SiteTransport(self.server))
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.client.aclose()
        await asyncio.get_running_loop().run_in_executor(None, self.server.close)

    async def one(self, request_id: int) -> None:
        record = RequestRecord(_probe(request_id))
        await self.driver._send(
            self.client, record, httpx.URL(f"http://{SITE_HOST}{PATH}", params=PARAMS)
        )
        if record.status != "ok":
            raise RuntimeError(f"our path failed: {record.error}")

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
    return (time.perf_counter_ns() - start) / 1e9 / n


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


async def measure_paths(n: int, repeats: int, warmup: int) -> dict[tuple[str, Mode], list[float]]:
    paths = [BarePath(), DirectPath(), HttpxAsgiPath(), OurPath()]
    samples: dict[tuple[str, Mode], list[float]] = {}
    for path in paths:
        await path.__aenter__()
    try:
        for path in paths:
            for mode in MODES:
                await _measure(path, mode, warmup)
        # Interleave the repeats so that drift in the machine's speed hits every path alike.
        for _ in range(repeats):
            for path in paths:
                _instrument_like_our_server(path)
                for mode in MODES:
                    samples.setdefault((path.name, mode), []).append(await _measure(path, mode, n))
    finally:
        for path in paths:
            await path.__aexit__(None, None, None)
    return samples


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
    """What the clocks cost path (a) per request, by accounting: how many readings (and
    run-queue reads) a request makes, times what one costs, against the request's time.

    An A/B of path (a) with and without clocks differs by less than a busy machine's noise
    (runs of one path vary by 20% here), so the cost is counted, not subtracted."""
    modules = [sys.modules[name] for name in _CLOCK_READERS]
    counts = {"readings": 0, "run queue": 0}
    real_run_queue = _Schedstat.run_queue_ns

    def counted(run_queue: bool = True) -> Clock:
        counts["readings"] += 1
        return read_clock(run_queue)

    def counted_run_queue(self: _Schedstat) -> int | None:
        counts["run queue"] += 1
        return real_run_queue(self)

    async with DirectPath() as path:
        _instrument_like_our_server(path)
        await _measure(path, "one at a time", n // 5)
        per_request = min([await _measure(path, "one at a time", n) for _ in range(repeats)])
        for module in modules:
            module.read_clock = counted  # type: ignore[attr-defined]
        _Schedstat.run_queue_ns = counted_run_queue  # type: ignore[method-assign]
        try:
            await _measure(path, "one at a time", n)
        finally:
            for module in modules:
                module.read_clock = read_clock  # type: ignore[attr-defined]
            _Schedstat.run_queue_ns = real_run_queue  # type: ignore[method-assign]
    schedstat = _Schedstat()
    return {
        "request_us": per_request * 1e6,
        "readings": counts["readings"] / n,
        "run_queue": counts["run queue"] / n,
        "reading_us": _best_us(read_clock),
        "run_queue_us": _best_us(schedstat.run_queue_ns, batch=2_000),
    }


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
        f"(budget {CLOCKS_BUDGET_PCT:g}%)"
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


# -- output ------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--io-ms", type=float, default=500.0, help="I/O wait for part (d)")
    parser.add_argument("--profile", action="store_true", help="profile (c) even within budget")
    parser.add_argument("--clocks", action="store_true", help="only (e), the thread clocks")
    args = parser.parse_args(argv)
    n = args.requests
    if args.clocks:
        _print_clocks_cost(n, args.repeats)
        return 0

    print(
        f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs; {n} {VIEW} requests, "
        f"io 0 ms, cpu 0 ms; median of {args.repeats} after {args.warmup} warm-up requests"
    )
    samples = asyncio.run(measure_paths(n, args.repeats, args.warmup))
    median = {key: statistics.median(values) * 1e3 for key, values in samples.items()}

    direct = {mode: median[(DirectPath.name, mode)] for mode in MODES}
    names = (BarePath.name, DirectPath.name, HttpxAsgiPath.name, OurPath.name)
    width = max(len(name) for name in names)
    print()
    print(f"{'ms per request':<{width}}  {'all at once':>18}  {'one at a time':>18}")
    print(f"{'-' * width}  {'-' * 18}  {'-' * 18}")
    over: dict[str, dict[Mode, float]] = {}
    for name in names:
        cells = []
        for mode in MODES:
            ms = median[(name, mode)]
            pct = (ms / direct[mode] - 1) * 100
            over.setdefault(name, {})[mode] = pct
            extra = "" if name == DirectPath.name else f" ({pct:+5.1f}%)"
            cells.append(f"{ms:8.3f}{extra:>10}")
        print(f"{name:<{width}}  {cells[0]:>18}  {cells[1]:>18}")
    spread = {key: (min(v) * 1e3, max(v) * 1e3) for key, v in samples.items()}
    print()
    print("spread (min-max ms) of the repeats:")
    for name in names:
        print(
            f"  {name:<{width}}  "
            + "   ".join(
                f"{mode}: {spread[(name, mode)][0]:.3f}-{spread[(name, mode)][1]:.3f}"
                for mode in MODES
            )
        )

    ratio, summary = makespan_ratio(n, args.io_ms)
    print()
    print(
        f"(d) {n} {VIEW} requests at {args.io_ms:g} ms I/O: makespan {summary.makespan_ms:.1f} ms"
        f" = {ratio:.3f} x the ideal {args.io_ms:g} ms "
        f"({summary.ok} ok, {summary.failed} failed, loop blocked {summary.loop_blocked_ms:.1f} ms)"
    )

    _print_clocks_cost(n, args.repeats)

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
        print(
            f"our overhead over direct, {mode:<13}: {pct:+6.1f}%  -> {verdict} "
            f"(budget {BUDGET_PCT:g}%, goal {GOAL_PCT:g}%)"
        )
    for mode in MODES:
        print(
            f"httpx.ASGITransport over direct, {mode:<13}: {over[HttpxAsgiPath.name][mode]:+6.1f}%"
        )
    for mode in MODES:
        probes = median[(DirectPath.name, mode)] - median[(BarePath.name, mode)]
        bare = median[(BarePath.name, mode)]
        ours = median[(OurPath.name, mode)]
        print(
            f"the probes' share, {mode:<13}: {probes:+.3f} ms a request ((a) - (a0)); "
            f"ours over Django without probes {(ours / bare - 1) * 100:+6.1f}%"
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
