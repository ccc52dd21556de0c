"""A live run's frames painted by the timeline, on the same snapshots every time.

render.py's "1,000 lanes live: paint" and live_window.py's frames are measured while the
site runs, so each run's frames fall where they fall (how many lanes changed between two
frames, when the view's step came). This script captures a live run's snapshots once
(``--save FILE``: the real engine in a process of its own, as the window runs it; every
``--gap-ms`` a snapshot, kept with its "now"), then replays them (``--load FILE``) into a
timeline widget at ``--size``, as the window draws them: the live columns filled (on the
window's worker, so outside the paint), then ``set_trace`` and the paint (the picture drawn,
over the last one where it changed), and prints the paint's CPU per frame: median, worst,
the frames painted whole (a new step of the view) apart, and the worst frames. The least of
``--repeat`` replays per frame, so two versions of the code can be compared on the same
frames in the same minutes (``PYTHONPATH=<other tree> .venv/bin/python
benchmarks/live_paint.py --load F``). ``--every K`` replays every K-th frame (frames further
apart: more changes each, as the window's frames at 10,000 lanes are); ``--profile N``
prints cProfile's N costliest functions over the replay.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import pickle
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def capture(requests: int, io_ms: float, arrival_ms: float, gap_ms: float) -> list:
    """The run's live snapshots as the window's worker takes them: ``(trace, now_ns)``."""
    from simulator.hosting.site_process import SiteProcess
    from simulator.scenario import Scenario

    frames: list = []

    async def watch() -> None:
        scenario = Scenario(view="async_io", requests=requests, io_ms=io_ms, arrival_ms=arrival_ms)
        live = site(scenario)
        task = asyncio.ensure_future(live.run())
        while not task.done():
            await asyncio.sleep(gap_ms / 1000)
            if not live.started:
                continue
            now = time.perf_counter_ns()
            frames.append((live.snapshot(now), now))
        await task

    site = SiteProcess()
    site.start()
    try:
        asyncio.run(watch())
    finally:
        site.close()
    return frames


def replay(
    frames: list, size: tuple[int, int], requests: int, grab: bool
) -> list[tuple[float, bool, int]]:
    """Each frame's paint CPU (ms), whether painted over the last where it changed, lanes."""
    from app.widgets.timeline import QtTimeline
    from simulator.trace.live_columns import LiveColumns

    widget = QtTimeline()
    widget.resize(*size)
    columns = LiveColumns()
    out = []
    for trace, now in frames:
        columns.fill(trace)
        cpu = time.thread_time()
        widget.set_trace(trace, live=True, now_ns=now, expected_rows=requests)
        if grab:  # as render.py measures it: the picture copied into a pixmap too
            widget.grab()
        else:
            widget._prepare()
        out.append(
            ((time.thread_time() - cpu) * 1000, widget.painted is not None, len(trace.lanes))
        )
    return out


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--save", type=Path)
    parser.add_argument("--load", type=Path)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--io-ms", type=float, default=300)
    parser.add_argument("--arrival-ms", type=float, default=0.5)
    parser.add_argument("--gap-ms", type=float, default=33)
    parser.add_argument("--size", default="1920x1080")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--every", type=int, default=1)
    parser.add_argument("--worst", type=int, default=5)
    parser.add_argument("--profile", type=int, default=0)
    parser.add_argument("--gc", action="store_true", help="the collector left on")
    parser.add_argument("--grab", action="store_true", help="each frame grabbed (render.py)")
    args = parser.parse_args(argv)
    if args.load:
        with args.load.open("rb") as f:
            requests, frames = pickle.load(f)
    else:
        requests = args.requests
        frames = capture(args.requests, args.io_ms, args.arrival_ms, args.gap_ms)
        if args.save:
            with args.save.open("wb") as f:
                pickle.dump((requests, frames), f, protocol=pickle.HIGHEST_PROTOCOL)
    frames = frames[:: args.every]
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    size = tuple(int(v) for v in args.size.split("x"))
    gc.collect()
    gc.freeze()
    if not args.gc:  # (the collector's runs land where they land: apart, unless asked)
        gc.disable()
    runs = []
    profiler = None
    for i in range(max(1, args.repeat)):
        if args.profile and i == max(1, args.repeat) - 1:  # (imports done)
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        runs.append(replay(frames, size, requests, args.grab))
        if profiler is not None:
            profiler.disable()
    cpu = [min(run[i][0] for run in runs) for i in range(len(frames))]
    partial = [p for _, p, _ in runs[0]]
    part = [c for c, p in zip(cpu, partial, strict=True) if p]
    whole = [c for c, p in zip(cpu, partial, strict=True) if not p]
    load = os.getloadavg()
    print(
        f"{len(frames)} frames of {requests} requests at {args.size} (every {args.every}),"
        f" paint CPU median {statistics.median(cpu):.1f} ms, mean {statistics.mean(cpu):.1f},"
        f" worst {max(cpu):.1f} (least of {len(runs)}; load {load[0]:.2f} {load[1]:.2f})"
    )
    print(
        f"  over the last where changed: {len(part)} frames, median"
        f" {statistics.median(part) if part else 0:.1f}, worst {max(part, default=0):.1f};"
        f" whole: {len(whole)}, median {statistics.median(whole) if whole else 0:.1f},"
        f" worst {max(whole, default=0):.1f}"
    )
    order = sorted(range(len(cpu)), key=lambda i: -cpu[i])[: args.worst]
    for i in order:
        print(
            f"  frame {i}: {cpu[i]:.1f} ms, {runs[0][i][2]} lanes,"
            f" {'partial' if partial[i] else 'whole'}"
        )
    if profiler is not None:
        import pstats

        pstats.Stats(profiler, stream=sys.stdout).sort_stats("tottime").print_stats(args.profile)
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
