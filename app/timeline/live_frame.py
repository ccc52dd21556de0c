"""Where a live frame differs from the last one drawn: the region the window paints again.

While a run is live the view's end extends in steps (:func:`~app.timeline.axis.
live_span_ns`) and its rows are laid out for the rows to come (:func:`~app.timeline.geometry.
live_rows_room`), so between steps every instant keeps its x and every row its y. A frame
then differs from the last one only

- between the last frame's "now" and this one's (the bars in flight grew to it, the "now"
  line moved; marks drawn left of their moment, up to :data:`MARK_PX`, are in it too);
- in the rows of lanes built anew since (a new step, an answer, a failure) and of new lanes;
- in the loop-blocked strip (a block can be recorded after it ended: the strip is redrawn);
- in the label column, where rows got labels;
- where errors are written (a plate may be taller than its row, may sit right of "now",
  and a new one can move another): where any was or may go, when those in view changed.

:func:`changed_region` returns that region (or ``None``: paint everything), and the painter
paints the frame as always, clipped to it: every pixel in it is the one a frame painted from
scratch has (the same code draws it), and every pixel outside it was already so.
"""

from __future__ import annotations

import math
from collections.abc import Hashable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from PySide6.QtCore import QRect, QRectF
from PySide6.QtGui import QFont, QFontMetricsF, QRegion

from app.timeline.geometry import TimelineGeometry
from app.timeline.overlay import bar_sizes
from app.timeline.rows import TimelineRows

__all__ = ["MARK_PX", "Drawn", "changed_region", "same_layout"]

#: How far left of its moment a mark is drawn (a failed lane's block is 14 px at most, an
#: answer mark 4 px): the region of what "now" uncovered starts this much earlier.
MARK_PX = 16
#: Changed rows closer than this (px) are painted again as one band (fewer, larger calls).
_NEAR_PX = 8
#: At most this many bands of rows: past it, the nearest are joined.
_MOST_BANDS = 16

Int64s = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Drawn:
    """What the picture kept from the last frame shows: what the next frame's changes are
    told against."""

    #: Everything the picture depends on but the rows and "now" (size, theme, font...).
    key: Hashable
    geo: TimelineGeometry
    limit: int
    #: The rows' errors (their list: a live run's rows hand the same one on unchanged).
    errors: list[tuple[int, int, str]]


def same_layout(a: TimelineGeometry, b: TimelineGeometry) -> bool:
    """Whether every instant and every row sits at the same place in ``a`` and ``b`` (they
    may have different numbers of rows: rows laid out for more than there are)."""
    return (
        a.rect == b.rect
        and (a.gutter, a.axis_top, a.axis_height, a.strip_top, a.strip_height)
        == (b.gutter, b.axis_top, b.axis_height, b.strip_top, b.strip_height)
        and (a.lanes_top, a.lanes_height, a.row_px, a.group)
        == (b.lanes_top, b.lanes_height, b.row_px, b.group)
        and (a.t_from_ns, a.t_to_ns) == (b.t_from_ns, b.t_to_ns)
    )


def changed_region(
    last: Drawn | None,
    key: Hashable,
    geo: TimelineGeometry,
    rows: TimelineRows,
    limit: int | None,
    changed: tuple[Int64s, Int64s] | None,
    font: QFont,
) -> QRegion | None:
    """Where the frame of ``rows`` at ``limit`` ("now") in ``geo`` differs from ``last``
    (see the module's text), whose lanes changed since at rows ``changed[0]``, each from
    the moment ``changed[1]`` on; ``None`` where it cannot be told (another key or layout,
    rows not known, no "now"): paint it all. ``font``: the timeline's (the errors are
    written in it)."""
    if (
        last is None
        or limit is None
        or changed is None
        or last.key != key
        or limit < last.limit
        or not same_layout(last.geo, geo)
    ):
        return None
    rect = geo.rect
    left = math.floor(geo.lanes_left) - 1
    # Nothing is drawn past "now" but errors (and the line itself): all else is left of it.
    right = min(math.ceil(rect.right()) + 2, math.ceil(geo.x_of(limit)) + 4)
    bottom = math.ceil(rect.bottom()) + 2
    parts: list[QRect] = []
    if limit != last.limit:  # what now uncovered, and the "now" lines
        x0 = max(left, math.floor(geo.x_of(last.limit)) - MARK_PX)
        if right > x0:
            top = math.floor(geo.strip_top) - 1
            parts.append(QRect(x0, top, right - x0, bottom - top))
    if geo.strip_height and right > left:
        top = math.floor(geo.strip_top) - 1
        parts.append(QRect(left, top, right - left, math.ceil(geo.strip_height) + 3))
    for x, a, b in _row_bands(geo, *_with_band_mates(geo, last.geo, *changed), last.limit):
        x0 = max(left, math.floor(geo.x_of(x)) - MARK_PX)
        if x0 < right:
            parts.append(QRect(x0, a, right - x0, b - a))
    if geo.labels != last.geo.labels:  # the label column, where either frame has labels
        both = [label.rect for label in (*geo.labels, *last.geo.labels)]
        top = math.floor(min(label.top() for label in both)) - 2
        end = math.ceil(max(label.bottom() for label in both)) + 2
        parts.append(QRect(math.floor(rect.left()), top, left + 1, end - top))
    parts += _error_rects(last, geo, rows, limit, font)
    region = QRegion()
    for part in parts:
        region = region.united(part)
    return region


