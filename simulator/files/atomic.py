"""Writing a file so that it is either the old one or the whole new one, never half.

A full disk, Ctrl+C or a second instance writing the same path must not leave a truncated
file where a good one was: the data goes to a temporary file beside the target (same folder,
so the same file system), is flushed to disk, and only then renamed over the target, which
POSIX and Windows both do in one step. A target that is not a regular file (a device, a
pipe) is written in place: it holds nothing to protect, and must not be replaced.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

__all__ = ["write_bytes_atomically", "write_chunks_atomically", "write_text_atomically"]


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
        with open(target, "wb") as out:
            _write_all(out, chunks)
        return
    fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as out:
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
