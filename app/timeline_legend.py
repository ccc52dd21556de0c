"""The colour key of the lanes: a swatch and a name per kind, flowing over lines."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen

from .theme import KIND_LABELS, LEGEND_KINDS, Theme

__all__ = ["draw_legend"]


def draw_legend(
    painter: QPainter,
    rect: QRectF,
    theme: Theme,
    font: QFont,
    kinds: Sequence[str] = LEGEND_KINDS,
) -> float:
    """Swatches and names, flowing over lines; returns the height used."""
    fm = QFontMetricsF(font)
    painter.save()
    painter.setFont(font)
    swatch = fm.height() * 0.9
    x, y = rect.left(), rect.top()
    for kind in kinds:
        label = KIND_LABELS[kind]
        width = swatch + 6 + fm.horizontalAdvance(label) + fm.height()
        if x + width > rect.right() and x > rect.left():
            x, y = rect.left(), y + fm.height() * 1.4
        box = QRectF(x, y + (fm.height() - swatch) / 2, swatch * 1.6, swatch)
        painter.setPen(QPen(QColor(theme.muted), 1))
        painter.setBrush(theme.brush(kind))
        painter.drawRect(box)
        hatch = theme.hatch(kind)
        if hatch is not None:
            painter.setBrush(hatch)
            painter.drawRect(box)
        painter.setPen(QColor(theme.foreground))
        painter.drawText(QPointF(box.right() + 6, y + fm.ascent()), label)
        x = box.right() + 6 + fm.horizontalAdvance(label) + fm.height()
    painter.restore()
    return y + fm.height() * 1.4 - rect.top()
