"""SIGKILL of ``async-lanes`` at random moments with real servers: does anything outlive it?

    .venv/bin/python benchmarks/server_sigkill.py [kills per server, default 10]

For uvicorn and gunicorn with 1 and 4 worker processes, starts ``async-lanes run`` and kills
it outright (SIGKILL, which no handler sees) at a random moment from 0.2 s to 6 s in: during
start-up, the warm-ups or the run. Watches the servers it had started (its children running
``server_guard.py``, and their process groups) and prints, per server, how many processes
were still running 2 s after the kill (the issue's bound), the slowest time until none was,
and whether the next run started clean (exit 0, every server folder swept).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from simulator.hosting.real_servers import FOLDER_PREFIX, missing_server  # noqa: E402
from tests.simulator.test_server_leftovers import (  # noqa: E402
    running_in_group,
    server_groups_of,
)

SERVERS = [("uvicorn", 1), ("uvicorn", 4), ("gunicorn", 1), ("gunicorn", 4)]


def one_kill(mode: str, workers: int, folder: Path, rng: random.Random) -> tuple[int, float]:
    """Processes left 2 s after a kill at a random moment, and the time until none was."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(folder)}
    args = ["run", "--mode", mode, "--workers", str(workers), "--view", "sync_io"]
    cli = subprocess.Popen(
        [sys.executable, "-m", "app.launcher", *args, "--requests", "8", "--io-ms", "3000"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    groups: set[int] = set()
    kill_at = time.monotonic() + rng.uniform(0.2, 6.0)
    while time.monotonic() < kill_at and cli.poll() is None:
        groups |= server_groups_of(cli.pid)
        time.sleep(0.02)
    cli.send_signal(signal.SIGKILL)
    cli.wait(10)
    killed = time.monotonic()
    left_at_2s = None
    while time.monotonic() < killed + 10:
        running = [pid for group in groups for pid in running_in_group(group)]
        if time.monotonic() >= killed + 2 and left_at_2s is None:
            left_at_2s = len(running)
        if not running:
            return left_at_2s or 0, time.monotonic() - killed
        time.sleep(0.02)
    return left_at_2s or 0, float("inf")


def next_run_clean(mode: str, workers: int, folder: Path) -> bool:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(folder)}
    args = ["run", "--mode", mode, "--workers", str(workers), "--requests", "1", "--io-ms", "1"]
    done = subprocess.run(
        [sys.executable, "-m", "app.launcher", *args], env=env, cwd=ROOT, capture_output=True
    )
    return done.returncode == 0 and not list(folder.glob(FOLDER_PREFIX + "*"))


def main() -> None:
    kills = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    rng = random.Random(25)
    for mode, workers in SERVERS:
        if missing_server(mode):
            print(f"{mode}: not installed, skipped")
            continue
        with tempfile.TemporaryDirectory() as scratch:
            folder = Path(scratch)
            results = [one_kill(mode, workers, folder, rng) for _ in range(kills)]
            clean = next_run_clean(mode, workers, folder)
        left = sum(count for count, _ in results)
        slowest = max(seconds for _, seconds in results)
        print(
            f"{mode} ×{workers}: {kills} kills, {left} processes running 2 s after, "
            f"all gone within {slowest * 1000:.0f} ms, next run clean: {clean}"
        )


if __name__ == "__main__":
    main()
