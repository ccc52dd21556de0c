"""The real entry point exits cleanly: status 0, nothing fatal on stderr.

PySide6 6.12.0 on Python 3.11 aborted at exit ("Fatal Python error: bool_dealloc") after a
few hundred signal emissions (see docs/exit-crash.md). 300 requests make well over that many.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


@pytest.mark.slow
def test_the_window_runs_300_requests_and_exits_cleanly(tmp_path):
    lesson = tmp_path / "many.toml"
    lesson.write_text('[scenario]\nview = "async_io"\nmode = "asgi"\nrequests = 300\nio_ms = 50\n')
    result = _run_lesson_in_the_window(lesson, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Fatal Python error" not in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_the_command_line_exits_cleanly(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "app.launcher",
            "run",
            "--view",
            "async_io",
            "--requests",
            "300",
            "--io-ms",
            "20",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "Fatal Python error" not in result.stderr
    assert "300 ok" in result.stdout


@pytest.mark.slow
def test_a_broken_lesson_file_is_one_clear_line(tmp_path):
    lesson = tmp_path / "broken.toml"
    lesson.write_text('[scenario]\nrequests = "ten"\n')
    result = _run_lesson_in_the_window(lesson, tmp_path)
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.startswith("async-lanes")]
    assert len(lines) == 1 and "requests" in lines[0] and "whole number" in lines[0]
    assert "Traceback" not in result.stderr


def _run_lesson_in_the_window(lesson, home) -> subprocess.CompletedProcess[str]:
    """The real entry point: open the window (offscreen), load, run, close."""
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "XDG_CONFIG_HOME": str(home),
        "HOME": str(home),
    }
    return subprocess.run(
        [sys.executable, "-m", "app.launcher", "gui", "--lesson", str(lesson), "--run", "--quit"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_quick_exit_runs_the_exit_handlers_and_keeps_what_they_print(tmp_path):
    """After a run, ``run`` skips the interpreter's teardown: its exit handlers still run
    (the site's scratch folder is removed by one), and what they print reaches the pipe."""
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    code = (
        "import atexit, shutil, sys\n"
        "from app import launcher\n"
        f"atexit.register(shutil.rmtree, {str(scratch)!r})\n"
        "atexit.register(print, 'said at exit')\n"
        "print('said before')\n"
        "launcher._exit_without_teardown(3)\n"
        "print('never')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 3, result.stderr
    assert result.stdout.split() == ["said", "before", "said", "at", "exit"]
    assert not scratch.exists()