def _with_band_mates(
    geo: TimelineGeometry, drawn: TimelineGeometry, rows: Int64s, since: Int64s
) -> tuple[Int64s, Int64s]:
    """``rows`` changed from ``since``, and the rows new since ``drawn`` whose pixel rows
    show rows drawn before, from the view's start. Rows sharing pixel rows: a pixel row
    shows the band (a power of two of rows, :func:`~app.timeline.raster.level_for`; fewer
    than ``geo.group``) of the row at its middle once that row is there, none before: the
    first new rows bring their band mates' bars, from their first, into pixel rows that
    showed nothing (a run of 1,200 requests zoomed in left a line white under them)."""
    if geo.group <= 1 or geo.rows <= drawn.rows:
        return rows, since
    new = np.arange(drawn.rows, min(geo.rows, drawn.rows + geo.group), dtype=np.int64)
    start = np.full(len(new), geo.t_from_ns, np.int64)
    return np.concatenate([rows, new]), np.concatenate([since, start])


def _row_bands(
    geo: TimelineGeometry, rows: Int64s, since: Int64s, drawn_to: int
) -> list[tuple[int, int, int]]:
    """From when (ns) and over which pixel rows (from, to) the rows ``rows`` changed, each
    from ``since`` on (and the rows sharing their pixel rows), a pixel more each side, near
    ones joined. Changes from ``drawn_to`` on are in what "now" uncovered already."""
    early = since < drawn_to
    rows, since = np.asarray(rows, np.int64)[early], since[early]
    if not len(rows):
        return []
    group = max(1, geo.group)
    first, where = np.unique(rows // group, return_inverse=True)
    earliest = np.full(len(first), drawn_to, np.int64)
    np.minimum.at(earliest, where, since)
    top = np.floor(geo.lanes_top + first * group * geo.row_px).astype(np.int64) - 1
    end = np.ceil(geo.lanes_top + (first + 1) * group * geo.row_px).astype(np.int64) + 1
    gap = _NEAR_PX
    while True:
        cut = np.flatnonzero(top[1:] - end[:-1] > gap)
        if len(cut) < _MOST_BANDS:
            break
        gap *= 2
    starts = np.concatenate([[0], cut + 1])
    stops = np.concatenate([cut, [len(top) - 1]])
    firsts = np.minimum.reduceat(earliest, starts)
    return list(zip(firsts.tolist(), top[starts].tolist(), end[stops].tolist(), strict=True))


def _error_rects(
    last: Drawn, geo: TimelineGeometry, rows: TimelineRows, limit: int, font: QFont
) -> list[QRect]:
    """Where errors were written and where they may go, if the errors in view changed
    (:func:`~app.timeline.notes.place_errors`: beside a failed lane where its row has room,
    on either side of its bars, else under the last lane; placing one can move another):
    every plate the last frame wrote, the rows of the errors in view, a plate's height
    around each, and below the last row."""
    if geo.group > 1:  # rows sharing pixel rows: no error is written
        return []
    errors = rows.error_texts
    shown = [e for e in errors if geo.t_from_ns <= e[1] <= limit]
    before = [e for e in last.errors if geo.t_from_ns <= e[1] <= last.limit]
    under = any(note.row is None for note in last.geo.notes)  # (row, if none: under lanes)
    if shown == before and not (under and len(rows) != last.geo.rows):
        return []
    out = [_around(note.rect) for note in last.geo.notes]
    if not shown:
        return out
    _, height, _ = bar_sizes(geo.row_px, geo.group)
    tall = max(height, QFontMetricsF(font).height())
    left, right = geo.lanes_left, geo.lanes_left + geo.lanes_width
    for row in sorted({row for row, _, _ in shown}):
        middle = geo.row_top(row) + geo.row_px / 2
        out.append(_around(QRectF(left, middle - tall / 2, right - left, tall)))
    below = geo.row_top(min(len(rows), last.geo.rows))
    out.append(_around(QRectF(left, below, right - left, geo.lanes_top + geo.lanes_height - below)))
    return out


def _around(rect: QRectF) -> QRect:
    """The whole pixels under ``rect`` and its outline (a pen 1.5 px wide), and one more."""
    x0, y0 = math.floor(rect.left()) - 3, math.floor(rect.top()) - 3
    return QRect(x0, y0, math.ceil(rect.right()) + 3 - x0, math.ceil(rect.bottom()) + 3 - y0)
