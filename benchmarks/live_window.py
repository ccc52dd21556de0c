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
The run's measured makespan comes after the window's size: what the window's frames cost
the site shows there (frames paced to take more of the machine made a 10,000-request run
13% slower).
Beside the frames over 100 ms and the rest, how many lanes their snapshots built: a lane is
built again when its records changed, and a burst of them (10,000 sleeps ending together,
each lane's coroutine run again by the loop) changes every lane at once.
Screenshots of the screen go to ``--out`` (none without it: they went to the folder it
was run from, and from a checkout into a commit): ``live-<s>s.png`` at each of
``--live-at`` seconds after the start, and ``done.png`` after the run. Target: no frame
over 100 ms, no tick of the loop late by more than 100 ms. The figures depend on the
machine's load, printed beside them.

Then every tick of the loop late by more than 100 ms, with what held it (``--late N``: the
N worst): the collector's runs that overlapped it (``gc.callbacks``: generation, thread,
wall and CPU time; a collection holds the GIL, so no other thread runs meanwhile), and
the parts of our frames that did (the snapshot on its worker, the window's thread drawing,
the plots' paint, the reader unpickling a message: one C call holding the GIL).

A part overlapping a late tick is not its cause: the kernel says what each thread of this
process did in it (``/proc``'s schedstat: CPU, and time runnable but waiting for a core).
The window's thread's lag is its CPU, its wait for a core (the machine's load: 75-85% of
the late ticks' time at load 5-11 on this 2-core machine), and its sleep beyond the 10 ms:
the GIL held by another thread of this process (a worker holding it is preempted as often
as any thread, and the window's thread waits as long as it waits for a core), Qt's own
threads (``Thread (pooled)``: image work the window's thread waits for), or X. So each
stage also prints its worst lag less the window's thread's wait for a core (what this
process made of it, whatever else the machine ran), a tick's lag and sleep percentiles, and
what the other threads did in the ticks the window's thread slept over 20 ms beyond its 10.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

#: Time spent in each part of the live frames (ms per frame): filled by :func:`_timed`.
PARTS: dict[str, list[float]] = {}
#: When each part ran: ``(part, start_ns, end_ns)`` (perf_counter), for the late ticks.
SPANS: list[tuple[str, int, int]] = []
#: Per live frame: its ms and how many lanes its snapshot built (-1: not known).
FRAME_BUILT: list[tuple[float, int]] = []
#: Per live frame: its now (``perf_counter_ns``), for the gaps between frames.
FRAME_AT: list[int] = []
#: Per live snapshot, by its now (``perf_counter_ns``): how many lanes it built (those whose
#: records changed since the last build; the rest kept or grown to now).
BUILT: dict[int, int] = {}
#: Every collection: ``(generation, start_ns, end_ns, cpu_ms, thread)``.
COLLECTIONS: list[tuple[int, int, int, float, str]] = []
_COLLECTING: dict[int, tuple[int, int]] = {}  # thread → its collection's start (wall, cpu)


def _note_collection(phase: str, info: dict[str, int]) -> None:
    """A ``gc.callbacks`` hook: every collection's span, its thread and its CPU."""
    me = threading.get_ident()
    if phase == "start":
        _COLLECTING[me] = (time.perf_counter_ns(), time.thread_time_ns())
        return
    wall, cpu = _COLLECTING.pop(me, (0, 0))
    if wall:
        name = threading.current_thread().name
        end = time.perf_counter_ns()
        cpu_ms = (time.thread_time_ns() - cpu) / 1e6
        COLLECTIONS.append((info["generation"], wall, end, cpu_ms, name))


#: With ``--where``: ``(perf_counter_ns, where)`` of the window's thread every 2 ms, where
#: is its innermost frame in our code (app/, simulator/) and the innermost of all.
SAMPLES: list[tuple[int, str]] = []


def _sample_main_thread(stop: threading.Event) -> None:
    """Note where the window's thread is every 2 ms (``sys._current_frames``): what held a
    late tick that neither a collection nor a timed part of our frame covers."""
    main = threading.main_thread().ident
    root = str(Path(__file__).resolve().parent.parent)
    while not stop.wait(0.002):
        frame = sys._current_frames().get(main)
        innermost, ours = None, None
        while frame is not None:
            code = frame.f_code
            innermost = innermost or f"{Path(code.co_filename).name}:{code.co_name}"
            if (
                ours is None
                and code.co_filename.startswith(root)
                and ".venv" not in code.co_filename
            ):
                path = Path(code.co_filename).relative_to(root)
                ours = f"{path}:{code.co_name}"
            frame = frame.f_back
        SAMPLES.append((time.perf_counter_ns(), f"{ours} ({innermost})"))


def _timed_snapshots() -> None:
    """Time each live snapshot into :data:`PARTS`: its wall time as the window's worker waits
    for it, the CPU that thread spent (receiving and applying the frame), and the CPU the
    site's process spent taking it (the site runs in a process of its own: ``SiteProcess``)."""
    from simulator.hosting.site_process import ProcessRun

    original = ProcessRun.snapshot

    def timed(self, now_ns=None):
        start, cpu = time.perf_counter(), time.thread_time()
        try:
            return original(self, now_ns)
        finally:
            end = time.perf_counter()
            lanes = getattr(getattr(self, "_records", None), "_lanes", None)
            if lanes is not None and now_ns is not None:
                BUILT[now_ns] = lanes.built
            SPANS.append(("the snapshot (worker)", int(start * 1e9), int(end * 1e9)))
            PARTS.setdefault("the snapshot of the probes", []).append((end - start) * 1000)
            PARTS.setdefault("   its own CPU time", []).append((time.thread_time() - cpu) * 1000)
            PARTS.setdefault("   in the site's process, CPU", []).append(self.snapshot_cpu_s * 1000)

    ProcessRun.snapshot = timed


def _timed_unpickling() -> None:
    """Time each message the site's process's reader unpickles (one C call holding the
    GIL throughout) into :data:`SPANS`, with its size."""
    import pickle
    import types

    from simulator.hosting.site_process import parent

    def loads(data, *args, **kwargs):
        start = time.perf_counter_ns()
        try:
            return pickle.loads(data, *args, **kwargs)
        finally:
            end = time.perf_counter_ns()
            SPANS.append((f"the reader unpickling {len(data) / 1e6:.1f} MB", start, end))
            PARTS.setdefault("the reader unpickling a message (holding the GIL)", []).append(
                (end - start) / 1e6
            )

    parent.pickle = types.SimpleNamespace(loads=loads, dumps=pickle.dumps)


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
            end = time.perf_counter()
            SPANS.append((part, int(start * 1e9), int(end * 1e9)))
            PARTS.setdefault(part, []).append((end - start) * 1000)
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


#: Ticks of the window's loop late by more than 100 ms: ``(stage, start_ns, end_ns)``.
LATE: list[tuple[str, int, int]] = []
LATE_MS = 100.0
#: Per late tick (as :data:`LATE`), each thread of this process's CPU and wait for a core in
#: it (ms; by the kernel's schedstat): ``{thread: (cpu_ms, runqueue_ms)}``.
LATE_THREADS: list[dict[str, tuple[float, float]]] = []
WINDOW = "the window's thread"
#: Every tick of each stage: ``(lag_ms, cpu_ms, waiting_for_a_core_ms)`` of the window's
#: thread in it. The lag less the wait for a core is what this process made of it, whatever
#: else the machine ran: its own CPU, and its sleep (the GIL another thread held; the X server).
OWN: dict[str, list[tuple[float, float, float]]] = {}
#: Ticks in which the window's thread slept this much longer than the 10 ms it asked for
#: (waiting for the GIL, or for Qt's own threads, or X), and :data:`ASLEEP_BY`: what each
#: kind of thread of this process did in them, ``{name: (cpu_ms, runqueue_ms, ticks)}``.
ASLEEP_MS = 20.0
ASLEEP_BY: dict[str, tuple[float, float, int]] = {}


def _threads_now() -> dict[int, tuple[int, int]]:
    """Each thread of this process: ``(cpu_ns, runqueue_ns)`` so far (``/proc``'s schedstat).
    A thread's wall time is its CPU, its wait for a core, and its sleep: for the window's
    thread in a late tick, the sleep is the GIL waited for (its loop would wake for the tick)."""
    times = {}
    for task in Path("/proc/self/task").iterdir():
        try:
            cpu, wait, _ = (task / "schedstat").read_text().split()
        except (OSError, ValueError):
            continue  # ended meanwhile
        times[int(task.name)] = (int(cpu), int(wait))
    return times


def _comm(tid: int) -> str:
    """A thread Python did not start, by the name it gave the kernel (Qt names its own)."""
    try:
        return (Path("/proc/self/task") / str(tid) / "comm").read_text().strip() + f" {tid}"
    except OSError:
        return f"thread {tid}"


def _by_thread(before: dict[int, tuple[int, int]], after: dict[int, tuple[int, int]]):
    """What each thread did between two :func:`_threads_now`, by its Python name."""
    names = {t.native_id: t.name for t in threading.enumerate()}
    names[threading.main_thread().native_id] = WINDOW
    spent = {}
    for tid, (cpu, wait) in after.items():
        was = before.get(tid, (0, 0))
        if cpu - was[0] > 1e6 or wait - was[1] > 1e6 or names.get(tid) == WINDOW:
            name = names.get(tid) or _comm(tid)
            spent[name] = ((cpu - was[0]) / 1e6, (wait - was[1]) / 1e6)
    return spent


async def _watch(
    window, out: Path | None, live_at: list[float]
) -> tuple[list[float], float, dict[str, float], float]:
    """The live frames (ms each), the worst tick lag (ms), the worst in each of
    :data:`STAGES`, and how long the lanes grew live (s: first frame to the last answer);
    the late ticks go to :data:`LATE`."""
    from app.session import Side

    frames: list[float] = []
    first_frame, answered_at = [0.0], [0.0]

    def framed(side, trace, now_ns) -> None:
        frames.append((time.perf_counter_ns() - now_ns) / 1e6)
        FRAME_BUILT.append((frames[-1], BUILT.get(now_ns, -1)))
        FRAME_AT.append(now_ns)
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
        threads = _threads_now()
        before = time.perf_counter()
        await asyncio.sleep(0.01)
        after = time.perf_counter()
        lag_ms = (after - before - 0.01) * 1000
        stage_lag[stage] = max(stage_lag[stage], lag_ms / 1000)
        now = _threads_now()
        mine = threading.main_thread().native_id
        (cpu0, wait0), (cpu1, wait1) = threads.get(mine, (0, 0)), now.get(mine, (0, 0))
        cpu, wait = cpu1 - cpu0, wait1 - wait0
        OWN.setdefault(stage, []).append((lag_ms, cpu / 1e6, wait / 1e6))
        if lag_ms > LATE_MS:
            LATE.append((stage, int(before * 1e9), int(after * 1e9)))
            LATE_THREADS.append(_by_thread(threads, now))
        if lag_ms - (cpu + wait) / 1e6 > ASLEEP_MS:
            for name, (cpu_ms, wait_ms) in _by_thread(threads, now).items():
                kind = name.rstrip("0123456789 ")
                was = ASLEEP_BY.get(kind, (0.0, 0.0, 0))
                ASLEEP_BY[kind] = (was[0] + cpu_ms, was[1] + wait_ms, was[2] + 1)

    while window.session.running or not frames:
        await tick(STAGES[1] if answered_at[0] else STAGES[0])
        if shots and time.perf_counter() - start >= shots[0]:
            shot = shots.pop(0)
            if out is not None:
                window.screen().grabWindow(0).save(str(out / f"live-{shot:g}s.png"))
    await window.wait_idle()
    ended = time.perf_counter()
    while time.perf_counter() - ended < 1.0:  # the finished run drawn and refined
        await tick(STAGES[2])
    if out is not None:
        window.screen().grabWindow(0).save(str(out / "done.png"))
    grew = (answered_at[0] or ended) - first_frame[0]
    lags = {stage: lag * 1000 for stage, lag in stage_lag.items()}
    return frames, max(lags.values()), lags, grew


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--io-ms", type=float, default=1000)
    parser.add_argument("--out", type=Path, default=None)  # none: no screenshots
    parser.add_argument("--live-at", default="5")
    parser.add_argument("--frames", action="store_true", help="each live frame on its line")
    parser.add_argument("--late", type=int, default=12, help="late ticks listed, worst first")
    parser.add_argument(
        "--where", action="store_true", help="sample the window's thread: where late ticks went"
    )
    args = parser.parse_args(argv)
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)

    import pyqtgraph as pg
    import qasync
    from PySide6.QtCore import QSettings

    from app.main import create_application
    from app.session import Session, Side
    from app.session.figures import Figures
    from app.widgets.timeline import QtTimeline
    from app.window.main_window import QtMainWindow
    from app.window.stage import Stage
    from simulator.scenario import Scenario

    _timed_snapshots()
    _timed_unpickling()
    _timed(Stage, "_on_run_progressed", "the timeline: layout and paint", cpu=True)
    # (a big run's frame is painted a turn after its layout: QtTimeline.repaint)
    _timed(QtTimeline, "_show_frame", "the timeline: its paint a turn later", cpu=True)
    _timed(Session, "_frame", "the window's thread: the frame drawn", cpu=True)
    _timed(Figures, "_on_run_progressed", "the figures (throttled)", cpu=True)
    _timed(Figures, "_prepare", "the figures prepared (the snapshot's thread)", cpu=True)
    _timed(pg.GraphicsView, "paintEvent", "the plots' paint (a later turn)")

    import gc

    gc.callbacks.append(_note_collection)
    sampling = threading.Event()
    if args.where:
        threading.Thread(target=_sample_main_thread, args=(sampling,), daemon=True).start()
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
    sampling.set()
    gc.callbacks.remove(_note_collection)
    print(f"{args.requests} requests, window {window.width()}×{window.height()}")
    run = window.session.runs[Side.A]
    if run is not None:  # what the window's frames may cost the site: its measured makespan
        print(f"the run's makespan: {run.summary.makespan_ms:.0f} ms")
    print(
        f"live frames: {len(frames)}, median {statistics.median(frames):.1f} ms,"
        f" p95 {statistics.quantiles(frames, n=20)[-1]:.1f} ms, worst {max(frames):.1f} ms"
        f" (load {load[0]:.1f} {load[1]:.1f} {load[2]:.1f})"
    )
    for part, times in PARTS.items():
        print(
            f"  of which {part}: median {statistics.median(times):.1f} ms, worst {max(times):.1f}"
        )
    slow = sorted(built for ms, built in FRAME_BUILT if ms > LATE_MS)
    quick = sorted(built for ms, built in FRAME_BUILT if ms <= LATE_MS)
    if slow and quick:
        print(
            f"  frames over {LATE_MS:.0f} ms: {len(slow)}, their snapshots building"
            f" {slow[0]}-{slow[-1]} lanes (median {statistics.median(slow):.0f}: the lanes whose"
            f" records changed since the frame before); the other {len(quick)} built"
            f" {quick[0]}-{quick[-1]} (median {statistics.median(quick):.0f})"
        )
    if args.frames and FRAME_AT:
        # A frame's cost grows with the lanes that changed since the one before, so with the
        # gap between them: the pace (``app.session.live``) sets the gap from the cost.
        print("  each frame: at s, gap ms from the one before, ms, lanes built")
        for k, (at, (ms, built)) in enumerate(zip(FRAME_AT, FRAME_BUILT, strict=True)):
            gap = (at - FRAME_AT[k - 1]) / 1e6 if k else 0.0
            print(f"    {(at - FRAME_AT[0]) / 1e9:6.2f} {gap:7.0f} {ms:7.1f} {built:6d}")
    print(f"worst lag of a 10 ms tick of the window's loop, the end included: {lag:.1f} ms")
    for stage, worst in lags.items():
        ticks = OWN.get(stage, [(0.0, 0.0, 0.0)])
        own = max(ticks, key=lambda t: t[0] - t[2])
        print(
            f"  {stage}: {worst:.1f} ms; less the window's thread's wait for a core (the"
            f" machine's load), at worst {own[0] - own[2]:.1f} ms (on a core {own[1]:.0f},"
            f" asleep {own[0] - own[1] - own[2]:.0f}); ticks late by over"
            f" {LATE_MS:.0f} ms so: {sum(t[0] - t[2] > LATE_MS for t in ticks)} of {len(ticks)}"
        )
        lags_ms = sorted(t[0] for t in ticks)
        asleep = sorted(t[0] - t[1] - t[2] for t in ticks)
        print(
            f"    a tick's lag: median {statistics.median(lags_ms):.1f} ms, 99th percentile"
            f" {lags_ms[len(lags_ms) * 99 // 100]:.1f}; the window's thread asleep in it beyond"
            f" the 10 ms (the GIL another thread held, X): 99th percentile"
            f" {asleep[len(asleep) * 99 // 100]:.1f} ms, over {ASLEEP_MS:.0f} ms in"
            f" {sum(a > ASLEEP_MS for a in asleep)} ticks"
        )
    print(
        f"ticks the window's thread slept over {ASLEEP_MS:.0f} ms beyond the 10 ms: what the"
        " other threads of its process did in them (CPU; waiting for a core), in all:"
    )
    for name, (cpu, wait, n) in sorted(ASLEEP_BY.items(), key=lambda kv: -kv[1][0] - kv[1][1]):
        if name != WINDOW:
            print(f"  {name}: in {n} ticks, CPU {cpu:.0f} ms, waiting for a core {wait:.0f} ms")
    print(
        f"frames while the lanes grew (first frame to the last answer, {grew:.1f} s):"
        f" one every {grew * 1000 / max(len(frames) - 1, 1):.0f} ms"
    )
    _print_late(args.late)
    return 0


def _overlap(start: int, end: int, spans: list[tuple[int, int]]) -> float:
    """How many ms of ``[start, end]`` the ``spans`` cover (their union)."""
    covered, cursor = 0, start
    for s, e in sorted(spans):
        s, e = max(s, cursor), min(e, end)
        if e > s:
            covered += e - s
            cursor = e
    return covered / 1e6


def _print_late(worst: int) -> None:
    """The ticks late by more than :data:`LATE_MS`, and what held each (module docstring)."""
    full = [c for c in COLLECTIONS if c[0] == 2]
    print(
        f"ticks late by over {LATE_MS:.0f} ms: {len(LATE)}; full collections in the run:"
        f" {len(full)}, wall {sum((c[2] - c[1]) / 1e6 for c in full):.0f} ms"
        f" (CPU {sum(c[3] for c in full):.0f}), median"
        f" {statistics.median([(c[2] - c[1]) / 1e6 for c in full]) if full else 0:.0f} ms;"
        f" by thread: {', '.join(sorted({c[4] for c in full}))}"
    )
    for generation in (0, 1, 2):
        these = [c for c in COLLECTIONS if c[0] == generation]
        if these:
            walls = [(c[2] - c[1]) / 1e6 for c in these]
            cpus = [c[3] for c in these]
            print(
                f"  generation {generation}: {len(these)} collections, worst {max(walls):.0f} ms"
                f" (CPU {max(cpus):.0f}), CPU in all {sum(cpus):.0f} ms; over 50 ms of CPU:"
                f" {sum(cpu > 50 for cpu in cpus)}"
            )
    totals = dict.fromkeys(("collections", "the window's drawing", "the worker's", "rest"), 0.0)
    rows = []
    mine = dict.fromkeys(("on a core", "waiting for a core", "asleep (the GIL, or X)"), 0.0)
    for (stage, start, end), threads in zip(LATE, LATE_THREADS, strict=True):
        lag = (end - start) / 1e6 - 10
        gcs = [c for c in COLLECTIONS if c[1] < end and c[2] > start]
        held = [(c[1], c[2]) for c in gcs]
        by_gc = _overlap(start, end, held)
        ours = [(part, s, e) for part, s, e in SPANS if s < end and e > start]
        # The window's thread drawing holds its loop itself; the worker only competes with
        # it for the GIL, as the site's threads do.
        drawing = [(s, e) for part, s, e in ours if not _on_worker(part)]
        by_drawing = _overlap(start, end, held + drawing) - by_gc
        worker = [(s, e) for part, s, e in ours if _on_worker(part)]
        by_worker = _overlap(start, end, held + drawing + worker) - by_gc - by_drawing
        rest = max(0.0, lag + 10 - by_gc - by_drawing - by_worker)
        for key, ms in zip(totals, (by_gc, by_drawing, by_worker, rest), strict=True):
            totals[key] += ms
        rows.append((lag, start, stage, gcs, ours, (by_gc, by_drawing, by_worker), threads))
        cpu, wait = threads.get(WINDOW, (0.0, 0.0))
        for key, ms in zip(mine, (cpu, wait, lag - cpu - wait), strict=True):
            mine[key] += ms
    if LATE:
        print(
            "  of their time: "
            + ", ".join(f"{name} {ms:.0f} ms" for name, ms in totals.items())
            + " (each part outside the ones before it; the worker's: its snapshot and"
            " figures, competing for the GIL; the rest: the window's thread at other work"
            " (--where says where), or the machine)"
        )
        print(
            "  the window's thread in them: "
            + ", ".join(f"{name} {ms:.0f} ms" for name, ms in mine.items())
            + " (the kernel's schedstat: waiting for a core is the machine's load)"
        )
    t0 = min((s for _, s, _ in SPANS), default=0)
    for lag, start, stage, gcs, ours, (by_gc, by_drawing, by_worker), threads in sorted(
        rows, key=lambda row: row[0], reverse=True
    )[:worst]:
        print(f"  late {lag:6.0f} ms at {(start - t0) / 1e9:5.1f} s ({stage[:22]}):")
        for gen, s, e, cpu, thread in gcs:
            if gen == 2 or (e - s) > 5e6:
                ms = (e - s) / 1e6
                print(f"      collection gen {gen} on {thread}: {ms:.0f} ms (CPU {cpu:.0f})")
        for part, s, e in ours:
            print(f"      {part}: {(e - s) / 1e6:.0f} ms")
        print(
            f"      covered: collections {by_gc:.0f} ms, the window's drawing {by_drawing:.0f},"
            f" the worker's {by_worker:.0f}"
        )
        for name, (cpu, wait) in sorted(threads.items(), key=lambda kv: -kv[1][0]):
            asleep = ""
            if name == WINDOW:
                asleep = f", asleep beyond 10 ms (the GIL, Qt, X) {lag - cpu - wait:.0f} ms"
            print(f"      {name}: CPU {cpu:.0f} ms, waiting for a core {wait:.0f} ms{asleep}")
        where = Counter(w for t, w in SAMPLES if start <= t <= start + (lag + 10) * 1e6)
        for place, count in where.most_common(6):
            print(f"      the window's thread in {place}: {count} samples (~{count * 2} ms)")


def _on_worker(part: str) -> bool:
    return part.startswith(("the snapshot", "the figures prepared", "the reader"))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
