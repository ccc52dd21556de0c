"""The real app, in a real X server: run a lesson, screenshot the screen, read the colours.

Needs Xvfb and the xcb libraries (``make test`` installs them). Everything is checked from
the picture: where the run's JSON says a lane was blocking, the screen shows its colour.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtGui import QColor, QImage

from app.theme import LIGHT

from .kind_pixels import looks_like, rgb_array

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def x_display(tmp_path):
    if shutil.which("Xvfb") is None:
        pytest.skip("Xvfb is not installed (make test installs it)")
    read_fd, write_fd = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "1920x1080x24", "-nolisten", "tcp"],
        pass_fds=(write_fd,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    with os.fdopen(read_fd) as pipe:
        number = pipe.readline().strip()
    try:
        yield f":{number}"
    finally:
        server.terminate()
        server.wait(timeout=10)


def _looks_like(colour: QColor, kind: str, slack: int = 40) -> bool:
    """:func:`looks_like` within less than ``slack``: a screen grab is noisier than a picture."""
    return looks_like(colour, kind, slack=slack - 1)


def _blue(image: QImage) -> np.ndarray:
    """Which pixels (rows, columns) are the io_blocking fill (its pattern's pale lines look
    like the widgets' own frames, so they are left out: the fill between them is most of
    the bar)."""
    base = np.array(QColor(LIGHT.kinds["io_blocking"]).getRgb()[:3], np.int16)
    return (np.abs(rgb_array(image) - base) < 40).all(axis=2)


def _bands(blue: np.ndarray, x_from: int, x_to: int) -> list[tuple[int, int]]:
    """Vertical ranges of rows that hold a run of blocking-blue pixels."""
    rows = [int(y) for y in (blue[:, x_from:x_to:3].sum(axis=1) > 8).nonzero()[0]]
    bands: list[tuple[int, int]] = []
    for y in rows:
        if bands and y - bands[-1][1] <= 1:  # lanes are a row or two apart
            bands[-1] = (bands[-1][0], y)
        else:
            bands.append((y, y))
    # Lanes are over 10 px tall; a widget with a speck of blue (a focus frame, a selected
    # item) is not a lane.
    return [b for b in bands if b[1] - b[0] >= 10]


def test_a_lesson_run_in_a_real_window_shows_each_lane_where_the_run_says(x_display, tmp_path):
    shot, data = tmp_path / "screen.png", tmp_path / "run.json"
    env = {
        **os.environ,
        "DISPLAY": x_display,
        "QT_QPA_PLATFORM": "xcb",
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "HOME": str(tmp_path),
    }
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "app.launcher",
            "gui",
            "--lesson",
            str(ROOT / "assets/lessons/01-one-wsgi-worker.toml"),
            "--by",  # the lesson opens the thread view; this test reads a lane per request
            "request",
            "--run",
            "--screenshot",
            str(shot),
            "--json",
            str(data),
            "--quit",
        ],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "Fatal Python error" not in result.stderr
    image = QImage(str(shot))
    assert (image.width(), image.height()) == (1920, 1080)
    run = json.loads(data.read_text())
    lanes = run["requests"]
    assert len(lanes) == 8

    # One band of blocking-blue per request, top to bottom, in request order.
    blue = _blue(image)
    bands = _bands(blue, 0, image.width())
    assert len(bands) == 8, bands

    def blue_span(band: tuple[int, int]) -> tuple[int, int]:
        y = (band[0] + band[1]) // 2
        xs = blue[y].nonzero()[0]
        return int(xs[0]), int(xs[-1])

    spans = [blue_span(band) for band in bands]
    blocking = [next(s for s in lane["segments"] if s["kind"] == "io_blocking") for lane in lanes]
    # Map ms to x with the first lane's start and the last lane's end, then every other lane
    # must start where its own measured time puts it.
    (x_first, _), (_, x_last) = spans[0], spans[-1]
    t_first, t_last = blocking[0]["start_ms"], blocking[-1]["end_ms"]
    px_per_ms = (x_last - x_first) / (t_last - t_first)
    for (x_start, x_end), seg in zip(spans, blocking, strict=True):
        expected = x_first + (seg["start_ms"] - t_first) * px_per_ms
        assert abs(x_start - expected) < 0.02 * (x_last - x_first) + 3, (x_start, expected)
        assert abs((x_end - x_start) - (seg["end_ms"] - seg["start_ms"]) * px_per_ms) < 12
    # Before its turn, the last lane waited in the queue: grey left of its blue.
    y_last = (bands[-1][0] + bands[-1][1]) // 2
    x_probe = (x_first + spans[-1][0]) // 2
    assert _looks_like(image.pixelColor(x_probe, y_last), "queued", slack=20)
