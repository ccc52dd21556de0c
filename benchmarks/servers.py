"""The app's client against ``hey`` on the same real servers: does the app measure the site,
or itself?

Run with ``python benchmarks/servers.py`` (needs the ``servers`` extra; ``hey`` from
``apt-get install hey`` for the comparison). For each row it starts one real server (uvicorn,
gunicorn, or a fresh ``django-admin startproject`` site for ``--url``), then alternates the
app's run (``run_scenario``, the same code as ``async-lanes run``) and ``hey -n N -c N`` against
that server ``--repeats`` times, and prints the median makespans, their ratio (app / hey), the
server's own span (``server_span_ms``, from Server-Timing) and the client's CPU time. Without
hey it says so and prints the app's rows alone: never the app's client against itself.
Another program busy on the machine moves every figure: the load average is printed first.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from simulator.hosting.engine import run_scenario  # noqa: E402
from simulator.hosting.real_servers import RealServer  # noqa: E402
from simulator.hosting.socket_run import request_url  # noqa: E402
from simulator.scenario import Scenario  # noqa: E402
from tests.simulator.fresh_site import OUR_MIDDLEWARE, make_site, served  # noqa: E402

ROWS: list[tuple[str, Scenario]] = [
    *(
        (
            f"uvicorn async_io x 500 ms, {n}",
            Scenario(view="async_io", mode="uvicorn", requests=n, io_ms=500, cpu_ms=0),
        )
        for n in (20, 200, 1000)
    ),
    *(
        (
            f"gunicorn 2 proc sync_io x 100 ms, {n}",
            Scenario(view="sync_io", mode="gunicorn", workers=2, requests=n, io_ms=100),
        )
        for n in (8, 20)
    ),
    *(
        (
            f"gunicorn 2 proc 50 ms CPU, {n}",
            Scenario(view="sync_io", mode="gunicorn", workers=2, requests=n, io_ms=0, cpu_ms=50),
        )
        for n in (10,)
    ),
]
#: ``--url`` rows: a fresh startproject site under gunicorn (its ``/slow/`` sleeps 100 ms).
URL_ROWS = (20, 200)


def _hey_ms(url: str, requests: int) -> float | None:
    """hey's total for ``requests`` GETs, all at once; ``None`` if it failed."""
    done = subprocess.run(
        ["hey", "-n", str(requests), "-c", str(requests), "-disable-compression", url],
        capture_output=True,
        text=True,
        timeout=300,
    )
    found = re.search(r"Total:\s+([\d.]+) secs", done.stdout)
    return float(found.group(1)) * 1000 if found else None


@contextmanager
def _lesson_server(scenario: Scenario) -> Iterator[str]:
    server = RealServer(scenario, None)
    server.start()
    try:
        asyncio.run(server.wait_ready())
        yield request_url(scenario, server.base_url)
    finally:
        server.stop()


def _row(
    what: str, scenario: Scenario, url: str, repeats: int, hey: bool
) -> tuple[str, list[float], list[float], list[float], list[float]]:
    app, heys, spans, cpus = [], [], [], []
    for _ in range(repeats):
        run = run_scenario(dataclasses.replace(scenario, url=url, mode="asgi", workers=1))
        app.append(run.summary.makespan_ms)
        spans.append(run.summary.server_span_ms or float("nan"))
        cpus.append(run.summary.client_cpu_ms or float("nan"))
        if hey:
            value = _hey_ms(url, scenario.requests)
            if value is not None:
                heys.append(value)
    return what, app, heys, spans, cpus


def _print(row: tuple[str, list[float], list[float], list[float], list[float]]) -> None:
    what, app, heys, spans, cpus = row
    med: Callable[[list[float]], float] = statistics.median
    line = f"  {what:<38} app {med(app):7.0f} ms"
    if heys:
        line += f"   hey {med(heys):7.0f} ms   x{med(app) / med(heys):.2f}"
    line += f"   server span {med(spans):7.0f} ms   client CPU {med(cpus):6.0f} ms"
    print(line, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--only", default="", help="rows whose name holds this text")
    args = parser.parse_args()
    hey = shutil.which("hey") is not None
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"cores: {os.cpu_count()}, load average (1 min): {load:.2f}; medians of {args.repeats}")
    if not hey:
        print("hey is not installed (apt-get install hey): the app's rows alone, no comparison")
    for what, scenario in ROWS:
        if args.only in what:
            with _lesson_server(scenario) as url:
                _print(_row(what, scenario, url, args.repeats, hey))
    if not any(args.only in f"--url startproject /slow/ gunicorn, {n}" for n in URL_ROWS):
        return
    with tempfile.TemporaryDirectory() as folder:
        site = make_site(Path(folder) / "site", extra_settings=OUR_MIDDLEWARE)
        with served(site, "gunicorn") as port:
            for n in URL_ROWS:
                what = f"--url startproject /slow/ gunicorn, {n}"
                if args.only in what:
                    scenario = Scenario(requests=n)
                    url = f"http://127.0.0.1:{port}/slow/"
                    _print(_row(what, scenario, url, args.repeats, hey))


if __name__ == "__main__":
    main()
