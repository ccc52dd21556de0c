"""No Python file of the app, the engine or the site grows past 450 lines.

A file that long has more than one job: the house rule is to split it by what its parts do
before adding to it. Counted as ``wc -l`` counts (newlines), over every ``.py`` below the
three folders, so a new package is held to it too.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = ("app", "simulator", "embedded_site")
MOST_LINES = 450


def test_no_python_file_of_the_app_the_engine_or_the_site_is_over_450_lines():
    files = [path for folder in FOLDERS for path in sorted((ROOT / folder).rglob("*.py"))]
    assert len(files) > 100  # the walk saw the project, not an empty folder
    long = {
        str(path.relative_to(ROOT)): lines
        for path in files
        if (lines := path.read_bytes().count(b"\n")) > MOST_LINES
    }
    assert not long, f"over {MOST_LINES} lines (split by job before adding): {long}"
