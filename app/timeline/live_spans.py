"""A live run's rows, frame after frame, at the cost of the lanes that changed.

The engine hands the same :class:`~simulator.trace.Lane` object for a request whose lane does
not change, and a lane in flight that only grew with "now" as a new lane with the same
segments, the last one reaching the new now (:func:`simulator.trace.growing.grown`).
:class:`LiveRequestSpans` keeps every row's spans between frames, and a lane in flight's last
bar reaching now is kept *open* (:data:`OPEN`): the painter draws it up to "now" whatever
now is, so a lane that only grew costs nothing, and one the same object nothing either. Only
the lanes the engine built anew (and new ones) are split again, and only their rows change in
the painter's cached tiles (:meth:`~app.timeline.raster.Tiles.change`). The same holds for the
rows' other facts (labels, answers, errors, where the run ends): kept per row, changed where a
lane changed, so a frame of 10,000 lanes in flight is a few array operations, not a call per
lane.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from operator import attrgetter, itemgetter

import numpy as np
import numpy.typing as npt

from app.timeline.error_label import error_text
from app.timeline.live_diff import alike_prefix, changed_from, only_grew
from app.timeline.rows import TimelineRows
from app.timeline.spans import RowSpans, answered_ns, columns_spans, lanes_spans
from simulator.trace import Lane, Trace
from simulator.trace.columns import (
    DONE_OF,
    END_OF,
    START_OF,
    STATUS_CODE,
    STATUS_OF,
    SegmentColumns,
)

__all__ = ["OPEN", "LiveRequestSpans"]

#: The end of a bar still going on: a lane in flight's last, drawn up to "now".
OPEN = 2**62

#: A row's status, as kept per row.
_STATUS = {"running": 0, "ok": 1, "error": 2, "cancelled": 3}
_RUNNING, _OK, _ERROR = 0, 1, 2

#: What changed since the painter's tiles last asked: the rows whose bars changed, frame by
#: frame, and from when on each (:func:`~app.timeline.live_diff.changed_from`); ``None``:
#: everything (a new run).
Changes = list[tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]] | None
Int64s = npt.NDArray[np.int64]


class LiveRequestSpans:
    """The by-request rows of one live run's snapshots (see the module's text)."""

    def __init__(self) -> None:
        self._reset(None)

    def _reset(self, t0_ns: int | None) -> None:
        self._t0 = t0_ns
        self.trace: Trace | None = None
        self._lanes: tuple[Lane, ...] = ()  # the last frame's: alive, so their ids are theirs
        self._ids = np.zeros(0, np.int64)
        #: Per row: its last bar is open (a lane in flight reaching the last frame's now).
        self._open = np.zeros(0, np.bool_)
        self._status = np.zeros(0, np.int8)
        self._done = np.zeros(0, np.int64)
        self._end = np.zeros(0, np.int64)
        self._request = np.zeros(0, np.int64)
        #: Every row's bars (open ones end at :data:`OPEN`), in no order.
        self.spans = RowSpans.empty()
        self.now: int | None = None
        self._labels: list[str] = []
        self._answered: list[tuple[int, int]] = []
        self._errors: dict[int, tuple[int, str]] = {}
        self._failed: tuple[list[tuple[int, int]], list[tuple[int, int, str]]] = ([], [])
        self._changes: Changes = None
        #: Lanes split at the last update (the rest were kept or only grew), and of their
        #: segments, how many kept their bars (the same objects as the last frame's).
        self.split = 0
        self.kept = 0
        #: Whether the last update told what changed from the two snapshots' columns.
        self.by_columns = False

    def take_changes(self) -> Changes:
        """What changed in :attr:`spans` since last asked (``None``: all of it)."""
        changes, self._changes = self._changes, []
        return changes

    def rows(self, trace: Trace, now_ns: int | None) -> TimelineRows:
        """``trace`` (a snapshot at ``now_ns``) laid out by request, as
        :class:`~app.timeline.rows.TimelineRows` lays it out, from what the last frame kept."""
        self.update(trace, now_ns)
        spans, now = self.spans, self.now
        running = int(np.count_nonzero(self._status == _RUNNING))
        ends = (
            (int(self._done.max()), int(self._end.max()), running == 0)
            if len(self._done)
            else (trace.t0_ns, trace.t0_ns, True)
        )
        return TimelineRows.laid_out(
            trace,
            labels=self._labels,
            answered=self._answered,
            failed_rows=self._failed[0],
            error_texts=self._failed[1],
            spans=lambda: _closed(spans, now),
            ends=ends,
        )

    def update(self, trace: Trace, now_ns: int | None = None) -> None:
        """Take in ``trace``, a snapshot at ``now_ns``: split what is new in it."""
        lanes = trace.lanes
        n = len(lanes)
        if trace.t0_ns != self._t0 or n < len(self._lanes):  # a new run
            self._reset(trace.t0_ns)
        known = len(self._lanes)
        ids = np.fromiter(map(id, lanes), np.int64, n)
        other = ids[:known] != self._ids
        if now_ns != self.now:  # an open bar ends at its lane's end: the same lane, later
            other |= self._open[:known]
        # Told apart with numpy, segment by segment, where this snapshot's columns and the
        # last one's are built (the window builds them every frame): else lane by lane.
        columns = trace.built_columns
        before = self.trace.built_columns if self.trace is not None else None
        if columns is None or len(columns.offsets) != n + 1:
            before = None
        elif before is not None and len(before.offsets) != known + 1:
            before = None
        self.by_columns = before is not None
        grown, fresh = self._grown(np.flatnonzero(other).tolist(), trace, now_ns, before)
        fresh += range(known, n)
        self._grow_to(n)
        if grown and now_ns is not None:  # (only lanes reaching a now grow)
            at = np.asarray(grown, np.int64)
            self._done[at] = self._end[at] = now_ns
        self.split, self.kept = len(fresh), 0
        if fresh:
            self._take(fresh, trace, now_ns, known, before)
        self.trace, self._lanes, self._ids, self.now = trace, lanes, ids, now_ns

    def _grown(
        self,
        rows: list[int],
        trace: Trace,
        now_ns: int | None,
        before: SegmentColumns | None,
    ) -> tuple[list[int], list[int]]:
        """Of ``rows`` (lanes not the last frame's objects): those that only grew with now
        (drawn as they were: their last bar is open), and the rest. With ``before`` (the
        last frame's columns), read from the columns."""
        if now_ns is None or not rows:
            return [], rows
        lanes = trace.lanes
        if before is not None and trace.built_columns is not None:
            at = np.asarray(rows, np.int64)
            was_open = self._open[at]
            candidates = at[was_open]
            status = trace.lane_columns.status
            grew = only_grew(trace.built_columns, before, status, candidates, now_ns)
            rest = np.sort(np.concatenate([at[~was_open], candidates[~grew]]))
            return candidates[grew].tolist(), rest.tolist()
        was_open = self._open[rows]
        fresh = [row for row, open_ in zip(rows, was_open.tolist(), strict=True) if not open_]
        old_lanes = self._lanes
        grown: list[int] = []
        for row in np.asarray(rows)[was_open].tolist():
            segs, was = lanes[row].segments, old_lanes[row].segments
            # The engine's grown lane (an open one was in flight): the same segment objects
            # (a lane built anew has new ones, at least from where it changed), and the last
            # one, its kind and start unchanged, reaching now.
            if (
                len(segs) == len(was)
                and lanes[row].status == "running"
                and (last := segs[-1]).end_ns == now_ns
                and last.start_ns == (first := was[-1]).start_ns
                and last.kind == first.kind
                and (len(segs) == 1 or (segs[-2] is was[-2] and segs[0] is was[0]))
            ):
                grown.append(row)
            else:
                fresh.append(row)
        fresh.sort()
        return grown, fresh

    def _grow_to(self, n: int) -> None:
        extra = n - len(self._ids)
        if extra > 0:
            self._open = np.concatenate([self._open, np.zeros(extra, np.bool_)])
            self._status = np.concatenate([self._status, np.zeros(extra, np.int8)])
            self._done = np.concatenate([self._done, np.zeros(extra, np.int64)])
            self._end = np.concatenate([self._end, np.zeros(extra, np.int64)])
            self._request = np.concatenate([self._request, np.full(extra, -1, np.int64)])

    def _take(
        self,
        fresh: list[int],
        trace: Trace,
        now_ns: int | None,
        known: int,
        before: SegmentColumns | None,
    ) -> None:
        """Split the lanes at rows ``fresh`` (in row order) and note their rows' facts; with
        ``before`` (the last frame's columns), from this snapshot's columns alone."""
        lanes = trace.lanes
        at = np.asarray(fresh, np.int64)
        columns = trace.built_columns
        if columns is not None and len(columns.offsets) == len(lanes) + 1:
            # The figures read this snapshot's segments already: no object is read again.
            status, done, ends, heads, counts = _column_facts(trace, columns, at)
            requests = np.fromiter(
                map(_REQUEST_OF, map(lanes.__getitem__, fresh)), np.int64, len(fresh)
            )
            if before is not None:
                kept = self._kept_alike(at, columns, before, known, status, done, ends)
            else:
                kept = np.asarray(self._kept_prefix(fresh, lanes, known), np.int64)
            answered = np.where((status == _OK) | (status == _ERROR), done, ends)
            added = columns_spans(columns, fresh, kept.tolist(), answered)
        else:
            taken = [lanes[row] for row in fresh]
            kept = np.asarray(self._kept_prefix(fresh, lanes, known), np.int64)
            status, done, ends, requests, heads, counts = _facts(taken)
            added = lanes_spans(fresh, taken, kept.tolist())
        self.kept = int(kept.sum())
        # A lane in flight whose last segment reaches now: that bar is open.
        opened = (status == _RUNNING) & (ends == now_ns) & (heads < ends)
        if now_ns is not None and opened.any():
            last = np.full(len(lanes), -1, np.int64)
            last[at[opened]] = counts[opened] - 1
            reach = last[added.row] == added.index
            added = replace(added, end=np.where(reach, OPEN, added.end))
        self._open[at] = opened if now_ns is not None else False
        answers = (self._status[at] == _OK) | (status == _OK)
        moved = bool((answers & ((self._status[at] != status) | (self._done[at] != done))).any())
        marks = _marked(self._status[at], self._done[at]), _marked(status, done)
        self._status[at], self._done[at], self._end[at] = status, done, ends
        self._note_labels(at, requests)
        if moved:
            ok = np.flatnonzero(self._status == _OK)
            self._answered = list(zip(ok.tolist(), self._done[ok].tolist(), strict=True))
        self._note_errors(fresh, lanes, status)
        spans, dropped = self.spans, RowSpans.empty()
        if known:
            # A row's bars go from its first segment not kept on (all of a row not seen).
            cut = np.full(len(lanes), OPEN, np.int64)
            cut[at] = kept
            stays = spans.index < cut[spans.row]
            spans, dropped = spans.take(np.flatnonzero(stays)), spans.take(np.flatnonzero(~stays))
        self.spans = RowSpans.concat([spans, added])
        if self._changes is not None:
            since = changed_from(dropped, added, at, len(lanes), self.now)
            # An answer mark or a failed lane's block that came or moved: from there too.
            moved_mark = marks[0] != marks[1]
            since[moved_mark] = np.minimum(since, np.minimum(*marks))[moved_mark]
            self._changes.append((at, since))

    def _kept_alike(
        self,
        at: Int64s,
        columns: SegmentColumns,
        before: SegmentColumns,
        known: int,
        status: npt.NDArray[np.int8],
        done: Int64s,
        ends: Int64s,
    ) -> Int64s:
        """:meth:`_kept_prefix` read from the columns: of each lane at rows ``at`` (its
        ``status``, answer ``done`` and ``ends`` as now), how many first segments are alike
        in this snapshot and the last (``before``), kind, start and end: their bars stand."""
        kept = np.zeros(len(at), np.int64)
        inside = np.flatnonzero(at < known)
        if not len(inside):
            return kept
        rows, now = at[inside], status[inside]
        was = self._status[rows]
        answered = np.where((now == _OK) | (now == _ERROR), done[inside], ends[inside])
        answered_was = np.where((was == _OK) | (was == _ERROR), self._done[rows], self._end[rows])
        least = np.minimum(
            columns.offsets[rows + 1] - columns.offsets[rows],
            before.offsets[rows + 1] - before.offsets[rows],
        )
        # In flight then and now: all but the last (open, or cut at now); answered as it
        # was: all; else none.
        as_was = np.where((was == now) & (answered == answered_was), least, 0)
        most = np.where((was == _RUNNING) & (now == _RUNNING), least - 1, as_was)
        kept[inside] = alike_prefix(columns, before, rows, most)
        return kept

    def _kept_prefix(self, fresh: list[int], lanes: Sequence[Lane], known: int) -> list[int]:
        """For each lane at rows ``fresh``: how many of its first segments are the last
        frame's lane's, the same objects (the engine hands a lane built again from where its
        records changed so), whose bars stand as they were: those of a lane in flight then
        and now but its last (open, or cut at now), all of one answered as it was."""
        old_lanes = self._lanes
        out = []
        for row in fresh:
            if row >= known:
                out.append(0)
                continue
            lane, old = lanes[row], old_lanes[row]
            segs, before = lane.segments, old.segments
            if lane.status == old.status == "running":
                most = min(len(before), len(segs)) - 1
            elif lane.status == old.status and answered_ns(lane) == answered_ns(old):
                most = min(len(before), len(segs))
            else:
                most = 0
            same = 0
            while same < most and segs[same] is before[same]:
                same += 1
            out.append(same)
        return out

    def _note_labels(self, at: npt.NDArray[np.int64], requests: npt.NDArray[np.int64]) -> None:
        """The rows' labels (``#7``): a new list where one changes (the last frame's rows
        keep theirs)."""
        changed = at[self._request[at] != requests]
        if not len(changed):
            return
        self._request[at] = requests
        labels = list(self._labels)
        labels += [""] * (len(self._request) - len(labels))
        for row in changed.tolist():
            labels[row] = f"#{int(self._request[row]) + 1}"  # screens count from 1
        self._labels = labels

    def _note_errors(
        self, fresh: list[int], lanes: Sequence[Lane], status: npt.NDArray[np.int8]
    ) -> None:
        """The failed rows and their errors: new lists where one changes."""
        errors = self._errors
        if not errors and not (status == _ERROR).any():
            return  # (no row failed, then or now)
        changed = False
        for row, code in zip(fresh, status.tolist(), strict=True):
            if code == _ERROR:
                lane = lanes[row]
                errors[row] = (answered_ns(lane), error_text(lane))
                changed = True
            elif errors.pop(row, None) is not None:
                changed = True
        if changed:
            failed = sorted(errors.items())
            self._failed = (
                [(row, end) for row, (end, _) in failed],
                [(row, end, text) for row, (end, text) in failed],
            )


#: A lane's segments (read for thousands of lanes a frame through ``map``, not a loop).
_SEGMENTS_OF = attrgetter("segments")
_LAST = itemgetter(-1)
_REQUEST_OF = attrgetter("request_id")


def _facts(lanes: list[Lane]) -> tuple[npt.NDArray[np.signedinteger], ...]:
    """Each lane's status, answer, end, request, its last segment's start (none:
    :data:`OPEN`) and how many segments it has, read column by column."""
    k = len(lanes)
    segs = list(map(_SEGMENTS_OF, lanes))
    count = np.fromiter(map(len, segs), np.int64, k)
    done = np.fromiter(map(DONE_OF, lanes), np.int64, k)
    end, head = done.copy(), np.full(k, OPEN, np.int64)
    some = np.flatnonzero(count)
    if len(some):
        last = list(map(_LAST, segs if len(some) == k else [segs[i] for i in some.tolist()]))
        end[some] = np.fromiter(map(END_OF, last), np.int64, len(some))
        head[some] = np.fromiter(map(START_OF, last), np.int64, len(some))
    status = np.fromiter(map(_STATUS.__getitem__, map(STATUS_OF, lanes)), np.int8, k)
    request = np.fromiter(map(_REQUEST_OF, lanes), np.int64, k)
    return status, done, end, request, head, count


#: A lane's status as kept per row (:data:`_STATUS`), from its code in the columns.
_FROM_CODE = np.zeros(max(STATUS_CODE.values()) + 1, np.int8)
for _name, _code in STATUS_CODE.items():
    _FROM_CODE[_code] = _STATUS[_name]


def _column_facts(
    trace: Trace, columns: SegmentColumns, at: Int64s
) -> tuple[npt.NDArray[np.int8], Int64s, Int64s, Int64s, Int64s]:
    """What :func:`_facts` tells of the lanes at ``at`` but their requests, read from
    ``trace``'s columns (``columns``, its segments')."""
    lane_columns = trace.lane_columns
    first, after = columns.offsets[at], columns.offsets[at + 1]
    counts = after - first
    heads = np.full(len(at), OPEN, np.int64)
    some = counts > 0
    heads[some] = columns.start_ns[after[some] - 1]
    status = _FROM_CODE[lane_columns.status[at]]
    return status, lane_columns.done_ns[at], lane_columns.end_ns[at], heads, counts


def _marked(status: npt.NDArray[np.int8], done: Int64s) -> Int64s:
    """Where a lane's answer mark or failed block is drawn (none: :data:`OPEN`)."""
    return np.where((status == _OK) | (status == _ERROR), done, OPEN)


def _closed(spans: RowSpans, now: int | None) -> RowSpans:
    """``spans`` with the open bars ending at ``now``: what the rows hold (the hover's
    segment, the patterns over the image)."""
    if now is None or not len(spans):
        return spans
    return replace(spans, end=np.where(spans.end == OPEN, now, spans.end))
