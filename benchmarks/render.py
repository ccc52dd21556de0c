"""How long one frame of the timeline takes, offscreen at 1920×1080, as the window draws it.

Prints, as medians over repeated frames (the figure in ms first after each label):
- 10,000 finished lanes: the first frame of a new run (from the finished run to the first
  pixel, nothing cached: a new widget; the run's columns are built as its summary built
  them), and the refinement the next turn of the event loop paints; after a zoom, pan or
  resize (the frame right after it); from the widget's cached picture (hover); by worker;
- 1,000 lanes during live growth, the site in a process of its own as the window runs it
  (``SiteProcess``): the live snapshot of the probes (from asking to having the trace: the
  site's process sends its probes' new records, ahead of the frame as the window's pace
  asks, this one builds the lanes; apart, how old those records were at the frame's now), and the
  widget's frame (layout and paint), and the worst snapshot + frame; apart, the CPU the
  site's process spent on each snapshot, and this one's (the lanes built); the three worst
  frames, in their parts; apart, the frames painted over the
  last one where they changed (the view's end extends in steps, the rows are laid out for
  the requests the run sends) and the rest (a new step: painted whole), and the snapshot's
  columns, which the window builds on its worker before the timeline draws (so here too,
  outside the paint), and the lanes built as the records arrived, on the thread that reads
  the site's process, before the frame asked (outside the snapshot: its CPU printed); the
  site's own full collections, during which its records cannot be read (its GIL held), and
  how much of them fell in each worst frame's wait (from when its records were due at the
  earliest to the snapshot's end).
Target: 16 ms a frame (60 fps); a new run's first frame 200 ms; no live frame over 100 ms.
``--live``: only the live frames (their lines as above), without the 10,000-lane run.
After the figures of a zoom and of a live paint, "cpu median" is the same frames' CPU time
(the painting thread's): on a busy machine the wall time also counts the waits for a core.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication  # noqa: E402

from app.timeline.rows import TimelineRows  # noqa: E402
from app.widgets.timeline import QtTimeline  # noqa: E402
from simulator.hosting.engine import run_scenario  # noqa: E402
from simulator.hosting.site_process import SiteProcess  # noqa: E402
from simulator.hosting.site_process.ahead import LONGEST_LEAD_NS  # noqa: E402
from simulator.scenario import Scenario  # noqa: E402
from simulator.trace import Trace  # noqa: E402
from simulator.trace.columns import SegmentColumns  # noqa: E402
from simulator.trace.live_columns import LiveColumns  # noqa: E402

WIDTH, HEIGHT = 1920, 1080
#: The live run's requests: the window lays its rows out for all of them from the start.
REQUESTS_LIVE = 1000


def stat(values) -> float:
    return statistics.median(values) if values else float("nan")


def median_ms(action, repeat: int = 15) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


#: The CPU time (this thread's) of each frame :func:`frame` measured, in ms: on a busy
#: machine the wall time also counts the waits for a core; this does not.
CPU: list[float] = []


def frame(widget: QtTimeline) -> float:
    """One frame of ``widget`` (as a paint event draws it), in ms."""
    start, cpu = time.perf_counter(), time.thread_time()
    widget.grab()
    CPU.append((time.thread_time() - cpu) * 1000)
    return (time.perf_counter() - start) * 1000


def first_frame(trace: Trace, by: str = "requests") -> tuple[float, float]:
    """A new widget given a finished run: its first frame, and the refined one after it."""
    widget = QtTimeline()
    widget.resize(WIDTH, HEIGHT)
    start = time.perf_counter()
    widget.set_by(by)
    widget.set_trace(trace)
    widget.grab()
    first = (time.perf_counter() - start) * 1000
    widget._refine()  # what the window's next turn does
    return first, frame(widget)


def after_moves(widget: QtTimeline) -> tuple[list[float], list[float], list[float]]:
    """Frames right after a zoom, a pan or a resize, the refinements after them, and the
    frames' CPU time."""
    moves = [
        lambda: widget.zoom(1.25, WIDTH / 2),
        lambda: widget.pan(0.1),
        lambda: widget.resize(WIDTH - 40, HEIGHT - 30),
        lambda: widget.zoom(1 / 1.25, WIDTH / 3),
        lambda: widget.pan(-0.1),
        lambda: widget.resize(WIDTH, HEIGHT),
    ] * 4
    frames, refines, cpus = [], [], []
    for move in moves:
        move()
        frames.append(frame(widget))
        cpus.append(CPU[-1])
        if widget.lanes_image.needs_refine:
            widget._refine()  # what the window's next turn does
            refines.append(frame(widget))
    return frames, refines, cpus


