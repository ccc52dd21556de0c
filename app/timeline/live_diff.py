"""What changed in a live run's lanes between two frames, read from the two snapshots'
columns (:attr:`~simulator.trace.Trace.built_columns`) with numpy.

In the window every snapshot's columns are built (carried from the last one's) before the
timeline draws it. A frame of 10,000 lanes in flight, about a second after the last, has
nearly every lane grown or built anew, and a Python step per lane and per segment to tell
which bars stand as they were costs milliseconds of the GIL the site's threads want, each
stretched many times over. Here, for all of them at once: whether a lane only grew with now
(:func:`only_grew`), and how many of its first segments are as they were
(:func:`alike_prefix`), segment by segment, by what the bars are made of: kind, start, end;
and for each lane built anew, from when its bars as drawn may differ (:func:`changed_from`).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from app.timeline.spans import RowSpans
from simulator.trace.columns import STATUS_CODE, SegmentColumns

__all__ = ["alike_prefix", "changed_from", "only_grew"]

Int64s = npt.NDArray[np.int64]


def alike_prefix(new: SegmentColumns, old: SegmentColumns, rows: Int64s, most: Int64s) -> Int64s:
    """For each lane at ``rows``: how many of its first ``most`` segments (``most`` at most
    as many as either frame's lane has) are alike in ``new`` and ``old``."""
    most = np.maximum(np.asarray(most, np.int64), 0)
    total = int(most.sum())
    if not total:
        return most
    starts = np.cumsum(most) - most
    group = np.repeat(np.arange(len(rows), dtype=np.int64), most)
    within = np.arange(total, dtype=np.int64) - starts[group]
    a = new.offsets[rows][group] + within
    b = old.offsets[rows][group] + within
    differ = np.flatnonzero(
        (new.kind[a] != old.kind[b])
        | (new.start_ns[a] != old.start_ns[b])
        | (new.end_ns[a] != old.end_ns[b])
    )
    out = most.copy()
    if len(differ):
        # The first segment that differs in each lane (a lane's come one after another).
        lanes, first = np.unique(group[differ], return_index=True)
        out[lanes] = within[differ[first]]
    return out


def only_grew(
    new: SegmentColumns,
    old: SegmentColumns,
    status: npt.NDArray[np.uint8],
    rows: Int64s,
    now_ns: int,
) -> npt.NDArray[np.bool_]:
    """For each lane at ``rows`` (in flight at the last frame, its last bar open): whether
    it is the last frame's lane grown to ``now_ns`` (:func:`simulator.trace.growing.grown`):
    still running (``status``: the new lanes' codes of ``STATUS_CODE``), as many segments,
    all but the last alike, and the last one's kind and start unchanged, reaching now."""
    begin, count = new.offsets[rows], new.offsets[rows + 1] - new.offsets[rows]
    was, before = old.offsets[rows], old.offsets[rows + 1] - old.offsets[rows]
    ok = (count == before) & (count > 0) & (status[rows] == STATUS_CODE["running"])
    at = np.flatnonzero(ok)
    if not len(at):
        return ok
    last, first = begin[at] + count[at] - 1, was[at] + count[at] - 1
    ok[at] = (
        (new.end_ns[last] == now_ns)
        & (new.start_ns[last] == old.start_ns[first])
        & (new.kind[last] == old.kind[first])
    )
    at = np.flatnonzero(ok)
    leading = count[at] - 1
    ok[at] = alike_prefix(new, old, rows[at], leading) == leading
    return ok


def changed_from(
    dropped: RowSpans, added: RowSpans, rows: Int64s, lanes: int, drawn_to: int | None
) -> Int64s:
    """For each lane at ``rows`` (of ``lanes``) whose bars ``dropped`` (as the last frame
    drew them, up to ``drawn_to``) gave way to ``added``: the earliest moment from which its
    row may look different. Bars alike in both count from where they are alike no more: an
    open wait that ended, or a bar that grew, keeps its first pixels. A live frame paints a
    lane built anew from there on (:mod:`app.timeline.live_frame`), not the whole row."""
    limit = np.iinfo(np.int64).max if drawn_to is None else drawn_to
    since = np.full(lanes, np.iinfo(np.int64).max, np.int64)
    old_from, new_from = dropped.start.copy(), added.start.copy()
    # A bar and its tail share their segment's place: pairs are told apart by both.
    old_key = (dropped.row.astype(np.int64) * 2**32 + dropped.index) * 2 + dropped.tail
    new_key = (added.row.astype(np.int64) * 2**32 + added.index) * 2 + added.tail
    _, was, now = np.intersect1d(old_key, new_key, assume_unique=True, return_indices=True)
    alike = (dropped.kind[was] == added.kind[now]) & (dropped.start[was] == added.start[now])
    was, now = was[alike], now[alike]
    # Alike up to the first of their ends as drawn (the last frame's up to ``drawn_to``;
    # what "now" uncovered since is painted anyway): alike all along where those agree.
    old_end = np.minimum(dropped.end[was], limit)
    new_end = np.minimum(added.end[now], limit)
    ends = np.where(old_end == new_end, np.iinfo(np.int64).max, np.minimum(old_end, new_end))
    old_from[was], new_from[now] = ends, ends
    np.minimum.at(since, dropped.row.astype(np.int64), np.minimum(old_from, limit))
    np.minimum.at(since, added.row.astype(np.int64), new_from)
    return since[rows]
