"""Where the label column's words go: each row's name and the loop-blocked strip's, none
drawn over another.

Rows thinner than a line of text cannot all be named. Drawn anyway, "loop blocked" was
printed over "waiting" and every other label over its neighbour; named only every other
row, the event loop lost its name in exactly the lessons that point at it. So the labels are
laid out once, in order of need: the event loop's row, the strip, the rows that stand for no
single request or thread (the bands, "Django only"), then the others in row order (when
rows are thinner than a line, every few rows, at round numbers); a band with nothing on
it gives way to the first of the others where none of them would be named (lesson 15's A:
:func:`place_labels`). Each goes at its row's middle, or moved up or down as far as its
row allows to clear those already placed; a label that still overlaps one is left out.
Rows thinner than a line get a smaller font (down to :data:`SMALLEST` of the timeline's)
only where that names more (:func:`_choose_font`): at 0.75 of it, lesson 9's thirty
threads at 1280×720 (and on its slide) were named in 9–10 px, every other row, as many
names as a larger font gives, in text the back row cannot read.
"""

from __future__ import annotations

import bisect
import math

import numpy as np
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QFont, QFontMetricsF

from app.fonts import scaled_font
from app.timeline.geometry import PlacedLabel, RowsMemo, TimelineGeometry
from app.timeline.rows import TimelineRows

__all__ = [
    "SMALLEST",
    "bare_rows",
    "label_font",
    "labelled",
    "labels_of",
    "named_row_px",
    "place_labels",
]

#: The smallest the labels' font gets to name thin rows, against the timeline's font: what
#: presentation mode asks of a row's label against the text a back row reads too (its
#: ``ROW_TEXT_SCALE`` and row floor are this, through :func:`named_row_px`).
SMALLEST = 0.85
#: Smaller still only to name the event loop's row or the loop-blocked strip, where rows are
#: so thin that nothing else is named (a timeline a few lines tall).
LAST_RESORT = 0.75


def label_font(font: QFont, geo: TimelineGeometry, rows: TimelineRows) -> QFont:
    """The font ``rows``' labels are placed and drawn in (:func:`labelled`'s, kept)."""
    return labelled(geo, rows, font)[0]


def _choose_font(font: QFont, geo: TimelineGeometry, rows: TimelineRows) -> QFont:
    """``font``, or where rows are thinner than its line the largest smaller one (down to
    :data:`SMALLEST` of it) that names more: first the event loop's row and the strip, then
    the other rows that stand for no single request or thread (the bands beside the loop,
    "Django only"), then every row rather than every other. A smaller font that names no
    more than a larger one is not taken: it only makes the names harder to read; one under
    :data:`SMALLEST` (to :data:`LAST_RESORT`) only where it names the loop or the strip."""
    pixels_per_row = geo.row_px
    if pixels_per_row >= QFontMetricsF(font).height():
        return font
    first = {rows.loop_row} - {None}
    kept = len(rows.kept_rows - first)

    def need(fm: QFontMetricsF) -> tuple[int, int, int]:
        """(the loop and the strip unnamed, the other kept rows unnamed, every how many)."""
        placed = place_labels(geo, rows, fm, kept_only=True)
        named_first = sum(1 for label in placed if label.row is None or label.row in first)
        unnamed_first = len(first) + (1 if geo.strip_height else 0) - named_first
        unnamed_kept = kept - (len(placed) - named_first)
        return unnamed_first, unnamed_kept, _every(fm.height(), pixels_per_row)

    best, best_need = font, need(QFontMetricsF(font))
    scale = 1.0
    while best_need != (0, 0, 1) and scale > LAST_RESORT:
        scale = max(LAST_RESORT, scale - 0.05)
        smaller = scaled_font(font, scale, least_px=8)
        wanted = need(QFontMetricsF(smaller))
        if wanted < best_need and (scale >= SMALLEST - 1e-9 or wanted[0] < best_need[0]):
            best, best_need = smaller, wanted
    return best


def _every(line: float, pixels_per_row: float) -> int:
    """Name every how many rows, for labels one ``line`` tall: 1, or a round number."""
    every = max(1, math.ceil(line / max(pixels_per_row, 1e-9) - 1e-6))
    return _round_step(every) if every > 1 else 1


