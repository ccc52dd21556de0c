"""Reading a file from outside: a regular file of bounded size, or one line saying why not.

A scenario or lesson file is handed around, and a path can name anything: a FIFO nobody
writes (an ordinary ``open`` waits for a writer for ever, hanging ``lessons``, ``lesson N``
and the window's start), an endless device (``/dev/zero``, read until the memory runs out),
a folder. The file is opened without waiting (``O_NONBLOCK``: no effect on a regular file),
asked what it is, and read only if it is a regular file of at most :data:`MAX_FILE_BYTES`.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from simulator.errors import ScenarioError

__all__ = ["MAX_FILE_BYTES", "read_small_file"]

#: The largest scenario or lesson file read: the biggest lesson is a few kB.
MAX_FILE_BYTES = 1_000_000


def read_small_file(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of ``path``, a regular file of at most ``limit`` bytes.

    Raises
    ------
    ScenarioError
        Naming the file and what it is instead (missing, a folder, a pipe or a device,
        too large, unreadable); never waits for a writer.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise ScenarioError.in_file(path, "no such file") from None
    except (OSError, ValueError) as exc:
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ScenarioError.in_file(path, f"cannot read the file: {why}") from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise ScenarioError.in_file(path, "is a folder, not a file")
        if not stat.S_ISREG(mode):
            raise ScenarioError.in_file(path, "is not a regular file (a pipe or a device)")
    except BaseException:
        os.close(fd)
        raise
    with os.fdopen(fd, "rb") as file:
        try:
            data = file.read(limit + 1)
        except OSError as exc:
            raise ScenarioError.in_file(
                path, f"cannot read the file: {exc.strerror or exc}"
            ) from None
    if len(data) > limit:
        raise ScenarioError.in_file(path, f"is larger than {limit // 1000} kB: not a scenario file")
    return data
