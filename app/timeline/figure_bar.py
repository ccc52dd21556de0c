"""A lesson's figure for each side as a bar beside its lanes, where the lanes cannot show it.

Lesson 18 asks how much of Django's own time a request costs: 1.4 ms on A, 2 ms on B, drawn
as pink bars 2–3 px wide on a 730 ms axis, so only the verdict's words carried the answer.
A figure that is the time of one kind of the lanes per request (:attr:`~simulator.metrics.
figures.Figure.kind`) is drawn for each side as a bar of that kind's colour and pattern, as
long against the longer side's as its value is, with its value written as everywhere else
(a side measured several times: the median and the range, :class:`~simulator.metrics.
comparison.Spread`, as the verdict writes it): what the lanes beside it measured, the figure
line's, the verdict's and the slide's number, never another. The window puts it at the right of
each side's title (:class:`~app.widgets.figure_bar.QtFigureBar`), the slide at the right
of each side's heading.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen

from app.theme import Theme
from simulator.metrics.comparison import spread
from simulator.metrics.figures import EMPTY, FIGURE
from simulator.metrics.summary import Summary

__all__ = ["TITLE_ELIDE", "FigureBar", "bar_block_width", "figure_bars", "paint_figure_bar"]

#: How long the longer side's bar is, in lines of the text beside it.
LONGEST_LINES = 12
#: How a side's title is cut where the bar leaves it no room, in the window and on a slide:
#: in the middle, since its start says the view and server and its end what B changed
#: ("Django's default middleware", cut away at its end at 1024 px) and the run's state.
TITLE_ELIDE = Qt.TextElideMode.ElideMiddle


@dataclass(frozen=True, slots=True)
class FigureBar:
    """One side's bar: the kind whose colour it is drawn in, the figure's caption and value
    as written, its length against the longer side's (1.0: the longer), and the widest of
    the sides' values (the room each side leaves for one, so both bars start at one x)."""

    kind: str
    caption: str
    text: str
    fraction: float
    widest: str


def figure_bars(sides: Sequence[Sequence[Summary]], figure: str | None) -> tuple[FigureBar, ...]:
    """A bar per side (A, then B; each side's summaries, one per run) when ``figure`` is the
    time of one kind of the lanes and both sides measured it; else none (a run of one side,
    a figure no colour stands for)."""
    known = FIGURE.get(figure) if figure is not None else None
    if known is None or known.kind is None or len(sides) < 2 or not all(sides):
        return ()
    if any(known.text(summary) == EMPTY for side in sides for summary in side):
        return ()
    spreads = [spread(known.key, side) for side in sides]
    values = [each.median for each in spreads]
    texts = [each.text for each in spreads]
    if not all(math.isfinite(v) and v >= 0 for v in values):
        return ()
    longest = max(values)
    if longest <= 0:
        return ()
    widest = max(texts, key=len)
    return tuple(
        FigureBar(known.kind, known.caption, text, value / longest, widest)
        for value, text in zip(values, texts, strict=True)
    )


def _parts(font: QFont, bar: FigureBar) -> tuple[float, float, float, float]:
    """The caption's width, the gap, the longest bar's length and the values' room."""
    fm = QFontMetricsF(font)
    line = fm.height()
    return (
        fm.horizontalAdvance(bar.caption),
        line * 0.5,
        line * LONGEST_LINES,
        max(fm.horizontalAdvance(bar.widest), fm.horizontalAdvance(bar.text)),
    )


def bar_block_width(font: QFont, bar: FigureBar) -> float:
    """How wide a side's caption, bar and value are together (the same on both sides, so
    their bars start at one x and compare by length)."""
    caption_px, gap, longest, value = _parts(font, bar)
    return caption_px + gap + longest + gap + value


def paint_figure_bar(
    painter: QPainter, rect: QRectF, bar: FigureBar, theme: Theme, font: QFont
) -> None:
    """``bar`` at the right of ``rect`` (one line of ``font``): "Framework / request", the
    bar in its kind's colour and pattern, and the value just after its end."""
    fm = QFontMetricsF(font)
    caption_px, gap, longest, _ = _parts(font, bar)
    left = rect.right() - bar_block_width(font, bar)
    baseline = rect.top() + (rect.height() - fm.height()) / 2 + fm.ascent()
    painter.save()
    painter.setFont(font)
    painter.setPen(QColor(theme.foreground))
    painter.drawText(QPointF(left, baseline), bar.caption)
    height = fm.height() * 0.8
    box = QRectF(
        left + caption_px + gap,
        rect.top() + (rect.height() - height) / 2,
        max(1.0, longest * bar.fraction),
        height,
    )
    painter.setPen(QPen(QColor(theme.muted), 1))
    painter.setBrush(theme.brush(bar.kind))
    painter.drawRect(box)
    hatch = theme.hatch(bar.kind)
    if hatch is not None:
        painter.setBrush(hatch)
        painter.drawRect(box)
    painter.setPen(QColor(theme.foreground))
    painter.drawText(QPointF(box.right() + gap, baseline), bar.text)
    painter.restore()