def named_row_px(font: QFont, floor: float) -> float:
    """The thinnest a row can be and still be named: ``floor``, or the smallest label's
    line (:data:`SMALLEST` of ``font``'s), whichever is taller."""
    return max(floor, QFontMetricsF(scaled_font(font, SMALLEST, least_px=8)).height())


def _round_step(step: int) -> int:
    for nice in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000):
        if nice >= step:
            return nice
    return step


def _overlaps(a: QRectF, b: QRectF) -> bool:
    """More than touching (labels one line apart share an edge)."""
    inter = a.intersected(b)
    return inter.width() > 0.5 and inter.height() > 0.5


class _Placed:
    """The labels placed so far, kept sorted by top as well as in the order placed: a new
    label is tried against its neighbours in height only (every label of one column is one
    line tall), so placing a column of thousands costs a search each, not a scan."""

    def __init__(self, line: float) -> None:
        self.line = line
        self.labels: list[PlacedLabel] = []
        self._tops: list[float] = []  # sorted
        self._order: list[int] = []  # for each of _tops, its label's place in ``labels``

    def near(self, low: float, high: float) -> list[int]:
        """Where in ``labels`` those with a top within a line of ``[low, high]`` are."""
        first = bisect.bisect_left(self._tops, low - self.line - 1)
        last = bisect.bisect_right(self._tops, high + self.line + 1)
        return self._order[first:last]

    def add(self, label: PlacedLabel) -> None:
        at = bisect.bisect_right(self._tops, label.rect.top())
        self._tops.insert(at, label.rect.top())
        self._order.insert(at, len(self.labels))
        self.labels.append(label)


def _place(
    text: str,
    right: float,
    width: float,
    centre: float,
    span: tuple[float, float],
    placed: _Placed,
    fm: QFontMetricsF,
    row: int | None,
) -> PlacedLabel | None:
    """``text`` right-aligned at ``right``, centred on ``centre`` or moved (its centre kept
    within ``span``) to clear ``placed``; ``None`` if it cannot be.

    The tops tried are its own and just under or just over each label in the way, nearest
    first (the first placed first among equals); only labels within a line of ``span`` can
    offer a top there or be in the way, so only those are read."""
    text = fm.elidedText(text, Qt.TextElideMode.ElideLeft, width)
    advance = min(fm.horizontalAdvance(text), width)
    line = fm.height()
    wanted = centre - line / 2
    low, high = span[0] - line / 2, span[1] - line / 2  # the tops whose centre is in span
    near = placed.near(low, high)
    others = [placed.labels[i].rect for i in near]
    tops = [(0.0, -1, wanted)]
    for i, other in zip(near, others, strict=True):
        for j, top in enumerate((other.bottom(), other.top() - line)):
            tops.append((abs(top - wanted), 2 * i + j, top))
    for _, _, top in sorted(tops):
        if not span[0] <= top + line / 2 <= span[1]:
            continue
        rect = QRectF(right - advance, top, advance, line)
        if not any(_overlaps(rect, other) for other in others):
            return PlacedLabel(text, rect, row)
    return None


def place_labels(
    geo: TimelineGeometry, rows: TimelineRows, fm: QFontMetricsF, *, kept_only: bool = False
) -> list[PlacedLabel]:
    """The labels of ``rows`` and the strip, in ``fm``'s font (see :func:`label_font`);
    ``kept_only``: only those placed first (the event loop's, the strip's, the kept rows').

    Where that names a band with nothing on it (:func:`bare_rows`) and none of the other
    rows, the first of those is named before it: lesson 15's details at 720p named A's
    empty "awaiting on the loop" and not the one row of its eight computing threads just
    under it, which a class then read as awaits. (Lesson 9's B points at its empty band:
    where its threads are named too, it keeps its place.)"""
    if not rows.trace.lanes:
        return []
    kept = sorted(rows.kept_rows - {rows.loop_row})
    if kept_only:
        return _in_order(geo, rows, fm, kept)
    every = _every(fm.height(), geo.row_px)  # where only some labels fit: at round numbers
    others = [row for row in range(0, len(rows), every) if row not in rows.kept_rows]
    labels = _in_order(geo, rows, fm, kept + others)
    named = {label.row for label in labels} - {None, rows.loop_row}
    if not named or not named <= rows.kept_rows:
        return labels  # (a row of threads or requests named, or no band)
    bare = bare_rows(rows)
    if not bare & named:
        return labels
    first = next((row for row in range(len(rows)) if row not in rows.kept_rows), None)
    if first is None:
        return labels
    order = [row for row in kept if row not in bare] + [first, *sorted(bare)]
    return _in_order(geo, rows, fm, order + [row for row in others if row != first])


