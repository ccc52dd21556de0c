"""Soak: many runs in one process must not leak memory, threads or file descriptors.

Run with ``python benchmarks/soak.py``. It makes 100 consecutive runs with
``simulator.hosting.engine.run_scenario`` (a fixed, seeded mix of views, ASGI and WSGI with 1-4
workers, a few requests of 0-20 ms), and prints:

* resident memory (``VmRSS``) after the first 10 runs and at the end, and the growth;
* threads (``threading.active_count()`` and the kernel's ``Threads``) before and after each
  run, and the largest deviation from the baseline after a run;
* open file descriptors at the start and at the end;

then one verdict line per criterion.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import embedded_site  # noqa: E402

embedded_site.boot()

from simulator.hosting.engine import run_scenario  # noqa: E402
from simulator.scenario import Scenario  # noqa: E402

VIEWS = (
    "async_io",
    "sync_io",
    "async_blocking",
    "sync_orm",
    "async_orm",
    "async_httpx",
    "async_sync_orm_bug",
)
#: (mode, workers): ASGI, and WSGI with K = 1..4 threads.
SERVERS = (("asgi", 1), ("wsgi", 1), ("wsgi", 2), ("wsgi", 3), ("wsgi", 4))
#: Views whose requests fail on purpose; every other view must answer every request.
FAILING_VIEWS = {"async_sync_orm_bug"}

RSS_GROWTH_MAX_PCT = 10.0
THREADS_SETTLE_S = 2.0


def proc_status(field: str) -> int:
    """A number from ``/proc/self/status`` (``VmRSS`` is in kB)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def rss_kb() -> int:
    return proc_status("VmRSS")


def kernel_threads() -> int:
    return proc_status("Threads")


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def settled_threads(baseline: int, timeout_s: float) -> tuple[int, int]:
    """``(active_count, kernel Threads)`` once back at ``baseline``, or when time is up."""
    deadline = time.monotonic() + timeout_s
    while True:
        counts = threading.active_count(), kernel_threads()
        if max(counts) <= baseline or time.monotonic() >= deadline:
            return counts
        time.sleep(0.01)


def threads_after_run(baseline: int) -> tuple[tuple[int, int], tuple[int, int]]:
    """Threads after a run: as left (given 0.3 s to exit), and once garbage is collected.

    asgiref's ``AsyncToSync`` (an async view under WSGI) makes a one-thread executor per call
    and never shuts it down; its thread ends when the executor is freed. When the view raised,
    the exception's traceback holds that frame in a reference cycle, so the thread lives until
    the cyclic garbage collector runs. Such threads are garbage, not a leak; the verdict counts
    what is left after ``gc.collect()``.
    """
    left = settled_threads(baseline, 0.3)
    if max(left) <= baseline:
        return left, left
    gc.collect()
    return left, settled_threads(baseline, THREADS_SETTLE_S)


def mixed_scenarios(count: int, seed: int, max_requests: int = 20) -> list[Scenario]:
    """``count`` scenarios covering every view on every server, in a seeded order."""
    rng = random.Random(seed)
    combos = [(view, server) for view in VIEWS for server in SERVERS]
    scenarios = []
    for i in range(count):
        if i % len(combos) == 0:
            rng.shuffle(combos)
        view, (mode, workers) = combos[i % len(combos)]
        scenarios.append(
            Scenario(
                view=view,
                mode=mode,
                workers=workers,
                requests=rng.randint(1, max_requests),
                io_ms=rng.choice((0, 5, 10, 20)),
                cpu_ms=rng.choice((0, 0, 1)),
            )
        )
    return scenarios


