"""What the window draws over its image of the bars, read from the rows' numpy spans.

On rows tall enough to show them (:data:`HATCH_PX` for a pattern, :data:`LINE_PX` for a
hairline), the image's bars get each kind's pattern and the lines that keep bars apart: a
hairline where a worker's next request starts (the thread view), a line between calls of
one kind that follow each other too closely to read as two (by request,
:data:`SEPARATE_CALLS`). Only bars in view and wide enough for what is drawn over them are
drawn, so the thread view of 10,000 requests costs what is on screen. The exact painter
(exports) draws the same over its rectangles, by the same thresholds.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from PySide6.QtCore import QLineF, Qt
from PySide6.QtGui import QColor, QPainter, QPen

from app.theme import Theme
from app.timeline.by_worker import Holds
from app.timeline.geometry import RowsMemo, TimelineGeometry, lanes_clip, pixel_rects
from app.timeline.legend import TAIL_OPACITY
from app.timeline.rows import DRAW_ORDER, TimelineRows
from simulator.trace import Kind
from simulator.trace.columns import KIND_CODE

__all__ = [
    "CLOSE_PX",
    "Columns",
    "HATCH_PX",
    "LINE_PX",
    "SEPARATE_CALLS",
    "bar_sizes",
    "call_boundaries",
    "close_calls",
    "covered_once",
    "item_columns",
    "paint_over_bars",
    "request_boundaries",
]

#: Patterns only on bars at least this tall: on thinner ones they are noise.
HATCH_PX = 6.0
#: Hairlines between bars only on bars at least this tall.
LINE_PX = 8.0
#: Bars closer than this many pixels read as one: a line keeps them apart (a worker's next
#: request, a call after another of its kind).
CLOSE_PX = 3
#: Kinds of which each segment is one call of the view's (an upstream request, a query, a
#: sleep): calls back to back stay separate bars, with a boundary between them.
SEPARATE_CALLS = frozenset({"io_wait", "io_blocking", "sql"})


def bar_sizes(row_px: float, group: int) -> tuple[float, float, float]:
    """The gap between rows, a bar's height and a tail's, for rows ``row_px`` tall."""
    if group > 1:  # a band of ``group`` rows, at least a pixel row tall
        return 0.0, group * row_px, group * row_px
    gap = 2.0 if row_px >= 8 else (1.0 if row_px >= 4 else 0.0)
    bar = max(1.0, row_px - gap)
    return gap, bar, max(1.0, round(bar * 0.3))


def covered_once(
    row: npt.NDArray[np.integer], start: npt.NDArray[np.int64], end: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.integer], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """The stretches that bars (of one kind) cover on each row, each once: ``row``,
    ``start``, ``end`` with the bars that overlap on a row joined, by row, then start.

    A pattern's ink is translucent, so drawn over two bars of one row where they overlap
    (the threads of a row "alike" or "overlaid") it was drawn twice there: white lines
    near-white, black ones darker, a row that read as another kind than the key's
    (teacher44: "threads 5–6 alike" paler than threads 4 and 7). Bars that only touch stay
    apart (calls back to back keep the line between them)."""
    n = len(row)
    if n < 2:
        return row, start, end
    order = np.lexsort((start, row))
    r, s, e = row[order], start[order], end[order]
    base = int(s.min())
    room = int(e.max()) - base + 1  # each row's times shifted past the rows before
    shift = (r - r.min()).astype(np.int64) * room
    reach = np.maximum.accumulate(e - base + shift)
    begins = np.ones(n, np.bool_)
    begins[1:] = s[1:] - base + shift[1:] >= reach[:-1]
    at = np.flatnonzero(begins)
    last = np.append(at[1:] - 1, n - 1)
    return r[at], s[at], reach[last] - shift[last] + base


def paint_over_bars(
    painter: QPainter,
    geo: TimelineGeometry,
    rows: TimelineRows,
    theme: Theme,
    cutoff_ns: int | None,
    tails: bool,
) -> None:
    """Patterns and hairlines over the image of ``rows``' bars (see the module's text)."""
    gap, bar, thin = bar_sizes(geo.row_px, geo.group)
    if geo.group > 1 or bar < HATCH_PX:
        return
    spans = rows.spans
    t_from = geo.t_from_ns
    limit = geo.t_to_ns if cutoff_ns is None else min(geo.t_to_ns, cutoff_ns)
    scale = geo.lanes_width / max(1, geo.t_to_ns - t_from)
    # In the thread view only bars at least a pixel wide get anything (a pattern, or a
    # hairline from 4 px): its 200,000 bars are sifted by length first, the long ones few.
    some = _at_least(rows, 0.5 / scale) if rows.by == "workers" else slice(None)
    seen = np.flatnonzero(
        (spans.start[some] < limit)
        & (spans.end[some] > t_from)
        & (spans.row[some] < geo.rows)
        & (tails | ~spans.tail[some])
    )
    if isinstance(some, np.ndarray):
        seen = some[seen]
    start, end = spans.start[seen], np.minimum(spans.end[seen], limit)
    width = np.asarray((end - start) * scale + 0.5, np.float64)
    kind, tail = spans.kind[seen], spans.tail[seen]
    painter.save()
    painter.setClipRect(lanes_clip(geo), Qt.ClipOperation.IntersectClip)  # (in a region)
    painter.setPen(Qt.PenStyle.NoPen)
    present = set(np.unique(kind).tolist())  # a mask per kind only for the kinds in view
    for name in DRAW_ORDER:
        hatch = theme.hatch(name)
        if hatch is None or KIND_CODE[Kind(name)] not in present:
            continue
        for is_tail, height, inset in ((False, bar, 0.0), (True, thin, (bar - thin) / 2)):
            shown = (kind == KIND_CODE[Kind(name)]) & (tail == is_tail) & (width >= 1)
            if height < HATCH_PX or not shown.any():
                continue
            painter.setOpacity(TAIL_OPACITY if is_tail else 1.0)
            painter.setBrush(hatch)
            row, s, e = covered_once(spans.row[seen][shown], start[shown], end[shown])
            x = geo.lanes_left + (s - t_from) * scale
            tops = geo.lanes_top + gap / 2 + row * geo.row_px + inset
            painter.drawRects(pixel_rects(x, tops, (e - s) * scale + 0.5, height))
    painter.setOpacity(1.0)
    if bar >= LINE_PX and rows.holds is not None:  # the thread view
        top = geo.lanes_top + gap / 2
        painter.setPen(QPen(QColor(theme.background), 1))
        painter.drawLines(
            request_boundaries(
                rows.holds, t_from, limit, geo.lanes_left, scale, top, geo.row_px, bar
            )
        )
    elif bar >= LINE_PX:
        rows_at, starts = _hairlines(spans.row[seen], start, end, kind, tail, scale)
        if len(starts):
            painter.setPen(QPen(QColor(theme.background), 2))
            xs = geo.lanes_left + (starts - t_from) * scale
            ys = geo.lanes_top + gap / 2 + rows_at * geo.row_px
            painter.drawLines(
                [QLineF(x, a, x, a + bar) for x, a in zip(xs.tolist(), ys.tolist(), strict=True)]
            )
    painter.restore()


_BY_LENGTH: RowsMemo[tuple[npt.NDArray[np.intp], npt.NDArray[np.int64]]] = RowsMemo()


def _at_least(rows: TimelineRows, ns: float) -> npt.NDArray[np.intp]:
    """The places of ``rows``' bars lasting ``ns`` or more, in their order."""
    known = _BY_LENGTH.get(rows)
    if known is None:
        lengths = rows.spans.end - rows.spans.start
        order = np.argsort(lengths, kind="stable")
        known = _BY_LENGTH.put(rows, (order, lengths[order]))
    order, lengths = known
    return np.sort(order[np.searchsorted(lengths, ns, side="left") :])