def _in_order(
    geo: TimelineGeometry, rows: TimelineRows, fm: QFontMetricsF, order: list[int]
) -> list[PlacedLabel]:
    """The event loop's label, the strip's, then those of the rows ``order`` names, in
    that order, each where it clears those placed before it, else left out."""
    left = geo.rect.left()
    right = left + geo.gutter - 8
    width = max(1.0, geo.gutter - 12)
    line = fm.height()
    pixels_per_row = geo.row_px
    placed = _Placed(line)

    def row_label(row: int) -> None:
        middle = geo.row_top(row) + pixels_per_row / 2
        # A row's label may move within its row, not into another's. Centred on the row's top
        # where only some rows are named, a 12 px row's "event loop" sat level with the queue
        # band above it under a 14 px line (lesson 9's slide: each label a row too high).
        # Rows thinner than half a line let it move half a line, to clear its neighbours'.
        reach = pixels_per_row / 2 - 0.5 if pixels_per_row >= line / 2 else line / 2
        span = (middle - reach, middle + reach)
        label = _place(rows.labels[row], right, width, middle, span, placed, fm, row)
        if label is not None:
            placed.add(label)

    if rows.loop_row is not None:
        row_label(rows.loop_row)
    if geo.strip_height:
        text = "loop blocked" if fm.horizontalAdvance("loop blocked") <= width else "blocked"
        middle = geo.strip_top + geo.strip_height / 2
        strip = _place(text, right, width, middle, (middle - 2, middle + 2), placed, fm, None)
        if strip is not None:
            placed.add(strip)
    for row in order:
        row_label(row)
    return placed.labels


_BARE: RowsMemo[frozenset[int]] = RowsMemo()


def bare_rows(rows: TimelineRows) -> frozenset[int]:
    """The kept rows but the event loop's that draw nothing at all, not even a faint tail
    (lesson 15's A: "awaiting on the loop", its views being sync): they give way to a row
    of threads or requests (:func:`place_labels`)."""
    known = _BARE.get(rows)
    if known is not None:
        return known
    kept = sorted(rows.kept_rows - {rows.loop_row})
    drawn = (
        set(np.unique(rows.spans.row[np.isin(rows.spans.row, kept)]).tolist()) if kept else set()
    )
    return _BARE.put(rows, frozenset(kept) - drawn)


_Labelled = tuple[QFont, tuple[PlacedLabel, ...]]
_PLACED: RowsMemo[tuple[tuple[object, ...], _Labelled]] = RowsMemo()


def labels_of(geo: TimelineGeometry, rows: TimelineRows, font: QFont) -> tuple[PlacedLabel, ...]:
    """Where ``rows``' labels and the strip's go (:func:`labelled`)."""
    return labelled(geo, rows, font)[1]


def labelled(geo: TimelineGeometry, rows: TimelineRows, font: QFont) -> _Labelled:
    """The labels' font (:func:`_choose_font`) and :func:`place_labels` in it, kept for the
    last place of the rows: where labels go does not depend on the time shown, so a zoom or
    a pan reuses them (a resize or new rows places them again)."""
    key = (
        geo.rect.getRect(),
        geo.gutter,
        geo.strip_top,
        geo.strip_height,
        geo.lanes_top,
        geo.row_px,
        geo.rows,
        font.key(),
    )
    known = _PLACED.get(rows)
    if known is not None and known[0] == key:
        return known[1]
    # A live run lays out new rows each frame, mostly with the same labels as the last.
    # (and which bands draw nothing: those give way to a row of threads, ``place_labels``)
    same = (key, rows.labels, rows.loop_row, rows.kept_rows, bare_rows(rows))
    last = _LAST[0] if _LAST else None
    if last is not None and last[0] == same:
        done = last[1]
    else:
        small = _choose_font(font, geo, rows)
        done = (small, tuple(place_labels(geo, rows, QFontMetricsF(small))))
        _LAST[:] = [(same, done)]
    return _PLACED.put(rows, (key, done))[1]


#: The last labels placed, and for what: rows of other objects but the same labels reuse it.
_LAST: list[tuple[tuple[object, ...], _Labelled]] = []
