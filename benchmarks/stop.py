"""How long Stop takes in each state a run can be in; the issue's bound is 1 s.

    .venv/bin/python benchmarks/stop.py

Each state is a scenario stopped a little after it started (in one process, as the window
does): waiting to send (arrivals 10 s apart), warming up (against an upstream that trickles
a byte a second), with CPU queued behind one WSGI worker, with CPU on the site's loop, and
with views in ``time.sleep`` on threads. Prints the time from ``stop()`` to the run returned.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import embedded_site  # noqa: E402
from simulator.hosting.engine import LiveRun  # noqa: E402
from simulator.scenario import Scenario  # noqa: E402
from tests.hostile.upstreams import trickling  # noqa: E402

STATES = {
    "waiting to send": dict(requests=3, io_ms=1, arrival_ms=10_000),
    "queued CPU (WSGI, 1 worker)": dict(
        view="sync_io", mode="wsgi", workers=1, requests=3, io_ms=0, cpu_ms=5000
    ),
    "CPU on the loop": dict(view="async_io", requests=3, io_ms=0, cpu_ms=5000),
    "views in time.sleep (ASGI threads)": dict(view="sync_io", requests=20, io_ms=9000),
    "views in time.sleep (WSGI, 4 workers)": dict(
        view="sync_io", mode="wsgi", workers=4, requests=20, io_ms=9000
    ),
}


async def stop_after(scenario: Scenario, after_s: float) -> float:
    live = LiveRun(scenario)
    task = asyncio.ensure_future(live.run())
    await asyncio.sleep(after_s)
    start = time.perf_counter()
    live.stop()
    await task
    return time.perf_counter() - start


def main() -> None:
    embedded_site.boot()
    worst = 0.0
    for name, dials in STATES.items():
        took = asyncio.run(stop_after(Scenario(**dials), 1.0))
        worst = max(worst, took)
        print(f"{name:<40} {took * 1000:7.0f} ms")
    with trickling() as url:
        scenario = Scenario(view="sync_httpx", requests=2, upstream_url=url)
        took = asyncio.run(stop_after(scenario, 1.0))
    worst = max(worst, took)
    print(f"{'warming up (a trickling upstream)':<40} {took * 1000:7.0f} ms")
    print(f"{'worst':<40} {worst * 1000:7.0f} ms  (bound: 1000 ms)")


if __name__ == "__main__":
    main()
