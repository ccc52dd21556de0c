"""Runs of thousands on real servers, ``--url`` and in-process ASGI: they finish, and Ctrl+C
ends them within about a second with what was measured written.

The child's SIGINT handling is set by the test itself (the default action, whatever the
parent of the test run ignores), so the app's own handler is what answers it.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from simulator.hosting.socket_driver import MAX_CONNECTIONS
from simulator.server_extra import missing_server
from tests.children import files_at_least, threads_at_least
from tests.simulator.fresh_site import PY, ROOT, cli, make_site, served

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        missing_server("uvicorn") is not None or missing_server("gunicorn") is not None,
        reason="the servers extra (uvicorn, gunicorn) is not installed",
    ),
]

#: Ctrl+C to exit: a second, with room for a machine busy with another process.
STOP_BOUND_S = 1.0
BUSY_ROOM = 1.5


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


#: Whether a child is far enough into its run (``None``: the system does not say).
Ready = Callable[[int], "bool | None"]


def _all_in_flight_in_process(pid: int) -> bool | None:
    """3,000 requests in process: asgiref's thread each, beside the main one and the loop."""
    return threads_at_least(pid, 3000 + 2)


def _all_connections_in_flight(pid: int) -> bool | None:
    """Over sockets: every connection the client may open is open."""
    return files_at_least(pid, MAX_CONNECTIONS)


def _wait_for(child: subprocess.Popen[str], ready: Ready | None, after_s: float) -> None:
    """Until ``ready(child's pid)`` (a minute at most), or ``after_s`` where none is given
    or the system does not say."""
    started = time.monotonic()
    while ready is not None and child.poll() is None and time.monotonic() - started < 60:
        found = ready(child.pid)
        if found:
            return
        if found is None:
            break
        time.sleep(0.02)
    time.sleep(max(0.0, after_s - (time.monotonic() - started)))


def _interrupted(
    args: list[str], out: Path, after_s: float = 5.0, ready: Ready | None = None
) -> tuple[float, int, str]:
    """Ctrl+C ``after_s`` into the command, or once ``ready`` says it is far enough into its
    run (where the system says): how long it took to exit, its code and its stderr."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    child = subprocess.Popen(
        [PY, "-m", "app.launcher", "run", *args, "--json", str(out)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_default_sigint,
    )
    try:
        _wait_for(child, ready, after_s)
        pressed = time.monotonic()
        child.send_signal(signal.SIGINT)
        _, err = child.communicate(timeout=30)
        return time.monotonic() - pressed, child.returncode, err
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(5)


def test_three_thousand_requests_on_two_uvicorn_processes_finish(tmp_path):
    out = tmp_path / "run.json"
    done = cli(
        "run", "--mode", "uvicorn", "--workers", "2", "--requests", "3000", "--io-ms", "100",
        "--json", str(out), timeout=180,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    summary = json.loads(out.read_text())["summary"]
    assert summary["ok"] == 3000
    assert summary["client_cpu_ms"] > 0  # the client's own cost, measured


@pytest.mark.parametrize("mode", ["uvicorn", "gunicorn", "url", "asgi-async_io", "asgi-sync_io"])
def test_ctrl_c_amid_three_thousand_requests_exits_at_once_with_the_file(tmp_path, mode):
    out = tmp_path / "run.json"
    dials = ["--requests", "3000", "--io-ms", "100"]
    if mode.startswith("asgi-"):
        # In-process: thousands of the site's threads in this very process, all wanting the
        # GIL while the run is written (asgiref gives each request a thread, a sync view's
        # sleeps in it). Each request waits 10 s, and the Ctrl+C lands once the command runs
        # a thread per request (beside its main thread and the site's loop): with every
        # request in flight, however fast or busy the machine (on a quiet one, 3,000 × 100 ms
        # were all answered within 5 s, and a Ctrl+C then only cuts Django's tidying short:
        # a complete run, exit 0; a busy one had 2,000 in flight after 5 s).
        view = mode.removeprefix("asgi-")
        in_flight = ["--requests", "3000", "--io-ms", "10000"]
        args = ["--mode", "asgi", "--view", view, *in_flight]
        took, code, err = _interrupted(args, out, ready=_all_in_flight_in_process)
    elif mode == "url":
        site = make_site(tmp_path / "site")
        with served(site, "uvicorn") as port:
            took, code, err = _interrupted(
                ["--url", f"http://127.0.0.1:{port}/aslow/", "--requests", "3000"],
                out,
                3.0,
                _all_connections_in_flight,
            )
    else:
        # uvicorn's two processes, too, answered 3,000 × 100 ms within 5 s on a quiet machine
        # once our client got leaner (a complete run, exit 0): 10 s a request keeps every
        # request in flight when the Ctrl+C lands, as in-process. It lands once the client
        # holds every connection it may open (a fixed 5 s allowed for the slowest start).
        slow = dials if mode == "gunicorn" else ["--requests", "3000", "--io-ms", "10000"]
        args = ["--mode", mode, "--workers", "2", *slow]
        took, code, err = _interrupted(args, out, ready=_all_connections_in_flight)
    assert code == 130, err
    assert "Traceback" not in err
    assert took < STOP_BOUND_S * BUSY_ROOM, f"{mode}: Ctrl+C took {took:.2f} s"
    data = json.loads(out.read_text())
    assert data["stopped"] is True
    assert data["summary"]["requests"] == len(data["requests"])
