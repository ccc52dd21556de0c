"""The cycle collector's pauses inside live frames: which collections fall in them, and what
they cost.

Run with ``QT_QPA_PLATFORM=offscreen python benchmarks/gc_frames.py`` (``--keep N``, default
10,000: the finished run held while the live one goes, as the window keeps the previous run;
``--live N``, default 1,000). As ``benchmarks/render.py``'s live lines: a finished run of
``--keep`` async_io requests × 1000 ms is made and shown (held), then ``--live`` requests ×
300 ms arriving every 0.5 ms are watched live, every 33 ms a snapshot and a paint.
Python's own ``gc.callbacks`` time every collection (its generation, wall time, objects
freed). Prints, with the load: the frames' median and worst (snapshot + paint), the worst
frames with the collections inside them, and per generation how many collections fell inside
frames and outside, their median and worst durations; and the objects the collector tracks
(``gc.get_count`` is young ones only: ``len(gc.get_objects())`` is what a full collection
walks, ``gc.get_freeze_count()`` what it skips). Run it beside old code in the same minutes:
on a busy machine the collections' wall time is mostly waiting for a core; their CPU time is
printed too.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtWidgets import QApplication  # noqa: E402

from app.widgets.timeline import QtTimeline  # noqa: E402
from simulator.hosting.engine import LiveRun, run_scenario  # noqa: E402
from simulator.scenario import Scenario  # noqa: E402

WIDTH, HEIGHT = 1920, 1080


@dataclass
class Collection:
    generation: int
    start_ns: int
    end_ns: int
    collected: int
    cpu_ms: float

    @property
    def ms(self) -> float:
        return (self.end_ns - self.start_ns) / 1e6


COLLECTIONS: list[Collection] = []
_started = [0, 0]


def _note(phase: str, info: dict[str, int]) -> None:
    if phase == "start":
        _started[:] = time.perf_counter_ns(), time.thread_time_ns()
    else:
        now, cpu = time.perf_counter_ns(), time.thread_time_ns()
        COLLECTIONS.append(
            Collection(
                info["generation"], _started[0], now, info["collected"], (cpu - _started[1]) / 1e6
            )
        )


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def tracked() -> str:
    return f"tracked {len(gc.get_objects()):,}, frozen {gc.get_freeze_count():,}"


def live_frames(live_requests: int) -> list[tuple[int, int, float, float]]:
    """``(start_ns, end_ns, snapshot_ms, paint_ms)`` of each live frame."""
    frames: list[tuple[int, int, float, float]] = []
    widget = QtTimeline()
    widget.resize(WIDTH, HEIGHT)

    async def watch() -> None:
        scenario = Scenario(view="async_io", requests=live_requests, io_ms=300, arrival_ms=0.5)
        live = LiveRun(scenario)
        task = asyncio.ensure_future(live.run())
        while not task.done():
            await asyncio.sleep(0.033)
            if not live.started:
                continue
            start = time.perf_counter_ns()
            trace = live.snapshot(start)
            middle = time.perf_counter_ns()
            widget.set_trace(trace, live=True, now_ns=start)
            widget.grab()
            end = time.perf_counter_ns()
            frames.append((start, end, (middle - start) / 1e6, (end - middle) / 1e6))
        await task

    asyncio.run(watch())
    return frames


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=int, default=10_000)
    parser.add_argument("--live", type=int, default=1000)
    parser.add_argument(
        "--no-full",
        action="store_true",
        help="no full collection falls due while the live run goes (an experiment: threshold2)",
    )
    # (No --no-pause any more: a live snapshot never pauses the collector while its run is
    # measured, simulator/trace/collector.py.)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    print(f"load {load()}; {tracked()}", flush=True)
    gc.callbacks.append(_note)
    held = None
    if args.keep:
        held = run_scenario(Scenario(view="async_io", requests=args.keep, io_ms=1000))
        shown = QtTimeline()
        shown.resize(WIDTH, HEIGHT)
        shown.set_trace(held.trace)
        shown.grab()
        print(f"finished run of {args.keep:,} held; load {load()}; {tracked()}", flush=True)
    if args.no_full:
        gc.set_threshold(700, 10, 10**9)
    before = [c for c in COLLECTIONS if c.generation == 2]
    print(
        "full collections before the live run (building and showing the kept one): "
        + ", ".join(f"{c.ms:.0f} ms (cpu {c.cpu_ms:.0f})" for c in before)
    )
    COLLECTIONS.clear()
    frames = live_frames(args.live)
    gc.callbacks.remove(_note)
    print(f"after the live run: load {load()}; {tracked()}")
    totals = [(e - s) / 1e6 for s, e, _, _ in frames]
    print(
        f"{len(frames)} live frames: median {statistics.median(totals):.1f} ms"
        f" (snapshot {statistics.median(f[2] for f in frames):.1f}, paint"
        f" {statistics.median(f[3] for f in frames):.1f}), worst {max(totals):.1f} ms"
    )
    inside: set[int] = set()
    per_frame: list[tuple[float, float, list[Collection]]] = []
    for start, end, _, _ in frames:
        these = [c for c in COLLECTIONS if c.start_ns >= start and c.end_ns <= end]
        inside.update(id(c) for c in these)
        per_frame.append(((end - start) / 1e6, sum(c.ms for c in these), these))
    print("worst frames: total ms, of which collecting (generation:ms)")
    for total, collecting, these in sorted(per_frame, key=lambda f: f[0], reverse=True)[:5]:
        parts = ", ".join(
            f"{c.generation}:{c.ms:.1f} (cpu {c.cpu_ms:.1f})" for c in these if c.ms >= 1
        )
        print(f"  {total:7.1f}  {collecting:7.1f}  {parts}")
    without = [total - collecting for total, collecting, _ in per_frame]
    print(f"worst frame less its collections: {max(without):.1f} ms")
    for generation in (0, 1, 2):
        for where, keep in (("in frames", True), ("outside", False)):
            these = [
                c for c in COLLECTIONS if c.generation == generation and (id(c) in inside) == keep
            ]
            if these:
                ms = [c.ms for c in these]
                cpu = [c.cpu_ms for c in these]
                print(
                    f"generation {generation} {where:9}: {len(these):5} collections,"
                    f" median {statistics.median(ms):6.2f} ms, worst {max(ms):7.1f} ms,"
                    f" sum {sum(ms):7.1f} ms; cpu worst {max(cpu):6.1f}, sum {sum(cpu):7.1f} ms"
                )
    print(f"load {load()}")
    del held, app


if __name__ == "__main__":
    main()