@dataclass(slots=True)
class Sample:
    run: int
    label: str
    threads_before: tuple[int, int]
    threads_left: tuple[int, int]
    threads_after: tuple[int, int]
    seconds: float
    ok: int
    failed: int


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--verbose", action="store_true", help="one line per run")
    args = parser.parse_args(argv)

    scenarios = mixed_scenarios(args.runs, args.seed)
    gc.collect()
    fds_start = open_fds()
    baseline = (threading.active_count(), kernel_threads())
    print(f"Python {sys.version.split()[0]}; {args.runs} runs, seed {args.seed}")
    print(
        f"start: RSS {rss_kb() / 1024:.1f} MB, threads {baseline[0]} (kernel {baseline[1]}), "
        f"fds {fds_start}"
    )

    samples: list[Sample] = []
    rss_after_10: int | None = None
    wrong: list[str] = []
    started = time.perf_counter()
    for n, scenario in enumerate(scenarios, start=1):
        before = threading.active_count(), kernel_threads()
        t0 = time.perf_counter()
        run = run_scenario(scenario)
        seconds = time.perf_counter() - t0
        left, after = threads_after_run(max(baseline))
        s = run.summary
        samples.append(Sample(n, scenario.label, before, left, after, seconds, s.ok, s.failed))
        expected_ok = 0 if scenario.view in FAILING_VIEWS else scenario.requests
        if s.ok != expected_ok or s.ok + s.failed != scenario.requests:
            wrong.append(f"run {n} ({scenario.label}): {s.ok} ok, {s.failed} failed")
        if args.verbose:
            print(
                f"  {n:3d} {seconds:6.2f}s threads {before[0]}/{before[1]} -> "
                f"{left[0]}/{left[1]} (after gc {after[0]}/{after[1]})  "
                f"{s.ok} ok {s.failed} failed  {scenario.label}"
            )
        if n == min(10, args.runs):
            gc.collect()
            rss_after_10 = rss_kb()
            print(f"after run {n}: RSS {rss_after_10 / 1024:.1f} MB")
    elapsed = time.perf_counter() - started

    gc.collect()
    rss_end = rss_kb()
    fds_end = open_fds()
    growth = (rss_end / rss_after_10 - 1) * 100

    def deviation(counts: tuple[int, int]) -> int:
        return max(counts[0] - baseline[0], counts[1] - baseline[1])

    deviations = [deviation(x.threads_after) for x in samples]
    worst = max(samples, key=lambda x: deviation(x.threads_after))
    left_over = [x for x in samples if deviation(x.threads_left) > 0]
    peak_during = max(max(x.threads_before) for x in samples)

    print(
        f"end ({elapsed:.1f} s, {len(samples)} runs): RSS {rss_end / 1024:.1f} MB, "
        f"threads {threading.active_count()} (kernel {kernel_threads()}), fds {fds_end}"
    )
    print()
    print(f"{'criterion':<34} {'measured':<44} verdict")
    print(f"{'-' * 34} {'-' * 44} -------")

    def verdict(name: str, measured: str, ok: bool | None) -> None:
        print(f"{name:<34} {measured:<44} {'info' if ok is None else 'PASS' if ok else 'FAIL'}")

    verdict(
        f"RSS growth < {RSS_GROWTH_MAX_PCT:g}% after run 10",
        f"{rss_after_10 / 1024:.1f} -> {rss_end / 1024:.1f} MB ({growth:+.1f}%)",
        growth < RSS_GROWTH_MAX_PCT,
    )
    verdict(
        "threads back to baseline each run",
        f"baseline {baseline[0]}/{baseline[1]}, max deviation {max(deviations):+d}"
        + (f" (run {worst.run})" if max(deviations) > 0 else ""),
        max(deviations) <= 0,
    )
    verdict(
        "  (before gc.collect(), for info)",
        f"max deviation {max((deviation(x.threads_left) for x in samples), default=0):+d}, "
        f"in {len(left_over)} runs",
        None,
    )
    verdict(
        "fds not growing",
        f"{fds_start} -> {fds_end} ({fds_end - fds_start:+d})",
        fds_end <= fds_start,
    )
    verdict(
        "every run answered as expected",
        f"{len(samples) - len(wrong)}/{len(samples)} runs",
        not wrong,
    )
    print(
        f"(threads seen before a run: at most {peak_during}; "
        f"slowest run {max(x.seconds for x in samples):.2f} s)"
    )
    if left_over:
        views = sorted(
            {
                x.label.split(" · ")[0] + (" WSGI" if "WSGI" in x.label else " ASGI")
                for x in left_over
            }
        )
        print(f"(threads left for the garbage collector after: {', '.join(views)})")
    for line in wrong[:10]:
        print("  unexpected:", line)
    return (
        0
        if growth < RSS_GROWTH_MAX_PCT
        and max(deviations) <= 0
        and fds_end <= fds_start
        and not wrong
        else 1
    )


if __name__ == "__main__":
    sys.exit(main())