def request_boundaries(
    holds: Holds,
    t_from: int,
    limit: int,
    left: float,
    scale: float,
    top: float,
    row_px: float,
    bar: float,
) -> list[QLineF]:
    """The thread view's hairlines, the window's and the exports' alike: one where a
    worker's next request starts right after the last (less than 3 px after the hold
    before it on its row ended), on holds 4 px wide or more. Between the bars of one
    request none: lesson 20's streams, a 50 ms chunk after another, were split by lines
    that read as requests' boundaries. A band's steps are holds of their own (its count
    changes there)."""
    row, start, end = holds
    after = np.zeros(len(row), np.bool_)
    after[1:] = (row[1:] == row[:-1]) & ((start[1:] - end[:-1]) * scale < CLOSE_PX)
    wide = (np.minimum(end, limit) - start) * scale >= 4
    at = np.flatnonzero(after & wide & (start > t_from) & (start < limit))
    xs = (left + (start[at] - t_from) * scale).tolist()
    ys = (top + row[at] * row_px).tolist()
    return [QLineF(x, y, x, y + bar) for x, y in zip(xs, ys, strict=True)]


def close_calls(
    row: npt.NDArray[np.integer],
    start: npt.NDArray[np.int64],
    end: npt.NDArray[np.int64],
    scale: float,
) -> tuple[npt.NDArray[np.integer], npt.NDArray[np.int64]]:
    """Where a line keeps apart calls of one kind (bars ``row``, ``start``, ``end``) that
    follow each other on a row too closely to read as two (under 3 px at ``scale`` px a
    ns): the start of each stretch they cover (:func:`covered_once`) that follows the
    stretch before on its row by less. Overlapping bars, the requests of a row alike, are
    one stretch with no line in it: a line at each member's start cut a white slit through
    "requests 2–8 alike" where its members' awaits began a few px apart (teacher45)."""
    rows, starts, ends = covered_once(row, start, end)
    if len(rows) < 2:
        return rows[:0], starts[:0]
    near = (starts[1:] - ends[:-1]) * scale < CLOSE_PX
    close = np.flatnonzero((rows[1:] == rows[:-1]) & near) + 1
    return rows[close], starts[close]


