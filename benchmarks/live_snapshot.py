"""The CPU a live frame's snapshot costs, in the site's process and in the window's, on the
same records every time.

render.py's "1,000 lanes live" snapshot is measured as the window takes it: from asking to
having it, through the site's process, whose GIL the site's busy loop holds 5 ms at a time
and whose full collections land where they land. Those figures move with the machine's
load and with how the run went (how many frames fell in its busiest half second). This
one does not: it runs render.py's live scenario once in this process (1,000 ``async_io``
requests × 300 ms, arriving every 0.5 ms, a frame every 33 ms, each taken as the site's
process takes it), keeps what every probe had recorded at each frame, then replays those
frames as the two processes take them, the collector off, and prints per frame each side's
CPU time (median, mean, 95th percentile, worst: the least of ``--repeat`` replays), the
lanes built, and how many frames differ from a build from scratch (0, or the code is wrong).
Since the site's process sends what its probes recorded (``site_process/record_wire.py``):
the site's side is :class:`~simulator.hosting.site_process.record_wire.RecordSender`'s
frame, pickled; the window's, the frame unpickled, taken by a
:class:`~simulator.hosting.site_process.record_wire.RecordMirror` and its lanes built. On
older code (``--load`` on another tree): the site's side is
:class:`~simulator.hosting.live_lanes.LiveLanes` and the wire's ``LaneSender``, the window's
a ``LaneMirror`` applying the frame.

``--save FILE`` keeps the captured frames and ``--load FILE`` replays them instead of
running the site, so two versions of the code can be timed on the same records in the same
minutes (``PYTHONPATH=<other tree> .venv/bin/python benchmarks/live_snapshot.py --load F``).

``--requests``, ``--io-ms``, ``--arrival-ms`` and ``--frame-ms`` capture another run: e.g.
``--requests 10000 --io-ms 1000 --arrival-ms 0 --frame-ms 700`` is ``live_window.py``'s
10,000-request run, frames as often as its window took them (a frame whose snapshot takes
longer than the gap comes late, as there). Replaying it checks every frame against a build
from scratch, which at 10,000 lanes takes a while (``--no-check`` skips it).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import inspect
import os
import pickle
import statistics
import threading
import time
from typing import Any

from embedded_site.instrumentation import RequestProbe
from simulator.hosting.driver import RequestRecord
from simulator.hosting.engine import LiveRun
from simulator.hosting.live_lanes import LiveLanes, from_scratch
from simulator.hosting.site_process.wire import LaneMirror, LaneSender

try:  # the site sends its probes' records, the window builds the lanes (older code: not)
    from simulator.hosting.live_lanes import LiveRecords
    from simulator.hosting.site_process.record_wire import RecordMirror, RecordSender
except ImportError:
    LiveRecords = RecordSender = RecordMirror = None  # type: ignore[assignment,misc]
from simulator.scenario import Scenario
from simulator.trace import Trace

SCENARIO = Scenario(view="async_io", requests=1000, io_ms=300, arrival_ms=0.5)
FRAME_S = 0.033


def capture(scenario: Scenario = SCENARIO, frame_s: float = FRAME_S) -> tuple[list[Any], list[Any]]:
    """Run the scenario with a frame every ``frame_s``: what each probe held at each frame."""
    frames: list[Any] = []
    live = LiveRun(scenario)

    def take(stop: threading.Event) -> None:
        while not stop.is_set():
            time.sleep(frame_s)
            if not live.started:
                continue
            now = time.perf_counter_ns()
            assert live._driver is not None and live._server is not None
            state = []
            for r in list(live._driver.records):
                p = r.probe
                state.append(
                    (p.version, p.sent_ns, p.picked_ns, p.picked_thread, p.picked_clock,
                     p.responded_ns, p.finished_ns, len(p.segments), len(p.marks),
                     dict(p.open_segments), len(p.db_events), len(p.loop_steps), p.error,
                     r.status, r.status_code, r.error, r.done_ns)
                )  # fmt: skip
            frames.append((now, live._server.loop_thread, state))
            live.snapshot(now)  # as the site's process takes it: the same load on the site

    async def run() -> None:
        stop = threading.Event()
        taker = threading.Thread(target=take, args=(stop,))
        taker.start()
        try:
            await live.run()
        finally:
            stop.set()
            taker.join()

    asyncio.run(run())
    assert live._driver is not None
    records = [
        (p.request_id, p.view, list(p.segments), list(p.marks), list(p.db_events),
         list(p.loop_steps))
        for p in (r.probe for r in live._driver.records)
    ]  # fmt: skip
    return frames, records


def replay(
    frames: list[Any], records: list[Any], check: bool
) -> tuple[list[float], int, int, list[float], list[float], list[int]]:
    """Each frame's CPU in the site's process (its snapshot and frame, pickled), the lanes
    built, the frames that were wrong, each frame's CPU in the window's (unpickled,
    applied, and where the site sends its probes' records, the lanes built), and of it
    :meth:`LiveLanes.update`'s alone (the lanes' bookkeeping and builds) with the lanes it
    built."""
    updates: list[float] = []
    original = LiveLanes.update

    def timed(self: LiveLanes, *args: Any, **kwargs: Any) -> Any:
        start = time.thread_time()
        try:
            return original(self, *args, **kwargs)
        finally:
            updates.append((time.thread_time() - start) * 1000)

    LiveLanes.update = timed  # type: ignore[method-assign]
    try:
        return _replay(frames, records, check, updates)
    finally:
        LiveLanes.update = original  # type: ignore[method-assign]


def _replay(
    frames: list[Any], records: list[Any], check: bool, updates: list[float]
) -> tuple[list[float], int, int, list[float], list[float], list[int]]:
    lazy = "grown" in inspect.signature(LiveLanes.update).parameters  # (older code: not)
    probes: list[RequestRecord] = []
    lanes_of = LiveLanes(frames[0][1])
    sender, mirror = LaneSender(), LaneMirror()
    by_records = RecordSender is not None and LiveRecords is not None  # (older code: not)
    if by_records:
        records_sent, records_got = RecordSender(), RecordMirror()
    cpus: list[float] = []
    windows: list[float] = []
    built = wrong = 0
    update_cpu: list[float] = []
    built_each: list[int] = []
    for now, loop_thread, state in frames:
        for i, st in enumerate(state):
            rid, view, segments, marks, db_events, steps = records[i]
            if i == len(probes):
                probes.append(RequestRecord(RequestProbe(rid, view, st[1])))
            record = probes[i]
            p = record.probe
            (version, p.sent_ns, p.picked_ns, p.picked_thread, p.picked_clock, p.responded_ns,
             p.finished_ns, n_seg, n_marks, p.open_segments, n_db, n_steps, p.error,
             record.status, record.status_code, record.error, record.done_ns) = st  # fmt: skip
            if p.version != version:
                p.segments, p.marks = segments[:n_seg], marks[:n_marks]
                p.db_events, p.loop_steps = db_events[:n_db], steps[:n_steps]
                p.open_segments, p.version = dict(p.open_segments), version
        now_records = probes[: len(state)]
        updates.clear()
        gc.disable()
        cpu = time.thread_time()
        if by_records:
            live = LiveRecords(now, 0, now_records, loop_thread, [], None)
            data = pickle.dumps(records_sent.frame(live))
        elif lazy:
            grown: list[tuple[int, int]] = []
            lanes = lanes_of.update(now_records, now, grown=grown)
            data = pickle.dumps(sender.frame(Trace(t0_ns=0, lanes=lanes), grown))
        else:
            lanes = lanes_of.update(now_records, now)
            data = pickle.dumps(sender.frame(Trace(t0_ns=0, lanes=lanes)))
        cpus.append((time.thread_time() - cpu) * 1000)
        cpu = time.thread_time()
        if by_records:
            records_got.take(pickle.loads(data))
            trace = records_got.trace()
            assert trace is not None and records_got._lanes is not None
            built_each.append(records_got._lanes.built)
        else:
            trace = mirror.apply(pickle.loads(data))
            built_each.append(lanes_of.built)
        windows.append((time.thread_time() - cpu) * 1000)
        built += built_each[-1]
        update_cpu.append(sum(updates))
        gc.enable()
        if check:
            wrong += trace.lanes != from_scratch(now_records, now, loop_thread)
    return cpus, built, wrong, windows, update_cpu, built_each


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--save", help="keep the captured frames in this file")
    parser.add_argument("--load", help="replay the frames kept in this file")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--requests", type=int, default=SCENARIO.requests)
    parser.add_argument("--io-ms", type=float, default=SCENARIO.io_ms)
    parser.add_argument("--arrival-ms", type=float, default=SCENARIO.arrival_ms)
    parser.add_argument("--frame-ms", type=float, default=FRAME_S * 1000)
    parser.add_argument("--no-check", action="store_true", help="no build from scratch")
    args = parser.parse_args()
    scenario = Scenario(
        view="async_io", requests=args.requests, io_ms=args.io_ms, arrival_ms=args.arrival_ms
    )
    if args.load:
        with open(args.load, "rb") as file:
            frames, records = pickle.load(file)
    else:
        print(f"Capturing: {scenario.requests} async_io × {scenario.io_ms:.0f} ms, arriving"
              f" every {scenario.arrival_ms} ms, a frame every {args.frame_ms:.0f} ms...",
              flush=True)  # fmt: skip
        frames, records = capture(scenario, args.frame_ms / 1000)
        if args.save:
            with open(args.save, "wb") as file:
                pickle.dump((frames, records), file)
    runs = [replay(frames, records, check=k == 0 and not args.no_check) for k in range(args.repeat)]
    cpus = [min(run[0][k] for run in runs) for k in range(len(frames))]
    windows = [min(run[3][k] for run in runs) for k in range(len(frames))]
    both = [a + b for a, b in zip(cpus, windows, strict=True)]
    print(f"load average {' '.join(f'{load:.2f}' for load in os.getloadavg())}")
    print(f"{'frames':44} {len(frames):8d}")
    for label, figures in (
        ("the site's process: snapshot + frame CPU", cpus),
        ("the window's: frame applied (lanes built) CPU", windows),
        ("both", both),
    ):
        p95 = statistics.quantiles(figures, n=20)[-1]
        print(f"{label + ', median ms':52} {statistics.median(figures):8.2f}")
        print(f"{'   mean':52} {statistics.mean(figures):8.2f}")
        print(f"{'   95th percentile':52} {p95:8.2f}")
        print(f"{'   worst':52} {max(figures):8.2f}")
    updates = [min(run[4][k] for run in runs) for k in range(len(frames))]
    built_each = runs[0][5]
    p95 = statistics.quantiles(updates, n=20)[-1]
    print(f"{'the lanes (LiveLanes.update) CPU, median ms':52} {statistics.median(updates):8.2f}")
    print(f"{'   95th percentile':52} {p95:8.2f}")
    print(f"{'   worst':52} {max(updates):8.2f}")
    print(f"{'lanes built, a frame':52} {runs[0][1] / len(frames):8.1f}")
    print(f"{'   worst':52} {max(built_each):8d}")
    # (What a lane built costs, bookkeeping included, where most of a frame's CPU is builds.)
    busy = [k for k in range(len(frames)) if built_each[k] >= 100]
    if busy:
        per = sum(updates[k] for k in busy) * 1000 / sum(built_each[k] for k in busy)
        print(f"{'µs per lane built (frames building 100 or more)':52} {per:8.1f}")
    unlike = "not checked" if args.no_check else f"{runs[0][2]:8d}"
    print(f"{'frames unlike a build from scratch':52} {unlike}")


if __name__ == "__main__":
    main()