def main() -> None:
    app = QApplication.instance() or QApplication([])
    if "--live" in sys.argv[1:]:
        snapshots, paints = live_frames()
        print()
        print(f"{'frame':58} {'median ms':>10}")
        print_live(snapshots, paints, list(CPU))
        return
    print("Building a run of 10,000 async_io requests × 1000 ms (real engine)...", flush=True)
    big = run_scenario(Scenario(view="async_io", requests=10_000, io_ms=1000))
    segments = sum(len(lane.segments) for lane in big.trace.lanes)
    print(
        f"  {len(big.trace.lanes)} lanes, {segments} segments,"
        f" makespan {big.summary.makespan_ms:.0f} ms"
    )

    trace = big.trace
    first, refined = zip(*(first_frame(trace) for _ in range(5)), strict=True)
    rows_only = median_ms(lambda: TimelineRows(trace).spans, repeat=7)
    columns = median_ms(lambda: SegmentColumns.of(trace.lanes), repeat=3)
    widget = QtTimeline()
    widget.resize(WIDTH, HEIGHT)
    widget.set_trace(trace)
    widget.grab()
    widget._refine()
    widget.grab()
    moves, refines, moves_cpu = after_moves(widget)

    def cached() -> None:
        widget.update()
        widget.grab()

    cached_ms = median_ms(cached)
    by_worker = QtTimeline()
    by_worker.resize(WIDTH, HEIGHT)
    by_worker.set_by("workers")
    start = time.perf_counter()
    by_worker.set_trace(trace)
    by_worker.grab()
    workers_first = (time.perf_counter() - start) * 1000
    workers, _, _ = after_moves(by_worker)

    CPU.clear()
    snapshots, paints = live_frames()
    paints_cpu = list(CPU)
    print()
    print(f"{'frame':58} {'median ms':>10}")
    print(f"{'10,000 finished lanes, first frame of a new run':58} {stat(first):10.1f}")
    print(f"{'   refined on the next turn of the event loop':58} {stat(refined):10.1f}")
    print(f"{'   of which laying the trace out in rows':58} {rows_only:10.1f}")
    print(f"{'   (the run columns, which its summary built before)':58} {columns:10.1f}")
    print(
        f"{'10,000 finished lanes, after a zoom, pan or resize':58} {stat(moves):10.1f}"
        f"  worst {max(moves):.1f}; refined after {len(refines)} of {len(moves)}:"
        f" median {stat(refines):.1f}, worst {max(refines, default=0):.1f};"
        f" cpu median {stat(moves_cpu):.1f}"
    )
    print(f"{'10,000 finished lanes, repaint from the cached picture':58} {cached_ms:10.1f}")
    print(
        f"{'10,000 finished lanes, by worker, after a zoom':58} {stat(workers):10.1f}"
        f"  first frame by worker {workers_first:.0f}"
    )
    print_live(snapshots, paints, paints_cpu)
    del app


#: Per live frame: the figures' columns of its snapshot, in ms (the window builds them on its
#: worker thread, from the last snapshot's, before the timeline draws it: so here too).
COLUMNS: list[float] = []
#: Per live frame: the CPU time the site's process spent taking its snapshot, in ms.
SITE_CPU: list[float] = []
#: Per live frame: how long before its now the site's process read the records it was built
#: of, in ms (they are sent ahead of the frame: ``site_process/ahead.py``).
AGE: list[float] = []
#: Per live frame: whether the widget painted only what changed since the last one.
PARTIAL: list[bool] = []
#: Per live frame: the CPU time the window's process spent on the snapshot on the asking
#: thread, in ms: since the site sends its probes' records, the lanes are built there.
BUILD_CPU: list[float] = []
#: Per live frame: the CPU time the window's process spent building the lanes of the records
#: as they arrived, on the thread that reads the site's process, before the frame asked
#: (``RecordMirror.build_ahead``): outside the snapshot's time, as the columns are.
AHEAD_CPU: list[float] = []
#: Per live frame: from its push's earliest due time (its now less the longest lead a push
#: is given) to the snapshot's end, in ``perf_counter_ns``: the stretch in which the site's
#: own collections could have held the records up.
WAITED: list[tuple[int, int]] = []
#: The site's process's own collections during the live run (``ProcessRun.site_collections``).
SITE_GC: list[tuple[int, int, int]] = []


