"""The quiz with a clicker's two keys in a real window at 720p, under Xvfb and openbox: Page
Up from the next lesson brings back the last one's reveal as the class left it (the same
picture, pixel for pixel), a double press hides the answer and Page Down shows it again,
and only the first Page Down ever ran anything.

Needs Xvfb and openbox (``make test`` installs both); skipped cleanly without them.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import numpy as np
import pytest
from PySide6.QtGui import QImage

from .xdesktop import XDesktop

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def _pixels(path) -> np.ndarray:
    image = QImage(str(path)).convertToFormat(QImage.Format.Format_RGB32)
    rows = np.frombuffer(image.constBits(), dtype=np.uint8).reshape(image.height(), -1, 4)
    return np.array(rows[:, : image.width()])  # a copy: the image's memory goes with it


def _differing(a, b) -> float:
    """The share of pixels that differ between two screenshots."""
    return float((_pixels(a) != _pixels(b)).any(axis=2).mean())


MODES = {"desk": [], "presentation": ["--presentation"]}


@pytest.fixture(scope="module")
def walked(tmp_path_factory):
    """Both modes walked at once, each in an X server of its own at 720p (one after the other
    took ~10 s a mode on a busy machine): per mode, the probe's stderr if it failed, else
    ``None``, and its folder."""
    if shutil.which("Xvfb") is None or shutil.which("openbox") is None:
        pytest.skip("Xvfb and openbox are not installed (make test installs them)")
    started = {}
    for name, mode in MODES.items():
        folder = tmp_path_factory.mktemp(name)
        desktop = XDesktop((1280, 720), folder)
        probe = subprocess.Popen(
            [sys.executable, "-m", "tests.app.quiz_flow_probe", str(folder), *mode],
            env=desktop.env, cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        started[name] = (desktop, probe, folder)
    walks = {}
    for name, (desktop, probe, folder) in started.items():
        try:
            _, err = probe.communicate(timeout=180)
        finally:
            if probe.poll() is None:
                probe.kill()
                probe.wait(timeout=10)
            desktop.close()
        walks[name] = (err if probe.returncode != 0 else None, folder)
    return walks


@pytest.mark.parametrize("mode", MODES)
def test_page_up_brings_the_last_lesson_back_as_it_was_and_nothing_runs_twice(walked, mode):
    failed, tmp_path = walked[mode]
    assert failed is None, failed
    prefix = "present-" if MODES[mode] else "desk-"
    steps = {
        s["shot"].removeprefix(prefix)[0]: s
        for s in json.loads((tmp_path / f"{prefix}steps.json").read_text())
    }
    lesson_2, lesson_3 = "02-sync-views-under-asgi.toml", "03-async-views.toml"
    walk = [(steps[n]["lesson"], steps[n]["step"]) for n in "123456789"]
    assert walk == [
        (lesson_2, "QUESTION"),
        (lesson_2, "RUNNING"),
        (lesson_2, "MEASURED"),
        (lesson_2, "REVEAL"),
        (lesson_3, "QUESTION"),
        (lesson_2, "REVEAL"),  # Page Up: the reveal as the class left it
        (lesson_2, "MEASURED"),  # a double press: the answer hidden, the run kept
        (lesson_2, "REVEAL"),
        (lesson_3, "QUESTION"),
    ]
    assert [steps[n]["runs_started"] for n in "123456789"] == [0] + [1] * 8
    guess = steps["1"]["guess"]
    assert guess == [1, None]  # the key 2: choice (b)
    measured = steps["4"]["figures_makespan_ms"]
    assert measured and measured > 0
    for n in "678":  # the class's guess and the run's figures, still there
        assert steps[n]["guess"] == guess and steps[n]["figures_makespan_ms"] == measured
    assert steps["5"]["metrics_makespan"] == steps["9"]["metrics_makespan"] == "—"
    shot = {n: tmp_path / steps[n]["shot"] for n in steps}
    # The same picture as before Page Down: lanes, figures, answer and all.
    assert _differing(shot["4"], shot["6"]) < 0.005
    assert _differing(shot["4"], shot["8"]) < 0.005
    assert _differing(shot["4"], shot["5"]) > 0.1  # (and the next lesson is another picture)
