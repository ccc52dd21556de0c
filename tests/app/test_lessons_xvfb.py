"""Every lesson's question, run and reveal in presentation mode, at 1280×720 and 1920×1080,
from each lesson's recorded runs (tests/app/recorded, replayed through the session's runner):
no lane row thinner than 12 px, no two labels drawn over each other, and the event loop named
wherever the lesson has one.

One window per screen size walks all the lessons (:mod:`tests.app.lesson_walk`), the two
sizes at once in two X servers: ~30 s of wall time for 144 pictures. Needs Xvfb and openbox
(``make test`` installs both); skipped cleanly without them.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from app.timeline.grouping import ROW_FLOOR_PX
from tests.app.recorded_runs import lesson_numbers
from tests.app.xdesktop import XDesktop

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]
SIZES = {"720p": (1280, 720), "1080p": (1920, 1080)}


class _Desktop:
    """An X server of one size with openbox, and the lesson walk started in it."""

    def __init__(self, size: tuple[int, int], folder: Path) -> None:
        self.folder = folder
        self.desktop = XDesktop(size, folder)
        self.walk = subprocess.Popen(
            [sys.executable, "-m", "tests.app.lesson_walk", str(folder / "out")],
            env=self.desktop.env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def facts(self) -> dict:
        try:
            _, err = self.walk.communicate(timeout=240)
        finally:
            if self.walk.poll() is None:
                self.walk.terminate()
                self.walk.wait(timeout=10)
            self.desktop.close()
        assert self.walk.returncode == 0, err
        return json.loads((self.folder / "out" / "facts.json").read_text())


@pytest.fixture(scope="module")
def walks(tmp_path_factory):
    """Both sizes walked at once (each a light load: a paint per step)."""
    if shutil.which("Xvfb") is None or shutil.which("openbox") is None:
        pytest.skip("Xvfb and openbox are not installed (make test installs them)")
    desktops = {name: _Desktop(size, tmp_path_factory.mktemp(name)) for name, size in SIZES.items()}
    return {name: desktop.facts() for name, desktop in desktops.items()}


def _overlap(a: list[float], b: list[float]) -> float:
    """How many square pixels two ``[x, y, w, h]`` rectangles share."""
    w = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    h = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    return max(0.0, w) * max(0.0, h) if w > 0.5 and h > 0.5 else 0.0


def _pictures(facts: dict):
    for lesson, steps in facts.items():
        if lesson == "screen":
            continue
        for step, picture in steps.items():
            yield f"lesson {lesson} {step}", picture


@pytest.mark.parametrize("size", list(SIZES))
def test_every_lesson_step_in_presentation(walks, size):
    facts = walks[size]
    assert facts["screen"] == list(SIZES[size])
    assert sorted(int(n) for n in facts if n != "screen") == lesson_numbers()
    lanes_seen = loops_seen = grouped_seen = 0
    for where, picture in _pictures(facts):
        labels = [label for t in picture["timelines"] for label in t["labels"] + t["notes"]]
        labels += picture["legend"]
        for i, a in enumerate(labels):
            assert a["text"].strip(), f"{where}: an empty label"
            for b in labels[i + 1 :]:
                assert not _overlap(a["rect"], b["rect"]), (
                    f"{where}: {a['text']!r} drawn over {b['text']!r}"
                )
        for timeline in picture["timelines"]:
            if not timeline["rows"]:
                continue
            lanes_seen += 1
            assert timeline["group"] == 1 and timeline["row_px"] >= ROW_FLOOR_PX, (
                f"{where}: {timeline['rows']} rows of {timeline['row_px']:.1f} px"
            )
            x, y, w, h = timeline["rect"]
            for label in timeline["labels"]:
                lx, ly, lw, lh = label["rect"]
                assert x <= lx and lx + lw <= x + w and y <= ly and ly + lh <= y + h, (
                    f"{where}: {label['text']!r} outside its timeline"
                )
            texts = [label["text"] for label in timeline["labels"]]
            # Rows put together say so, on the row that draws them.
            for row, (first, last) in enumerate(timeline["members"]):
                if last > first:
                    grouped_seen += 1
                    named = [label["text"] for label in timeline["labels"] if label["row"] == row]
                    assert not named or named[0].endswith(("alike", "overlaid")), (where, named)
            assert timeline["all_rows"] >= timeline["rows"]
            if timeline["loop"]:
                loops_seen += 1
                # The loop's row in the thread view; in either view, its blocked strip.
                if timeline["by"] == "workers":
                    assert "event loop" in texts, f"{where}: the event loop unnamed: {texts}"
                assert {"loop blocked", "blocked"} & set(texts), f"{where}: {texts}"
    for lesson, steps in facts.items():
        if lesson == "screen":
            continue
        _question_reads_from_the_back_row(f"lesson {lesson}", steps["question"]["panel"], facts)
    # The walk saw lanes: every lesson's run and reveal, and lessons with a loop.
    assert lanes_seen >= 2 * len(lesson_numbers()) and loops_seen >= 20
    assert grouped_seen  # 30 threads of lesson 9 on a projector: some rows are groups


def _question_reads_from_the_back_row(where: str, panel: dict, facts: dict) -> None:
    """The question step has the screen to itself: its choices at least 2.2 times the body
    text (they were 1.6 times, with half the screen empty below them), and every part
    whole on the screen."""
    body = panel["body_px"]
    assert panel["question_px"] >= 2.6 * body and panel["explanation_px"] >= 1.6 * body, where
    if panel["choices"] is not None:
        assert panel["choices_px"] >= 2.2 * body, (where, panel["choices_px"], body)
    height = facts["screen"][1]
    x, y, w, h = panel["rect"]
    assert y + h <= height, (where, panel["rect"])
    for name in ("question", "explanation", "choices", "guess"):
        part = panel[name]
        if part is not None:
            assert y <= part[1] and part[1] + part[3] <= y + h, (where, name, part, panel["rect"])
