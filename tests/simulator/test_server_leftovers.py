"""Real servers die with ``async-lanes`` however it dies, and a run sweeps what a killed one
left (issue 25: SIGKILL during start-up or mid-run left uvicorn/gunicorn listening for a
minute and more). The end-to-end kills are rows of the hostile table (class 10: uvicorn
during start-up, gunicorn mid-run); ``benchmarks/server_sigkill.py`` kills at ten random
moments per server. Here: the helpers those use, and the sweep of what a kill left."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from simulator.hosting.leftovers import record_pids, start_time, sweep_stale_servers
from simulator.hosting.real_servers import FOLDER_PREFIX

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
