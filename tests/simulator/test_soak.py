"""Many runs in one process (the window's life) leave no threads, descriptors or memory behind.

A short version of ``benchmarks/soak.py``.
"""

from __future__ import annotations

import gc
import os
import threading
import time
from pathlib import Path

import pytest

from simulator.hosting.engine import run_scenario
from simulator.scenario import Scenario

pytestmark = pytest.mark.slow

#: (view, mode, workers, requests, io_ms): every kind of view, ASGI and WSGI with 1-4 threads.
MIX = [
    ("async_io", "asgi", 1, 6, 10),
    ("sync_io", "wsgi", 2, 6, 10),
    ("async_blocking", "asgi", 1, 3, 5),
    ("sync_orm", "wsgi", 3, 5, 5),
    ("async_orm", "asgi", 1, 5, 5),
    ("async_httpx", "asgi", 1, 4, 10),
    ("async_sync_orm_bug", "wsgi", 4, 4, 0),
    ("sync_io", "asgi", 1, 6, 10),
    ("async_io", "wsgi", 4, 6, 10),
    ("async_httpx", "wsgi", 2, 4, 10),
    ("async_orm", "wsgi", 1, 3, 5),
    ("async_sync_orm_bug", "asgi", 1, 4, 0),
    ("sync_orm", "asgi", 1, 5, 5),
    ("async_blocking", "wsgi", 3, 3, 5),
    ("async_sync_orm_bug", "wsgi", 2, 4, 0),
]


def _status(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def _threads() -> tuple[int, int]:
    return threading.active_count(), _status("Threads")


def _fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def _threads_back_to(baseline: tuple[int, int], timeout_s: float = 2.0) -> tuple[int, int]:
    """Poll until the thread counts are back at ``baseline``; the counts when it gave up.

    Garbage is collected while waiting: asgiref's ``AsyncToSync`` gives each async view under
    WSGI a one-thread executor it never shuts down, and when the view raised, a reference
    cycle through the traceback keeps that executor (and its idle thread) until the cyclic
    collector runs. A thread that outlives ``gc.collect()`` is a real leak.
    """
    deadline = time.monotonic() + timeout_s
    while True:
        counts = _threads()
        if counts[0] <= baseline[0] and counts[1] <= baseline[1]:
            return counts
        if time.monotonic() >= deadline:
            return counts
        gc.collect()
        time.sleep(0.01)


def test_mixed_runs_leave_no_threads_descriptors_or_memory_behind():
    gc.collect()
    baseline = _threads_back_to(_threads(), timeout_s=0)  # whatever earlier tests left
    fds_start = _fds()
    rss_kb: dict[int, int] = {}
    left_behind = []
    for n, (view, mode, workers, requests, io_ms) in enumerate(MIX, start=1):
        scenario = Scenario(view=view, mode=mode, workers=workers, requests=requests, io_ms=io_ms)
        result = run_scenario(scenario)
        expected_ok = 0 if view == "async_sync_orm_bug" else requests
        assert (result.summary.ok, result.summary.failed) == (
            expected_ok,
            requests - expected_ok,
        ), scenario.label
        after = _threads_back_to(baseline)
        if after[0] > baseline[0] or after[1] > baseline[1]:
            names = sorted(t.name for t in threading.enumerate())
            left_behind.append((n, scenario.label, after, names))
        gc.collect()
        rss_kb[n] = _status("VmRSS")

    assert left_behind == [], f"threads still running after runs (baseline {baseline})"
    assert _fds() - fds_start <= 3, (fds_start, sorted(os.listdir("/proc/self/fd")))
    growth = rss_kb[len(MIX)] / rss_kb[5] - 1
    assert growth < 0.25, f"RSS grew {growth:.0%} from run 5 to run {len(MIX)}: {rss_kb}"
