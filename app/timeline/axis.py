"""The timeline's time axis: round tick steps, short labels, and painting them."""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen

from app.theme import Theme
from app.timeline.geometry import TimelineGeometry
from simulator.trace import Trace

__all__ = ["format_ms", "nice_ticks", "paint_axis"]


def format_ms(ms: float) -> str:
    """``0``, ``0.5 ms``, ``200 ms``, ``1.2 s``: short, for axis ticks and tooltips.

    Tighter than a figure (:func:`simulator.metrics.figures.format_ms`): a tick is a round
    number, and a bare ``0`` marks the first send.
    """
    if ms == 0:
        return "0"
    if abs(ms) >= 1000:
        s = ms / 1000
        return f"{s:.3g} s" if abs(s) < 100 else f"{s:.0f} s"
    if abs(ms) >= 10:
        return f"{ms:.0f} ms"
    return f"{ms:.2g} ms"


def nice_ticks(span_ms: float, max_ticks: int) -> float:
    """A tick step of 1, 2 or 5 × 10^k ms giving at most ``max_ticks`` ticks over the span."""
    if span_ms <= 0 or max_ticks < 1:
        return 1.0
    raw = span_ms / max_ticks
    power = 10 ** math.floor(math.log10(raw))
    for mult in (1, 2, 5, 10):
        if mult * power >= raw:
            return mult * power
    return 10 * power


def paint_axis(
    painter: QPainter, geo: TimelineGeometry, trace: Trace, theme: Theme, font: QFont
) -> None:
    """Grid lines and time labels (ms from the first send) along the top of the lanes."""
    fm = QFontMetricsF(font)
    span_ms = (geo.t_to_ns - geo.t_from_ns) / 1e6
    max_ticks = max(2, int(geo.lanes_width / (fm.horizontalAdvance("00000 ms") * 1.4)))
    step = nice_ticks(span_ms, max_ticks)
    first_ms = (geo.t_from_ns - trace.t0_ns) / 1e6
    tick = math.ceil(first_ms / step) * step
    grid_pen = QPen(QColor(theme.grid), 1)
    text_colour = QColor(theme.foreground)
    baseline = geo.axis_top + fm.ascent() + 2
    while tick <= first_ms + span_ms + 1e-9:
        x = geo.x_of(trace.t0_ns + int(tick * 1e6))
        painter.setPen(grid_pen)
        painter.drawLine(
            QPointF(x, geo.axis_top + geo.axis_height - 4), QPointF(x, geo.rect.bottom())
        )
        label = format_ms(round(tick, 6))
        width = fm.horizontalAdvance(label)
        painter.setPen(text_colour)
        painter.drawText(QPointF(min(x - width / 2, geo.rect.right() - width), baseline), label)
        tick += step
