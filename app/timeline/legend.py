"""The colour key of the lanes: a swatch and a name per kind, flowing over lines."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen

from app.theme import KIND_LABELS, LEGEND_KINDS, Theme

#: How strongly Django's work after an answer is drawn (see ``TimelineRows.tail_per_kind``).
TAIL_OPACITY = 0.45

__all__ = ["ANSWER_LABEL", "TAIL_LABEL", "draw_legend"]

#: The legend's words for the thin faint bars: a student must not read "every request
#: finished at the end" from Django's clean-up after the answers.
TAIL_LABEL = "thin, faint: Django's clean-up after the answer (no one waits; Ctrl+T hides)"
#: The legend's words for the mark at the end of an answered lane.
ANSWER_LABEL = "answer received"


def draw_legend(
    painter: QPainter,
    rect: QRectF,
    theme: Theme,
    font: QFont,
    kinds: Sequence[str] = LEGEND_KINDS,
    *,
    tails: bool = False,
    answers: bool = False,
) -> float:
    """Swatches and names, flowing over lines; returns the height used. With ``answers``,
    an entry explains the mark where a lane got its answer; with ``tails``, a last one the
    thin faint bars after it."""
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
    extras: list[tuple[str, str]] = [("answer", ANSWER_LABEL)] if answers else []
    extras += [("tail", TAIL_LABEL)] if tails else []
    for what, label in extras:
        width = swatch * 1.6 + 6 + fm.horizontalAdvance(label) + fm.height()
        if x + width > rect.right() and x > rect.left():
            x, y = rect.left(), y + fm.height() * 1.3
        if what == "answer":
            mark = max(2.0, round(swatch * 0.2))
            painter.fillRect(
                QRectF(x + swatch * 0.8, y, mark, fm.height()), QColor(theme.foreground)
            )
        else:
            thin = max(2.0, round(swatch * 0.3))
            painter.setOpacity(TAIL_OPACITY)
            painter.fillRect(
                QRectF(x, y + (fm.height() - thin) / 2, swatch * 1.6, thin),
                theme.color("framework"),
            )
            painter.setOpacity(1.0)
        painter.setPen(QColor(theme.foreground))
        painter.drawText(QPointF(x + swatch * 1.6 + 6, y + fm.ascent()), label)
        x += width
    painter.restore()
    return y + fm.height() * 1.3 - rect.top()
