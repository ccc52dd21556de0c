"""``python -m tests.hostile.with_lessons FOLDER ARGS...``: ``async-lanes ARGS`` with its
lessons read from ``FOLDER`` (the shipped folder is the project's, not a test's to spoil)."""

from __future__ import annotations

import sys
from pathlib import Path

import app.assets

if __name__ == "__main__":
    app.assets.LESSONS = Path(sys.argv[1])  # read by the commands and the window at start
    from app.launcher import main

    sys.exit(main(sys.argv[2:]))
