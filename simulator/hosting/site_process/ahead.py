"""A live run's records asked ahead of the window's next frame, so that the frame finds
them arrived rather than asking and waiting.

Asked when the window wanted a frame, a snapshot waited for the site's process: its thread
that takes them woke, waited for the GIL the site's busy loop holds (up to the switch
interval, 5 ms, longer amid Django's threads or on a busy machine), read the records, and
its reply crossed back: 4–10 ms at the median of 1,000 lanes on a busy machine, tens of ms
at worst, before the window began to build the lanes. So after each frame the window asks
for the next frame's records ahead, to be taken at a time (``at_ns``) one push's latency
(:attr:`Ahead.lead_ns`) before the next frame is due (the shortest of the last intervals
between frames: a frame early finds the records not there yet and waits, one late finds
them older). The site's thread takes them then (``child._Site._serve_asks``: the timeout of
its read wakes it), or at once if the window hurries it; the window's reader applies them as
they arrive, and builds their lanes then (``RecordMirror.build_ahead``; the lead counts
that build, so it is mostly done before the frame is due). A frame then builds the lanes at
its own now from what has arrived, with no round trip and only the lanes in flight to grow:
records read a few ms before that now, each lane as its records stood then and built at now
(``record_wire.RecordMirror.trace``). It waits for the site only when the
records asked ahead are not there yet (hurried: at most one push, or until what arrives
meanwhile will do), or the site's Python may have run longer than :data:`STALE_NS` since
they were read (asked again at once, as before: a frame much later than the last ones). A
full collection of the site's stops all its Python, and is told as it begins with the
records then (``collecting.py``): its length does not count.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["ENOUGH", "STALE_NS", "Ahead", "Asked", "fresh"]

#: The longest the site's Python may have run since a frame's records were read (their
#: age, less the site's full collections meanwhile: ``RecordMirror.unseen_ns``): longer, the
#: frame asks again at once and waits.
STALE_NS = 25_000_000
#: What a hurried snapshot's wait gives once the records that arrived meanwhile will do.
ENOUGH = object()
#: The longest a push is given before the frame it is asked for (its latency's bound: a
#: longer one is hurried by the frame instead).
LONGEST_LEAD_NS = 15_000_000
#: The shortest: a push's latency with the GIL free at once and nothing to send.
SHORTEST_LEAD_NS = 1_000_000
#: How many frames' intervals, and pushes' latencies, the next ones are judged by.
KEPT = 8


@dataclass
class Asked:
    """A question to the site's process, waiting for its reply: ``replied`` makes the reply
    what the asker gets (on the thread that reads the site's process)."""

    replied: Callable[[Any], Any]
    number: int = -1
    done: threading.Event = field(default_factory=threading.Event)
    reply: Any = None
    #: When the reply was taken (``perf_counter_ns``), and, asked ahead, when the site's
    #: process was to take the snapshot.
    arrived_ns: int = 0
    at_ns: int = 0

    def answer(self, reply: Any) -> None:
        """The reply came (on the reader's thread). One that cannot be applied ends the
        reader, and the run: the asker gets nothing at once rather than waiting out its
        patience (``parent.ASK_PATIENCE_S``, 60 s) for a reply that was taken already."""
        try:
            self.reply = self.replied(reply)
        finally:
            self.arrived_ns = time.perf_counter_ns()
            self.done.set()


class Ahead:
    """How long before a frame its records are asked to be taken, from the last pushes'
    latencies (from the time a push was to be taken to its arrival here), and whether
    records are recent enough for a frame."""

    def __init__(self) -> None:
        self._latencies: deque[int] = deque(maxlen=KEPT)
        #: The snapshots asked ahead whose replies were not yet looked at.
        self.asked: list[Asked] = []

    @property
    def lead_ns(self) -> int:
        """About the slowest push but one of the last few (each one slower than that makes
        its frame wait), within :data:`SHORTEST_LEAD_NS` and :data:`LONGEST_LEAD_NS`."""
        for asked in [a for a in self.asked if a.done.is_set()]:
            self.asked.remove(asked)
            if asked.arrived_ns and asked.reply is not None:  # (not one replaced, say)
                self._latencies.append(max(0, asked.arrived_ns - asked.at_ns))
        del self.asked[:-KEPT]  # never answered (the site's process gone): forgotten
        if not self._latencies:
            return LONGEST_LEAD_NS
        latencies = sorted(self._latencies)
        lead = latencies[-2] if len(latencies) > 1 else latencies[-1]
        return min(LONGEST_LEAD_NS, max(SHORTEST_LEAD_NS, lead + SHORTEST_LEAD_NS))

    @property
    def on_its_way(self) -> Asked | None:
        """The last snapshot asked ahead, if its reply has not come."""
        last = self.asked[-1] if self.asked else None
        return last if last is not None and not last.done.is_set() else None


def fresh(unseen_ns: int) -> bool:
    """Whether records are recent enough for a frame, the site's Python having run for
    ``unseen_ns`` since they were read (``RecordMirror.unseen_ns``)."""
    return unseen_ns <= STALE_NS