def live_frames() -> tuple[list[float], list[float]]:
    """Frames of a live run of 1,000 requests: the snapshot's time, and the widget's."""
    print("Live growth: 1,000 async_io requests × 300 ms, arriving every 0.5 ms...", flush=True)
    snapshots: list[float] = []
    paints: list[float] = []
    live_widget = QtTimeline()
    live_widget.resize(WIDTH, HEIGHT)
    columns = LiveColumns()

    async def watch() -> None:
        scenario = Scenario(view="async_io", requests=REQUESTS_LIVE, io_ms=300, arrival_ms=0.5)
        live = site(scenario)
        task = asyncio.ensure_future(live.run())
        while not task.done():
            live.frame_at(time.perf_counter_ns() + 33_000_000)  # as the window's pace says
            await asyncio.sleep(0.033)
            if not live.started:
                continue
            start, cpu = time.perf_counter(), time.thread_time()
            now = time.perf_counter_ns()
            trace = live.snapshot(now)
            snapshots.append((time.perf_counter() - start) * 1000)
            WAITED.append((now - LONGEST_LEAD_NS, time.perf_counter_ns()))
            BUILD_CPU.append((time.thread_time() - cpu) * 1000)
            SITE_CPU.append((live.snapshot_cpu_s - live.built_ahead_cpu_s) * 1000)
            AHEAD_CPU.append(live.built_ahead_cpu_s * 1000)
            AGE.append((now - live.records_taken_ns) / 1e6)
            start = time.perf_counter()
            columns.fill(trace)
            COLUMNS.append((time.perf_counter() - start) * 1000)
            start, cpu = time.perf_counter(), time.thread_time()
            live_widget.set_trace(trace, live=True, now_ns=now, expected_rows=REQUESTS_LIVE)
            live_widget.grab()
            paints.append((time.perf_counter() - start) * 1000)
            CPU.append((time.thread_time() - cpu) * 1000)
            PARTIAL.append(live_widget.painted is not None)
        await task
        SITE_GC.extend(live.site_collections)

    site = SiteProcess()
    site.start()
    try:
        asyncio.run(watch())
    finally:
        site.close()
    return snapshots, paints


def print_live(snapshots: list[float], paints: list[float], paints_cpu: list[float]) -> None:
    print(f"{'1,000 lanes live: snapshot of the probes':58} {stat(snapshots):10.1f}")
    print(f"{'1,000 lanes live: paint':58} {stat(paints):10.1f}  cpu median {stat(paints_cpu):.1f}")
    worst = max(a + b for a, b in zip(snapshots, paints, strict=True))
    print(f"{'1,000 lanes live: snapshot + paint, worst frame':58} {worst:10.1f}")
    part = [p for p, partial in zip(paints, PARTIAL, strict=True) if partial]
    whole = [p for p, partial in zip(paints, PARTIAL, strict=True) if not partial]
    print(
        f"{'   paint of frames drawn over the last where they changed':58} {stat(part):10.1f}"
        f"  {len(part)} frames; the rest drawn whole (a new step of the axis): median"
        f" {stat(whole):.1f}, worst {max(whole, default=0):.1f}"
    )
    label = "   the snapshot's CPU in the site's process"
    print(f"{label:58} {stat(SITE_CPU):10.1f}")
    label = "   the records' age at the frame's now (sent ahead)"
    print(f"{label:58} {stat(AGE):10.1f}  worst {max(AGE, default=0):.1f}")
    label = "   the snapshot's CPU in the window (its lanes built)"
    print(f"{label:58} {stat(BUILD_CPU):10.1f}")
    label = "   the lanes built as the records arrived (the reader), CPU"
    print(f"{label:58} {stat(AHEAD_CPU):10.1f}  worst {max(AHEAD_CPU, default=0):.1f}")
    label = "   the snapshot's columns (the window: on its worker)"
    print(f"{label:58} {stat(COLUMNS):10.1f}")
    full = [(end - start) / 1e6 for start, end, generation in SITE_GC if generation == 2]
    label = "   the site's own full collections (its GIL held), longest"
    print(
        f"{label:58} {max(full, default=0):10.1f}  {len(full)} in the run; of the young"
        f" generations, {sum(1 for *_, g in SITE_GC if g < 2)} of 1 ms or more"
    )
    frames = sorted(
        zip(snapshots, paints, SITE_CPU, BUILD_CPU, WAITED, strict=True),
        key=lambda f: f[0] + f[1],
        reverse=True,
    )
    for snap, paint, site_cpu, build_cpu, (since, until) in frames[:3]:
        held = sum(max(0, min(end, until) - max(start, since)) for start, end, _ in SITE_GC)
        print(
            f"   a worst frame: {snap + paint:.1f} ms = snapshot {snap:.1f} (CPU: the site's"
            f" {site_cpu:.1f}, the window's build {build_cpu:.1f}; the site's collections"
            f" meanwhile {held / 1e6:.1f}) + paint {paint:.1f}"
        )
    print(f"(target: 16 ms a frame; {len(paints)} live frames measured)")
    print("(load average: {:.2f} {:.2f} {:.2f}, 2 cores)".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
