"""The desk window (not presentation mode) on a real 1280×720 screen with a window manager:
the lanes are the biggest thing on it, and the legend and the replay bar are on screen.

Needs Xvfb and openbox (``make test`` installs both); skipped cleanly without them.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .xdesktop import XDesktop

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]


def test_at_1280_by_720_the_lanes_take_two_thirds_of_the_width(tmp_path):
    if shutil.which("Xvfb") is None or shutil.which("openbox") is None:
        pytest.skip("Xvfb and openbox are not installed (make test installs them)")
    desktop = XDesktop((1280, 720), tmp_path)
    try:
        probe = subprocess.run(
            [sys.executable, "-m", "tests.app.desk_probe", str(tmp_path / "desk"), "9"],
            env=desktop.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        desktop.close()
    assert probe.returncode == 0, probe.stderr
    facts = json.loads((tmp_path / "desk/facts.json").read_text())
    sx, sy, sw, sh = facts["screen"]
    fx, fy, fw, fh = facts["frame"]
    assert fx >= sx and fy >= sy and fx + fw <= sx + sw and fy + fh <= sy + sh
    # Side by side the two docks left the lanes 475 px of 1280; as tabs, two thirds.
    lanes_x, _, lanes_w, _ = facts["timelines"][0]
    assert lanes_w >= 0.6 * sw, facts
    docks_on_screen = [d for d in facts["docks"] if d is not None and d[0] >= 0 and d[1] >= 0]
    assert len(docks_on_screen) == 1 and docks_on_screen[0][2] < lanes_w / 2, facts
    for part in ("legend", "replay"):
        x, y, w, h = facts[part]
        assert y + h <= sy + sh and x >= lanes_x and w > 0, part