def _hairlines(
    row: npt.NDArray[np.int32],
    start: npt.NDArray[np.int64],
    end: npt.NDArray[np.int64],
    kind: npt.NDArray[np.uint8],
    tail: npt.NDArray[np.bool_],
    scale: float,
) -> tuple[npt.NDArray[np.integer], npt.NDArray[np.int64]]:
    """Where the lines between calls by request go (:func:`close_calls`, each kind of
    :data:`SEPARATE_CALLS`): their rows and times."""
    found = [
        close_calls(row[mask], start[mask], end[mask], scale)
        for name in SEPARATE_CALLS
        if (mask := ~tail & (kind == KIND_CODE[Kind(name)])).any()
    ]
    if not found:
        return row[:0], start[:0]
    return np.concatenate([r for r, _ in found]), np.concatenate([s for _, s in found])


Columns = tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]


def item_columns(items: list[tuple[int, int, int]]) -> Columns:
    """The exact painter's bars of one kind, ``(row, start, end)`` each, as three columns:
    made once for its pattern and its lines between calls."""
    if not items:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64)
    row, start, end = (np.array(column, np.int64) for column in zip(*items, strict=True))
    return row, start, end


def call_boundaries(
    columns: Columns,
    t_from: int,
    limit: int,
    left: float,
    scale: float,
    y0: float,
    step: float,
    h: float,
) -> list[QLineF]:
    """The exact painter's lines between calls by request (:func:`close_calls`), for the
    bars of one kind (:func:`item_columns`), where they start in view."""
    if len(columns[0]) < 2:
        return []
    rows, starts = close_calls(*columns, scale)
    shown = (starts > t_from) & (starts < limit)
    xs = (left + (starts[shown] - t_from) * scale).tolist()
    ys = (y0 + rows[shown] * step).tolist()
    return [QLineF(x, y, x, y + h) for x, y in zip(xs, ys, strict=True)]
