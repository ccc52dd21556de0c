"""The colour key of the lanes: a swatch and a name per kind, flowing over lines."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen

from app.theme import KIND_LABELS, LEGEND_KINDS, Theme

__all__ = ["TAIL_LABEL", "draw_legend"]

#: The legend's words for the thin bars: a student must not read "every request finished
#: at the end" from Django's clean-up after the answers.
TAIL_LABEL = "thin: Django still at work after the answer was sent (Ctrl+T hides)"


def draw_legend(
    painter: QPainter,
    rect: QRectF,
    theme: Theme,
    font: QFont,
    kinds: Sequence[str] = LEGEND_KINDS,
    *,
    tails: bool = False,
) -> float:
    """Swatches and names, flowing over lines; returns the height used. With ``tails``, a
    last entry explains the thin bars after a request's answer."""
    fm = QFontMetricsF(font)
    painter.save()
    painter.setFont(font)
    swatch = fm.height() * 0.9
    x, y = rect.left(), rect.top()
    for kind in kinds:
        label = KIND_LABELS[kind]
        width = swatch + 6 + fm.horizontalAdvance(label) + fm.height()
        if x + width > rect.right() and x > rect.left():
            x, y = rect.left(), y + fm.height() * 1.3
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
    if tails:
        label = TAIL_LABEL
        width = swatch * 1.6 + 6 + fm.horizontalAdvance(label)
        if x + width > rect.right() and x > rect.left():
            x, y = rect.left(), y + fm.height() * 1.3
        thin = max(2.0, round(swatch * 0.3))
        bar = QRectF(x, y + (fm.height() - thin) / 2, swatch * 1.6, thin)
        painter.fillRect(bar, theme.color("framework"))
        painter.setPen(QColor(theme.foreground))
        painter.drawText(QPointF(bar.right() + 6, y + fm.ascent()), label)
    painter.restore()
    return y + fm.height() * 1.3 - rect.top()
