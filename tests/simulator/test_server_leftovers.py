"""Real servers die with ``async-lanes`` however it dies, and a run sweeps what a killed one
left (issue 25: SIGKILL during start-up or mid-run left uvicorn/gunicorn listening for a
minute and more). ``benchmarks/server_sigkill.py`` kills at ten random moments per server."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from simulator.hosting.leftovers import record_pids, start_time, sweep_stale_servers
from simulator.hosting.real_servers import FOLDER_PREFIX, missing_server
from tests.children import SIGNALLED

ROOT = Path(__file__).resolve().parents[2]


def running_in_group(group: int) -> list[int]:
    """The processes of process group ``group`` still running (zombies are not)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == group and fields[0] != "Z":
            found.append(int(stat.parent.name))
    return found


def server_groups_of(pid: int) -> set[int]:
    """The real servers ``pid`` started: its children running ``server_guard.py``."""
    groups = set()
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            words = cmdline.read_bytes().split(b"\0")
            stat = (cmdline.parent / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(stat[1]) == pid and any(w.endswith(b"server_guard.py") for w in words):
            groups.add(int(cmdline.parent.name))
    return groups


@pytest.mark.slow
@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")
@pytest.mark.parametrize(("mode", "workers"), [("uvicorn", 1), ("gunicorn", 4)])
def test_sigkill_mid_run_takes_every_server_process_with_it(tmp_path, mode, workers):
    if missing_server(mode):
        pytest.skip(f"{mode} is not installed")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(tmp_path)}
    args = ["run", "--mode", mode, "--workers", str(workers), "--view", "sync_io"]
    cli = subprocess.Popen(
        [sys.executable, "-m", "app.launcher", *args, "--requests", "4", "--io-ms", "9000"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        **SIGNALLED,
    )
    try:
        groups: set[int] = set()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            groups |= server_groups_of(cli.pid)
            if groups and sum(len(running_in_group(g)) for g in groups) >= workers:
                break
            time.sleep(0.1)
        assert groups, "no server started"
        time.sleep(1.0)  # workers answering, the run's requests in
        cli.send_signal(signal.SIGKILL)
        cli.wait(10)
        killed = time.monotonic()
        while any(running_in_group(g) for g in groups) and time.monotonic() < killed + 2:
            time.sleep(0.05)
        assert not [pid for g in groups for pid in running_in_group(g)]
    finally:
        cli.kill()
        cli.wait(10)
    # What it left (its folder) goes at the next run's server start.
    assert list(tmp_path.glob(FOLDER_PREFIX + "*"))
    done = subprocess.run(
        [sys.executable, "-m", "app.launcher", *args, "--requests", "1", "--io-ms", "1"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert not list(tmp_path.glob(FOLDER_PREFIX + "*"))


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")
def test_the_sweep_kills_recorded_processes_still_ours_and_spares_a_reused_pid(tmp_path):
    ours = subprocess.Popen(["sleep", "60"], start_new_session=True)
    stranger = subprocess.Popen(["sleep", "60"], start_new_session=True)
    try:
        dead_owner = 999_999_999
        folder = tmp_path / f"{FOLDER_PREFIX}{dead_owner}-x"
        folder.mkdir()
        record_pids(folder, [ours.pid])
        # A pid recorded with another start time: the kernel gave it to someone else since.
        started = start_time(stranger.pid)
        assert started is not None
        with (folder / "pids").open("a") as pids:
            pids.write(f"{stranger.pid} {started - 1}\n")
        live = tmp_path / f"{FOLDER_PREFIX}{os.getpid()}-y"  # our own: never swept
        live.mkdir()

        assert sweep_stale_servers(tmp_path, FOLDER_PREFIX) == [folder]
        assert ours.wait(5) == -signal.SIGKILL
        assert stranger.poll() is None
        assert not folder.exists() and live.exists()
    finally:
        for child in (ours, stranger):
            child.kill()
            child.wait(5)
