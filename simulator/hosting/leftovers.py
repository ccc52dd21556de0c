"""What a killed run left: real server processes and their folders, swept by the next start.

A server's processes end with us (they watch a pipe only we hold), so this is the second
line: a run killed before its pipe was made, a server wedged too hard to act on it. Every
server folder (``<prefix><our pid>-<random>``) records its processes as ``pid start-time``
lines; a later start sweeps the folders whose owner is gone, killing only the processes
that are still the ones recorded (the same pid *and* the same start time: a pid the kernel
has since handed to someone else is left alone), then removing the folder.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
from collections.abc import Iterable
from pathlib import Path

from embedded_site.scratch import alive

__all__ = [
    "FOLDER_PREFIX",
    "PIDS_FILE",
    "alive",
    "record_pids",
    "start_time",
    "sweep_stale_servers",
]

#: The folder of every server's TMPDIR: ``async-lanes-server-<pid>-<random>``.
FOLDER_PREFIX = "async-lanes-server-"
#: The file in a server's folder naming its processes.
PIDS_FILE = "pids"


def start_time(pid: int) -> int | None:
    """When process ``pid`` started (clock ticks since boot, Linux), or ``None`` if it is
    gone, a zombie, or the system does not say: with the pid, a process's identity."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    if fields[0] == "Z":
        return None
    return int(fields[19])  # field 22 of stat(5); fields here start at its 3rd


def record_pids(folder: Path, pids: Iterable[int]) -> None:
    """Note ``pids`` (and their start times) in ``folder`` for a later sweep."""
    lines = [f"{pid} {start}" for pid in pids if (start := start_time(pid)) is not None]
    with contextlib.suppress(OSError):
        (folder / PIDS_FILE).write_text("\n".join(lines) + "\n")


def _owner_alive(pid: int) -> bool:
    return pid == os.getpid() or (alive(pid) and start_time(pid) is not None)


def _recorded(folder: Path) -> list[tuple[int, int]]:
    recorded = []
    with contextlib.suppress(OSError, ValueError):
        for line in (folder / PIDS_FILE).read_text().splitlines()[:1000]:
            pid, start = (int(word) for word in line.split())
            recorded.append((pid, start))
    return recorded


def sweep_stale_servers(parent: Path, prefix: str) -> list[Path]:
    """Kill the recorded processes (still ours) of every server folder whose owner is gone,
    and remove the folder; returns the folders removed."""
    removed = []
    with contextlib.suppress(OSError):
        for folder in parent.glob(prefix + "*"):
            owner = folder.name[len(prefix) :].split("-", 1)[0]
            if not owner.isascii() or not owner.isdigit() or _owner_alive(int(owner)):
                continue
            if folder.is_symlink() or not folder.is_dir():
                continue
            for pid, start in _recorded(folder):
                if pid > 1 and start_time(pid) == start:
                    with contextlib.suppress(ProcessLookupError, PermissionError):
                        if os.getpgid(pid) == pid:  # a server's main process leads its group
                            os.killpg(pid, signal.SIGKILL)
                    with contextlib.suppress(ProcessLookupError, PermissionError):
                        os.kill(pid, signal.SIGKILL)
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed
