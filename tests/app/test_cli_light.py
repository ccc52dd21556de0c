"""Help, ``views`` and ``predict`` need neither Django nor a temporary folder.

A scenario is checked against the site's Django-free declarations, so these commands answer at
once, and on a machine where no database could be made. Each case runs the real entry point in
a subprocess in which every temporary folder is unusable, then reports which heavy packages
it imported.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

#: Runs ``app.launcher.main(argv)`` with no usable temp folder; prints a JSON report last.
WRAPPER = """
import json, sys, tempfile
tempfile.tempdir = sys.argv[1]  # what tempfile would use: a folder that cannot be written
code = None
try:
    from app.launcher import main
    code = main(sys.argv[2:])
except SystemExit as exc:  # --help
    code = exc.code
finally:
    heavy = sorted({m.split(".")[0] for m in sys.modules} & {"django", "PySide6", "httpx"})
    sys.stdout.flush()
    print(json.dumps({"code": code, "heavy": heavy}), file=sys.stderr)
"""


def light(tmp_path: Path, *args: str) -> tuple[dict, subprocess.CompletedProcess[str]]:
    unusable = tmp_path / "no-such-temp-folder"
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "HOME": str(tmp_path)}
    env |= {name: str(unusable) for name in ("TMPDIR", "TEMP", "TMP")}
    result = subprocess.run(
        [sys.executable, "-c", WRAPPER, str(unusable), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    report = json.loads(result.stderr.strip().splitlines()[-1])
    return report, result


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["run", "--help"],
        ["compare", "--help"],
        ["predict", "--help"],
        ["views"],
        ["predict", "--view", "async_io", "--requests", "3", "--io-ms", "20"],
        ["predict", "--scenario", "assets/lessons/04-blocking-the-loop.toml"],
    ],
    ids=" ".join,
)
def test_help_views_and_predict_import_no_django_and_need_no_temp_folder(tmp_path, args):
    report, result = light(tmp_path, *args)
    assert report == {"code": 0, "heavy": []}, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout.strip()


def test_views_lists_every_lesson_view_with_its_description(tmp_path):
    from embedded_site.lesson_views import LESSON_VIEWS

    _, result = light(tmp_path, "views")
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines] == [view.name for view in LESSON_VIEWS]
    for line, view in zip(lines, LESSON_VIEWS, strict=True):
        assert line.endswith(view.description)


def test_a_bad_dial_is_refused_without_django_too(tmp_path):
    report, result = light(tmp_path, "predict", "--view", "nope")
    assert report == {"code": 2, "heavy": []}
    assert "unknown view 'nope'" in result.stderr


def test_the_flags_help_comes_from_the_dial_table(tmp_path):
    from simulator.dials import DIALS

    _, result = light(tmp_path, "run", "--help")
    text = " ".join(result.stdout.split())  # argparse wraps lines
    for dial in DIALS.values():
        assert dial.flag in text
        assert dial.help.split(";")[0] in text, dial.key
        if dial.is_number:
            assert dial.range_text in text
