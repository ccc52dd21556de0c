"""In-process servers against real uvicorn and gunicorn, side by side, for three scenarios.

Run with ``python benchmarks/servers.py`` (needs the ``servers`` extra). For each scenario it
runs the in-process server and the real one (processes on 127.0.0.1, driven over sockets)
``--repeats`` times and prints the median makespans, their ratio, the model's prediction, and
what the socket client cost per request (how long it took to put the whole burst on the
wire, over the number of requests: building, connecting, sending). Another program busy on
the machine slows the CPU scenario most: the script prints the load average first.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from simulator.hosting.engine import run_scenario  # noqa: E402
from simulator.metrics.summary import summarize  # noqa: E402
from simulator.prediction.model import predict  # noqa: E402
from simulator.scenario import Scenario  # noqa: E402
from simulator.trace import Kind, Run  # noqa: E402

#: (what it shows, the in-process scenario, the real servers' scenarios)
SCENARIOS: list[tuple[str, Scenario, list[Scenario]]] = [
    (
        "8 sync views x 100 ms, one worker: the WSGI staircase",
        Scenario(view="sync_io", mode="wsgi", workers=1, requests=8, io_ms=100),
        [Scenario(view="sync_io", mode="gunicorn", workers=1, requests=8, io_ms=100)],
    ),
    (
        "10 async views x 200 ms: I/O overlaps on one loop",
        Scenario(view="async_io", mode="asgi", requests=10, io_ms=200),
        [Scenario(view="async_io", mode="uvicorn", workers=1, requests=10, io_ms=200)],
    ),
    (
        "10 views x 50 ms CPU, two workers: threads share one GIL, processes do not",
        Scenario(view="sync_io", mode="wsgi", workers=2, requests=10, io_ms=0, cpu_ms=50),
        [
            Scenario(view="sync_io", mode="gunicorn", workers=2, requests=10, io_ms=0, cpu_ms=50),
            Scenario(
                view="sync_io",
                mode="gunicorn",
                worker_class="gthread",
                threads=2,
                requests=10,
                io_ms=0,
                cpu_ms=50,
            ),
        ],
    ),
]


def _client_ms(run: Run) -> float:
    """What the client cost per request: the time it took to get the whole burst onto the
    wire (the end of the last first ``client`` segment), over the number of requests."""
    ends = [
        lane.segments[0].end_ns
        for lane in run.trace.lanes
        if lane.segments and lane.segments[0].kind is Kind.CLIENT
    ]
    return (max(ends) - run.trace.t0_ns) / 1e6 / len(ends) if ends else 0.0


def _median_run(scenario: Scenario, repeats: int) -> tuple[float, float]:
    runs = [run_scenario(scenario) for _ in range(repeats)]
    return (
        statistics.median(r.summary.makespan_ms for r in runs),
        statistics.median(_client_ms(r) for r in runs),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"cores: {os.cpu_count()}, load average (1 min): {load:.2f}; medians of {args.repeats}")
    for what, in_process, reals in SCENARIOS:
        print(f"\n{what}")
        base, _ = _median_run(in_process, args.repeats)
        predicted = summarize(predict(in_process)).makespan_ms
        print(f"  {in_process.server_label:<42} {base:7.0f} ms   (model {predicted:.0f} ms)")
        for real in reals:
            makespan, client = _median_run(real, args.repeats)
            predicted = summarize(predict(real)).makespan_ms
            print(
                f"  {real.server_label:<42} {makespan:7.0f} ms   x{makespan / base:.2f} of "
                f"in-process; model {predicted:.0f} ms; client {client:.1f} ms/request"
            )


if __name__ == "__main__":
    main()
