"""The label column as painted: each row's name and the loop-blocked strip's.

Where the labels go is laid out once per rows and size (:mod:`app.timeline.labels`), and a
live run hands the same labels on frame after frame while no row comes or changes; only the
lanes beside them are drawn again. So in the window (a raster picture) the column is drawn
once into a picture of its own, the theme's background under it, and every frame with the
same labels copies that picture: one call, not a ``drawText`` per label (a few dozen a
frame, each laying out its text). Exports (SVG, PDF) draw the words as words.
"""

from __future__ import annotations

import math
from collections import OrderedDict

from PySide6.QtCore import QPoint, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QImage, QPainter, QPixmap

from app.theme import Theme
from app.timeline.geometry import PlacedLabel, TimelineGeometry
from app.timeline.labels import label_font
from app.timeline.rows import TimelineRows

__all__ = ["paint_labels"]

#: Columns kept (a compared pair's two, and a few sizes to come back to).
_KEPT = 4
_COLUMNS: OrderedDict[tuple[object, ...], tuple[tuple[PlacedLabel, ...], QPixmap]] = OrderedDict()


def paint_labels(
    painter: QPainter, geo: TimelineGeometry, rows: TimelineRows, theme: Theme, font: QFont
) -> None:
    """``geo``'s labels (the rows' and the strip's), none over another."""
    labels = geo.labels
    small = label_font(font, geo, rows)
    painter.setFont(small)  # (and what is written after them, as before)
    where = _column(painter, geo, font)
    if where is None:
        _draw(painter, labels, theme)
        return
    ratio = painter.device().devicePixelRatioF()
    key = (id(labels), where, small.key(), theme.name, theme.foreground, theme.muted, ratio)
    known = _COLUMNS.get(key)
    if known is None or known[0] is not labels:
        picture = QPixmap(round(where[2] * ratio), round(where[3] * ratio))
        picture.setDevicePixelRatio(ratio)
        picture.fill(QColor(theme.background))
        inner = QPainter(picture)
        inner.setRenderHints(painter.renderHints())
        inner.translate(-where[0], -where[1])
        inner.setFont(small)
        _draw(inner, labels, theme)
        inner.end()
        known = _COLUMNS[key] = (labels, picture)  # kept alive: its id stays its own
        while len(_COLUMNS) > _KEPT:
            _COLUMNS.popitem(last=False)
    _COLUMNS.move_to_end(key)
    painter.drawPixmap(QPoint(where[0], where[1]), known[1])


def _draw(painter: QPainter, labels: tuple[PlacedLabel, ...], theme: Theme) -> None:
    for label in labels:
        painter.setPen(QColor(theme.muted if label.row is None else theme.foreground))
        painter.drawText(
            label.rect, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, label.text
        )


def _column(
    painter: QPainter, geo: TimelineGeometry, font: QFont
) -> tuple[int, int, int, int] | None:
    """Where the labels' own picture goes (whole pixels, left of the lanes and below the
    axis's words: nothing else is drawn there), or ``None`` to draw them as words: not a
    raster picture (a pixmap or an image: the window's), or labels reaching where other
    things are drawn."""
    labels = geo.labels
    if not labels or not isinstance(painter.device(), (QPixmap, QImage)):
        return None
    left = math.floor(geo.rect.left())
    right = math.floor(geo.lanes_left) - 3  # the grid and the "now" line start at the lanes
    top = math.floor(min(label.rect.top() for label in labels)) - 1
    bottom = math.ceil(max(label.rect.bottom() for label in labels)) + 1
    axis_words = geo.axis_top + QFontMetricsF(font).height() + 3
    if (
        top < axis_words
        or right <= left
        or not all(
            QRectF(left, top, right - left, bottom - top).contains(label.rect) for label in labels
        )
    ):
        return None
    return left, top, right - left, bottom - top
