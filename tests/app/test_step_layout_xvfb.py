"""Lesson 12 taught step by step in presentation mode on a real 1280×720 X screen with a window
manager (issue 24): what a class sees at each step, read off the window's geometry.

Needs Xvfb and openbox (``make test`` installs both); skipped cleanly without them.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from .test_presentation_xvfb import ROOT, desktop  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@pytest.mark.parametrize("desktop", [(1280, 720)], indirect=True, ids=["720p"])
def test_lesson_12_question_run_reveal_and_code_at_720p(desktop, tmp_path):  # noqa: F811
    env, (width, height) = desktop
    lesson = ROOT / "assets/lessons/12-missing-await.toml"
    result = subprocess.run(
        [sys.executable, "-m", "tests.app.step_probe", str(lesson), str(tmp_path)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    facts = json.loads((tmp_path / "facts.json").read_text())
    assert facts["screen"][2:] == [width, height] and facts["full_screen"]

    question = facts["question"]
    assert question["question_px"] >= 32 and question["choices_px"] >= 24  # the back row
    assert question["timelines"] == [] and question["legend"] is None  # no empty axis

    run = facts["run"]
    # The question kept, smaller: the header's line in the title's place.
    assert run["header_text"] == "What does the visitor get?" and 16 < run["header_px"] < 32
    assert run["timelines"]

    reveal = facts["reveal"]
    # The verdict's line gives its place to the strip: the lanes stay where they were, their
    # rows grouped as they were (lesson 18's regrouped as the answer came, teacher45).
    assert facts["measured"]["verdict"] is not None and reveal["verdict"] is None
    assert facts["measured"]["timelines"] == reveal["timelines"]
    lanes = sum(rect[3] for rect in reveal["timelines"])
    assert lanes >= 0.7 * height, (lanes, height)
    assert reveal["reveal"] is None and "Answer: An error" in reveal["strip"]
    assert reveal["status"].startswith("Page Down: next lesson")
    # B: the whole text beside the lanes, whole; the lanes as high as at the reveal (the
    # whole text above them left lesson 9's thirty threads one row, teacher46).
    full = facts["reveal_full"]
    assert full["reveal"] is None and full["aside"] is not None and full["aside_fits"]
    assert full["aside"][0] > max(x + w for x, _, w, _ in full["timelines"])
    assert [t[1::2] for t in full["timelines"]] == [t[1::2] for t in reveal["timelines"]]
    assert full["aside"][1] + full["aside"][3] <= height

    code = facts["code"]  # C: under the lanes, every line whole, as large as the text
    assert code["code"] is not None and code["code_widest_line_shown"]
    assert code["code"][1] > code["timelines"][0][1]
    assert code["code_browser_px"] >= 16
