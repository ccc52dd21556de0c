"""How long one frame of the timeline takes to paint, offscreen at 1920×1080.

Prints, as medians over repeated frames:
- 10,000 finished lanes, painted from scratch (a new run, a zoom or a resize) and from the
  widget's cached picture (hover, replay of an unchanged range);
- 1,000 lanes during live growth: building the live snapshot from the probes, and painting it.
Target: 16 ms a frame (60 fps).
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QRectF  # noqa: E402
from PySide6.QtGui import QImage, QPainter  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from app.theme import LIGHT  # noqa: E402
from app.timeline.paint import TimelineRows, paint_timeline  # noqa: E402
from app.widgets.timeline import QtTimeline  # noqa: E402
from simulator.hosting.engine import LiveRun, run_scenario  # noqa: E402
from simulator.scenario import Scenario  # noqa: E402

WIDTH, HEIGHT = 1920, 1080


def median_ms(action, repeat: int = 15) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def paint_once(rows: TimelineRows, t_to_ns: int) -> None:
    """One frame as the widget paints it after a zoom or resize: rows laid out already."""
    image = QImage(WIDTH, HEIGHT, QImage.Format.Format_ARGB32_Premultiplied)
    painter = QPainter(image)
    paint_timeline(
        painter,
        QRectF(0, 0, WIDTH, HEIGHT),
        rows,
        LIGHT,
        t_from_ns=rows.trace.t0_ns,
        t_to_ns=t_to_ns,
    )
    painter.end()


def main() -> None:
    app = QApplication.instance() or QApplication([])
    print("Building a run of 10,000 async_io requests × 1000 ms (real engine)...", flush=True)
    big = run_scenario(Scenario(view="async_io", requests=10_000, io_ms=1000))
    segments = sum(len(lane.segments) for lane in big.trace.lanes)
    print(
        f"  {len(big.trace.lanes)} lanes, {segments} segments,"
        f" makespan {big.summary.makespan_ms:.0f} ms"
    )

    end = big.trace.last_ns
    rows = TimelineRows(big.trace)
    first = median_ms(lambda: paint_once(TimelineRows(big.trace), end), repeat=5)
    cold = median_ms(lambda: paint_once(rows, end), repeat=7)
    rows_only = median_ms(lambda: TimelineRows(big.trace), repeat=7)
    widget = QtTimeline()
    widget.resize(WIDTH, HEIGHT)
    widget.set_trace(big.trace)
    widget.grab()  # fills the cache

    def cached() -> None:
        widget.update()
        widget.grab()

    cached_ms = median_ms(cached)
    by_worker = TimelineRows(big.trace, by="workers")
    workers = median_ms(lambda: paint_once(by_worker, end), repeat=7)

    print("Live growth: 1,000 async_io requests × 300 ms, arriving every 0.5 ms...", flush=True)
    snapshots: list[float] = []
    paints: list[float] = []

    async def watch() -> None:
        live = LiveRun(Scenario(view="async_io", requests=1000, io_ms=300, arrival_ms=0.5))
        task = asyncio.ensure_future(live.run())
        while not task.done():
            await asyncio.sleep(0.033)
            if not live.started:
                continue
            start = time.perf_counter()
            trace = live.snapshot()
            snapshots.append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            image = QImage(WIDTH, HEIGHT, QImage.Format.Format_ARGB32_Premultiplied)
            painter = QPainter(image)
            paint_timeline(
                painter,
                QRectF(0, 0, WIDTH, HEIGHT),
                TimelineRows(trace),
                LIGHT,
                t_from_ns=trace.t0_ns,
                t_to_ns=max(trace.last_ns, trace.t0_ns + 1),
                cutoff_ns=time.perf_counter_ns(),
            )
            painter.end()
            paints.append((time.perf_counter() - start) * 1000)
        await task

    asyncio.run(watch())
    print()
    print(f"{'frame':58} {'median ms':>10}")
    print(f"{'10,000 finished lanes, first frame of a new run':58} {first:10.1f}")
    print(f"{'   of which laying the trace out in rows':58} {rows_only:10.1f}")
    print(f"{'10,000 finished lanes, after a zoom, pan or resize':58} {cold:10.1f}")
    print(f"{'10,000 finished lanes, repaint from the cached picture':58} {cached_ms:10.1f}")
    print(f"{'10,000 finished lanes, by worker, after a zoom':58} {workers:10.1f}")
    print(f"{'1,000 lanes live: snapshot of the probes':58} {statistics.median(snapshots):10.1f}")
    print(f"{'1,000 lanes live: paint':58} {statistics.median(paints):10.1f}")
    worst = max(a + b for a, b in zip(snapshots, paints, strict=True))
    print(f"{'1,000 lanes live: snapshot + paint, worst frame':58} {worst:10.1f}")
    print(f"(target: 16 ms a frame; {len(paints)} live frames measured)")
    del app


if __name__ == "__main__":
    main()
