"""Where a number's plate goes on its bar, and its colour: the plain part of the bar, in the
colour of the kind under it (:func:`plain_place`, :func:`plate`), the bar's kinds read along
it with numpy (:class:`KindsAlong`). The painter's :func:`~app.timeline.marks.paint_bar_texts`
writes on them.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QFontMetricsF, QPainter

from app.theme import Theme
from app.timeline.geometry import RowsMemo
from app.timeline.rows import TimelineRows
from simulator.trace import KINDS

__all__ = ["NOTHING", "PLATE_ONE_KIND_AT_LEAST", "KindsAlong", "plain_place", "plate"]

Int64s = npt.NDArray[np.int64]


#: A text's plate is of one kind where at least this share of the bar under it is that
#: kind: lesson 18's "#18" hid the whole of a 36 px bar whose stripes of two other kinds
#: (a third of it) the reveal then showed (teacher44). A sliver of Django between two
#: chunks of a stream still takes its number.
PLATE_ONE_KIND_AT_LEAST = 0.85
#: How far apart, in pixels, the bar under a text is asked for its kind.
_SAMPLE_PX = 2.0
#: What :class:`KindsAlong` says where nothing is drawn, and where an earlier bar of the
#: row still is (overlapping bars: the one on top is not told); else a kind's code.
NOTHING, _UNDER = -1, -2


_ROW_KINDS: RowsMemo[dict[int, tuple[Int64s, Int64s, Int64s, Int64s]]] = RowsMemo()


class KindsAlong:
    """The kind (its code in :data:`~simulator.trace.KINDS`) of the bar drawn on a row at
    each of some pixel columns, left to right: the latest to start there; :data:`_UNDER`
    where it has ended but an earlier one goes on, :data:`NOTHING` where none is drawn.
    Each row's segments are gathered once for its rows (a frame's, a zoom's), then asked
    with numpy; the columns are turned into times by the painter's scale, here alone."""

    def __init__(self, rows: TimelineRows, t_from: int, left: float, scale: float) -> None:
        self._rows = rows
        self._t_from, self._left, self._scale = t_from, left, scale  # (pixels to times)
        known = _ROW_KINDS.get(rows)  # (kept with the rows: a zoom's frames ask again)
        self._known = known if known is not None else _ROW_KINDS.put(rows, {})

    def __call__(self, row: int, xs: npt.NDArray[np.float64]) -> Int64s:
        """At the pixel columns ``xs`` (their times, by the painter's scale)."""
        ns = np.round(self._t_from + (xs - self._left) / self._scale).astype(np.int64)
        known = self._known.get(row)
        if known is None:
            starts, ends, codes = self._rows.row_kinds(row)
            reach = np.maximum.accumulate(ends) if len(ends) else ends
            known = self._known[row] = (starts, ends, reach, codes)
        starts, ends, reach, codes = known
        if not len(starts):
            return np.full(len(ns), NOTHING, np.int64)
        at = np.searchsorted(starts, ns, side="right") - 1
        safe = np.maximum(at, 0)
        found = np.where(ends[safe] >= ns, codes[safe], _UNDER)
        return np.where((at < 0) | (reach[safe] < ns), NOTHING, found)


def plain_place(
    kinds_along: KindsAlong,
    row: int,
    bar: tuple[float, float],
    half: float,
    kind: str,
) -> tuple[float, str] | None:
    """Where on its ``bar`` (its ends in pixels) a text's plate ``half`` as wide as it goes,
    and the plate's kind (the one most under it; ``kind``, the text's own, where none is):
    as near the bar's middle as one kind is under :data:`PLATE_ONE_KIND_AT_LEAST` of the
    plate (on a busy machine lesson 23's A waited for a core in the first half of some
    bars, whose numbers go on their plain part); else at the middle where the plate takes
    half the bar at most, so the bar's mix shows on the rest of it (lesson 23's B, threads
    taking turns at the GIL all along their bars, kept 2 numbers of 10 otherwise); else
    ``None``. The bar is asked for its kinds once, every :data:`_SAMPLE_PX`."""
    width, mid = bar[1] - bar[0], (bar[0] + bar[1]) / 2
    # The middle first, alone: most bars are plain under their numbers (10,000 requests by
    # worker, hundreds of numbers a frame).
    count = max(2, math.ceil(2 * half / _SAMPLE_PX))
    xs = np.linspace(mid - half + 0.5, mid + half - 0.5, count)
    codes = kinds_along(row, xs)
    if not (codes >= 0).any():
        return mid, kind
    counts = np.bincount(codes[codes >= 0])
    if counts.max() >= PLATE_ONE_KIND_AT_LEAST * count:
        return mid, KINDS[int(counts.argmax())]
    count = max(2, math.ceil(width / _SAMPLE_PX))
    xs = np.linspace(bar[0] + 0.5, bar[1] - 0.5, count)
    codes = kinds_along(row, xs)
    names = np.unique(codes[codes >= 0])
    if not len(names):
        return mid, kind
    wide = min(count, max(1, round(2 * half / width * count)))  # the plate, in samples
    # Per window of ``wide`` samples: how many show each kind (running sums, no loop).
    table = (codes[None, :] == names[:, None]).astype(np.int64)
    sums = np.concatenate([np.zeros((len(names), 1), np.int64), table.cumsum(axis=1)], axis=1)
    counts = sums[:, wide:] - sums[:, :-wide]
    best, most = counts.argmax(axis=0), counts.max(axis=0)
    middles = (xs[: len(most)] + xs[wide - 1 :]) / 2
    plain = np.flatnonzero(most >= PLATE_ONE_KIND_AT_LEAST * wide)
    if len(plain):
        at = int(plain[np.argmin(np.abs(middles[plain] - mid))])
        off = float(middles[at]) - mid  # (at the middle itself, if a sample's step from it)
        return (mid if abs(off) <= _SAMPLE_PX else mid + off), KINDS[int(names[best[at]])]
    if 2 * half <= width / 2:
        at = int(np.argmin(np.abs(middles - mid)))
        return mid, KINDS[int(names[best[at]])]
    return None


def plate(
    painter: QPainter, theme: Theme, kind: str, across: tuple[float, float], y: float, height: float
) -> None:
    """A plate of ``kind``'s plain colour under a text ``across`` its bar, and the pen of the
    text on it (:meth:`~app.theme.Theme.text_on`: black or white by contrast): a pattern's
    lines are drawn in that same ink, and under white numbers on a cross-hatched red bar
    they took the strokes apart at a desk's 11 px. One rule for every kind."""
    fm = QFontMetricsF(painter.font())
    tall = min(height, fm.height())
    box = QRectF(across[0], y + (height - tall) / 2, across[1] - across[0], tall)
    painter.fillRect(box, theme.color(kind))
    painter.setPen(QColor(theme.text_on(kind)))
