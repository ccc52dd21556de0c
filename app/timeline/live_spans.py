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

from operator import attrgetter

import numpy as np

from app.timeline.spans import RowSpans, lanes_spans
from simulator.trace import Lane, Trace
from simulator.trace.columns import KIND_CODE

__all__ = ["LiveRequestSpans"]

_KIND = attrgetter("kind")
_START = attrgetter("start_ns")
_END = attrgetter("end_ns")


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
        self._moving = RowSpans.empty()  # the spans of the lanes in flight at the last update
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
            self._moving = RowSpans.empty()
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
        self._moving = self._in_flight(moving, lanes)
        self._seen = {row: lanes[row] for row in moving}
        return self._moving

    def _in_flight(self, moving: list[int], lanes: tuple[Lane, ...]) -> RowSpans:
        """The spans of the lanes at rows ``moving``. Most lanes in flight only grew since the
        last frame (the engine hands the same segments, the last one reaching "now"): their
        spans are the last frame's with the last one's end moved, and only the lanes built
        anew are split again."""
        seen, last = self._seen, self._moving
        same: list[int] = []
        grown: list[int] = []
        fresh: list[int] = []
        for row in moving:
            lane, before = lanes[row], seen.get(row)
            if before is lane:
                same.append(row)
            elif (
                before is not None
                and lane.status == "running"
                and before.status == "running"
                and len(segs := lane.segments) == len(old := before.segments) > 1
                and segs[-2] is old[-2]
                and segs[0] is old[0]
            ):
                grown.append(row)
            else:
                fresh.append(row)
        mode = np.zeros(len(lanes) + 1, np.int8)  # per row: 0 split anew, 1 kept, 2 grown
        mode[same] = 1
        mode[grown] = 2
        rows = np.minimum(last.row, len(lanes))
        counts = np.zeros(len(lanes) + 1, np.int64)
        counts[grown] = [len(lanes[row].segments) for row in grown]  # each one's last: n - 1
        keep = (mode[rows] == 1) | ((mode[rows] == 2) & (last.index < counts[rows] - 1))
        parts = [last.take(np.flatnonzero(keep))]
        if grown:  # each one's last segment, as it reaches now (running: no answer, no tail)
            ends = [lanes[row].segments[-1] for row in grown]
            start = np.fromiter(map(_START, ends), np.int64, len(ends))
            end = np.fromiter(map(_END, ends), np.int64, len(ends))
            kind = np.fromiter(map(KIND_CODE.__getitem__, map(_KIND, ends)), np.uint8, len(ends))
            drawn = start < end
            n = int(drawn.sum())
            parts.append(
                RowSpans(
                    row=np.asarray(grown, np.int32)[drawn],
                    kind=kind[drawn],
                    start=start[drawn],
                    end=end[drawn],
                    tail=np.zeros(n, np.bool_),
                    index=(counts[grown] - 1).astype(np.int32)[drawn],
                )
            )
        if fresh:
            parts.append(lanes_spans(fresh, [lanes[row] for row in fresh]))
        return RowSpans.concat(parts)
