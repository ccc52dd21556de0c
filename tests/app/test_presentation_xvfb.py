"""Presentation mode in a real X server with a window manager, at 720p and 1080p: the window
fits the screen, and its screenshot shows the legend and every lane.

Needs Xvfb and openbox (``make test`` installs both); skipped cleanly without them.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from .kind_pixels import kind_mask
from .xdesktop import XDesktop

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]
#: Lesson 10 (sync under one WSGI worker vs async under ASGI) made short, 10 requests each.
LESSON_TEXT = (
    (ROOT / "assets/lessons/10-wsgi-vs-asgi.toml")
    .read_text()
    .replace("io_ms = 500", "io_ms = 120")
    .replace("requests = 6", "requests = 10")
)


@pytest.fixture(params=[(1280, 720), (1920, 1080)], ids=["720p", "1080p"])
def desktop(request, tmp_path):
    """An X server of the given size with openbox managing its windows."""
    if shutil.which("Xvfb") is None or shutil.which("openbox") is None:
        pytest.skip("Xvfb and openbox are not installed (make test installs them)")
    width, height = request.param
    desktop = XDesktop((width, height), tmp_path)
    try:
        yield desktop.env, (width, height)
    finally:
        desktop.close()


def _bands(image: QImage, kind: str, top: int, bottom: int, left: int, right: int) -> int:
    """How many separate horizontal bands between ``top`` and ``bottom`` hold ``kind``."""
    inked = kind_mask(image, kind)[top:bottom, left:right:4].sum(axis=1) > 6
    rows = [top + int(i) for i in inked.nonzero()[0]]
    bands = 0
    for i, y in enumerate(rows):
        if i == 0 or y - rows[i - 1] > 1:
            bands += 1
    return bands


class _Shown:
    """At one screen size, in an X server of its own: the command a teacher types, then (once
    it has quit) the probe's window in presentation mode, each a process started here."""

    def __init__(self, size: tuple[int, int], folder: Path) -> None:
        self.size, self.folder = size, folder
        self.desktop = XDesktop(size, folder)
        lesson = folder / "lesson.toml"
        lesson.write_text(LESSON_TEXT)
        self.steps = [
            (  # The command a teacher types.
                [
                    *(sys.executable, "-m", "app.launcher", "gui", "--lesson", str(lesson)),
                    *("--run", "--presentation", "--screenshot", str(folder / "out.png")),
                    "--quit",
                ],
                folder,
            ),
            (  # Where everything is, from the same window in presentation mode.
                [
                    *(sys.executable, "-m", "tests.app.presentation_probe", str(lesson)),
                    *(str(folder / "probe"), "--live-after", "0.6"),
                ],
                ROOT,
            ),
        ]
        self.errors: list[str] = []
        self.process = self._next()

    def _next(self) -> subprocess.Popen[str] | None:
        if not self.steps:
            return None
        args, cwd = self.steps.pop(0)
        return subprocess.Popen(
            args, env=self.desktop.env, cwd=cwd, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE, text=True,
        )  # fmt: skip

    def finish(self) -> list[str]:
        """Each step's failure (its stderr), in order; the X server ended either way."""
        try:
            while self.process is not None:
                _, err = self.process.communicate(timeout=120)
                if self.process.returncode != 0:
                    self.errors.append(err)
                    break
                self.process = self._next()
        finally:
            if self.process is not None and self.process.poll() is None:
                self.process.kill()
                self.process.wait(timeout=10)
            self.desktop.close()
        return self.errors


@pytest.fixture(scope="module")
def shown(tmp_path_factory):
    """Both sizes shown at once, each in its own X server (what the test reads is pictures
    and geometry, never a time; one after the other took ~9 s a size on a busy machine)."""
    if shutil.which("Xvfb") is None or shutil.which("openbox") is None:
        pytest.skip("Xvfb and openbox are not installed (make test installs them)")
    sizes = {"720p": (1280, 720), "1080p": (1920, 1080)}
    at = {name: _Shown(size, tmp_path_factory.mktemp(name)) for name, size in sizes.items()}
    return {name: (one.finish(), one.size, one.folder) for name, one in at.items()}


@pytest.mark.parametrize("size", ["720p", "1080p"])
def test_presentation_fits_the_screen_and_shows_the_legend_and_every_lane(shown, size):
    errors, (width, height), tmp_path = shown[size]
    assert not errors, errors[0]
    shot = tmp_path / "out.png"
    facts = json.loads((tmp_path / "probe/facts.json").read_text())
    assert facts["screen"] == [0, 0, width, height]
    fx, fy, fw, fh = facts["frame"]
    assert fx >= 0 and fy >= 0 and fx + fw <= width and fy + fh <= height
    for part in ("legend", "replay", "figures"):
        x, y, w, h = facts[part]
        assert y >= 0 and y + h <= height and w > 0, part
    assert facts["text_px"] >= (24 if height >= 1080 else 16)
    assert not facts["dark"]
    lanes_area = sum(w * h for _, _, w, h in facts["timelines"])
    assert lanes_area >= 0.65 * fw * fh, lanes_area / (fw * fh)
    assert facts["rows"] == [10, 10]

    # The command's screenshot is the whole screen, with the legend's swatches near the bottom.
    screen = QImage(str(shot))
    assert (screen.width(), screen.height()) == (width, height)
    assert kind_mask(screen, "io_blocking", 10)[height * 3 // 4 :: 2, ::2].any()
    # The lanes, where the probe's window says they are, in its own screenshot.
    image = QImage(str(tmp_path / "probe/done.png"))
    (ax, ay, aw, ah), (bx, by, bw, bh) = facts["timelines"]
    # From the top of the lanes down (not the time axis above them).
    ah, bh = ah - round(facts["lanes_top"][0]), bh - round(facts["lanes_top"][1])
    ay, by = ay + round(facts["lanes_top"][0]), by + round(facts["lanes_top"][1])
    # Every lane of A holds the only worker for 120 ms (blocking I/O); every lane of B awaits.
    assert _bands(image, "io_blocking", ay, ay + ah, ax + aw // 8, ax + aw) == 10
    assert _bands(image, "io_wait", by, by + bh, bx + bw // 16, bx + bw // 4) == 10
    # The legend is on screen: its swatches of those two kinds are there.
    lx, ly, lw, lh = facts["legend"]
    for kind in ("io_blocking", "io_wait"):
        assert kind_mask(image, kind, 10)[ly : ly + lh : 2, lx : lx + lw : 2].any(), kind
