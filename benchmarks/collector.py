"""Whether pausing Python's cycle collector still pays after a 10,000-request run.

Run with ``python benchmarks/collector.py`` (``--requests N``, default 10,000; ``--repeat
N``, default 1). In a fresh process each time, a real run of ``async_io`` requests (1 s of
I/O each, the engine in this process, as ``run`` does) is made, summarised and written as
JSON, twice: with the collector paused over the lanes' building, the summary and the export
(:func:`simulator.trace.collector.paused_collection`, as the code does), and with those
pauses taken out. For each it prints the time from the end of Django's last request to the
summary, the time to write the JSON, the full (generation 2) collections that ran in those
stretches and in the whole process (the run included), and what they cost: a full
collection walks every object of the run, so it is what the pause saves. With the machine's
load, since the figures are read on a shared machine.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _child(requests: int, paused: bool) -> None:
    """In a fresh process: run, summarise, write; print the figures as JSON."""
    import asyncio
    import contextlib
    import gc
    import time

    import embedded_site
    from simulator.files import json_run
    from simulator.hosting import engine
    from simulator.scenario import Scenario
    from simulator.trace import collector

    if not paused:  # the same code with the pause taken out, wherever it is imported
        for module in list(sys.modules.values()):
            if getattr(module, "paused_collection", None) is collector.paused_collection:
                module.paused_collection = contextlib.nullcontext  # type: ignore[union-attr]
    full: list[tuple[int, int]] = []  # (start, end) of each full collection, perf_counter ns
    started = [0]

    def note(phase: str, info: dict[str, int]) -> None:
        if info["generation"] == 2:
            if phase == "start":
                started[0] = time.perf_counter_ns()
            else:
                full.append((started[0], time.perf_counter_ns()))

    embedded_site.boot()
    scenario = Scenario(view="async_io", mode="asgi", requests=requests, io_ms=1000, cpu_ms=0)
    gc.callbacks.append(note)
    run = asyncio.run(engine.LiveRun(scenario).run())  # the Run holds the summary
    summarised = time.perf_counter_ns()
    with tempfile.TemporaryDirectory() as folder:
        json_run.write_json(run, Path(folder) / "run.json")
    written = time.perf_counter_ns()
    gc.callbacks.remove(note)

    def inside(start: int, end: int) -> list[int]:
        return [b - a for a, b in full if a >= start and b <= end]

    after = inside(run.trace.last_ns, summarised)
    export = inside(summarised, written)
    print(
        json.dumps(
            {
                "summary_ms": (summarised - run.trace.last_ns) / 1e6,
                "summary_full": len(after),
                "summary_full_ms": sum(after) / 1e6,
                "json_ms": (written - summarised) / 1e6,
                "json_full": len(export),
                "json_full_ms": sum(export) / 1e6,
                "all_full": len(full),
                "all_full_ms": sum(b - a for a, b in full) / 1e6,
            }
        )
    )


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(int(args.child[0]), args.child[1] == "paused")
        return
    print(f"load before: {_load()}")
    figures: dict[str, list[dict[str, float]]] = {"paused": [], "running": []}
    for _ in range(args.repeat):
        for way in figures:  # alternated, so a burst of load falls on both
            done = subprocess.run(
                [sys.executable, __file__, "--child", str(args.requests), way],
                capture_output=True,
                text=True,
                check=True,
            )
            figures[way].append(json.loads(done.stdout.splitlines()[-1]))
    print(f"{args.requests:,} × 1000 ms async_io, medians of {args.repeat}")
    head = f"{'to summary':>12}{'full':>6}{'in them':>9}{'JSON':>9}{'full':>6}{'in them':>9}"
    head += f"{'whole run: full':>17}{'in them':>9}"
    print(f"{'collector':10}{head}")
    for way, runs in figures.items():
        med = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
        print(
            f"{way:10}{med['summary_ms']:10.0f}ms{med['summary_full']:6.0f}"
            f"{med['summary_full_ms']:7.0f}ms{med['json_ms']:7.0f}ms{med['json_full']:6.0f}"
            f"{med['json_full_ms']:7.0f}ms{med['all_full']:17.0f}{med['all_full_ms']:7.0f}ms"
        )
    for way, runs in figures.items():
        counts = ", ".join(f"{run['summary_full']:.0f}" for run in runs)
        print(f"{way}: full collections to the summary, run by run: {counts}")
    print(f"load after:  {_load()}")


if __name__ == "__main__":
    main()
