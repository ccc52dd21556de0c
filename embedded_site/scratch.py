"""The site's scratch folder (its SQLite database): one per process, never left behind.

Removed at exit by ``atexit`` (every exit path Python runs: a normal end, an exception,
``sys.exit``, the command line's signal handling); a process killed outright (SIGKILL, a
power cut) cannot, so each folder carries its process id and the next start sweeps the
folders whose process is gone.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import sys
import tempfile
from pathlib import Path

__all__ = ["PREFIX", "make_scratch_folder", "sweep_stale_folders"]

#: Scratch folders are named ``async-lanes-db-<pid>-<random>``.
PREFIX = "async-lanes-db-"


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if sys.platform == "win32":  # no signal 0 there; leave the folder rather than guess
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process, alive
        return True
    return True


def sweep_stale_folders(parent: Path | None = None) -> list[Path]:
    """Remove the scratch folders of processes that are gone; returns what was removed."""
    parent = Path(parent or tempfile.gettempdir())
    removed = []
    with contextlib.suppress(OSError):
        for folder in parent.glob(PREFIX + "*"):
            pid_text = folder.name[len(PREFIX) :].split("-", 1)[0]
            if not pid_text.isdigit() or _alive(int(pid_text)) or not folder.is_dir():
                continue
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def make_scratch_folder() -> Path:
    """A fresh folder for this process, removed at exit; stale ones are swept first."""
    sweep_stale_folders()
    folder = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder
