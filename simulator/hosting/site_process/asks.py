"""The site's process's side of the socket snapshots are asked on: the window's questions
read with one wait for the GIL per wake-up (:class:`Asks`), and a snapshot's reply made with
the cycle collector held off (:func:`collector_held`) and framed for one write
(:func:`framed`). The thread that takes the snapshots (``child._Site._serve_asks``) waits
for the GIL behind the site's busy loop each time it wakes or lets go of it: what it does
between two waits is all it can do without waiting again.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import select
import struct
from collections.abc import Iterator
from multiprocessing.reduction import ForkingPickler
from typing import Any

from simulator.hosting.site_process.wire import SNAPSHOT_ASK

__all__ = ["Asks", "collector_held", "framed"]

#: A message's length as ``multiprocessing.connection`` frames it, the longest it frames so,
#: and a longer one's.
_LENGTH = struct.Struct("!i")
_LONGEST = 0x7FFFFFFF
_LONG_LENGTH = struct.Struct("!Q")


def framed(message: tuple[Any, ...]) -> bytes:
    """``message`` pickled and framed as ``Connection.recv_bytes`` reads it: its length as a
    4-byte big-endian signed number (-1 and 8 bytes for one of 2 GiB or more), the bytes."""
    data = ForkingPickler.dumps(message)
    if len(data) > _LONGEST:
        return _LENGTH.pack(-1) + _LONG_LENGTH.pack(len(data)) + data
    return _LENGTH.pack(len(data)) + data


@contextlib.contextmanager
def collector_held() -> Iterator[None]:
    """The cycle collector off inside the block, which leaves nothing behind but bytes and
    a few counts: the snapshot's records read and framed. Its allocations counted towards
    the site's next collection, and when one fell due the snapshot's thread made it, the
    site's heap walked there: a full one of 44 ms of CPU (59 ms of wall time) in one
    snapshot of 1,000 lanes, middle ones of 9-23 ms, each one a frame waiting for its
    records (``ahead.py``). Off, and what it made freed by reference counting before it is
    back on, the count is where the site's own allocations left it: its collections come
    when they bring them, as in a server alone (``trace/collector.py``). Nothing in the
    block lets go of the GIL of its own accord, but one that runs past the switch interval
    (5 ms: thousands of lanes that changed) is made to, and the site's threads then run a
    while with the collector off too: their allocations are counted, and collected once it
    is back on. Left off if it was. The snapshot's thread holds it off through the reply's
    write, which lets go of the GIL (the site's threads run with it off meanwhile too), until
    the frame lock is free again: why, at ``child._Site._snapshot``."""
    on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if on:
            gc.enable()


class Asks:
    """The window's questions on the socket snapshots are asked on, read as they come or
    until a time: a thread that wakes from a blocking call waits for the GIL the site's
    busy loop holds (up to the switch interval, 5 ms), so each wake-up here costs one such
    wait, whether a question came or the time did. So it waits in ``poll`` (whose timeout
    is exact to the millisecond; the socket's own, ``SO_RCVTIMEO``, came 6-8 ms late here),
    then reads what came without letting go of the GIL (``read`` through ``ctypes.PyDLL``,
    which keeps it, on a socket ``poll`` found readable: it returns at once), where
    ``os.read`` would let go of the GIL and wait for it again."""

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._poll = select.poll()
        self._poll.register(fd, select.POLLIN)
        self._buffer = ctypes.create_string_buffer(4096)
        self._pending = b""

    def read(self, within_ns: int | None) -> list[tuple[int, int, int, int]] | None:
        """The questions that came (:data:`~.wire.SNAPSHOT_ASK`'s fields; none if the
        socket closed), or ``None`` if none came within ``within_ns`` (``None``: no limit).
        Raises ``OSError`` if the socket fails."""
        if not self._poll.poll(None if within_ns is None else within_ns / 1e6):
            return None
        count = _read(self._fd, self._buffer, len(self._buffer))
        if count < 0:
            raise OSError(ctypes.get_errno(), "the window's questions could not be read")
        if count == 0:
            return []
        pending = self._pending + self._buffer.raw[:count]
        whole = len(pending) - len(pending) % SNAPSHOT_ASK.size
        self._pending = pending[whole:]
        questions = list(SNAPSHOT_ASK.iter_unpack(pending[:whole]))
        return questions or self.read(0)  # a question split across reads: the rest comes


#: ``read(2)``, called with the GIL held (``PyDLL``): only on a descriptor with data to read.
_read = ctypes.PyDLL(None, use_errno=True).read
_read.argtypes = (ctypes.c_int, ctypes.c_void_p, ctypes.c_size_t)
_read.restype = ctypes.c_ssize_t
