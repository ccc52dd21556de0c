"""The site's scratch folder (its SQLite database): one per process, never left behind.

Named when the settings are read, made when the database is first opened (:func:`made`):
a process that reads the settings and never opens it makes nothing. mypy's Django plugin
reads them on every ``make lint`` and ends with ``os._exit``, which skips ``atexit``: each
run left a folder in the temp folder until the next start swept it.

Removed at exit by ``atexit`` (every exit path Python runs: a normal end, an exception,
``sys.exit``, the command line's signal handling); a process killed outright (SIGKILL, a
power cut) cannot, so each folder carries its process id and the next start sweeps the
folders whose process is gone. The test suite names its own temporary homes the same way
and sweeps them by the same rule (``tests/conftest.py``).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import secrets
import shutil
import sys
import tempfile
import threading
from pathlib import Path

__all__ = [
    "PREFIX",
    "alive",
    "made",
    "make_scratch_folder",
    "scratch_folder_name",
    "sweep_stale_folders",
]

#: Scratch folders are named ``async-lanes-db-<pid>-<random>``.
PREFIX = "async-lanes-db-"


def alive(pid: int) -> bool:
    """Whether process ``pid`` is running: the one rule for the scratch folders' sweep, the
    test homes' and the real servers' leftovers (``simulator/hosting/leftovers.py``). One we
    may not signal exists, so counts; a child that exited is a zombie until reaped: not
    running. Where there is no signal 0 (Windows), every process counts as running: a folder
    is left rather than swept on a guess."""
    if pid == os.getpid() or sys.platform == "win32":
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process, alive
        return True
    with contextlib.suppress(OSError, IndexError):
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        return state != "Z"
    return True


def sweep_stale_folders(parent: Path | None = None, prefix: str = PREFIX) -> list[Path]:
    """Remove the folders named ``<prefix><pid>-<random>`` (the scratch folders unless told)
    whose process is gone; returns what was removed. A folder whose name carries no pid
    (``mkdtemp``'s random part alone, as before pids were recorded) is left: whose it is
    cannot be told."""
    parent = Path(parent or tempfile.gettempdir())
    removed = []
    with contextlib.suppress(OSError):
        for folder in parent.glob(prefix + "*"):
            pid_text, dash, _ = folder.name[len(prefix) :].partition("-")
            if not (dash and pid_text.isascii() and pid_text.isdigit()) or not folder.is_dir():
                continue
            if alive(int(pid_text)):
                continue
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def make_scratch_folder(prefix: str = PREFIX) -> Path:
    """A fresh folder for this process, named ``<prefix><pid>-<random>`` and removed at exit;
    stale ones of that prefix are swept first: :func:`made` at once."""
    return made(scratch_folder_name(prefix))


def scratch_folder_name(prefix: str = PREFIX) -> Path:
    """A fresh name for this process's folder, ``<prefix><pid>-<random>`` in the temp
    folder, not made yet (:func:`made` makes it); stale ones of that prefix are swept."""
    sweep_stale_folders(prefix=prefix)
    return Path(tempfile.gettempdir()) / f"{prefix}{os.getpid()}-{secrets.token_hex(6)}"


_MADE: set[Path] = set()
_MAKING = threading.Lock()  # (200 sync views may open their connections at once)


def made(folder: Path) -> Path:
    """``folder`` (named by :func:`scratch_folder_name`), made by this process the first
    time it is asked for, readable by its owner alone, and removed at exit. A folder of
    that name already there is not this process's: refused (``FileExistsError``)."""
    if folder in _MADE:
        return folder
    with _MAKING:
        if folder not in _MADE:
            folder.mkdir(mode=0o700)
            atexit.register(shutil.rmtree, folder, ignore_errors=True)
            _MADE.add(folder)
    return folder
