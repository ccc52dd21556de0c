"""How long Stop takes in each state a run can be in; the issue's bound is 1 s.

    .venv/bin/python benchmarks/stop.py [--exit-only] [--repeat N]

Each state is a scenario stopped a little after it started (in one process, as the window
does): waiting to send (arrivals 10 s apart), warming up (against an upstream that trickles
a byte a second), with CPU queued behind one WSGI worker, with CPU on the site's loop, and
with views in ``time.sleep`` on threads. Prints the time from ``stop()`` to the run returned.

Then the command line: ``async-lanes run --requests 3000 --io-ms 100 --json F`` sent SIGINT
5 s in (in-process ASGI with an async and a sync view, uvicorn x2, gunicorn x2, ``--url`` to
a startproject site under uvicorn); prints the median, least and most time from the signal
to the process gone over ``--repeat`` runs, whether ``F`` held every request sent, and the
load average beside (the machine is shared: read the figures with it).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import embedded_site  # noqa: E402
from simulator.hosting.engine import LiveRun  # noqa: E402
from simulator.scenario import Scenario  # noqa: E402
from tests.children import SIGNALLED  # noqa: E402
from tests.hostile.upstreams import trickling  # noqa: E402
from tests.simulator.fresh_site import PY, ROOT, make_site, served  # noqa: E402

STATES = {
    "waiting to send": dict(requests=3, io_ms=1, arrival_ms=10_000),
    "queued CPU (WSGI, 1 worker)": dict(
        view="sync_io", mode="wsgi", workers=1, requests=3, io_ms=0, cpu_ms=5000
    ),
    "CPU on the loop": dict(view="async_io", requests=3, io_ms=0, cpu_ms=5000),
    "views in time.sleep (ASGI threads)": dict(view="sync_io", requests=20, io_ms=9000),
    "views in time.sleep (WSGI, 4 workers)": dict(
        view="sync_io", mode="wsgi", workers=4, requests=20, io_ms=9000
    ),
}


async def stop_after(scenario: Scenario, after_s: float) -> float:
    live = LiveRun(scenario)
    task = asyncio.ensure_future(live.run())
    await asyncio.sleep(after_s)
    start = time.perf_counter()
    live.stop()
    await task
    return time.perf_counter() - start


#: The command line's runs of thousands, stopped: dials beside ``--requests 3000``.
EXITS = {
    "in-process ASGI, async_io": ["--view", "async_io", "--mode", "asgi", "--io-ms", "100"],
    "in-process ASGI, sync_io": ["--view", "sync_io", "--mode", "asgi", "--io-ms", "100"],
    "uvicorn x2": ["--mode", "uvicorn", "--workers", "2", "--io-ms", "100"],
    "gunicorn x2": ["--mode", "gunicorn", "--workers", "2", "--io-ms", "100"],
    "--url (startproject on uvicorn)": ["--url", "{site}/aslow/"],
}
#: Ctrl+C this long after the command started.
SIGNAL_AFTER_S = 5.0


def interrupted(dials: list[str], out: Path) -> tuple[float, str]:
    """Seconds from SIGINT to the process gone, and what ``out`` held."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    argv = [PY, "-m", "app.launcher", "run", "--requests", "3000", *dials, "--json", str(out)]
    child = subprocess.Popen(  # type: ignore[call-overload]
        argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **SIGNALLED
    )
    time.sleep(SIGNAL_AFTER_S)
    pressed = time.monotonic()
    child.send_signal(signal.SIGINT)
    try:
        _, err = child.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()
        return float("inf"), "still running 60 s after SIGINT (killed)"
    took = time.monotonic() - pressed
    try:
        data = json.loads(out.read_text())
    except (OSError, ValueError) as exc:
        return took, f"exit {child.returncode}, no file ({exc}); {err.strip()[-120:]!r}"
    summary = data["summary"]
    whole = summary["requests"] == len(data["requests"])
    return took, (
        f"exit {child.returncode}, {summary['requests']} requests ({summary['ok']} ok, "
        f"{summary['cancelled']} cancelled){'' if whole else ' NOT WHOLE'}"
    )


@contextlib.contextmanager
def a_site(folder: Path) -> Iterator[str]:
    with served(make_site(folder), "uvicorn") as port:
        yield f"http://127.0.0.1:{port}"


def exits(repeat: int) -> None:
    print(f"\nCommand line, SIGINT {SIGNAL_AFTER_S:g} s into 3,000 requests (median of {repeat})")
    with tempfile.TemporaryDirectory() as folder, a_site(Path(folder) / "site") as site:
        for name, dials in EXITS.items():
            load = os.getloadavg()[0]
            results = [
                interrupted([d.format(site=site) for d in dials], Path(folder) / "run.json")
                for _ in range(repeat)
            ]
            times = [took for took, _ in results]
            print(
                f"{name:<34} {statistics.median(times) * 1000:6.0f} ms  "
                f"(least {min(times) * 1000:.0f}, most {max(times) * 1000:.0f}; "
                f"load {load:.1f} -> {os.getloadavg()[0]:.1f})  {results[-1][1]}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--exit-only", action="store_true", help="only the command line's")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each (default 5)")
    args = parser.parse_args()
    if not args.exit_only:
        stops()
    exits(args.repeat)


def stops() -> None:
    embedded_site.boot()
    worst = 0.0
    for name, dials in STATES.items():
        took = asyncio.run(stop_after(Scenario(**dials), 1.0))
        worst = max(worst, took)
        print(f"{name:<40} {took * 1000:7.0f} ms")
    with trickling() as url:
        scenario = Scenario(view="sync_httpx", requests=2, upstream_url=url)
        took = asyncio.run(stop_after(scenario, 1.0))
    worst = max(worst, took)
    print(f"{'warming up (a trickling upstream)':<40} {took * 1000:7.0f} ms")
    print(f"{'worst':<40} {worst * 1000:7.0f} ms  (bound: 1000 ms)")


if __name__ == "__main__":
    main()
