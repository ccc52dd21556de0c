"""The site's full collections told to the window as they begin and end, with the records as
they stood when one began.

A full collection of the site's process holds its GIL throughout: 17-78 ms at 1,000 requests
in flight, up to a second at 10,000. None of the site's Python runs meanwhile, so no probe
records anything, and no record can be read either: a live frame of the window's that wanted
the site's records waited out the collection, then the build of what arrived after it
(``benchmarks/render.py``: most 1,000-lane frames over 100 ms had waited 40-78 ms in one).
Here the collection's own thread, in the collector's callback (``gc.callbacks``, through
``collector.Collections``; the GIL held, before it walks anything), reads the in-process
run's records and sends them to the window as ``collecting``, and once it has walked, says
``collected`` (with when the records were written: the write lets go of the GIL, and the
site's threads may run a moment before the collection walks). The window knows then that
nothing was recorded from that write to the collection's end
(``record_wire.RecordMirror.unseen_ns``): a frame then is built from those records at its
own now, as recent as records read at that now would be, and waits for nothing.

Only full collections (the oldest generation): the young ones last a few ms, less than a
frame's records may lag anyway (``ahead.STALE_NS``), and come hundreds of times a run; a
full one comes a few times. What it costs the site: one read of its records, as a snapshot
asked for the next frame costs (about 1 ms at 1,000 requests), on the thread the collection
stopped anyway. Told only if nothing else holds the frame or the send lock then (another
thread halfway through a frame, or this one through a message, when the collection fell
due): a frame then waits for the collection as before. Nor once the window was told the
run's last answer: it draws no frame after it, and the read would only lengthen the
collections of Django's tidying (6-9 ms each at 5,000 requests).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from simulator.hosting.site_process.asks import framed
from simulator.hosting.site_process.record_wire import RecordFrame

__all__ = ["CollectionTeller"]

#: The run measured and its records as they stand at a time (``None``: no in-process run is).
FrameNow = Callable[[int], tuple[int, RecordFrame] | None]


class CollectionTeller:
    """Tells the window when the site's full collections begin (with the records then) and
    end. ``frame_lock`` orders the frames a run's sender encodes; ``send_lock`` the writes
    of ``write``, which sends a message :func:`framed` whole."""

    def __init__(
        self,
        frame_now: FrameNow,
        write: Callable[[bytes], None],
        frame_lock: threading.Lock,
        send_lock: threading.Lock,
    ) -> None:
        self._frame_now = frame_now
        self._write = write
        self._frame_lock = frame_lock
        self._send_lock = send_lock
        #: The run told of the collection under way, when it began (its records read), and
        #: when the records were written (the site's threads may run while they are: the
        #: collection walks from then on).
        self._told: tuple[int, int, int] | None = None

    def seen(self, phase: str, now_ns: int) -> None:
        """A full collection starts or stops (``phase``, as ``gc.callbacks`` say it) at
        ``now_ns``: called by the process's :class:`~simulator.trace.collector.Collections`,
        the one callback that times its collections."""
        try:
            if phase == "start":
                self._begun(now_ns)
            else:
                self._ended(now_ns)
        except Exception:  # noqa: BLE001, S110 (never the site's collection's failure)
            self._told = None

    def _begun(self, now_ns: int) -> None:
        self._told = None
        # Not waited for: this thread may be the one holding either (the collection fell
        # due in the middle of its frame or message), and a wait would be for ever.
        if not self._frame_lock.acquire(blocking=False):
            return
        try:
            if not self._send_lock.acquire(blocking=False):
                return
            try:
                made = self._frame_now(now_ns)
                if made is None:
                    return
                run_id, frame = made
                self._write(framed(("collecting", run_id, frame, now_ns)))
                self._told = run_id, now_ns, time.perf_counter_ns()
            finally:
                self._send_lock.release()
        finally:
            self._frame_lock.release()

    def _ended(self, now_ns: int) -> None:
        told, self._told = self._told, None
        if told is None:
            return
        run_id, began_ns, written_ns = told
        # Free, or taken since by a thread that was waiting for it and now waits for the
        # GIL this one holds (this one released it at the start, and no Python has run
        # here since): waited for, it is released at once.
        with self._send_lock:
            self._write(framed(("collected", run_id, began_ns, written_ns, now_ns)))
