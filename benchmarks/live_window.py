"""A big run growing live in the real window: how long each frame takes, and what it looks like.

Run it under an X server at the size to judge, e.g.::

    xvfb-run -a -s "-screen 0 1920x1080x24" .venv/bin/python benchmarks/live_window.py \\
        --requests 10000 --out /tmp/shots --live-at 5,15

The window fills the screen, runs ``async_io`` with ``--requests`` requests (the real
engine), and prints for the live frames (each from the snapshot's start to the end of all
the window did with it) the count, median, 95th percentile and worst in ms; apart, the
snapshot's share (and its thread's own CPU time in it: the rest is waiting for the GIL the
site's threads hold, or for a core; the snapshot is taken on a worker thread), the window's
thread's (the frame drawn: the timeline's layout and paint, the figures'), the figures'
work on the snapshot's thread; the worst lag of a 10 ms tick of the window's loop over the
whole run (what a click would wait), and apart up to the last answer, from it to the run's
end, and while the finished run is drawn; and how often frames came while the lanes grew.
Screenshots of the screen go to ``--out``: ``live-<s>s.png`` at each of ``--live-at``
seconds after the start, and ``done.png`` after the run. Target: no frame over 100 ms, no
tick of the loop late by more than 100 ms. The figures depend on the machine's load,
printed beside them.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

#: Time spent in each part of the live frames (ms per frame): filled by :func:`_timed`.
PARTS: dict[str, list[float]] = {}


def _timed_snapshots() -> None:
    """Time each live snapshot of the engine into :data:`PARTS`: its wall time, and the CPU
    its thread spent (the rest it waited for the GIL, held by the site's threads, or a core)."""
    from simulator.hosting.engine import LiveRun

    original = LiveRun.snapshot

    def timed(self, now_ns=None, **kwargs):
        if kwargs:  # the final trace, not a frame
            return original(self, now_ns, **kwargs)
        start, cpu = time.perf_counter(), time.thread_time()
        try:
            return original(self, now_ns)
        finally:
            PARTS.setdefault("the snapshot of the probes", []).append(
                (time.perf_counter() - start) * 1000
            )
            PARTS.setdefault("   its own CPU time", []).append((time.thread_time() - cpu) * 1000)

    LiveRun.snapshot = timed


def _timed(cls: type, name: str, part: str, cpu: bool = False) -> None:
    """Time ``cls.name`` (a slot of the live frame) into :data:`PARTS` (before the window
    connects it); with ``cpu``, its thread's own CPU time in it too (the rest it waited for
    the GIL, which every numpy call on a big array hands to the site's threads, or a core)."""
    original = getattr(cls, name, None)
    if original is None:  # older code, measured for comparison, has no such slot
        return

    def timed(self, *args):
        start, cpu_start = time.perf_counter(), time.thread_time()
        try:
            return original(self, *args)
        finally:
            PARTS.setdefault(part, []).append((time.perf_counter() - start) * 1000)
            if cpu:
                label = "the figures'" if part.startswith("the figures (") else part + ":"
                PARTS.setdefault(f"   {label} own CPU time", []).append(
                    (time.thread_time() - cpu_start) * 1000
                )

    setattr(cls, name, timed)


#: The stages of a run in the window, for the loop's worst tick lag in each.
STAGES = (
    "up to the last answer",
    "from the last answer to the run's end (Django tidying, the final trace)",
    "the finished run drawn (1 s after its end)",
)


async def _watch(
    window, out: Path, live_at: list[float]
) -> tuple[list[float], float, dict[str, float], float]:
    """The live frames (ms each), the worst tick lag (ms), the worst in each of
    :data:`STAGES`, and how long the lanes grew live (s: first frame to the last answer)."""
    from app.session import Side

    frames: list[float] = []
    first_frame, answered_at = [0.0], [0.0]

    def framed(side, trace, now_ns) -> None:
        frames.append((time.perf_counter_ns() - now_ns) / 1e6)
        first_frame[0] = first_frame[0] or time.perf_counter()

    # Connected after the window's own slots: the frame ends when they have all run.
    window.session.events.run_progressed.connect(framed)
    answered = getattr(window.session.events, "run_answered", None)  # (not in older code)
    if answered is not None:
        answered.connect(lambda *_: answered_at.__setitem__(0, time.perf_counter()))
    stage_lag = dict.fromkeys(STAGES, 0.0)
    window.start_run([Side.A])
    start = time.perf_counter()
    shots = sorted(live_at)

    async def tick(stage: str) -> None:
        before = time.perf_counter()
        await asyncio.sleep(0.01)
        stage_lag[stage] = max(stage_lag[stage], time.perf_counter() - before - 0.01)

    while window.session.running or not frames:
        await tick(STAGES[1] if answered_at[0] else STAGES[0])
        if shots and time.perf_counter() - start >= shots[0]:
            window.screen().grabWindow(0).save(str(out / f"live-{shots.pop(0):g}s.png"))
    await window.wait_idle()
    ended = time.perf_counter()
    while time.perf_counter() - ended < 1.0:  # the finished run drawn and refined
        await tick(STAGES[2])
    window.screen().grabWindow(0).save(str(out / "done.png"))
    grew = (answered_at[0] or ended) - first_frame[0]
    lags = {stage: lag * 1000 for stage, lag in stage_lag.items()}
    return frames, max(lags.values()), lags, grew


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--io-ms", type=float, default=1000)
    parser.add_argument("--out", type=Path, default=Path("."))
    parser.add_argument("--live-at", default="5")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)

    import pyqtgraph as pg
    import qasync
    from PySide6.QtCore import QSettings

    from app.main import create_application
    from app.session import Session, Side
    from app.session.figures import Figures
    from app.window.main_window import QtMainWindow
    from app.window.stage import Stage
    from simulator.scenario import Scenario

    _timed_snapshots()
    _timed(Stage, "_on_run_progressed", "the timeline: layout and paint", cpu=True)
    _timed(Session, "_frame", "the window's thread: the frame drawn", cpu=True)
    _timed(Figures, "_on_run_progressed", "the figures (throttled)", cpu=True)
    _timed(Figures, "_prepare", "the figures prepared (the snapshot's thread)", cpu=True)
    _timed(pg.GraphicsView, "paintEvent", "the plots' paint (a later turn)")

    app = create_application([])
    app.setQuitOnLastWindowClosed(False)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with tempfile.TemporaryDirectory(prefix="async-lanes-live-") as folder:
        settings = QSettings(str(Path(folder) / "settings.ini"), QSettings.Format.IniFormat)
        window = QtMainWindow(settings=settings)
        window.setGeometry(app.primaryScreen().availableGeometry())  # no window manager
        window.show()
        scenario = Scenario(view="async_io", requests=args.requests, io_ms=args.io_ms)
        window.session.set_scenario(Side.A, scenario)
        with loop:
            loop.run_until_complete(asyncio.sleep(1.0))  # mapped and laid out
            frames, lag, lags, grew = loop.run_until_complete(
                _watch(window, args.out, [float(s) for s in args.live_at.split(",")])
            )
            window.close()
            loop.run_until_complete(window.session.wait())
    load = os.getloadavg()
    print(f"{args.requests} requests, window {window.width()}×{window.height()}")
    print(
        f"live frames: {len(frames)}, median {statistics.median(frames):.1f} ms,"
        f" p95 {statistics.quantiles(frames, n=20)[-1]:.1f} ms, worst {max(frames):.1f} ms"
        f" (load {load[0]:.1f} {load[1]:.1f} {load[2]:.1f})"
    )
    for part, times in PARTS.items():
        print(
            f"  of which {part}: median {statistics.median(times):.1f} ms, worst {max(times):.1f}"
        )
    print(f"worst lag of a 10 ms tick of the window's loop, the end included: {lag:.1f} ms")
    for stage, worst in lags.items():
        print(f"  {stage}: {worst:.1f} ms")
    print(
        f"frames while the lanes grew (first frame to the last answer, {grew:.1f} s):"
        f" one every {grew * 1000 / max(len(frames) - 1, 1):.0f} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
