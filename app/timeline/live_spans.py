"""A live run's lanes split into spans frame after frame, each settled lane once.

The engine hands the same :class:`~simulator.trace.Lane` object for a request whose lane
does not change (:class:`~simulator.hosting.live_lanes.LiveLanes`), so a lane seen finished
and unchanged in two snapshots in a row is split once and kept with the settled ones: a frame
reads only the lanes in flight and those that settled since the last one. Settled is not
final: Django may go on tidying up after an answer (its receivers, a wait for the loop), and
the engine then builds the lane again; that lane goes back in flight and its spans leave the
settled ones, rather than every lane being split again.
"""

from __future__ import annotations

import numpy as np

from app.timeline.spans import RowSpans, lanes_spans
from simulator.trace import Lane, Trace

__all__ = ["LiveRequestSpans"]


class LiveRequestSpans:
    """The by-request spans of one live run's snapshots (see the module's text).

    ``generation`` grows whenever the settled spans change: :attr:`changes` then says how
    (the rows whose spans left them, and the spans added), or is ``None`` when it started
    afresh (a new run: nothing settled is kept).
    """

    def __init__(self) -> None:
        self._t0: int | None = None
        self._done: dict[int, Lane] = {}  # row → the settled lane split into _finished
        self._seen: dict[int, Lane] = {}  # row → the lane of the last snapshot, not settled
        self._finished = RowSpans.empty()
        self.generation = 0
        self.changes: tuple[list[int], RowSpans] | None = None

    def finished(self) -> RowSpans:
        """The settled lanes' spans."""
        return self._finished

    def update(self, trace: Trace) -> RowSpans:
        """Split what is new in ``trace``; returns the spans of the lanes not settled."""
        if trace.t0_ns != self._t0 or len(trace.lanes) < len(self._done):  # a new run
            self._t0 = trace.t0_ns
            self._done, self._seen, self._finished = {}, {}, RowSpans.empty()
            self.generation += 1
            self.changes = None
        done, seen = self._done, self._seen
        settled: list[int] = []
        moving: list[int] = []
        dropped: list[int] = []
        for row, lane in enumerate(trace.lanes):
            kept = done.get(row)
            if kept is lane:
                continue
            if kept is not None:  # built again since it settled: in flight once more
                del done[row]
                dropped.append(row)
            if lane.status != "running" and seen.get(row) is lane:
                settled.append(row)
            else:
                moving.append(row)
        lanes = trace.lanes
        if settled or dropped:
            finished = self._finished
            if dropped:
                finished = finished.take(np.flatnonzero(~np.isin(finished.row, dropped)))
            added = (
                lanes_spans(settled, [lanes[row] for row in settled])
                if settled
                else RowSpans.empty()
            )
            self._finished = RowSpans.concat([finished, added])
            done.update((row, lanes[row]) for row in settled)
            self.changes = (dropped, added)
            self.generation += 1
        self._seen = {row: lanes[row] for row in moving}
        return lanes_spans(moving, [lanes[row] for row in moving]) if moving else RowSpans.empty()
