"""Writing a file so that it is either the old one or the whole new one, never half.

A full disk, Ctrl+C or a second instance writing the same path must not leave a truncated
file where a good one was: the data goes to a temporary file beside the target (same folder,
so the same file system), is flushed to disk, and only then renamed over the target, which
POSIX and Windows both do in one step. A target that is not a regular file (a device, a
pipe) is written in place: it holds nothing to protect, and must not be replaced; it is
written with a deadline, so a FIFO nobody reads fails in seconds instead of holding the
command until SIGKILL. The temporary name is cut to fit the file system: a name it takes
is always writable.
"""

from __future__ import annotations

import contextlib
import errno
import os
import select
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

__all__ = [
    "IN_PLACE_DEADLINE_S",
    "write_bytes_atomically",
    "write_chunks_atomically",
    "write_text_atomically",
]

#: The longest a write to a pipe or a device may wait for its reader (a FIFO nobody reads
#: must not hold the command until SIGKILL): then it fails, saying so.
IN_PLACE_DEADLINE_S = 10.0
#: What is gathered before each write to a regular file.
_BUFFER_BYTES = 1 << 20
#: ``.<name>.<8 random>.part``: what the temporary name adds to the target's.
_TEMP_EXTRA = len("..") + 8 + len(".part")


def _write_in_place(target: Path, data: bytes, deadline_s: float) -> None:
    """Write ``data`` to a pipe or a device without ever blocking for longer than
    ``deadline_s``: a FIFO with no reader yet is retried until one comes."""
    deadline = time.monotonic() + deadline_s
    flags = os.O_WRONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    while True:
        try:
            fd = os.open(target, flags)
            break
        except OSError as exc:
            if exc.errno != errno.ENXIO:  # ENXIO: a FIFO with no reader yet
                raise
            if time.monotonic() > deadline:
                raise _timed_out(target, deadline_s) from None
            time.sleep(0.05)
    try:
        view = memoryview(data)
        while view:
            try:
                written = os.write(fd, view)
            except BlockingIOError:
                written = 0
            view = view[written:]
            if view:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise _timed_out(target, deadline_s)
                select.select([], [fd], [], min(left, 0.1))
    finally:
        os.close(fd)


def _timed_out(target: Path, deadline_s: float) -> OSError:
    return OSError(errno.ETIMEDOUT, f"nothing read it within {deadline_s:g} s", str(target))


def _temp_prefix(target: Path) -> str:
    """``.<name>.``, the name cut (at a character) so the whole temporary name fits in what
    the file system allows: a name it takes is always writable."""
    try:
        limit = os.pathconf(target.parent, "PC_NAME_MAX")
    except (OSError, ValueError, AttributeError):
        limit = 255
    name = target.name
    while len(os.fsencode(name)) + _TEMP_EXTRA > limit and name:
        name = name[:-1]
    return f".{name}."


def write_bytes_atomically(path: str | Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` in one step; on any error the old file is untouched
    and no temporary file is left behind."""
    write_chunks_atomically(path, [data])


def write_chunks_atomically(path: str | Path, chunks: Iterable[bytes | str]) -> None:
    """:func:`write_bytes_atomically` for data made piece by piece (``str`` as UTF-8): a
    big run's file is never held whole in memory, only one piece at a time."""
    target = Path(path)
    if target.exists() and not target.is_file():
        # A device or a pipe (/dev/stdout, /dev/full, a FIFO): a file renamed over it would
        # replace it (as root, even in /dev). Written in place; there is nothing to keep.
        # Held whole: a pipe or a device gets one write, bounded by its deadline.
        data = b"".join(c.encode("utf-8") if isinstance(c, str) else c for c in chunks)
        _write_in_place(target, data, IN_PLACE_DEADLINE_S)
        return
    fd, temp = tempfile.mkstemp(prefix=_temp_prefix(target), suffix=".part", dir=target.parent)
    try:
        # Big writes: each one lets the GIL go, and threads of a stopped site may be waiting.
        with os.fdopen(fd, "wb", buffering=_BUFFER_BYTES) as out:
            _write_all(out, chunks)
            out.flush()
            os.fsync(out.fileno())
        if target.exists():  # keep the target's permissions, as an in-place write would
            with contextlib.suppress(OSError):
                os.chmod(temp, target.stat().st_mode & 0o7777)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temp, 0o666 & ~umask)
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def _write_all(out: BinaryIO, chunks: Iterable[bytes | str]) -> None:
    for chunk in chunks:
        out.write(chunk.encode("utf-8") if isinstance(chunk, str) else chunk)


def write_text_atomically(path: str | Path, text: str) -> None:
    """:func:`write_bytes_atomically` for UTF-8 text."""
    write_bytes_atomically(path, text.encode("utf-8"))
