"""The test suite's own settings folder (tests/conftest.py) goes when the run ends, and a run
killed outright, which could not remove its own, has it swept by the next run's start."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from embedded_site.scratch import sweep_stale_folders
from tests.conftest import SUITE_HOME_PREFIX

TESTS = Path(__file__).resolve().parent


def _dead_pid() -> int:
    """The pid of a process that has ended (and been reaped): no process has it now."""
    child = subprocess.Popen([sys.executable, "-I", "-S", "-c", ""])
    child.wait()
    return child.pid


def _folder(parent: Path, name: str) -> Path:
    folder = parent / name
    folder.mkdir()
    (folder / "config").mkdir()  # a home holds the XDG folders
    return folder


def test_a_killed_runs_home_is_swept_and_a_running_ones_kept(tmp_path: Path) -> None:
    dead = _dead_pid()
    stale = _folder(tmp_path, f"{SUITE_HOME_PREFIX}{dead}-k1ll3d")
    running = _folder(tmp_path, f"{SUITE_HOME_PREFIX}{os.getppid()}-b3s1de")
    unnamed = _folder(tmp_path, f"{SUITE_HOME_PREFIX}{dead}")  # no "-": mkdtemp's own part
    other = _folder(tmp_path, f"someone-else-{dead}-x")
    assert sweep_stale_folders(tmp_path, SUITE_HOME_PREFIX) == [stale]
    assert sorted(tmp_path.iterdir()) == sorted([running, unnamed, other])


def test_a_folder_whose_process_ended_unreaped_is_swept(tmp_path: Path) -> None:
    """A process that has exited is a zombie until its parent reaps it: its pid still
    answers signal 0, yet nothing of it runs, and its folder goes (as a real server's
    leftovers do: one rule, ``embedded_site.scratch.alive``)."""
    child = subprocess.Popen([sys.executable, "-I", "-S", "-c", ""])
    try:
        stat = Path(f"/proc/{child.pid}/stat")
        for _ in range(500):  # (it ends within a second; not reaped: no wait, no poll)
            if stat.read_text().rsplit(")", 1)[1].split()[0] == "Z":
                break
            time.sleep(0.01)
        else:
            pytest.fail("the child never ended")
        stale = _folder(tmp_path, f"{SUITE_HOME_PREFIX}{child.pid}-z0mb1e")
        assert sweep_stale_folders(tmp_path, SUITE_HOME_PREFIX) == [stale]
    finally:
        child.wait()


@pytest.mark.slow
def test_a_run_of_the_suite_leaves_no_home_folder_behind(tmp_path: Path) -> None:
    """Nor pytest's own temporary folders: ``pytest-of-<user>`` kept the last three runs'
    (~1,800 folders each) in the temp folder after every ``make test``."""
    temp = tmp_path / "temp"
    temp.mkdir()
    stale = _folder(temp, f"{SUITE_HOME_PREFIX}{_dead_pid()}-k1ll3d")
    running = _folder(temp, f"{SUITE_HOME_PREFIX}{os.getpid()}-b3s1de")
    env = {**os.environ, "TMPDIR": str(temp)}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            str(TESTS / "simulator" / "test_files_not_files.py"),  # (tmp_path, a second)
        ],
        cwd=TESTS.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert not stale.exists(), "a killed run's home is swept at the next run's start"
    assert list(temp.glob(f"{SUITE_HOME_PREFIX}*")) == [running]
    assert not list(temp.glob("pytest-of-*"))
