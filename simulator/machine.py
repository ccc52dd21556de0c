"""How many cores this process may use, and how many are free right now, measured.

``os.cpu_count()`` says 2 on a 2-core machine whose other core is busy with someone else's
build, and counts cores a container's CPU affinity does not give this process. A lesson that
shows two worker processes beating one GIL needs both cores *free*, or its claim fails for a
reason that has nothing to do with Django. So a check first burns a little CPU in one
process, then in ``n`` processes at once, and reads the speed-up.
"""

from __future__ import annotations

import multiprocessing
import os
import time

__all__ = ["BURN_S", "FREE_ENOUGH", "usable_cores", "parallel_speedup"]

#: CPU each burner spends: long enough to outweigh starting a process, short enough to ask.
BURN_S = 0.2
#: A speed-up that counts as ``n`` free cores, as a share of ``n`` (1.7 of 2).
FREE_ENOUGH = 0.85
#: A burner that has not finished in this long is stuck (or starved): it is ended.
_JOIN_TIMEOUT_S = 20 * BURN_S


def usable_cores() -> int:
    """The cores this process may run on: its CPU affinity where the system has one."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def parallel_speedup(n: int = 2) -> float | None:
    """How many times the work ``n`` processes burn at once gets done faster than in one:
    about ``n`` when ``n`` cores are free, about 1 when another program holds all but one.
    ``None`` where it cannot be measured (no ``fork``, as on Windows; a burner that failed).

    The first round warms the machine up (frequency scaling, page cache) and is not read.
    """
    if n < 2:
        return 1.0
    # fork: a spawned interpreter would add its start-up to both sides of the ratio.
    if "fork" not in multiprocessing.get_all_start_methods():
        return None
    ctx = multiprocessing.get_context("fork")
    speedup = None
    for _ in range(2):  # the first round warms up; the second is read
        one, many = _wall(ctx, 1), _wall(ctx, n)
        if one is None or many is None:
            return None
        speedup = n * one / many
    return speedup


def _wall(ctx: multiprocessing.context.BaseContext, n: int) -> float | None:
    """Seconds until ``n`` burners started together have all finished (a stuck one ends at
    :data:`_JOIN_TIMEOUT_S`, which reads as a busy machine, never as a hang); ``None`` if
    one ended without burning (it failed: it ended at once, which reads as nothing)."""
    procs = [ctx.Process(target=_burn, args=(BURN_S,)) for _ in range(n)]  # type: ignore[attr-defined]
    started = time.perf_counter()
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(max(0.0, _JOIN_TIMEOUT_S - (time.perf_counter() - started)))
    stuck = [proc for proc in procs if proc.is_alive()]
    for proc in stuck:
        proc.kill()
        proc.join()
    if any(proc.exitcode != 0 for proc in procs if proc not in stuck):
        return None
    return time.perf_counter() - started


def _burn(seconds: float) -> None:
    """Spend ``seconds`` of this process's own CPU time (not wall time: a shared core shows)."""
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass
