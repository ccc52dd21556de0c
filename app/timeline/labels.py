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

import math

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QFont, QFontMetricsF

from app.timeline.geometry import PlacedLabel, TimelineGeometry
from app.timeline.rows import TimelineRows

__all__ = ["SMALLEST", "label_font", "named_row_px", "place_labels"]

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


def _place(
    text: str,
    right: float,
    width: float,
    centre: float,
    span: tuple[float, float],
    placed: list[PlacedLabel],
    fm: QFontMetricsF,
    row: int | None,
) -> PlacedLabel | None:
    """``text`` right-aligned at ``right``, centred on ``centre`` or moved (its centre kept
    within ``span``) to clear ``placed``; ``None`` if it cannot be."""
    text = fm.elidedText(text, Qt.TextElideMode.ElideLeft, width)
    advance = min(fm.horizontalAdvance(text), width)
    line = fm.height()
    tops = [centre - line / 2]
    for other in placed:  # just under or just over each label in the way
        tops += [other.rect.bottom(), other.rect.top() - line]
    for top in sorted(tops, key=lambda t: abs(t - (centre - line / 2))):
        if not span[0] <= top + line / 2 <= span[1]:
            continue
        rect = QRectF(right - advance, top, advance, line)
        if not any(_overlaps(rect, other.rect) for other in placed):
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
    placed: list[PlacedLabel] = []

    def row_label(row: int) -> None:
        top = geo.row_top(row)
        height = pixels_per_row if every == 1 else 0.0
        # A row's label may move within its row, not into another's.
        span = (top, top + max(height, 0.0)) if every == 1 else (top - line / 2, top + line / 2)
        label = _place(rows.labels[row], right, width, top + height / 2, span, placed, fm, row)
        if label is not None:
            placed.append(label)

    if rows.loop_row is not None:
        row_label(rows.loop_row)
    if geo.strip_height:
        text = "loop blocked" if fm.horizontalAdvance("loop blocked") <= width else "blocked"
        middle = geo.strip_top + geo.strip_height / 2
        strip = _place(text, right, width, middle, (middle - 2, middle + 2), placed, fm, None)
        if strip is not None:
            placed.append(strip)
    for row in sorted(rows.kept_rows - {rows.loop_row}):
        row_label(row)
    for row in range(0, len(rows), every):
        if row not in rows.kept_rows:
            row_label(row)
    return placed
