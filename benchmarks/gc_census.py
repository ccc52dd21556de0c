"""What a full collection walks in the middle of a big in-process run, counted by owner.

Run with ``python benchmarks/gc_census.py`` (``--requests``, default 10,000 ``async_io`` ×
1000 ms; ``--at`` seconds after the first send, default 5; ``--every`` seconds between live
snapshots taken on a worker thread with the figures' columns, as the window takes them, 0
for none, as the command line runs). At ``--at`` it lists every object the collector
tracks (``gc.get_objects()``: what a full collection walks; frozen ones are in none) and
puts each under its owner: a container (list, dict, tuple, cell, context...) under the
first object that is not one found by walking its referrers up. Prints the count per owner:

- ours, that a served site's process would not hold: the client and its hand-over to the
  server (a real client is another process), the probes' records, the loop monitor's
  wrappers, the live snapshot's lanes;
- ours, in a real server's place: our ASGI server (uvicorn would hold its own);
- the site's: Django, asgiref, asyncio's tasks, futures and contexts for its requests;

then the 25 biggest kinds with their owner, and the full collections of the run (count,
CPU each, up to the last answer and after it), with the load. On a busy machine the
collections' wall time is mostly waiting for a core: read their CPU.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import gc
import os
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from simulator.hosting.engine import LiveRun  # noqa: E402
from simulator.scenario import Scenario  # noqa: E402
from simulator.trace.live_columns import LiveColumns  # noqa: E402

#: Every collection: ``(generation, cpu_ms, thread, perf_counter s)``.
COLLECTIONS: list[tuple[int, float, str, float]] = []
_STARTED: dict[int, int] = {}

#: Owners, by a word in the owner's description, first match wins.
OWNERS = (
    (
        "ours: the client and its hand-over (another process, served)",
        (
            "Driver",
            "SiteTransport",
            "Burst",
            "RequestRecord",
            "SiteRequest",
            "Answer",
            "SiteResponse",
            "driver.",
            "transport.",
        ),
    ),
    ("ours: the probes' records", ("instrumentation.", "waits.Clock")),
    ("ours: the loop monitor's wrappers", ("loop_monitor.",)),
    ("ours: the live snapshot's lanes", ("simulator.trace.", "live_lanes.", "live_holds.")),
    ("ours, in a real server's place: our ASGI server", ("AsgiServer", "servers.")),
)
SITES = "the site's: Django, asgiref, asyncio for its requests"
CONTAINERS = frozenset(
    {
        "dict",
        "list",
        "tuple",
        "set",
        "frozenset",
        "deque",
        "cell",
        "Context",
        "hamt",
        "hamt_bitmap_node",
        "ReferenceType",
        "Handle",
        "TimerHandle",
        "Future",
        "FutureIter",
        "TaskStepMethWrapper",
        "method",
        "builtin_function_or_method",
        "partial",
        "Token",
    }
)


def _note(phase: str, info: dict[str, int]) -> None:
    me = threading.get_ident()
    if phase == "start":
        _STARTED[me] = time.thread_time_ns()
    elif me in _STARTED:
        cpu = (time.thread_time_ns() - _STARTED.pop(me)) / 1e6
        name = threading.current_thread().name
        COLLECTIONS.append((info["generation"], cpu, name, time.perf_counter()))


def _describe(o: object) -> str:
    """What ``o`` is, with its code's name for functions, coroutines and tasks."""
    kind = type(o)
    name = kind.__name__
    if name == "function":
        return f"function {o.__module__}.{o.__qualname__}"  # type: ignore[attr-defined]
    if name == "coroutine":
        return f"coroutine {o.cr_code.co_qualname}"  # type: ignore[attr-defined]
    if name == "Task":
        coro = o.get_coro()  # type: ignore[attr-defined]
        return f"Task({getattr(coro, '__qualname__', type(coro).__name__)})"
    return f"{kind.__module__}.{kind.__qualname__}"


def census() -> None:
    objects = gc.get_objects()
    known = {id(o) for o in objects}
    parent: dict[int, object] = {}
    for o in objects:
        for r in gc.get_referents(o):
            if id(r) in known:
                parent.setdefault(id(r), o)

    def owner(o: object) -> str:
        here, hops = o, 0
        while type(here).__name__ in CONTAINERS and hops < 8:
            up = parent.get(id(here))
            if up is None:
                break
            here, hops = up, hops + 1
        return _describe(here)

    kinds: collections.Counter[tuple[str, str]] = collections.Counter()
    for o in objects:
        kinds[(type(o).__name__, owner(o))] += 1
    by_owner: collections.Counter[str] = collections.Counter()
    for (_, whose), count in kinds.items():
        by_owner[_owner_of(whose)] += count
    print(f"tracked {len(objects):,} (frozen, not walked: {gc.get_freeze_count():,}); by owner:")
    for whose, count in by_owner.most_common():
        print(f"  {count:9,}  {count / len(objects):4.0%}  {whose}")
    print("the biggest kinds (kind, owner):")
    for (kind, whose), count in kinds.most_common(25):
        print(f"  {count:9,}  {kind:22} {whose}")


def _owner_of(description: str) -> str:
    for whose, words in OWNERS:
        if any(word in description for word in words):
            return whose
    return SITES


async def _run(requests: int, at: float, every: float) -> float:
    live = LiveRun(Scenario(view="async_io", requests=requests, io_ms=1000))
    task = asyncio.ensure_future(live.run())
    columns = LiveColumns()
    done = threading.Event()

    def watch() -> None:
        while not live.started and not done.is_set():
            time.sleep(0.02)
        start, counted = time.perf_counter(), False
        while not done.is_set():
            if every:
                columns.fill(live.snapshot(time.perf_counter_ns()))
            if not counted and time.perf_counter() - start >= at:
                counted = True
                census()
            time.sleep(every or 0.05)

    watcher = threading.Thread(target=watch, name="census", daemon=True)
    watcher.start()
    await live.answered()
    answered = time.perf_counter()
    done.set()
    await task
    watcher.join()
    return answered


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--at", type=float, default=5.0)
    parser.add_argument("--every", type=float, default=1.0)
    args = parser.parse_args()
    print(f"load {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    gc.callbacks.append(_note)
    answered = asyncio.run(_run(args.requests, args.at, args.every))
    gc.callbacks.remove(_note)
    full = [c for c in COLLECTIONS if c[0] == 2]
    for label, these in (
        ("up to the last answer", [c for c in full if c[3] <= answered]),
        ("after it (Django tidying)", [c for c in full if c[3] > answered]),
    ):
        cpus = ", ".join(f"{cpu:.0f}" for _, cpu, _, _ in these)
        print(
            f"full collections {label}: {len(these)}, CPU {sum(c[1] for c in these):.0f} ms"
            f" in all; each (ms): {cpus}"
        )
    print(f"load {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
