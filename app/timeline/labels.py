"""Where the label column's words go: each row's name and the loop-blocked strip's, none
drawn over another.

Rows thinner than a line of text cannot all be named. Drawn anyway, "loop blocked" was
printed over "waiting" and every other label over its neighbour; named only every other
row, the event loop lost its name in exactly the lessons that point at it. So the labels are
laid out once, in order of need: the event loop's row, the strip, the rows that stand for no
single request or thread (the bands, "Django only"), then the others in row order (when
rows are thinner than a line, every few rows, at round numbers). Each goes at its row's
middle, or moved up or down as far as its row allows to clear those already placed; a label
that still overlaps one is left out. Rows a little thinner than a line get a smaller font
first, down to :data:`SMALLEST` of the timeline's.
"""

from __future__ import annotations

import bisect
import math

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QFont, QFontMetricsF

from app.timeline.geometry import PlacedLabel, RowsMemo, TimelineGeometry
from app.timeline.rows import TimelineRows

__all__ = ["SMALLEST", "label_font", "labels_of", "named_row_px", "place_labels"]

#: The smallest the labels' font gets to name thin rows, against the timeline's font.
SMALLEST = 0.75


def _scaled(font: QFont, scale: float) -> QFont:
    smaller = QFont(font)
    if smaller.pointSizeF() > 0:
        smaller.setPointSizeF(smaller.pointSizeF() * scale)
    else:
        smaller.setPixelSize(max(8, round(smaller.pixelSize() * scale)))
    return smaller


def label_font(font: QFont, geo: TimelineGeometry) -> QFont:
    """``font``, or the largest smaller one (down to :data:`SMALLEST` of it) whose line fits
    a row, where rows are thinner than a line."""
    pixels_per_row = geo.row_px
    if pixels_per_row >= QFontMetricsF(font).height():
        return font
    scale = 1.0
    while scale > SMALLEST:
        scale = max(SMALLEST, scale - 0.05)
        smaller = _scaled(font, scale)
        if QFontMetricsF(smaller).height() <= pixels_per_row:
            break
    return smaller


def named_row_px(font: QFont, floor: float) -> float:
    """The thinnest a row can be and still be named: ``floor``, or the smallest label's
    line (:data:`SMALLEST` of ``font``'s), whichever is taller."""
    return max(floor, QFontMetricsF(_scaled(font, SMALLEST)).height())


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


def place_labels(geo: TimelineGeometry, rows: TimelineRows, fm: QFontMetricsF) -> list[PlacedLabel]:
    """The labels of ``rows`` and the strip, in ``fm``'s font (see :func:`label_font`)."""
    if not rows.trace.lanes:
        return []
    left = geo.rect.left()
    right = left + geo.gutter - 8
    width = max(1.0, geo.gutter - 12)
    line = fm.height()
    pixels_per_row = geo.row_px
    every = max(1, math.ceil(line / max(pixels_per_row, 1e-9) - 1e-6))
    if every > 1:  # only some labels fit: at round numbers
        every = _round_step(every)
    placed = _Placed(line)

    def row_label(row: int) -> None:
        middle = geo.row_top(row) + pixels_per_row / 2
        # A row's label may move within its row, not into another's. Centred on the row's top
        # where only some rows are named, a 12 px row's "event loop" sat level with the queue
        # band above it under a 14 px line (lesson 9's slide: each label a row too high).
        # Rows thinner than half a line let it move half a line, to clear its neighbours'.
        reach = pixels_per_row / 2 if pixels_per_row >= line / 2 else line / 2
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
    for row in sorted(rows.kept_rows - {rows.loop_row}):
        row_label(row)
    for row in range(0, len(rows), every):
        if row not in rows.kept_rows:
            row_label(row)
    return placed.labels


_PLACED: RowsMemo[tuple[tuple[object, ...], tuple[PlacedLabel, ...]]] = RowsMemo()


def labels_of(geo: TimelineGeometry, rows: TimelineRows, font: QFont) -> tuple[PlacedLabel, ...]:
    """:func:`place_labels` in :func:`label_font`'s font, kept for the last place of the
    rows: where labels go does not depend on the time shown, so a zoom or a pan reuses
    them (a resize or new rows places them again)."""
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
    same = (key, rows.labels, rows.loop_row, rows.kept_rows)
    last = _LAST[0] if _LAST else None
    if last is not None and last[0] == same:
        placed = last[1]
    else:
        placed = tuple(place_labels(geo, rows, QFontMetricsF(label_font(font, geo))))
        _LAST[:] = [(same, placed)]
    return _PLACED.put(rows, (key, placed))[1]


#: The last labels placed, and for what: rows of other objects but the same labels reuse it.
_LAST: list[tuple[tuple[object, ...], tuple[PlacedLabel, ...]]] = []
