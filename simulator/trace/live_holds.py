"""When the event loop was held, kept up to date as a run goes on: each frame reads only the
records that are new since the last one.

:func:`~simulator.trace.intervals.loop_holding_intervals` reads every probe of the run; a live
window asks for the holds every frame, and at 10,000 requests that read is most of a frame.
:class:`LiveHolds` gives the same :class:`IntervalSet` (same intervals), merging
only what arrived since: new holds and steps land near the end of the run so far, so only the
tail of the merged intervals is merged again. It also says from when on the set may differ
from the last frame's (:attr:`LiveHolds.changed_from`): a lane built from the set up to an
earlier time needs no building again.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence

from embedded_site.instrumentation import RequestProbe
from simulator.trace.intervals import RESUME_SLACK_NS, STEP_SLACK_NS, IntervalSet
from simulator.trace.kinds import HOLDS_THREAD

__all__ = ["LiveHolds"]

#: Before any time, for "everything may have changed".
_EVER = -(2**62)
#: What is read of a probe never read: no segment, no step.
_NONE_READ = (0, 0)


class LiveHolds:
    """The holds on the loop of a live run's probes, read incrementally.

    Call :meth:`update` once per frame with the probes that recorded something since the
    last frame (a probe left out is taken to have recorded nothing new); those holding the
    loop in a segment still open are read again each frame without being passed.
    """

    def __init__(self, loop_thread: str | None) -> None:
        self.loop_thread = loop_thread
        #: What each probe has been read up to: its closed segments, its loop steps.
        self._read: dict[int, tuple[int, int]] = {}
        self._holds: list[tuple[int, int]] = []  # every closed hold so far, unmerged
        self._closed = IntervalSet()  # merged closed holds and steps
        self._open: list[tuple[int, int]] = []  # the last frame's holds still running
        self._holding: dict[int, RequestProbe] = {}  # the probes they are of, by id
        #: The set after the last :meth:`update`.
        self.held = IntervalSet()
        #: The earliest time at which :attr:`held` may differ from the frame before's.
        self.changed_from = _EVER
        #: Where it may differ: the stretches of the holds and steps new, running or ended
        #: since, sorted and joined (their starts, their ends); ``None``: anywhere.
        self.changed: tuple[list[int], list[int]] | None = None

    @property
    def slack(self) -> int:
        return STEP_SLACK_NS if self._closed.stepped else RESUME_SLACK_NS

    def update(self, probes: Sequence[RequestProbe], now_ns: int) -> IntervalSet:
        """Read what ``probes`` recorded since the last call; the holds up to ``now_ns``
        (a hold still running, up to then), as ``loop_holding_intervals`` gives them."""
        loop = self.loop_thread
        if loop is None:
            self.changed_from = 2**62  # no loop: nothing ever holds it
            self.changed = ([], [])
            return self.held
        holds: list[tuple[int, int]] = []
        steps: list[tuple[int, int]] = []
        running: list[tuple[int, int]] = []
        read, holding = self._read, self._holding
        everyone: Sequence[RequestProbe] = probes  # (each once: 10,000 a frame after a burst)
        if holding:
            passed = set(map(id, probes))
            everyone = [*probes, *(p for k, p in list(holding.items()) if k not in passed)]
        for probe in everyone:
            key = id(probe)
            seen_segments, seen_steps = read.get(key, _NONE_READ)
            # (the open ones read first: a hold closed meanwhile is read once, closed)
            new, opened = probe.closed_and_open(seen_segments)
            own = probe.loop_steps
            n_segments, n_steps = seen_segments + len(new), len(own)
            if new:
                for seg in new:
                    if seg.thread == loop and seg.kind in HOLDS_THREAD:
                        holds.append((seg.start_ns, seg.end_ns))
                read[key] = (n_segments, n_steps)
            if n_steps != seen_steps:
                if n_steps == seen_steps + 1:  # (one step since: most often)
                    steps.append(own[seen_steps])
                else:
                    steps += own[seen_steps:n_steps]
                read[key] = (n_segments, n_steps)
            if opened:
                own_running = [
                    (seg.start_ns, max(now_ns, seg.start_ns))
                    for seg in opened
                    if seg.thread == loop and seg.kind in HOLDS_THREAD
                ]
                if own_running:
                    running += own_running
                    holding[key] = probe
                    continue
            if key in holding:
                del holding[key]
        steps.sort()
        stretches = holds + self._moved(running) + steps
        self.changed_from = min((start for start, _ in stretches), default=2**62)
        joined = IntervalSet.of(stretches)  # sorted, those that overlap joined
        self.changed = (joined.starts, joined.ends)
        if steps and not self._closed.stepped:
            self.changed_from = _EVER  # the first step: the slack changes, merged afresh
            self.changed = None
            self._holds += holds
            self._closed = IntervalSet(stepped=True)  # (the slack of steps, for the merge)
            self._closed = self._merged(self._closed, self._holds + steps)
        elif holds or steps:
            self._holds += holds
            self._closed = self._merged(self._closed, holds + steps)
        self._open = running
        self.held = self._with(running) if running else self._closed
        return self.held

    def _moved(self, running: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """Where the holds running now and at the last update differ from the last's: a
        hold still running from the same start only between where it reached then and
        where it reaches now (a live frame's lanes grown to a later now from the same
        records: no lane that read the holds before then is built again for it; at an
        earlier now, the stretch it no longer reaches); one that ended or began, all of it."""
        before = dict(self._open)
        moved = [
            (min(reached, end), max(reached, end))
            for start, end in running
            for reached in (before.get(start, start),)
        ]
        still = {start for start, _ in running}
        return moved + [(start, end) for start, end in self._open if start not in still]

    def _with(self, running: list[tuple[int, int]]) -> IntervalSet:
        """The closed set with the holds still running merged in (a copy: they change)."""
        closed = self._closed
        copy = IntervalSet(list(closed.starts), list(closed.ends), closed.stepped)
        return self._merged(copy, running)

    def _merged(self, into: IntervalSet, new: list[tuple[int, int]]) -> IntervalSet:
        """``into`` with ``new`` merged: the intervals ending more than the slack before the
        first new start stay as they are; the rest are merged again with the new ones."""
        if not new:
            return into
        slack = self.slack
        first = min(start for start, _ in new)
        at = bisect.bisect_left(into.ends, first - slack)
        tail = IntervalSet.of(
            list(zip(into.starts[at:], into.ends[at:], strict=True)) + new, slack=slack
        )
        into.starts[at:] = tail.starts
        into.ends[at:] = tail.ends
        return into
